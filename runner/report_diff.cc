#include "report_diff.h"

#include <map>

#include "text.h"

namespace sigconform {

const char* ChangeKindName(Change::Kind kind) {
  switch (kind) {
    case Change::kRegression: return "regression";
    case Change::kFix: return "fix";
    case Change::kChanged: return "changed";
    case Change::kAdded: return "added";
    case Change::kRemoved: return "removed";
  }
  return "changed";
}

std::vector<Change> DiffResults(const std::vector<Result>& before, const std::vector<Result>& after) {
  using Key = std::pair<std::string, std::string>;  // (implementation, case)
  std::map<Key, const Result*> old_by_key, new_by_key;
  std::vector<std::string> impl_order;
  std::map<std::string, bool> seen_impl;
  const auto index = [&](const std::vector<Result>& list, std::map<Key, const Result*>* by_key) {
    for (const Result& r : list) {
      (*by_key)[{r.implementation, r.case_id}] = &r;
      if (!seen_impl[r.implementation]) {
        seen_impl[r.implementation] = true;
        impl_order.push_back(r.implementation);
      }
    }
  };
  index(after, &new_by_key);
  index(before, &old_by_key);
  std::map<std::string, size_t> rank;
  for (size_t i = 0; i < impl_order.size(); ++i) rank[impl_order[i]] = i;
  std::map<std::pair<size_t, std::string>, Change> ordered;
  const auto add = [&](Change c) {
    ordered.emplace(std::make_pair(rank[c.implementation], c.case_id), std::move(c));
  };
  for (const auto& [key, now] : new_by_key) {
    auto it = old_by_key.find(key);
    Change c{Change::kChanged, key.second, key.first, std::nullopt, *now};
    if (it == old_by_key.end()) {
      c.kind = IsUnexpected(now->status) ? Change::kRegression : Change::kAdded;
      add(std::move(c));
      continue;
    }
    const Result& was = *it->second;
    c.before = was;
    const bool bad_before = IsUnexpected(was.status), bad_now = IsUnexpected(now->status);
    if (!bad_before && bad_now) {
      c.kind = Change::kRegression;
    } else if (bad_before && !bad_now) {
      c.kind = Change::kFix;
    } else if (was.status != now->status || was.step != now->step) {
      c.kind = Change::kChanged;
    } else {
      continue;
    }
    add(std::move(c));
  }
  for (const auto& [key, was] : old_by_key) {
    if (new_by_key.count(key)) continue;
    add(Change{Change::kRemoved, key.second, key.first, *was, std::nullopt});
  }
  std::vector<Change> out;
  for (auto& [key, c] : ordered) out.push_back(std::move(c));
  return out;
}

nlohmann::json DiffJson(const std::vector<Change>& changes) {
  nlohmann::json list = nlohmann::json::array();
  std::map<std::string, int> counts = {{"regression", 0}, {"fix", 0}, {"changed", 0}, {"added", 0}, {"removed", 0}};
  for (const Change& c : changes) {
    counts[ChangeKindName(c.kind)]++;
    nlohmann::json item = {{"kind", ChangeKindName(c.kind)},
                           {"case", SanitizeUtf8(c.case_id)},
                           {"implementation", SanitizeUtf8(c.implementation)}};
    if (c.before) {
      item["before"] = StatusName(c.before->status);
      if (!c.before->step.empty()) item["before_step"] = c.before->step;
    }
    if (c.after) {
      item["after"] = StatusName(c.after->status);
      if (!c.after->step.empty()) item["after_step"] = c.after->step;
      if (!c.after->message.empty()) item["message"] = SanitizeUtf8(c.after->message);
    }
    list.push_back(item);
  }
  return {{"regressions", counts["regression"]}, {"fixes", counts["fix"]},
          {"changed", counts["changed"]},        {"added", counts["added"]},
          {"removed", counts["removed"]},        {"changes", list}};
}

}  // namespace sigconform
