#include "emulation.h"

#include "plan.h"

namespace sigconform {

bool IsEmulatedPlatform(const std::string& platform) {
  return platform == "emscripten" || platform == "wasi";
}

Judgement JudgementOf(const std::vector<std::string>& availabilities) {
  if (availabilities.empty()) return Judgement::kEmulated;
  for (const std::string& word : availabilities) {
    if (word != "all" && word != "WebAssembly") return Judgement::kEmulated;
  }
  return Judgement::kAsAnywhere;
}

bool EmulatedPlatformMatches(const std::vector<std::string>& platforms,
                             const std::string& platform) {
  for (const std::string& word : platforms) {
    if (word == platform || word == "!" + platform) return PlatformMatches(platforms, platform);
  }
  return PlatformMatches(platforms, "linux");
}

Status EmulatedStatus(Status status) {
  switch (status) {
    case Status::kPass: return Status::kEmulatedConforming;
    case Status::kFail:
    case Status::kTimeout: return Status::kEmulatedDiverging;
    default: return status;
  }
}

}  // namespace sigconform
