// The order in which a run starts its cases, and which of them need a core of their own
// (issue 14: a scheduler that reaches the floor).
#ifndef SIGCONFORM_RUNNER_SCHEDULE_H_
#define SIGCONFORM_RUNNER_SCHEDULE_H_

#include <cstddef>
#include <vector>

#include "case.h"

namespace sigconform {

// What a case is expected to cost, read from the case alone (no clock, no previous run), so
// that the same catalog is always started in the same order.
struct CaseCost {
  // Seconds the case is expected to last beyond its driver's start-up: the sum of its sleeps,
  // the CPU it burns (for a burn that ends at `events`, the lower bound of the CPU it expects
  // to return), the timeouts of the waits that expect fewer events than they wait for, and the
  // lower bounds of the `elapsed` windows it expects (an alarm of one second shows up there),
  // over every step, threads included. 0 for a case that only calls and checks.
  double seconds = 0.0;
  // The case burns CPU on purpose (`burn_cpu`, `native_busy`): its timing windows hold only
  // when it has a core to itself, so it must not run beside more CPU-bound cases than there
  // are cores.
  bool cpu_bound = false;
};

// Walks the case's steps (at most kMaxJsonDepth deep, as loaded) and adds up CaseCost.
CaseCost EstimateCost(const Case& c);

// The indices 0..seconds.size()-1, longest expected first; equal estimates keep their order.
// Starting the long waits first lets the short cases fill the other slots around them, so the
// run ends close to max(longest case, total work / slots) instead of one long case after the
// rest.
std::vector<size_t> LongestFirst(const std::vector<double>& seconds);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_SCHEDULE_H_
