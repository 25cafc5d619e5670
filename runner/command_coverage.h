// `sigconform coverage`: every rule with the cases that check it.
#ifndef SIGCONFORM_RUNNER_COMMAND_COVERAGE_H_
#define SIGCONFORM_RUNNER_COMMAND_COVERAGE_H_

#include <string>

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// Options of `sigconform coverage`.
struct CoverageOptions {
  std::string rules_dir;  // spec/rules of the source tree by default
  std::string cases_dir;  // the catalog
  std::string surface_path;  // spec/module-surface.json of the source tree by default
  std::string json_path;  // where to write the machine-readable index; "" for none
  // Also fail (kExitFailures) on what the catalog must reach before it is done but may lack
  // while it grows: a case resting on more than one tier, a name or parameter of the module's
  // surface that no case exercises.
  bool strict = false;
};

// `sigconform coverage`: reads the rules of spec/rules/*.md, the module's surface and the
// catalog, prints every rule with the cases that check it (withdrawn rules marked, needing
// none), the rules no case checks, every name and parameter of the module with the number of
// cases that exercise it, the cases whose rules span both tiers, and the totals. Returns
// kExitOk when every standing rule is covered, kExitFailures when some is not (or, with
// `strict`, when a case rests on more than one tier or a name or parameter is unexercised),
// kExitUsage when a rule file, the surface or a case is malformed, or a case cites a rule id
// that does not exist or is withdrawn, or disagrees with the surface (CheckAgainstSpec).
int CoverageCommand(const CoverageOptions& options);

// Adds `coverage` and its options to the command line.
CommandAction AddCoverageCommand(CLI::App* app);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_COVERAGE_H_
