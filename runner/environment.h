// The controlled environment a driver sees. Variables change what a case observes
// (PYTHONUNBUFFERED decides when a broken stdout surfaces, PYTHONPATH what gets imported), so
// nothing reaches a driver from the runner's own environment unless it is listed here or the
// case asks for it.
#ifndef SIGCONFORM_RUNNER_ENVIRONMENT_H_
#define SIGCONFORM_RUNNER_ENVIRONMENT_H_

#include <string>
#include <vector>

#include "case.h"

namespace sigconform {

// The fixed base, as "NAME=value" strings in this order:
//   PATH=/usr/local/bin:/usr/bin:/bin
//   HOME=<the runner's HOME, or /nonexistent when unset or empty>
//   LANG=C.UTF-8, LC_ALL=C.UTF-8, TZ=UTC
//   PYTHONDONTWRITEBYTECODE=1 (drivers never leave __pycache__ in the source tree)
//   PYTHONNOUSERSITE=1 (a user's site-packages must not change what is imported)
// Deliberately absent: PYTHONUNBUFFERED, PYTHONPATH, PYTHONHOME and everything else.
std::vector<std::string> BaseEnvironment();

// `base` with the case's parent.env applied (a value sets or replaces a variable, nullopt
// removes it), then SIGCONFORM_OBS_FD=3 and, when `run` is true (the "run" command, which
// gets the program on descriptor 4), SIGCONFORM_CASE_FD=4. The protocol variables are set last
// so that a case cannot move the descriptors. Variables keep the order of `base`; new ones
// follow in name order. Entries of `base` without '=' are dropped.
std::vector<std::string> CaseEnvironment(const std::vector<std::string>& base,
                                         const ParentState& parent, bool run = true);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_ENVIRONMENT_H_
