// A case of the catalog, loaded and validated (spec/case-format.md).
#ifndef SIGCONFORM_RUNNER_CASE_H_
#define SIGCONFORM_RUNNER_CASE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigconform {

// Process state the runner sets up in the forked child before exec ("parent" in a case).
struct ParentState {
  enum class Stdout { kCapture, kBroken, kDevNull };

  std::vector<std::string> ignore;   // signal names left at SIG_IGN
  std::vector<std::string> block;    // signal names left blocked
  std::vector<std::string> pending;  // signal names left pending (each is also in block)
  Stdout stdout_mode = Stdout::kCapture;
  // Variables added to the controlled environment; nullopt removes the variable.
  std::map<std::string, std::optional<std::string>> env;
  // Resource limits by short name ("FSIZE", "NOFILE", "CPU", "CORE"), soft = hard = value.
  std::map<std::string, long long> rlimits;
};

// What the processes of one case may use together ("limits" in a case). A case that reaches
// one ends as `error`, saying which; it can raise them. 0: no limit.
struct CaseLimits {
  static constexpr uint64_t kDefaultMemoryMb = 1024;  // room for a Node.js-based driver
  static constexpr uint64_t kDefaultProcesses = 128;  // tasks: processes and threads

  uint64_t memory_bytes = kDefaultMemoryMb << 20;
  uint64_t processes = kDefaultProcesses;
};

// How the process must end.
struct ExitExpectation {
  bool by_signal = false;  // true: killed by `signal`; false: exited with `code`
  int code = 0;
  std::string signal;  // a signal name, when by_signal
};

// What a captured stream must hold. `present` is false when the case says nothing.
struct StreamExpectation {
  bool present = false;
  std::vector<std::string> contains;
  std::vector<std::string> excludes;
  bool empty = false;
};

// One place where a case uses the module's surface, found by the validator and judged against
// spec/module-surface.json (spec_check.h): what the case must have, since when, and where.
struct SurfaceUse {
  enum class Kind {
    kCall,        // `call` of the function `name`
    kName,        // the module attribute `name`: "@NAME", `requires`, {"builtin": NAME}
    kProbe,       // `do: attribute`: `name` is looked at, not required
    kPositional,  // the `position`-th positional argument (from 0) of a call of `function`
    kKeyword,     // the keyword argument `name` of a call of `function`
    kEnum,        // the enum class `name`: a matcher's enum member or $type, `members`
    kMember,      // the member `name` of the enum `function`, as a matcher expects it
    kSignal,      // the signal `name` the runner sets, sends or expects (parent, parent_kill,
                  // exit, events)
    kAction,      // the step action `name`
    kMentioned,   // a class an expectation names (a raised type, a struct): `name` counts when
                  // the module has it, and is no error when it does not (ValueError)
  };
  Kind kind = Kind::kName;
  std::string name;
  std::string function;
  int position = -1;
  std::string path;  // JSON Pointer into the case file
};

struct Case {
  std::string id;     // path below cases/ without ".json"; stable forever
  std::string file;   // path of the JSON file, as given to the loader
  std::string title;
  std::vector<std::string> rules;
  std::string since = "3.0";          // first language version with the behaviour
  // The first language version that no longer has it (it changed): the case covers
  // [since, until). nullopt: every version from `since` on.
  std::optional<std::string> until;
  std::vector<std::string> platforms;  // as written ("unix", "!darwin"); empty: everywhere
  std::optional<std::string> kernel;  // minimum Linux kernel, e.g. "5.1"
  // Module names the case needs: its explicit "requires" plus every called function and
  // every "@NAME" argument, derived at load time. Sorted, unique.
  std::vector<std::string> requires_names;
  // Step actions the case uses ("call", "kill", "wait", ...). Sorted, unique.
  std::vector<std::string> operations;
  // Every use of the module's surface, in document order. Matchers under $not, $one_of and
  // $excludes are left out: what they name is an alternative, not a requirement.
  std::vector<SurfaceUse> uses;
  std::vector<std::string> tags;
  double timeout = 10.0;  // seconds
  CaseLimits limits;
  ParentState parent;
  ExitExpectation exit;
  StreamExpectation stdout_expect;
  StreamExpectation stderr_expect;
  nlohmann::json handlers = nlohmann::json::object();  // as in the file
  nlohmann::json steps = nlohmann::json::array();      // as in the file, expectations included
};

// The program handed to a driver: the case without its expectations (spec/driver-protocol.md).
nlohmann::json DriverProgram(const Case& c);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CASE_H_
