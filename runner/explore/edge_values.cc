#include "explore/edge_values.h"

#include <algorithm>

namespace sigconform {
namespace {

constexpr size_t kMaxPerParameter = 64;

void Keep(std::vector<nlohmann::json>* values, const nlohmann::json& v) {
  if (values->size() >= kMaxPerParameter) return;
  if (std::find(values->begin(), values->end(), v) != values->end()) return;
  values->push_back(v);
}

void HarvestSteps(const nlohmann::json& steps, EdgeValues* out) {
  if (!steps.is_array()) return;
  for (const auto& step : steps) {
    if (!step.is_object()) continue;
    if (step.contains("steps")) HarvestSteps(step["steps"], out);
    if (!step.contains("call") || !step["call"].is_string()) continue;
    const std::string fn = step["call"];
    if (step.contains("args") && step["args"].is_array()) {
      for (size_t i = 0; i < step["args"].size(); i++) {
        if (IsLiteralArgument(step["args"][i])) Keep(&out->positional[{fn, i}], step["args"][i]);
      }
    }
    if (step.contains("kwargs") && step["kwargs"].is_object()) {
      for (const auto& [k, v] : step["kwargs"].items()) {
        if (IsLiteralArgument(v)) Keep(&out->keywords[{fn, k}], v);
      }
    }
  }
}

}  // namespace

bool IsLiteralArgument(const nlohmann::json& arg) {
  if (arg.is_string()) {
    const std::string& s = arg.get_ref<const std::string&>();
    return s.empty() || s[0] != '$' || s.rfind("$$", 0) == 0;
  }
  if (arg.is_array()) {
    return std::all_of(arg.begin(), arg.end(), [](const nlohmann::json& a) { return IsLiteralArgument(a); });
  }
  if (arg.is_object()) {
    if (arg.size() != 1) return false;
    auto it = arg.begin();
    if (it.key() == "float" || it.key() == "bytes") return true;
    if (it.key() == "set" || it.key() == "tuple") return IsLiteralArgument(it.value());
    return false;
  }
  return true;  // numbers, booleans, null
}

const std::vector<nlohmann::json>& EdgeValues::At(const std::string& function,
                                                  size_t position) const {
  static const std::vector<nlohmann::json> kNone;
  auto it = positional.find({function, position});
  return it == positional.end() ? kNone : it->second;
}

EdgeValues HarvestEdgeValues(const std::vector<Case>& cases) {
  EdgeValues out;
  for (const Case& c : cases) HarvestSteps(c.steps, &out);
  return out;
}

}  // namespace sigconform
