// The case validator: `parent`, the process state set up before exec (spec/case-format.md,
// "Parent state").
#include "case_validator.h"

#include <set>

namespace sigconform {

using nlohmann::json;

void CaseValidator::Parent(const json& v, const std::string& path) {
  if (!IsObject(v, path)) return;
  Keys(v, path, {"ignore", "block", "pending", "stdout", "env", "rlimits"}, {});
  ParentState& ps = case_.parent;
  if (auto it = v.find("ignore"); it != v.end()) ps.ignore = SignalList(*it, Child(path, "ignore"), true);
  if (auto it = v.find("block"); it != v.end()) ps.block = SignalList(*it, Child(path, "block"), true);
  for (const char* key : {"ignore", "block"}) {
    const auto& list = std::string(key) == "ignore" ? ps.ignore : ps.block;
    for (size_t i = 0; i < list.size(); ++i) {
      Use(SurfaceUse::Kind::kSignal, list[i], Child(Child(path, key), i));
    }
  }
  if (auto it = v.find("pending"); it != v.end()) {
    const std::string pp = Child(path, "pending");
    ps.pending = SignalList(*it, pp, true);
    const std::set<std::string> blocked(ps.block.begin(), ps.block.end());
    for (size_t i = 0; i < it->size(); ++i) {
      const json& name = (*it)[i];
      if (name.is_string() && !blocked.count(name.get<std::string>())) {
        Error(Child(pp, i), "'" + name.get<std::string>() +
                                "' is pending but not in parent.block: a signal stays "
                                "pending only while it is blocked");
      }
    }
  }
  if (auto it = v.find("stdout"); it != v.end()) {
    if (OneOf(*it, Child(path, "stdout"), {"capture", "broken", "devnull"})) {
      const std::string mode = it->get<std::string>();
      ps.stdout_mode = mode == "broken"    ? ParentState::Stdout::kBroken
                       : mode == "devnull" ? ParentState::Stdout::kDevNull
                                           : ParentState::Stdout::kCapture;
    }
  }
  if (auto it = v.find("env"); it != v.end()) {
    const std::string ep = Child(path, "env");
    if (IsObject(*it, ep)) {
      for (const auto& item : it->items()) {
        const std::string p = Child(ep, item.key());
        if (!IsIdentifier(item.key())) {
          Error(p, "'" + item.key() + "' is not an environment variable name");
          continue;
        }
        if (item.value().is_null()) {
          ps.env[item.key()] = std::nullopt;
        } else if (item.value().is_string()) {
          ps.env[item.key()] = item.value().get<std::string>();
        } else {
          TypeError(item.value(), p, "a string or null");
        }
      }
    }
  }
  if (auto it = v.find("rlimits"); it != v.end()) {
    const std::string rp = Child(path, "rlimits");
    if (IsObject(*it, rp)) {
      Keys(*it, rp, {"FSIZE", "NOFILE", "CPU", "CORE"}, {});
      for (const auto& item : it->items()) {
        if (item.key() != "FSIZE" && item.key() != "NOFILE" && item.key() != "CPU" &&
            item.key() != "CORE") {
          continue;
        }
        if (IntegerAtLeast(item.value(), Child(rp, item.key()), 0)) {
          ps.rlimits[item.key()] = static_cast<long long>(item.value().get<double>());
        }
      }
    }
  }
}

}  // namespace sigconform
