// Planning: which cases apply to an implementation, from what its driver says about itself
// (spec/driver-protocol.md, "describe").
#ifndef SIGCONFORM_RUNNER_PLAN_H_
#define SIGCONFORM_RUNNER_PLAN_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"

namespace sigconform {

// A driver's describe record, checked and parsed.
struct Description {
  std::string implementation;    // "cpython"
  std::string language_version;  // "3.11.2": starts with digits, dotted
  std::string platform;          // a platform word of the case language ("linux")
  std::optional<std::string> kernel;  // `uname -r` on Linux ("6.1.0-13-amd64"); nullopt elsewhere
  std::string machine;           // "x86_64"
  std::string executable;        // what runs the implementation
  std::set<std::string> names;       // public names of the module
  std::set<std::string> operations;  // step actions the driver supports ("call", "kill", ...)
  // The driver can run as a fork-server (`serve`, spec/driver-protocol.md); false when absent.
  bool fork_server = false;
  // The platform's numbers the driver reports (`constants`: "SIG_IGN" -> 1, ...); empty when
  // absent. Used only where the runner cannot know them itself (platform_values.h).
  std::map<std::string, long long> constants;
  nlohmann::json raw;                // the record as received, for reports
};

// Parses a describe record. nullopt, with *error (when not null) saying what is wrong, when
// the record is not `"ev": "describe"` with protocol 1 and the fields above in their types.
// Never throws.
std::optional<Description> ParseDescription(const nlohmann::json& record, std::string* error);

// Whether a case with these `platforms` (as written: "unix", "!darwin"; empty = everywhere)
// applies on `platform`. "unix" stands for linux, darwin, freebsd, netbsd and openbsd. A
// platform is included when no positive word is given or one matches, and no "!" word matches.
bool PlatformMatches(const std::vector<std::string>& platforms, const std::string& platform);

// Compares dotted versions numerically by their leading numeric parts: "3.9" < "3.10",
// "6.1.0-13-amd64" is 6.1.0, missing parts count as 0. Returns <0, 0 or >0.
int CompareVersions(const std::string& a, const std::string& b);

// What to do with one (case, implementation) pair.
struct Applicability {
  enum Kind {
    kRun,            // run it
    kNotApplicable,  // outside the case's platform, kernel or version
    kMissing,        // in scope, but the implementation lacks a name the case needs
    kUnsupported,    // in scope, but the driver cannot perform a step action the case needs
  } kind = kRun;
  std::string reason;  // for people; empty for kRun
  // kRun on a platform whose signals are emulated, for a case that rests on the operating
  // system's signals: its result is reported as emulated (EmulatedStatus, emulation.h).
  bool emulated = false;
};

// Decides, in this order: platform, kernel minimum (Linux only), `since` and `until` against
// the claimed language version (not-applicable outside [since, until), the reason saying
// both); then names the case requires that the implementation lacks (missing, listing them
// all); then step actions missing from the driver's `operations`, the actions that work on
// this runtime (unsupported, listing them all).
// `availabilities` are those of the rules the case cites (spec/rules/README.md). On a platform
// whose signals are emulated (emulation.h) they decide: the platform check is
// EmulatedPlatformMatches, a case whose own form needs the operating system's signals
// (NativeNeed) is judged kEmulated whatever it cites, and for a case judged kEmulated a name the implementation lacks is
// documented-absent (not-applicable: the documentation says many functions are not available
// there), and a case that runs is marked `emulated`.
// `documented_absent` are the names the case needs that the module's surface says do not exist
// on the implementation's platform (spec/module-surface.md). On an emulated platform a case
// judged as anywhere still runs there as on Linux; when every name it lacks is one of these
// (pthread_kill: Pyodide has no threads), it is documented-absent too, not missing.
Applicability Plan(const Case& c, const Description& d,
                   const std::vector<std::string>& availabilities = {},
                   const std::set<std::string>& documented_absent = {});

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_PLAN_H_
