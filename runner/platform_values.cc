#include "platform_values.h"

#include <csignal>
#include <cstdint>
#include <set>

#include "emulation.h"

namespace sigconform {
namespace {

using nlohmann::json;

// The text a resolved string becomes: "@x" and "$x" would be read as a module name or a
// binding, so they are doubled into the literal forms.
std::string Literal(const std::string& text) {
  if (!text.empty() && (text[0] == '@' || text[0] == '$')) return text.substr(0, 1) + text;
  return text;
}

json Resolved(const json& form, long long value) {
  if (form.value("float", false)) return json{{"float", static_cast<double>(value)}};
  if (auto it = form.find("text"); it != form.end() && it->is_string()) {
    std::string text = it->get<std::string>();
    const size_t at = text.find("{}");
    if (at != std::string::npos) text.replace(at, 2, std::to_string(value));
    return Literal(text);
  }
  return value;
}

bool IsPlatformForm(const json& v) {
  return v.is_object() && v.contains("platform") && v["platform"].is_string();
}

// Collects the names `values` lacks into *lacking and, when `replace`, replaces the forms
// whose value is there.
void Walk(json* v, const PlatformValues& values, std::set<std::string>* lacking, bool replace) {
  if (IsPlatformForm(*v)) {
    const std::string name = (*v)["platform"].get<std::string>();
    auto it = values.find(name);
    if (it == values.end()) {
      lacking->insert(name);
    } else if (replace) {
      *v = Resolved(*v, it->second);
    }
    return;
  }
  if (v->is_object() || v->is_array()) {
    for (auto& item : *v) Walk(&item, values, lacking, replace);
  }
}

}  // namespace

const std::vector<std::string>& PlatformValueNames() {
  static const std::vector<std::string> names = {"SIG_DFL", "SIG_IGN", "NSIG", "SIGRTMIN",
                                                 "SIGRTMAX"};
  return names;
}

PlatformValues HostPlatformValues() {
  return {{"SIG_DFL", static_cast<long long>(reinterpret_cast<intptr_t>(SIG_DFL))},
          {"SIG_IGN", static_cast<long long>(reinterpret_cast<intptr_t>(SIG_IGN))},
          {"NSIG", NSIG},
          {"SIGRTMIN", SIGRTMIN},
          {"SIGRTMAX", SIGRTMAX}};
}

PlatformValues PlatformValuesFor(const std::string& platform, const PlatformValues& reported) {
  if (!IsEmulatedPlatform(platform)) return HostPlatformValues();
  PlatformValues out;
  for (const std::string& name : PlatformValueNames()) {
    if (auto it = reported.find(name); it != reported.end()) out[name] = it->second;
  }
  return out;
}

std::vector<std::string> PlatformValuesUsed(const Case& c) {
  std::set<std::string> names;
  json steps = c.steps;
  Walk(&steps, PlatformValues{}, &names, /*replace=*/false);
  return {names.begin(), names.end()};
}

bool ResolvePlatformValues(const PlatformValues& values, Case* c, std::vector<std::string>* missing) {
  std::set<std::string> lacking;
  Walk(&c->steps, values, &lacking, /*replace=*/false);
  if (!lacking.empty()) {
    if (missing) missing->assign(lacking.begin(), lacking.end());
    return false;
  }
  Walk(&c->steps, values, &lacking, /*replace=*/true);
  return true;
}

}  // namespace sigconform
