// The lexical forms of the case language (spec/case-format.md): identifiers, case ids,
// versions, signal and errno names, platform words. Shared by the parts of the case validator.
#ifndef SIGCONFORM_RUNNER_CASE_SYNTAX_H_
#define SIGCONFORM_RUNNER_CASE_SYNTAX_H_

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigconform {

// The platform word (spec/case-format.md) of the machine the runner was built for; "" when
// the case language has no word for it.
const char* HostPlatform();

// Every platform word a case may use, "unix" first.
const std::vector<std::string>& PlatformWords();

// The words joined with `sep`.
std::string Join(const std::vector<std::string>& words, const char* sep = ", ");

// The JSON Schema name of a value's type: "integer", "string", "object", ...
std::string TypeName(const nlohmann::json& v);

// JSON Schema's idea of an integer: also 3.0.
bool IsIntegral(const nlohmann::json& v);

bool IsUpperChar(char c);

// ^[A-Za-z_][A-Za-z0-9_]*$
bool IsIdentifier(const std::string& s);

// ^[a-z0-9][a-z0-9<extra>]*$
bool IsLowerWord(const std::string& s, const std::string& extra);

// ^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)+$
bool IsCaseId(const std::string& s);

// Digits separated by single dots: `min_parts`..`max_parts` groups.
bool IsDotted(const std::string& s, int min_parts, int max_parts);

// ^SIG[A-Z0-9]+$
bool IsSignalName(const std::string& s);

// ^E[A-Z0-9]+$
bool IsErrnoName(const std::string& s);

// ^([0-9a-f]{2})*$
bool IsHex(const std::string& s);

// A signal name of some platform the case language knows (SIGINFO is one, though Linux lacks
// it); a name on no list is a typo everywhere.
bool IsSignalAnywhere(const std::string& name);

// The value types $type accepts besides enum names (spec/case-format.md, "Matchers").
const std::set<std::string>& TypeWords();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CASE_SYNTAX_H_
