#include "spec_check.h"

#include <algorithm>
#include <set>

#include "case_syntax.h"
#include "plan.h"

namespace sigconform {
namespace {

using nlohmann::json;

const std::vector<std::string>& Concrete() {
  static const std::vector<std::string> words = {"linux",   "darwin",  "freebsd",    "netbsd",
                                                 "openbsd", "windows", "emscripten", "wasi"};
  return words;
}

// The platforms of `have` missing from `need`'s, in Concrete() order.
std::vector<std::string> Lacking(const std::vector<std::string>& need,
                                 const std::vector<std::string>& have) {
  std::vector<std::string> out;
  for (const std::string& p : need) {
    if (std::find(have.begin(), have.end(), p) == have.end()) out.push_back(p);
  }
  return out;
}

bool Callable(const SurfaceName& n) { return n.kind != "signal" && n.kind != "constant"; }

const char* PassName(PassKind p) {
  switch (p) {
    case PassKind::kPositional: return "positional";
    case PassKind::kPositionalOrKeyword: return "positional-or-keyword";
    case PassKind::kKeyword: return "keyword";
  }
  return "positional";
}

// The parameter a positional argument fills, or nullptr (too many arguments, or only keyword
// parameters left: a case may pass them to see the TypeError).
const Parameter* PositionalParameter(const SurfaceName& fn, int position) {
  if (position < 0 || static_cast<size_t>(position) >= fn.parameters.size()) return nullptr;
  const Parameter& p = fn.parameters[static_cast<size_t>(position)];
  return p.pass == PassKind::kKeyword ? nullptr : &p;
}

// One requirement a use places on the case: a version and the platforms that have it.
struct Need {
  std::string version;
  std::string why;
  std::vector<std::string> platforms;  // concrete
  std::string key;                     // one platform error per key and case
};

// What a use needs, or nullopt when it needs nothing the surface can tell (a probe, a keyword
// that is not a parameter, a signal the surface does not list).
std::optional<Need> NeedOf(const SurfaceUse& u, const ModuleSurface& surface) {
  using K = SurfaceUse::Kind;
  auto of_name = [&](const SurfaceName& n, const std::string& why) {
    return Need{n.since, why, ConcretePlatforms(n.platforms), n.name};
  };
  switch (u.kind) {
    case K::kCall:
    case K::kName:
    case K::kEnum:
    case K::kMember:
    case K::kSignal:
    case K::kMentioned: {
      const SurfaceName* n = surface.Find(u.name);
      if (n == nullptr) return std::nullopt;
      const char* what = u.kind == K::kSignal ? "signal " : "";
      return of_name(*n, std::string(what) + n->name);
    }
    case K::kPositional:
    case K::kKeyword: {
      const SurfaceName* fn = surface.Find(u.function);
      if (fn == nullptr) return std::nullopt;
      const Parameter* p = u.kind == K::kPositional ? PositionalParameter(*fn, u.position)
                                                    : fn->FindParameter(u.name);
      if (p == nullptr) return std::nullopt;
      Need need = of_name(*fn, fn->name + "'s parameter " + p->name);
      need.version = p->since;  // the platforms, and so the key, are the function's
      return need;
    }
    case K::kAction: {
      const std::string since = ActionSince(u.name);
      const std::vector<std::string> platforms = ActionPlatforms(u.name);
      if (since.empty() && platforms.empty()) return std::nullopt;
      return Need{since.empty() ? "3.0" : since, "the action '" + u.name + "'",
                  ConcretePlatforms(platforms), "do:" + u.name};
    }
    case K::kProbe:
      return std::nullopt;
  }
  return std::nullopt;
}

void AddCase(std::map<std::string, std::vector<std::string>>* map, const std::string& key,
             const std::string& id) {
  auto it = map->find(key);
  if (it == map->end()) return;  // not a name or parameter of the surface
  if (it->second.empty() || it->second.back() != id) it->second.push_back(id);
}

}  // namespace

std::vector<std::string> ConcretePlatforms(const std::vector<std::string>& platforms) {
  std::vector<std::string> out;
  for (const std::string& p : Concrete()) {
    if (PlatformMatches(platforms, p)) out.push_back(p);
  }
  return out;
}

std::vector<std::string> AvailabilityPlatforms(const std::string& word) {
  if (word == "Unix") return ConcretePlatforms({"unix"});
  if (word == "Linux" || word.rfind("Linux >=", 0) == 0) return {"linux"};
  if (word == "not macOS") return ConcretePlatforms({"!darwin"});
  if (word == "Windows") return {"windows"};
  if (word == "WebAssembly") return {"emscripten", "wasi"};
  return Concrete();  // "all", and "native": everywhere, emulated on WebAssembly
}

VersionNeed DerivedSince(const Case& c, const RuleIndex& rules, const ModuleSurface& surface) {
  VersionNeed best;
  auto consider = [&](const std::string& version, const std::string& why,
                      const std::string& path) {
    if (CompareVersions(version, best.version) > 0) best = {version, why, path};
  };
  for (const SurfaceUse& u : c.uses) {
    if (auto need = NeedOf(u, surface)) consider(need->version, need->why, u.path);
  }
  for (size_t n = 0; n < c.rules.size(); ++n) {
    if (const Rule* r = FindRule(rules, c.rules[n])) {
      consider(r->since, "rule " + r->id, "/rules/" + std::to_string(n));
    }
  }
  return best;
}

std::vector<CatalogError> CheckAgainstSpec(const std::vector<Case>& cases, const RuleIndex& rules,
                                           const ModuleSurface& surface) {
  using K = SurfaceUse::Kind;
  std::vector<CatalogError> errors;
  for (const Case& c : cases) {
    auto error = [&](const std::string& path, const std::string& message) {
      errors.push_back({c.file, path, message});
    };
    // Names the case must find in the surface.
    for (const SurfaceUse& u : c.uses) {
      const SurfaceName* n = surface.Find(u.name);
      switch (u.kind) {
        case K::kCall:
          if (n == nullptr) {
            error(u.path, "'" + u.name + "' is not a name of the signal module (" +
                              surface.file + "); a typo would only show as 'missing'");
          } else if (!Callable(*n)) {
            error(u.path, "'" + u.name + "' is a " + n->kind + ", not something to call");
          }
          break;
        case K::kName:
          if (n == nullptr) {
            error(u.path, "'" + u.name + "' is not a name of the signal module (" +
                              surface.file + "); to look at a name that may be absent, use "
                              "{\"do\": \"attribute\"}");
          }
          break;
        case K::kEnum:
          if (n == nullptr || n->kind != "enum") {
            error(u.path, "'" + u.name + "' is not an enum of the signal module");
          }
          break;
        case K::kMember:
          if (n == nullptr) {
            error(u.path, "'" + u.name + "' is not a name of the signal module, so no " +
                              u.function + " member has it");
          } else if (n->enum_name != u.function) {
            error(u.path, "'" + u.name + "' is not a member of " + u.function +
                              (n->enum_name.empty() ? std::string()
                                                    : " (it belongs to " + n->enum_name + ")"));
          }
          break;
        default:
          break;
      }
    }
    // The version.
    const VersionNeed need = DerivedSince(c, rules, surface);
    if (CompareVersions(c.since, need.version) < 0) {
      error("/since", "the case applies since " + c.since + ", but " + need.why + " (at " +
                          need.path + ") dates from " + need.version + "; set \"since\" to \"" +
                          need.version + "\" or later");
    }
    // The platforms.
    const std::vector<std::string> where = ConcretePlatforms(c.platforms);
    const std::string platforms =
        c.platforms.empty() ? std::string("everywhere") : "platforms " + Join(c.platforms);
    std::set<std::string> reported;
    for (const SurfaceUse& u : c.uses) {
      const auto n = NeedOf(u, surface);
      if (!n || reported.count(n->key)) continue;
      const std::vector<std::string> lacking = Lacking(where, n->platforms);
      if (lacking.empty()) continue;
      reported.insert(n->key);
      error(u.path, n->why + " does not exist on " + Join(lacking) + ", where the case applies (" +
                        platforms + "); narrow the case's platforms");
    }
    for (size_t i = 0; i < c.rules.size(); ++i) {
      const Rule* r = FindRule(rules, c.rules[i]);
      if (r == nullptr) continue;
      const std::string path = "/rules/" + std::to_string(i);
      const std::vector<std::string> lacking = Lacking(where, AvailabilityPlatforms(r->availability));
      if (!lacking.empty()) {
        error(path, "rule " + r->id + " is available on '" + r->availability + "' only, not on " +
                        Join(lacking) + ", where the case applies (" + platforms +
                        "); narrow the case's platforms");
      }
      const std::string prefix = "Linux >= ";
      if (r->availability.rfind(prefix, 0) == 0) {
        const std::string kernel = r->availability.substr(prefix.size());
        if (!c.kernel || CompareVersions(*c.kernel, kernel) < 0) {
          error(path, "rule " + r->id + " needs Linux " + kernel + "; give the case \"kernel\": \"" +
                          kernel + "\" or later");
        }
      }
    }
  }
  return errors;
}

SurfaceCoverage ComputeSurfaceCoverage(const ModuleSurface& surface, const std::vector<Case>& cases) {
  using K = SurfaceUse::Kind;
  SurfaceCoverage coverage;
  for (const SurfaceName& n : surface.names) {
    coverage.cases_of_name[n.name];
    for (const Parameter& p : n.parameters) coverage.cases_of_parameter[n.name + "." + p.name];
  }
  std::vector<const Case*> sorted;
  for (const Case& c : cases) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(), [](const Case* a, const Case* b) { return a->id < b->id; });
  for (const Case* c : sorted) {
    for (const SurfaceUse& u : c->uses) {
      switch (u.kind) {
        case K::kCall:
        case K::kName:
        case K::kProbe:
        case K::kEnum:
        case K::kMember:
        case K::kMentioned:
          AddCase(&coverage.cases_of_name, u.name, c->id);
          break;
        case K::kPositional:
        case K::kKeyword: {
          const SurfaceName* fn = surface.Find(u.function);
          if (fn == nullptr) break;
          const Parameter* p = u.kind == K::kPositional ? PositionalParameter(*fn, u.position)
                                                        : fn->FindParameter(u.name);
          if (p != nullptr) AddCase(&coverage.cases_of_parameter, fn->name + "." + p->name, c->id);
          break;
        }
        default:
          break;
      }
    }
  }
  for (const SurfaceName& n : surface.names) {
    if (coverage.cases_of_name[n.name].empty()) coverage.unexercised_names.push_back(n.name);
    for (const Parameter& p : n.parameters) {
      const std::string key = n.name + "." + p.name;
      if (coverage.cases_of_parameter[key].empty()) coverage.unexercised_parameters.push_back(key);
    }
  }
  return coverage;
}

json SurfaceCoverageJson(const ModuleSurface& surface, const SurfaceCoverage& coverage) {
  json names = json::array();
  size_t parameters = 0;
  for (const SurfaceName& n : surface.names) {
    json params = json::array();
    for (const Parameter& p : n.parameters) {
      ++parameters;
      params.push_back({{"name", p.name},
                        {"pass", PassName(p.pass)},
                        {"type", p.type},
                        {"since", p.since},
                        {"cases", coverage.cases_of_parameter.at(n.name + "." + p.name)}});
    }
    json entry = {{"name", n.name},
                  {"kind", n.kind},
                  {"since", n.since},
                  {"platforms", n.platforms.empty() ? json({"all"}) : json(n.platforms)},
                  {"documented", n.documented},
                  {"cases", coverage.cases_of_name.at(n.name)}};
    if (n.kind == "function") entry["parameters"] = params;
    names.push_back(std::move(entry));
  }
  return {{"documentation", surface.documentation},
          {"names", names},
          {"unexercised_names", coverage.unexercised_names},
          {"unexercised_parameters", coverage.unexercised_parameters},
          {"totals",
           {{"names", surface.names.size()},
            {"names_exercised", surface.names.size() - coverage.unexercised_names.size()},
            {"parameters", parameters},
            {"parameters_exercised", parameters - coverage.unexercised_parameters.size()}}}};
}

}  // namespace sigconform
