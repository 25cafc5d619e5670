// `sigconform run`: the catalog against implementations.
#ifndef SIGCONFORM_RUNNER_COMMAND_RUN_H_
#define SIGCONFORM_RUNNER_COMMAND_RUN_H_

#include <string>
#include <vector>

#include "case_filter.h"
#include "command_common.h"
#include "run_verdict.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// Options of `sigconform run`.
struct RunOptions {
  std::vector<std::string> impl_specs;  // as given on the command line; never empty
  std::string cases_dir;                // the catalog
  std::string rules_dir;                // spec/rules: the rules the cases cite
  std::string surface_path;             // spec/module-surface.json
  CaseSelection selection;              // --filter, --tag, -k, --shard
  std::vector<std::string> expectation_files;
  std::string update_expectations;  // --update-expectations FILE; "" for none
  int jobs = 0;            // drivers at once; 0: twice the number of cores
  int repeat = 1;          // runs of each pair (--repeat N)
  bool exit_first = false;  // -x: start nothing more after the first unexpected result
  Gates gates;
  std::string json_path;   // where to write the JSON report alone; "" for none
  std::string out_dir;     // where to write report.json, junit.xml, summary.md; "" for none
  std::string baseline;    // an earlier JSON report the dashboard compares with; "" for none
  std::string runner_path;   // this program, as reproduce lines should call it
  std::string command_line;  // how it was invoked, for the reports
  bool quiet = false;        // no line per unexpected result, only the summary
  // How drivers are started: "auto" (a fork-server for the cases that need no parent state,
  // where the driver offers one; fork+exec otherwise), "fork-exec" (always), "fork-server"
  // (as auto, and an implementation whose driver offers none is a usage error).
  std::string isolation = "auto";
  // --timings FILE: the durations of earlier runs (case_timings.h), read to start the cases
  // longest first by what they took, and rewritten with this run's; "" for none.
  std::string timings_path;
};

// Loads and selects the catalog, checks the selected cases against the rules and the module's
// surface (LoadSpecAndCheck: refusing, with kExitUsage, a case that cites an unknown or
// withdrawn rule, calls a name the module lacks, or claims a version or platform where what it
// uses does not exist), checks the expectation files against the catalog, describes the
// implementations, plans, runs every applicable pair (N times with --repeat) under one
// Supervisor, evaluates, applies expectations, shows unexpected results and a progress line as
// they come and a summary at the end, and writes the reports — also when drivers break or the
// runner is interrupted. Returns the exit status (command_common.h): 128 + the signal when
// interrupted, kExitUsage when an implementation could not start (the others still run and
// the reports are written) or on bad input (then nothing runs), kExitFailures when a result
// counts against the run or a gate fails, kExitOk otherwise.
int RunCommand(const RunOptions& options);

// Adds `run` and its options to the command line; `invocation` is read when the action runs.
CommandAction AddRunCommand(CLI::App* app, const Invocation* invocation);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_RUN_H_
