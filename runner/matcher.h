// Matching observed values against the matchers of a case (spec/case-format.md, "Matchers"),
// and rendering observed values for people.
#ifndef SIGCONFORM_RUNNER_MATCHER_H_
#define SIGCONFORM_RUNNER_MATCHER_H_

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sigconform {

// Values bound by earlier steps ("bind"), by name, in the observation encoding of
// spec/driver-protocol.md.
using Bindings = std::map<std::string, nlohmann::json>;

// nullopt when `observed` (an encoded value) satisfies `matcher`; otherwise a precise reason,
// e.g. "expected a member of Signals named SIGUSR2, got int 12". Types are strict: the JSON
// integer 5 never matches an enum member, a float or a bool. A "$name" matcher compares with
// bindings[name]. A malformed matcher or a malformed encoding is a mismatch with a reason,
// never an exception.
//
// Bounds: this function and the three below recurse once per level of the value or matcher.
// They stop at 200 levels of their own recursion (a mismatch saying so; "<nested too deeply
// to show>" in renderings; SameValue false), and never dump JSON nested deeper than
// kMaxJsonDepth, whatever built the value: no input can exhaust the stack.
std::optional<std::string> Match(const nlohmann::json& matcher, const nlohmann::json& observed,
                                 const Bindings& bindings);

// An encoded value rendered the way Python's repr() shows it: "{<Signals.SIGUSR1: 10>}",
// "(0.0, 0.0)", "None", "b'\x00'". Something that is not a valid encoding is shown as JSON.
std::string Describe(const nlohmann::json& encoded_value);

// Describe() with the Python type in front of scalars ("int 12", "str 'x'", "float 0.5"), for
// messages where a type mismatch must be visible.
std::string DescribeTyped(const nlohmann::json& encoded_value);

// A matcher rendered compactly for messages ("{Signals: SIGUSR1}", "$range [0, 1]").
std::string DescribeMatcher(const nlohmann::json& matcher);

// Whether two encoded values are the same value: same types (an int is not a bool, a float is
// not an int), sets compared without regard to order.
bool SameValue(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_MATCHER_H_
