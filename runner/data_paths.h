// Where the runner finds what it ships with: the catalog, the rules, the adapters and the
// reference driver. An installed runner (`meson install`) finds them beside itself, under
// its prefix; a runner in the build tree finds them in the source and build trees it was
// built from; nothing depends on the current directory.
#ifndef SIGCONFORM_RUNNER_DATA_PATHS_H_
#define SIGCONFORM_RUNNER_DATA_PATHS_H_

#include <string>

namespace sigconform {

// The folder that holds cases/, spec/ and adapters/, in this order of preference:
//  1. the environment variable SIGCONFORM_SOURCE_ROOT, when set and not empty;
//  2. the installed data folder relative to this program's own path
//     (<prefix>/bin/sigconform -> <prefix>/share/sigconform), when it holds cases/;
//  3. the source tree the runner was built from.
std::string DataDir();

// The reference driver: $SIGCONFORM_BUILD_ROOT/reference-impl/driver/sigref-driver when that
// variable is set and not empty; else the installed one (<prefix>/libexec/sigconform/
// sigref-driver), when this program is installed; else the one of the build tree.
std::string ReferenceDriverPath();

// Whether this program runs from an installation (case 2 above, without the variable).
bool RunsInstalled();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_DATA_PATHS_H_
