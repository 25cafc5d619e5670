#include "case.h"

namespace sigconform {
namespace {

nlohmann::json StripSteps(const nlohmann::json& steps);

// One step without the keys that are for the runner and for people. Only step-level keys are
// dropped: a kwarg that happens to be called "note" is part of the program and stays.
nlohmann::json StripStep(const nlohmann::json& step) {
  if (!step.is_object()) return step;
  const bool is_thread = step.contains("do") && step["do"] == "thread";
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : step.items()) {
    if (key == "expect" || key == "note") continue;
    out[key] = (is_thread && key == "steps") ? StripSteps(value) : value;
  }
  return out;
}

nlohmann::json StripSteps(const nlohmann::json& steps) {
  if (!steps.is_array()) return steps;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& step : steps) out.push_back(StripStep(step));
  return out;
}

}  // namespace

nlohmann::json DriverProgram(const Case& c) {
  return nlohmann::json{{"protocol", 1},
                        {"case", c.id},
                        {"handlers", c.handlers},
                        {"steps", StripSteps(c.steps)}};
}

}  // namespace sigconform
