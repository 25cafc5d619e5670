// Evaluation: the verdict on one driver run, as a pure function of the case and what the run
// produced (DESIGN.md: "drivers only observe, they never judge").
#ifndef SIGCONFORM_RUNNER_EVALUATE_H_
#define SIGCONFORM_RUNNER_EVALUATE_H_

#include <optional>
#include <string>

#include "case.h"
#include "result.h"
#include "run_record.h"

namespace sigconform {

// Judges `run` against `c`. In order: harness and protocol trouble (launch error,
// interruption, protocol errors, truncated stream, a first record that is not this case's
// `start`, step records for unknown or repeated paths, unknown record kinds) is `error`; a
// timeout is `timeout`; then the steps are walked depth-first (a thread's sub-steps right after
// their `thread` step) checking raises/returns/events/elapsed and binding values, the first
// failure winning; then stray exceptions, missing observations, the way the process ended,
// the `done` record and the captured streams. Fills every field of Result except
// `implementation` and `reproduce`, which the caller knows. Never throws.
// `emulated`: the pair is judged under the platform model for emulated signals (emulation.h);
// then a death by a crash signal in the last step of a case that expects that step to end the
// process by another signal is a wrong end (fail), not a crash (spec/case-format.md, "The end
// of the process"). The caller maps the result with EmulatedStatus.
Result Evaluate(const Case& c, const RunRecord& run, bool emulated = false);

// How a process ended, for people: "exit code 0", "killed by SIGPIPE (core dumped)";
// "not reaped" for nullopt.
std::string DescribeWaitStatus(const std::optional<WaitStatus>& status);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EVALUATE_H_
