// The case validator's shared checks: types, keys, names, signals.
#include "case_validator.h"

#include <algorithm>
#include <set>

#include "plan.h"
#include "platform_values.h"
#include "signal_names.h"

namespace sigconform {

using nlohmann::json;

std::vector<CatalogError> CaseValidator::Run(const json& doc, Case* out) {
  Top(doc);
  if (errors_.empty() && out != nullptr) {
    case_.file = file_;
    case_.requires_names.assign(requires_.begin(), requires_.end());
    case_.operations.assign(operations_.begin(), operations_.end());
    case_.uses = std::move(uses_);
    *out = std::move(case_);
  }
  return std::move(errors_);
}

void CaseValidator::Use(SurfaceUse::Kind kind, const std::string& name, const std::string& path,
                        const std::string& function, int position) {
  if (alternatives_ > 0) return;
  SurfaceUse use;
  use.kind = kind;
  use.name = name;
  use.path = path;
  use.function = function;
  use.position = position;
  uses_.push_back(std::move(use));
}

void CaseValidator::Error(const std::string& path, std::string message) {
  errors_.push_back({file_, path, std::move(message)});
}

bool CaseValidator::TypeError(const json& v, const std::string& path, const char* expected) {
  Error(path, std::string("expected ") + expected + ", got " + TypeName(v));
  return false;
}

bool CaseValidator::IsObject(const json& v, const std::string& path) {
  return v.is_object() || TypeError(v, path, "an object");
}

bool CaseValidator::IsArray(const json& v, const std::string& path) {
  return v.is_array() || TypeError(v, path, "an array");
}

bool CaseValidator::IsString(const json& v, const std::string& path) {
  return v.is_string() || TypeError(v, path, "a string");
}

bool CaseValidator::IsBool(const json& v, const std::string& path) {
  return v.is_boolean() || TypeError(v, path, "a boolean");
}

bool CaseValidator::IsInteger(const json& v, const std::string& path) {
  return IsIntegral(v) || TypeError(v, path, "an integer");
}

bool CaseValidator::IsNumber(const json& v, const std::string& path) {
  return v.is_number() || TypeError(v, path, "a number");
}

bool CaseValidator::PlatformValue(const json& v, const std::string& path, bool integer_only) {
  if (!IsObject(v, path)) return false;
  const size_t before = errors_.size();
  Keys(v, path, {"platform", "float", "text"}, {"platform"});
  if (auto it = v.find("platform"); it != v.end()) {
    const std::vector<std::string>& names = PlatformValueNames();
    if (IsString(*it, Child(path, "platform")) &&
        std::find(names.begin(), names.end(), it->get<std::string>()) == names.end()) {
      Error(Child(path, "platform"), "'" + it->get<std::string>() +
                                         "' is not a platform value; expected one of: " + Join(names));
    }
  }
  if (auto it = v.find("float"); it != v.end() && *it != json(true)) {
    Error(Child(path, "float"), "float takes true, got " + it->dump());
  }
  if (auto it = v.find("text"); it != v.end() && IsString(*it, Child(path, "text"))) {
    const std::string text = it->get<std::string>();
    const size_t at = text.find("{}");
    if (at == std::string::npos || text.find("{}", at + 2) != std::string::npos) {
      Error(Child(path, "text"), "text must hold \"{}\" exactly once (where the number goes), got " +
                                     it->dump());
    }
  }
  if (v.contains("float") && v.contains("text")) Error(path, "give 'float' or 'text', not both");
  if (integer_only && (v.contains("float") || v.contains("text"))) {
    Error(path, "an integer is needed here: no 'float' or 'text'");
  }
  return errors_.size() == before;
}

bool CaseValidator::IntegerAtLeast(const json& v, const std::string& path, long long min) {
  if (!IsInteger(v, path)) return false;
  if (v.get<double>() < static_cast<double>(min)) {
    Error(path, "expected an integer >= " + std::to_string(min) + ", got " + v.dump());
    return false;
  }
  return true;
}

bool CaseValidator::Identifier(const json& v, const std::string& path, const char* what) {
  if (!IsString(v, path)) return false;
  if (!IsIdentifier(v.get<std::string>())) {
    Error(path, "'" + v.get<std::string>() + "' is not " + what +
                    " (letters, digits and '_', not starting with a digit)");
    return false;
  }
  return true;
}

// Reports keys outside `allowed` and missing `required` keys of an object.
void CaseValidator::Keys(const json& obj, const std::string& path, std::vector<std::string> allowed,
          const std::vector<std::string>& required) {
  std::sort(allowed.begin(), allowed.end());
  for (const auto& item : obj.items()) {
    if (!std::binary_search(allowed.begin(), allowed.end(), item.key())) {
      Error(Child(path, item.key()),
            "unknown key '" + item.key() + "'; expected one of: " + Join(allowed));
    }
  }
  for (const auto& key : required) {
    if (!obj.contains(key)) Error(path, "missing required key '" + key + "'");
  }
}

// An array of unique strings each accepted by `ok`; `what` names the expected form.
std::vector<std::string> CaseValidator::StringList(const json& v, const std::string& path,
                                    bool (*ok)(const std::string&), const std::string& what,
                                    bool non_empty) {
  std::vector<std::string> out;
  if (!IsArray(v, path)) return out;
  if (non_empty && v.empty()) Error(path, "expected at least one item");
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = Child(path, i);
    if (!IsString(v[i], p)) continue;
    const std::string s = v[i].get<std::string>();
    if (!ok(s)) {
      Error(p, "'" + s + "' is not " + what);
      continue;
    }
    if (!seen.insert(s).second) {
      Error(p, "duplicate item '" + s + "'");
      continue;
    }
    out.push_back(s);
  }
  return out;
}

// A signal name: the pattern, and known somewhere; known on this host too when the runner
// must act on it (`host`) and the case may run on this host.
bool CaseValidator::Signal(const json& v, const std::string& path, bool host) {
  if (!IsString(v, path)) return false;
  const std::string name = v.get<std::string>();
  if (!IsSignalName(name)) {
    Error(path, "'" + name + "' is not a signal name (SIG followed by capitals and digits)");
    return false;
  }
  if (!IsSignalAnywhere(name)) {
    Error(path, "unknown signal name '" + name + "'");
    return false;
  }
  if (host && !SignalNumber(name) && MayRunOnHost()) {
    Error(path, "signal '" + name + "' does not exist on this host (" +
                    std::string(*HostPlatform() ? HostPlatform() : "unknown platform") +
                    "), and the runner must send or set it; restrict the case's platforms");
    return false;
  }
  return true;
}

std::vector<std::string> CaseValidator::SignalList(const json& v, const std::string& path, bool host) {
  std::vector<std::string> out;
  if (!IsArray(v, path)) return out;
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = Child(path, i);
    if (!Signal(v[i], p, host)) continue;
    if (!seen.insert(v[i].get<std::string>()).second) {
      Error(p, "duplicate item '" + v[i].get<std::string>() + "'");
      continue;
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

bool CaseValidator::MayRunOnHost() const {
  return *HostPlatform() == '\0' || PlatformMatches(case_.platforms, HostPlatform());
}

bool CaseValidator::OneOf(const json& v, const std::string& path, const std::vector<std::string>& options) {
  if (!IsString(v, path)) return false;
  if (std::find(options.begin(), options.end(), v.get<std::string>()) == options.end()) {
    Error(path, "'" + v.get<std::string>() + "' is not one of: " + Join(options));
    return false;
  }
  return true;
}

}  // namespace sigconform
