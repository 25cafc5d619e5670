// `sigconform impls`: the registered implementations, whether each is installed here, and its
// version.
#ifndef SIGCONFORM_RUNNER_COMMAND_IMPLS_H_
#define SIGCONFORM_RUNNER_COMMAND_IMPLS_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// What `impls` found out about one registered implementation.
struct ImplStatus {
  std::string name;                // "cpython", "py3.11"
  std::vector<std::string> argv;   // the driver's command line as registered
  // "usable": installed and its driver described it; "not-installed": its program is not
  // here; "unusable": installed, but the driver refused or failed to describe it (`detail`).
  std::string state;
  std::string detail;              // why it is not usable, or "" (one line, from the driver)
  std::string implementation;      // the describe record's `implementation` ("cpython"), or ""
  std::string language_version;    // "3.11.2", or ""
  std::string platform;            // "linux", "emscripten", or ""
  std::string runtime;             // the optional `runtime` ("pyodide 0.29.5"), or ""
};

// Describes every registered implementation whose program is installed (all at once) and
// returns one status per RegisteredNames() entry, in that order.
std::vector<ImplStatus> ProbeRegistered();

// The statuses as JSON: {"implementations": [{"name", "argv", "state", "detail",
// "implementation", "language_version", "platform", "runtime"}, ...]}.
nlohmann::json ImplStatusJson(const std::vector<ImplStatus>& statuses);

// The statuses as an aligned table for people, one line each.
std::string ImplStatusTable(const std::vector<ImplStatus>& statuses);

// `sigconform impls [--json FILE]`: prints the table (and writes the JSON). Exit status 0.
int ImplsCommand(const std::string& json_path);

// Adds `impls` and its options to the command line.
CommandAction AddImplsCommand(CLI::App* app);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_IMPLS_H_
