// `sigconform list`: the catalog, one case a line.
#ifndef SIGCONFORM_RUNNER_COMMAND_LIST_H_
#define SIGCONFORM_RUNNER_COMMAND_LIST_H_

#include <string>
#include <vector>

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// `sigconform list`: prints "id  title" for each case the selection keeps, sorted; with
// `verbose`, also its rules and tags. Catalog errors are printed and give kExitUsage.
int ListCommand(const std::string& cases_dir, const CaseSelection& selection, bool verbose);

// Adds `list` and its options to the command line.
CommandAction AddListCommand(CLI::App* app);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_LIST_H_
