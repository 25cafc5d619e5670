// `sigconform merge`: the shards of a run (or runs of several implementations) joined into one
// JSON report.
#ifndef SIGCONFORM_RUNNER_COMMAND_MERGE_H_
#define SIGCONFORM_RUNNER_COMMAND_MERGE_H_

#include <string>
#include <vector>

#include "command_common.h"
#include "report_read.h"
#include "run_verdict.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// Reads every report of `files` and merges them (MergeReports). Prints each problem and
// returns false when a file cannot be read or the reports do not fit together.
bool ReadAndMerge(const std::vector<std::string>& files, LoadedReport* merged);

// The exit status a merged report deserves: kExitFailures when a result counts against it or
// a gate fails (each gate problem is printed), kExitOk otherwise.
int JudgeMerged(const LoadedReport& merged, const Gates& gates);

// `sigconform merge FILE... -o OUT`: writes the merged JSON report to OUT and prints a
// summary line per implementation. kExitUsage on unreadable or ill-fitting reports or when
// OUT cannot be written; otherwise JudgeMerged's status.
CommandAction AddMergeCommand(CLI::App* app, const Invocation* invocation);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_MERGE_H_
