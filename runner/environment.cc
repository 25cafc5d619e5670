#include "environment.h"

#include <cstdlib>
#include <optional>

namespace sigconform {
namespace {

// Sets NAME to `value` in `env` (replacing it in place), or removes it when value is nullopt.
void SetVariable(std::vector<std::string>* env, const std::string& name,
                 const std::optional<std::string>& value) {
  const std::string prefix = name + "=";
  for (auto it = env->begin(); it != env->end(); ++it) {
    if (it->compare(0, prefix.size(), prefix) == 0) {
      if (value) {
        *it = prefix + *value;
      } else {
        env->erase(it);
      }
      return;
    }
  }
  if (value) env->push_back(prefix + *value);
}

}  // namespace

std::vector<std::string> BaseEnvironment() {
  const char* home = std::getenv("HOME");
  std::string home_value = (home != nullptr && home[0] != '\0') ? home : "/nonexistent";
  return {
      "PATH=/usr/local/bin:/usr/bin:/bin",
      "HOME=" + home_value,
      "LANG=C.UTF-8",
      "LC_ALL=C.UTF-8",
      "TZ=UTC",
      "PYTHONDONTWRITEBYTECODE=1",
      "PYTHONNOUSERSITE=1",
  };
}

std::vector<std::string> CaseEnvironment(const std::vector<std::string>& base,
                                         const ParentState& parent, bool run) {
  std::vector<std::string> env;
  for (const std::string& entry : base) {
    if (entry.find('=') != std::string::npos) env.push_back(entry);
  }
  // std::map iterates in name order, which makes the result deterministic.
  for (const auto& [name, value] : parent.env) SetVariable(&env, name, value);
  SetVariable(&env, "SIGCONFORM_OBS_FD", std::string("3"));
  if (run) {
    SetVariable(&env, "SIGCONFORM_CASE_FD", std::string("4"));
  } else {
    SetVariable(&env, "SIGCONFORM_CASE_FD", std::nullopt);
  }
  return env;
}

}  // namespace sigconform
