// Comparing two reports by case id and implementation (`sigconform diff`, the dashboard's
// comparison of two runs).
#ifndef SIGCONFORM_RUNNER_REPORT_DIFF_H_
#define SIGCONFORM_RUNNER_REPORT_DIFF_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"

namespace sigconform {

// One pair whose verdict differs between the old and the new report.
struct Change {
  enum Kind {
    kRegression,  // was as expected (or absent), now counts against the run
    kFix,         // counted against the run, now as expected
    kChanged,     // another difference: both unexpected but different (status, failing step),
                  // or both as expected but different (pass -> not-applicable)
    kAdded,       // only in the new report, as expected
    kRemoved,     // only in the old report
  } kind;
  std::string case_id;
  std::string implementation;
  std::optional<Result> before;  // nullopt for kAdded (and a regression of a new pair)
  std::optional<Result> after;   // nullopt for kRemoved
};

// "regression", "fix", "changed", "added", "removed".
const char* ChangeKindName(Change::Kind kind);

// Every pair whose status or failing step differs, plus the pairs only one side has; in
// implementation order of `after` then `before`, cases by id. A pair new in `after` that
// counts against the run is a regression.
std::vector<Change> DiffResults(const std::vector<Result>& before, const std::vector<Result>& after);

// The changes as JSON: {"regressions": n, "fixes": n, ..., "changes": [{"kind", "case",
// "implementation", "before": "fail", "after": "pass", "before_step", "after_step",
// "message"}]}.
nlohmann::json DiffJson(const std::vector<Change>& changes);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_DIFF_H_
