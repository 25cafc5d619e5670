#include "run_verdict.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "status_table.h"

namespace sigconform {

double JudgedPercent(const std::vector<Result>& results, const std::string& implementation) {
  size_t counted = 0, judged = 0;
  for (const Result& r : results) {
    if (r.implementation != implementation) continue;
    const StatusInfo& info = InfoOf(r.status);
    if (info.excluded_from_share) continue;
    ++counted;
    if (info.judged) ++judged;
  }
  return counted == 0 ? 100.0 : 100.0 * static_cast<double>(judged) / static_cast<double>(counted);
}

std::map<std::string, std::map<std::string, TierTally>> TallyByTier(const std::vector<Result>& results) {
  std::map<std::string, std::map<std::string, TierTally>> tally;
  for (const Result& r : results) {
    const StatusInfo& info = InfoOf(r.status);
    const std::vector<std::string> tiers = r.tiers.empty() ? std::vector<std::string>{""} : r.tiers;
    for (const std::string& tier : tiers) {
      TierTally& t = tally[r.implementation][tier];
      ++t.results;
      if (info.judged) ++t.judged;
      if (r.status == Status::kPass || r.status == Status::kEmulatedConforming) ++t.passed;
      if (IsUnexpected(r.status)) ++t.unexpected;
    }
  }
  return tally;
}

bool CountsAgainst(const Result& r, const Gates& gates) {
  if (!IsUnexpected(r.status)) return false;
  const bool tier_gated = std::string(InfoOf(r.status).gate) == "--documented-only";
  if (gates.documented_only && tier_gated && !r.tiers.empty() &&
      std::find(r.tiers.begin(), r.tiers.end(), "documented") == r.tiers.end()) {
    return false;  // it rests on rules settled from CPython's behaviour alone
  }
  return true;
}

Verdict JudgeRun(const std::vector<std::string>& implementations,
                 const std::vector<Result>& results, const Gates& gates) {
  Verdict v;
  std::vector<std::string> names = implementations;
  std::set<std::string> known(names.begin(), names.end());
  for (const Result& r : results) {
    if (CountsAgainst(r, gates)) {
      ++v.unexpected;
    } else if (IsUnexpected(r.status)) {
      ++v.lifted;
    }
    if (known.insert(r.implementation).second) names.push_back(r.implementation);
  }
  v.ok = v.unexpected == 0;
  for (const std::string& impl : names) {
    const double share = JudgedPercent(results, impl);
    if (share + 1e-9 < gates.min_judged_percent) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "judged %.1f %% of its applicable cases, below --min-judged %g",
                    share, gates.min_judged_percent);
      v.problems.push_back(impl + ": " + buf);
      v.ok = false;
    }
  }
  return v;
}

Repetition ClassifyRepeats(const std::vector<Status>& verdicts, Status* folded) {
  Repetition r;
  r.runs = static_cast<int>(verdicts.size());
  r.verdicts = verdicts;
  const bool same = std::all_of(verdicts.begin(), verdicts.end(),
                                [&](Status s) { return s == verdicts.front(); });
  if (verdicts.empty()) {
    r.stability = "broken";
    *folded = Status::kNotRun;
  } else if (!same) {
    r.stability = "flaky";
    *folded = Status::kFlaky;
  } else {
    r.stability = verdicts.front() == Status::kPass ? "stable" : "broken";
    *folded = verdicts.front();
  }
  return r;
}

}  // namespace sigconform
