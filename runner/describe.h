// Asking implementations' drivers to describe themselves (spec/driver-protocol.md, "describe").
#ifndef SIGCONFORM_RUNNER_DESCRIBE_H_
#define SIGCONFORM_RUNNER_DESCRIBE_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "impl_spec.h"
#include "plan.h"

namespace sigconform {

// What one driver said about itself, or why it could not say it.
struct DescribeOutcome {
  std::optional<Description> description;  // nullopt when describing failed
  std::string error;       // why it failed: exec error, exit status, bad record; "" on success
  nlohmann::json record;   // the describe record as received, or {"error": ...} for reports
  // Whether its cases may run as an unprivileged user of their own (LaunchSpec::unprivileged):
  // false when the driver described itself only as the runner's own user.
  bool unprivileged = true;
  // Why it runs as the runner's user: the error describing it as another user gave, or "".
  std::string unprivileged_note;
};

// Runs `<driver> describe` for every implementation at once (in their own process groups, with
// the controlled environment, a 30 s timeout each) and parses each answer. Outcome i belongs to
// impls[i]. A driver that exits non-zero, writes no describe record or a malformed one fails
// with a sentence that says which and includes the end of its stderr.
// When the runner is root, drivers are described as an unprivileged user first (as their
// cases will run); one that fails so (its interpreter or script is not readable by others) is
// described again as root, and its cases run as root, with `unprivileged_note` saying why;
// one that fails both ways fails with what it said as root.
// *interrupted (when not null) tells whether the runner was interrupted meanwhile, and
// *interrupt_signal (when not null) by which signal (0 when it was not).
std::vector<DescribeOutcome> DescribeAll(const std::vector<Implementation>& impls,
                                         bool* interrupted = nullptr,
                                         int* interrupt_signal = nullptr);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_DESCRIBE_H_
