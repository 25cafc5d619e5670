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

// The longest message a result carries, in bytes (issue 12: a 7 MB observed value once made
// a 7 MB console line).
constexpr size_t kMaxMessageBytes = 2000;

// `s` cut to at most `max_bytes` bytes plus a note saying how much was cut
// (" [... 1234 more bytes]"), never inside a UTF-8 sequence; `s` itself when it fits.
std::string CapText(const std::string& s, size_t max_bytes);

// `s` made inert for any display — a terminal, an XML parser, a Markdown or HTML renderer:
// invalid UTF-8 replaced by U+FFFD, then C0 controls (but tab), DEL, C1 controls, U+FFFE,
// U+FFFF and the Unicode controls that reorder or hide text (bidirectional embeddings,
// overrides and isolates, U+202A..U+202E and U+2066..U+2069) written as visible escapes
// ("\x1b", "\u009b", "\u202e"). A newline becomes "\n", so that one message stays one line,
// unless `keep_newlines` (a block of captured output). No byte a driver wrote can then move
// the cursor, ring, retitle or recolour a terminal, make an XML 1.0 file invalid, or make text
// pretend to run in another direction. Every report format and the console use it.
std::string TerminalText(const std::string& s, bool keep_newlines = false);

// `path` extended by the member `key`, escaped as JSON Pointer wants (RFC 6901: '~' -> "~0",
// '/' -> "~1"). Catalog and expectation errors name where they are this way.
std::string JsonPointerChild(const std::string& path, const std::string& key);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_TEXT_H_
