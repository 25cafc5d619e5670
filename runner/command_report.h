// `sigconform report`: every report format from JSON reports of one or several machines and
// implementations.
#ifndef SIGCONFORM_RUNNER_COMMAND_REPORT_H_
#define SIGCONFORM_RUNNER_COMMAND_REPORT_H_

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// `sigconform report FILE... -o DIR`: merges the reports (as `merge` does, with the same
// refusals) and writes report.json, junit.xml, summary.md and matrix.html into DIR. Exit
// statuses as `merge`.
CommandAction AddReportCommand(CLI::App* app, const Invocation* invocation);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_REPORT_H_
