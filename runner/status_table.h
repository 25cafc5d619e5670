// The one table of statuses: for every status the runner can give, what it means, what it
// does to the exit status, whether an expectation file may pin it and which flag gates on it.
// README.md ("Statuses") and spec/report.schema.json show the same table; status_table_test
// fails when they drift apart.
#ifndef SIGCONFORM_RUNNER_STATUS_TABLE_H_
#define SIGCONFORM_RUNNER_STATUS_TABLE_H_

#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace sigconform {

struct StatusInfo {
  Status status;
  const char* meaning;  // one sentence, for --help and the README
  // Makes `run`, `merge` and `report` exit 1 (IsUnexpected), unless a gate below lifts it.
  bool counts_against;
  // A verdict on the implementation's behaviour, counted by --min-judged. Statuses that are
  // not judged and not excluded (unsupported, error, not-run) lower the judged share.
  bool judged;
  // Left out of --min-judged's denominator altogether (not-applicable).
  bool excluded_from_share;
  // An expectation file may pin it for a case and implementation ("status": "...").
  bool pinnable;
  const char* gate;  // the flag that changes its effect on the exit status; "" for none
};

// Every status, in report order (kAllStatuses).
const std::vector<StatusInfo>& StatusTable();

// The row of `s`.
const StatusInfo& InfoOf(Status s);

// The status named `name` ("not-run"), or nullopt.
std::optional<Status> StatusFromName(const std::string& name);

// The table as Markdown rows (status | meaning | exit | pinnable | gate), as README.md shows
// it; `sigconform run --help` prints it too.
std::string StatusTableMarkdown();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_STATUS_TABLE_H_
