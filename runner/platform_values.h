// The platform's own numbers a case compares with (spec/case-format.md, "Platform values"):
// `{"platform": "SIG_IGN"}` in an argument or a matcher stands for the number that platform's C
// library gives SIG_IGN, not Linux's. The runner resolves these before a case's program goes to
// a driver and before its observations are judged, so drivers and the matcher see plain values.
#ifndef SIGCONFORM_RUNNER_PLATFORM_VALUES_H_
#define SIGCONFORM_RUNNER_PLATFORM_VALUES_H_

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"

namespace sigconform {

// A platform's numbers, by name.
using PlatformValues = std::map<std::string, long long>;

// The names a case may use: SIG_DFL, SIG_IGN (the handlers' numbers), NSIG, SIGRTMIN, SIGRTMAX.
const std::vector<std::string>& PlatformValueNames();

// The runner's own: its <signal.h>, SIGRTMIN and SIGRTMAX read at run time (glibc reserves
// some signals for itself).
PlatformValues HostPlatformValues();

// The numbers a case is judged with on `platform`. On a platform whose signals are the
// operating system's (not emulated: emulation.h) the implementation runs on the runner's machine
// with its C library, and the runner's numbers decide (HostPlatformValues): what a driver
// reports there is not trusted, so a module with a wrong number fails the cases that look at
// it. On an emulated platform the runner cannot read that C library: the numbers are
// `reported` (the driver's describe record, `constants`), and a name missing there is missing
// here.
PlatformValues PlatformValuesFor(const std::string& platform, const PlatformValues& reported);

// The names the case's `{"platform": NAME}` forms use, sorted, unique; empty when it uses none.
std::vector<std::string> PlatformValuesUsed(const Case& c);

// Replaces every `{"platform": NAME, ...}` in the case's steps (arguments and matchers, thread
// and fork steps included) with its value: the integer; `{"float": N}` with "float": true; the
// string with its "{}" replaced by the number in decimal with "text" (a string starting with
// "@" or "$" is escaped so that it stays literal). Returns false, with the names `values`
// lacks in *missing (sorted, unique), and leaves the case unchanged then. The case must be
// validated (the forms are the validator's); recursion is bounded by its depth.
bool ResolvePlatformValues(const PlatformValues& values, Case* c, std::vector<std::string>* missing);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_PLATFORM_VALUES_H_
