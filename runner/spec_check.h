// The catalog against the spec: what each case uses (Case::uses) and cites, judged against the
// module's surface (spec/module-surface.json) and the rules (spec/rules/). A case's `since`
// must be at least the highest version of anything it uses or cites, and its platforms must
// not reach a platform where something it uses or cites does not exist. Pure functions.
#ifndef SIGCONFORM_RUNNER_SPEC_CHECK_H_
#define SIGCONFORM_RUNNER_SPEC_CHECK_H_

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"
#include "catalog.h"
#include "module_surface.h"
#include "rules.h"

namespace sigconform {

// The concrete platform words (linux, darwin, freebsd, netbsd, openbsd, windows, emscripten,
// wasi) a platform list of the case language covers; every one for an empty list.
std::vector<std::string> ConcretePlatforms(const std::vector<std::string>& platforms);

// The concrete platforms where a rule's availability word (AvailabilityWords()) holds: "all"
// and "native" everywhere (native: emulated on WebAssembly, see emulation.h), "Unix" the five Unix words, "Linux" and "Linux >= 5.1" linux, "not macOS"
// everywhere but darwin, "Windows" windows, "WebAssembly" emscripten and wasi.
std::vector<std::string> AvailabilityPlatforms(const std::string& word);

// What demands the highest version of a case: the version, what demands it ("set_wakeup_fd's
// parameter warn_on_full_buffer", "rule wakeup.fd-byte") and where (a JSON Pointer into the
// case file). {"3.0", "", ""} when nothing demands more than 3.0.
struct VersionNeed {
  std::string version = "3.0";
  std::string why;
  std::string path;
};

// The derived `since` of a case: the highest `since` among the names it calls, names ("@NAME",
// `requires`, {"builtin": ...}), matches (enums and their members), the parameters it passes
// (by position or keyword), the signals the runner acts on for it, the step actions it uses
// (ActionSince; ActionPlatforms bind the platforms likewise) and the rules it cites. Unknown
// names and rules are skipped (CheckAgainstSpec reports them).
VersionNeed DerivedSince(const Case& c, const RuleIndex& rules, const ModuleSurface& surface);

// Every error of these cases against the spec, one per problem, each naming the case file and
// a JSON path: a `call` of a name the surface does not have, or of a name that is not callable;
// "@NAME", `requires`, a builtin, an enum or an enum member the surface does not have; a
// `since` below DerivedSince; a platform of the case where a name, parameter or signal it
// uses, or a rule it cites, does not exist (one error per name and case); a case citing a
// "Linux >= N" rule without a `kernel` of at least N. Citations of unknown or withdrawn rules
// are CheckCitations' business (rules.h).
std::vector<CatalogError> CheckAgainstSpec(const std::vector<Case>& cases, const RuleIndex& rules,
                                           const ModuleSurface& surface);

// Which cases exercise which name and which parameter of the surface. A name is exercised by a
// case that calls it, names it ("@NAME", `requires`, a builtin, `do: attribute`), matches it
// (an enum, an enum member, a struct) or expects it raised; a parameter by a call that passes
// it, by position or keyword.
struct SurfaceCoverage {
  std::map<std::string, std::vector<std::string>> cases_of_name;       // every name
  std::map<std::string, std::vector<std::string>> cases_of_parameter;  // "function.parameter"
  std::vector<std::string> unexercised_names;       // in name order
  std::vector<std::string> unexercised_parameters;  // "function.parameter", in name order
};

SurfaceCoverage ComputeSurfaceCoverage(const ModuleSurface& surface, const std::vector<Case>& cases);

// {"documentation": "3.13",
//  "names": [{"name", "kind", "since", "platforms", "documented", "cases": [...],
//             "parameters": [{"name", "pass", "type", "since", "cases": [...]}]}],
//  "unexercised_names": [...], "unexercised_parameters": [...],
//  "totals": {"names", "names_exercised", "parameters", "parameters_exercised"}}
nlohmann::json SurfaceCoverageJson(const ModuleSurface& surface, const SurfaceCoverage& coverage);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_SPEC_CHECK_H_
