// Small text helpers shared by evaluation and the reports.
#ifndef SIGCONFORM_RUNNER_TEXT_H_
#define SIGCONFORM_RUNNER_TEXT_H_

#include <string>

namespace sigconform {

// `s` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD. Captured
// output and driver messages are arbitrary bytes, but JSON and XML reports must be valid UTF-8
// (nlohmann::json refuses to dump anything else).
std::string SanitizeUtf8(const std::string& s);

// The last `max_bytes` bytes of `s` (whole, when it is shorter), prefixed with "..." when cut,
// never splitting a UTF-8 sequence, sanitized as by SanitizeUtf8.
std::string TailExcerpt(const std::string& s, size_t max_bytes);

// `path` extended by the member `key`, escaped as JSON Pointer wants (RFC 6901: '~' -> "~0",
// '/' -> "~1"). Catalog and expectation errors name where they are this way.
std::string JsonPointerChild(const std::string& path, const std::string& key);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_TEXT_H_
