// Steps of a case written the way a person reads a program: the call as it was made
// ("old = pthread_sigmask(SIG_BLOCK, {SIGUSR1})"), for the reports of a failing step.
#ifndef SIGCONFORM_RUNNER_STEP_TEXT_H_
#define SIGCONFORM_RUNNER_STEP_TEXT_H_

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace sigconform {

// The step at `path` ("3", or "2.1" for the second step of the thread started by step 2) in a
// case's `steps` array, or nullptr when there is none.
const nlohmann::json* StepAtPath(const nlohmann::json& steps, const std::string& path);

// An argument of the case language (spec/case-format.md, "Arguments") in Python's notation:
// "@SIGUSR1" -> SIGUSR1, "$old" -> old, "text" -> 'text', {"float": 0.5} -> 0.5,
// {"bytes": "00"} -> b'\x00', {"set": []} -> set(), {"tuple": [1]} -> (1,), {"handler": "h"} -> h.
std::string ArgumentText(const nlohmann::json& arg);

// A step as one line: a call as "name(args, key=value)", an action as
// "do_name(field=value, ...)" (a thread's steps shown as their count), with "x = " or
// "a, b = " in front when the step binds. Expectations and notes are left out. The text is
// at most `max_chars` bytes (cut on a UTF-8 boundary, ending in "..."); values inside are
// rendered from the case file, which the runner has already validated. Never throws.
std::string StepText(const nlohmann::json& step, size_t max_chars = 240);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_STEP_TEXT_H_
