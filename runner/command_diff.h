// `sigconform diff`: regressions and fixes between two JSON reports, by case id.
#ifndef SIGCONFORM_RUNNER_COMMAND_DIFF_H_
#define SIGCONFORM_RUNNER_COMMAND_DIFF_H_

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// `sigconform diff OLD NEW [--json FILE] [--strict]`: prints one line per changed pair
// (REGRESSION, FIX, CHANGED, ADDED, REMOVED, with both statuses and the new message) and the
// counts. Exits kExitFailures when there is a regression (with --strict: any change at all,
// so that two reports of the same run can be checked for equality), kExitUsage when a report
// cannot be read, kExitOk otherwise.
CommandAction AddDiffCommand(CLI::App* app);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_DIFF_H_
