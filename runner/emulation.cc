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

std::string NativeNeed(const Case& c) {
  const ParentState& p = c.parent;
  if (!p.ignore.empty() || !p.block.empty() || !p.pending.empty()) {
    return "signal dispositions, mask or pending signals inherited from the parent";
  }
  if (p.stdout_mode == ParentState::Stdout::kBroken) return "a stdout whose reader is gone";
  if (!p.rlimits.empty()) return "resource limits set by the parent";
  for (const std::string& op : c.operations) {
    if (op == "parent_kill") return "a signal sent by the runner";
  }
  if (c.exit.by_signal) return "the process ended by " + c.exit.signal + "'s default action";
  return "";
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
