// `sigconform repro`: a standalone Python script that reproduces one case (runner/repro.h).
#ifndef SIGCONFORM_RUNNER_COMMAND_REPRO_H_
#define SIGCONFORM_RUNNER_COMMAND_REPRO_H_

#include <string>

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// Options of `sigconform repro`.
struct ReproOptions {
  std::string case_id;    // the case to reproduce
  std::string impl_spec;  // the implementation it is run on once, for the script's notes
  std::string out_path;   // where the script goes; "" for standard output
  std::string cases_dir;
  std::string rules_dir;
};

// Loads the case and the rules it cites, runs the case once on the implementation, and writes
// the script (WriteReproScript) with the rules' text and the observed result in its opening
// comment. Returns kExitOk, or kExitUsage when the case does not exist, the implementation
// cannot be parsed, the case uses an action the generator cannot write, or the file cannot be
// written. A case the implementation passes still gets its script (it then shows the pass).
int ReproCommand(const ReproOptions& options);

// Adds `repro` and its options to the command line.
CommandAction AddReproCommand(CLI::App* app);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_REPRO_H_
