// From results to the exit status of `run`, `merge` and `report`: the status table's effect
// on the exit code plus the gates that change it (README, "Statuses").
#ifndef SIGCONFORM_RUNNER_RUN_VERDICT_H_
#define SIGCONFORM_RUNNER_RUN_VERDICT_H_

#include <map>
#include <string>
#include <vector>

#include "result.h"

namespace sigconform {

// The gates a run is judged by.
struct Gates {
  // Each implementation must have judged at least this share (percent, 0..100) of its cases
  // that are not not-applicable (StatusInfo::judged); below it the run fails. unsupported,
  // error and not-run results lower the share.
  double min_judged_percent = 50;
  // --documented-only: a fail, crash, timeout or flaky result whose case rests on compat
  // (settled from CPython) rules alone does not count against the run; it is still reported.
  bool documented_only = false;
};

// What the results say about the run.
struct Verdict {
  bool ok = true;                     // nothing counts against the run
  size_t unexpected = 0;              // results that count against the run
  size_t lifted = 0;                  // unexpected results a gate kept from counting
  std::vector<std::string> problems;  // gate failures, one sentence each
};

// Whether `r` counts against the run under `gates`: IsUnexpected, unless a gate lifts it.
bool CountsAgainst(const Result& r, const Gates& gates);

// Judges `results` (implementations named as in `implementations`, plus any other name found):
// not ok when a result counts against the run (CountsAgainst) or a gate fails.
Verdict JudgeRun(const std::vector<std::string>& implementations,
                 const std::vector<Result>& results, const Gates& gates);

// The judged share of one implementation's results, in percent (100 when every result is
// not-applicable).
double JudgedPercent(const std::vector<Result>& results, const std::string& implementation);

// One implementation's results on one rule tier, for the totals by tier that the reports show.
struct TierTally {
  size_t results = 0;     // every result whose case rests on the tier
  size_t judged = 0;      // of those, a verdict on the behaviour (StatusInfo::judged)
  size_t passed = 0;      // of those, pass or emulated-conforming
  size_t unexpected = 0;  // of all, counting against the run before any gate (IsUnexpected)
};

// The results counted per implementation and per tier ("documented", "compat"; "" for a
// result whose case cites no rule the report knows). A case resting on both tiers counts in
// both.
std::map<std::string, std::map<std::string, TierTally>> TallyByTier(const std::vector<Result>& results);

// --repeat: the verdicts of the runs of one pair, in order, folded into one stability
// (Repetition::stability) and the status the pair is reported with: the common status when
// every run gave the same, flaky otherwise.
Repetition ClassifyRepeats(const std::vector<Status>& verdicts, Status* folded);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RUN_VERDICT_H_
