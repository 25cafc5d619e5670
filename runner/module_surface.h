// The module's surface (spec/module-surface.json, format in spec/module-surface.md): every
// public name of the `signal` module with its kind, the version that introduced it, the
// platforms that have it, and each function's parameters. The catalog is checked against it
// (spec_check.h) and `sigconform coverage` measures breadth by it.
#ifndef SIGCONFORM_RUNNER_MODULE_SURFACE_H_
#define SIGCONFORM_RUNNER_MODULE_SURFACE_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.h"

namespace sigconform {

// How a parameter may be passed.
enum class PassKind {
  kPositional,           // "positional": by position only
  kPositionalOrKeyword,  // "positional-or-keyword"
  kKeyword,              // "keyword": by keyword only
};

// One parameter of a function, in the function's order.
struct Parameter {
  std::string name;
  PassKind pass = PassKind::kPositional;
  std::string type;   // one of ParameterTypes(): "int", "signal", "signals", "handler", ...
  std::string since;  // the version that added it; the function's own `since` when not given
  bool optional = false;  // it has a default
};

// One public name of the module.
struct SurfaceName {
  std::string name;        // "set_wakeup_fd", "SIGUSR1", "Signals"
  std::string kind;        // one of NameKinds(): "function", "signal", "constant", ...
  std::string since;       // "3.3": the version that introduced the name
  // Where it exists, in the case language's platform words ("unix", "!darwin"); empty means
  // everywhere (written "all" in the file).
  std::vector<std::string> platforms;
  std::string enum_name;   // for a constant: the enum it is a member of ("Signals"), or ""
  bool documented = true;  // false for public names the documentation does not describe
  std::vector<Parameter> parameters;  // functions only, in order

  // The parameter called `name`, or nullptr.
  const Parameter* FindParameter(const std::string& name) const;
};

struct ModuleSurface {
  std::string file;           // where it was read from
  std::string documentation;  // the documentation version it was written from: "3.13"
  std::vector<SurfaceName> names;  // sorted by name, unique

  // The name, or nullptr.
  const SurfaceName* Find(const std::string& name) const;
};

// The kinds a name may have: "function", "signal" (a SIG* number), "constant", "enum",
// "exception", "class".
const std::vector<std::string>& NameKinds();

// The types a parameter may have: "int", "float", "bool", "signal", "signals", "handler",
// "fd", "frame", "none".
const std::vector<std::string>& ParameterTypes();

// Parses the surface document. Every problem is an error naming `file` and the JSON path;
// `out` is filled only when there is none. Checks: the keys of each level (unknown keys are
// errors), names that are identifiers and unique, known kinds, "N.N" versions, platform words
// of the case language or "all", `enum` naming a name of kind "enum", parameters on functions
// only with unique names, known pass kinds and types, a parameter's `since` not before its
// function's, keyword-only parameters after the others. Bounds: at most 1000 names and 32
// parameters a function. Never throws.
std::vector<CatalogError> ParseModuleSurface(const nlohmann::json& doc, const std::string& file,
                                             ModuleSurface* out);

// Reads and parses the file: at most 1 MiB, nested at most kMaxJsonDepth, no key given twice
// (bounded_json.h). Never throws.
std::vector<CatalogError> LoadModuleSurface(const std::string& path, ModuleSurface* out);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_MODULE_SURFACE_H_
