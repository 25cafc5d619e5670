// A result for people, once for every report format: the facts of a non-pass result as
// labelled lines of plain text (each format escapes them its own way).
#ifndef SIGCONFORM_RUNNER_RESULT_TEXT_H_
#define SIGCONFORM_RUNNER_RESULT_TEXT_H_

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "report.h"
#include "result.h"

namespace sigconform {

// An expectation ({"returns": M}, {"raises": R}, {"events": [...]}, {"exit": ...}) for people:
// "returns {Signals: SIGUSR1}", "raises OSError".
std::string ExpectedText(const nlohmann::json& expected);

// An observation (a step record, a list of handler records, {"exit": "..."}) for people:
// "returned {<Signals.SIGUSR1: 10>}", "raised ValueError: bad".
std::string ObservedText(const nlohmann::json& observed);

// The facts of a result, in this order, each present only when the result has it:
//   case (the title), step ("3: pthread_sigmask(SIG_BLOCK, {SIGUSR1})"), expected, observed,
//   one "failure K of N" per failure after the first (Result::failures: step and call,
//   message, expected, observed),
//   tier (the tiers the case rests on: "documented", "settled from CPython"),
//   one "rule" per cited rule ("mask.block-union, documented: With SIG_BLOCK ..." or
//   "startup.x, settled from CPython: *Settled.* ..."; the text from `rules` when it has the
//   id), exit, pinned (the expectation entry: status, step, reason, link), repeat (the
//   verdicts), reproduce.
// The message and the stderr excerpt are left to each format (a paragraph, a block). Texts
// are raw: valid UTF-8 not guaranteed, nothing escaped.
std::vector<std::pair<std::string, std::string>> ResultFacts(
    const Result& r, const std::map<std::string, RuleText>& rules = {});

// How a tier is named for people: "documented", "settled from CPython" (compat).
std::string TierText(const std::string& tier);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RESULT_TEXT_H_
