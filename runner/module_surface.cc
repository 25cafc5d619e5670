#include "module_surface.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "bounded_file.h"
#include "bounded_json.h"
#include "case_syntax.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

constexpr size_t kMaxNames = 1000;
constexpr size_t kMaxParameters = 32;
constexpr size_t kMaxFileBytes = 1 << 20;

bool IsVersion(const std::string& s) { return IsDotted(s, 2, 2); }

// "3.9" < "3.10": compares N.N versions numerically.
int CompareDotted(const std::string& a, const std::string& b) {
  const size_t da = a.find('.'), db = b.find('.');
  const long ma = std::stol(a.substr(0, da)), mb = std::stol(b.substr(0, db));
  if (ma != mb) return ma < mb ? -1 : 1;
  const long na = std::stol(a.substr(da + 1)), nb = std::stol(b.substr(db + 1));
  return na == nb ? 0 : (na < nb ? -1 : 1);
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  std::vector<CatalogError> Run(const json& doc, ModuleSurface* out) {
    Top(doc);
    if (errors_.empty() && out != nullptr) {
      surface_.file = file_;
      std::sort(surface_.names.begin(), surface_.names.end(),
                [](const SurfaceName& a, const SurfaceName& b) { return a.name < b.name; });
      *out = std::move(surface_);
    }
    return std::move(errors_);
  }

 private:
  void Error(const std::string& path, std::string message) {
    errors_.push_back({file_, path, std::move(message)});
  }

  bool Keys(const json& obj, const std::string& path, const std::vector<std::string>& allowed,
            const std::vector<std::string>& required) {
    bool ok = true;
    for (const auto& item : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
        Error(JsonPointerChild(path, item.key()),
              "unknown key '" + item.key() + "'; expected one of: " + Join(allowed));
        ok = false;
      }
    }
    for (const auto& key : required) {
      if (!obj.contains(key)) {
        Error(path, "missing required key '" + key + "'");
        ok = false;
      }
    }
    return ok;
  }

  bool String(const json& v, const std::string& path, std::string* out) {
    if (!v.is_string()) {
      Error(path, "expected a string, got " + TypeName(v));
      return false;
    }
    *out = v.get<std::string>();
    return true;
  }

  bool Version(const json& v, const std::string& path, std::string* out) {
    if (!String(v, path, out)) return false;
    if (!IsVersion(*out)) {
      Error(path, "'" + *out + "' is not a version like \"3.8\"");
      return false;
    }
    return true;
  }

  void Top(const json& doc) {
    if (!doc.is_object()) {
      Error("", "expected an object, got " + TypeName(doc));
      return;
    }
    Keys(doc, "", {"sigconform_module_surface", "module", "documentation", "names"},
         {"sigconform_module_surface", "module", "documentation", "names"});
    if (auto it = doc.find("sigconform_module_surface");
        it != doc.end() && *it != json(1)) {
      Error("/sigconform_module_surface", "the format version must be 1, got " + it->dump());
    }
    if (auto it = doc.find("module"); it != doc.end() && *it != json("signal")) {
      Error("/module", "the module must be \"signal\", got " + it->dump());
    }
    if (auto it = doc.find("documentation"); it != doc.end()) {
      Version(*it, "/documentation", &surface_.documentation);
    }
    auto it = doc.find("names");
    if (it == doc.end()) return;
    if (!it->is_array()) {
      Error("/names", "expected an array, got " + TypeName(*it));
      return;
    }
    if (it->size() > kMaxNames) {
      Error("/names", "at most " + std::to_string(kMaxNames) + " names, got " +
                          std::to_string(it->size()));
      return;
    }
    // Enum names first, so that a constant may name an enum listed after it.
    for (const json& entry : *it) {
      if (entry.is_object() && entry.value("kind", json()) == "enum" &&
          entry.value("name", json()).is_string()) {
        enums_.insert(entry["name"].get<std::string>());
      }
    }
    std::set<std::string> seen;
    for (size_t n = 0; n < it->size(); ++n) {
      const std::string path = "/names/" + std::to_string(n);
      const json& entry = (*it)[n];
      if (entry.is_object() && entry.value("name", json()).is_string() &&
          !seen.insert(entry["name"].get<std::string>()).second) {
        Error(path + "/name", "'" + entry["name"].get<std::string>() + "' is listed twice");
        continue;
      }
      SurfaceName name;
      if (Name(entry, path, &name)) surface_.names.push_back(std::move(name));
    }
  }

  bool Name(const json& e, const std::string& path, SurfaceName* out) {
    if (!e.is_object()) {
      Error(path, "expected an object, got " + TypeName(e));
      return false;
    }
    const size_t before = errors_.size();
    Keys(e, path, {"name", "kind", "since", "platforms", "enum", "documented", "note",
                   "bases", "parameters"},
         {"name", "kind", "since", "platforms"});
    if (auto it = e.find("name"); it != e.end() && String(*it, path + "/name", &out->name) &&
                                  !IsIdentifier(out->name)) {
      Error(path + "/name", "'" + out->name + "' is not an identifier");
    }
    if (auto it = e.find("kind"); it != e.end() && String(*it, path + "/kind", &out->kind)) {
      const auto& kinds = NameKinds();
      if (std::find(kinds.begin(), kinds.end(), out->kind) == kinds.end()) {
        Error(path + "/kind", "'" + out->kind + "' is not one of: " + Join(kinds));
      }
    }
    if (auto it = e.find("since"); it != e.end()) Version(*it, path + "/since", &out->since);
    if (auto it = e.find("platforms"); it != e.end()) Platforms(*it, path + "/platforms", out);
    if (auto it = e.find("enum"); it != e.end() && String(*it, path + "/enum", &out->enum_name)) {
      if (!enums_.count(out->enum_name)) {
        Error(path + "/enum", "'" + out->enum_name + "' is not a name of kind \"enum\"");
      }
    }
    if (auto it = e.find("documented"); it != e.end()) {
      if (it->is_boolean()) {
        out->documented = it->get<bool>();
      } else {
        Error(path + "/documented", "expected a boolean, got " + TypeName(*it));
      }
    }
    if (auto it = e.find("note"); it != e.end() && !it->is_string()) {
      Error(path + "/note", "expected a string, got " + TypeName(*it));
    }
    if (auto it = e.find("bases"); it != e.end()) {
      if (!it->is_array() || !std::all_of(it->begin(), it->end(), [](const json& b) {
            return b.is_string() && IsIdentifier(b.get<std::string>());
          })) {
        Error(path + "/bases", "expected an array of class names");
      }
    }
    const bool function = out->kind == "function";
    if (auto it = e.find("parameters"); it != e.end()) {
      if (!function) {
        Error(path + "/parameters", "only a function has parameters");
      } else {
        Parameters(*it, path + "/parameters", out);
      }
    } else if (function) {
      Error(path, "a function lists its parameters (an empty list when it takes none)");
    }
    return errors_.size() == before;
  }

  void Platforms(const json& v, const std::string& path, SurfaceName* out) {
    if (!v.is_array() || v.empty()) {
      Error(path, "expected a non-empty array of platform words");
      return;
    }
    if (v.size() == 1 && v[0] == json("all")) return;  // everywhere
    const auto& words = PlatformWords();
    for (size_t n = 0; n < v.size(); ++n) {
      const std::string p = path + "/" + std::to_string(n);
      std::string word;
      if (!String(v[n], p, &word)) continue;
      const std::string bare = word.rfind('!', 0) == 0 ? word.substr(1) : word;
      if (std::find(words.begin(), words.end(), bare) == words.end()) {
        Error(p, "'" + word + "' is not a platform word (" + Join(words) +
                     ", optionally preceded by '!'), nor [\"all\"] alone");
        continue;
      }
      out->platforms.push_back(word);
    }
  }

  void Parameters(const json& v, const std::string& path, SurfaceName* out) {
    if (!v.is_array()) {
      Error(path, "expected an array, got " + TypeName(v));
      return;
    }
    if (v.size() > kMaxParameters) {
      Error(path, "at most " + std::to_string(kMaxParameters) + " parameters");
      return;
    }
    std::set<std::string> seen;
    bool keyword_seen = false;
    for (size_t n = 0; n < v.size(); ++n) {
      const std::string p = path + "/" + std::to_string(n);
      const json& e = v[n];
      if (!e.is_object()) {
        Error(p, "expected an object, got " + TypeName(e));
        continue;
      }
      Keys(e, p, {"name", "pass", "type", "since", "default"}, {"name", "pass", "type"});
      Parameter param;
      if (auto it = e.find("name"); it != e.end() && String(*it, p + "/name", &param.name)) {
        if (!IsIdentifier(param.name)) {
          Error(p + "/name", "'" + param.name + "' is not an identifier");
        } else if (!seen.insert(param.name).second) {
          Error(p + "/name", "parameter '" + param.name + "' is listed twice");
        }
      }
      std::string pass;
      if (auto it = e.find("pass"); it != e.end() && String(*it, p + "/pass", &pass)) {
        if (pass == "positional") {
          param.pass = PassKind::kPositional;
        } else if (pass == "positional-or-keyword") {
          param.pass = PassKind::kPositionalOrKeyword;
        } else if (pass == "keyword") {
          param.pass = PassKind::kKeyword;
        } else {
          Error(p + "/pass", "'" + pass + "' is not one of: positional, "
                             "positional-or-keyword, keyword");
        }
        if (param.pass == PassKind::kKeyword) {
          keyword_seen = true;
        } else if (keyword_seen) {
          Error(p + "/pass", "a parameter that may be passed by position cannot follow a "
                             "keyword-only one");
        }
      }
      if (auto it = e.find("type"); it != e.end() && String(*it, p + "/type", &param.type)) {
        const auto& types = ParameterTypes();
        if (std::find(types.begin(), types.end(), param.type) == types.end()) {
          Error(p + "/type", "'" + param.type + "' is not one of: " + Join(types));
        }
      }
      param.since = out->since;
      if (auto it = e.find("since"); it != e.end() && Version(*it, p + "/since", &param.since)) {
        if (IsVersion(out->since) && CompareDotted(param.since, out->since) < 0) {
          Error(p + "/since", "a parameter cannot be older than its function (" + out->since +
                                  ")");
        }
      }
      param.optional = e.contains("default");
      out->parameters.push_back(std::move(param));
    }
  }

  std::string file_;
  std::vector<CatalogError> errors_;
  ModuleSurface surface_;
  std::set<std::string> enums_;
};

}  // namespace

const Parameter* SurfaceName::FindParameter(const std::string& wanted) const {
  for (const Parameter& p : parameters) {
    if (p.name == wanted) return &p;
  }
  return nullptr;
}

const SurfaceName* ModuleSurface::Find(const std::string& wanted) const {
  auto it = std::lower_bound(names.begin(), names.end(), wanted,
                             [](const SurfaceName& n, const std::string& w) { return n.name < w; });
  return it != names.end() && it->name == wanted ? &*it : nullptr;
}

const std::vector<std::string>& NameKinds() {
  static const std::vector<std::string> kinds = {"function", "signal", "constant",
                                                 "enum",     "exception", "class"};
  return kinds;
}

const std::vector<std::string>& ParameterTypes() {
  static const std::vector<std::string> types = {"int", "float", "bool", "signal", "signals",
                                                 "handler", "fd", "frame", "none"};
  return types;
}

std::vector<CatalogError> ParseModuleSurface(const json& doc, const std::string& file,
                                             ModuleSurface* out) {
  try {
    return Parser(file).Run(doc, out);
  } catch (const std::exception& e) {
    return {{file, "", std::string("internal error while reading the surface: ") + e.what()}};
  }
}

std::vector<CatalogError> LoadModuleSurface(const std::string& path, ModuleSurface* out) {
  std::string text, error;
  if (!ReadFileBounded(path, kMaxFileBytes, &text, &error)) return {{path, "", error}};
  json doc;
  JsonError parse_error;
  if (!ParseBoundedJson(text, JsonBounds{kMaxFileBytes, kMaxJsonDepth, 100000}, &doc,
                        &parse_error)) {
    return {{path, parse_error.json_path, parse_error.message}};
  }
  return ParseModuleSurface(doc, path, out);
}

}  // namespace sigconform
