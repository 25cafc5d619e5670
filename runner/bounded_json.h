// Parsing JSON that comes from outside the runner (case files, driver records, expectation
// files) with explicit bounds, so that no input can exhaust the stack or the memory of the
// runner, and with duplicate keys rejected rather than silently resolved.
#ifndef SIGCONFORM_RUNNER_BOUNDED_JSON_H_
#define SIGCONFORM_RUNNER_BOUNDED_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sigconform {

// The bounds one parse enforces. Each is checked while parsing, before the value that would
// break it is built, so a parse never holds more than these allow.
struct JsonBounds {
  size_t max_bytes;   // longer text is rejected without being parsed
  size_t max_depth;   // arrays and objects nested deeper than this are rejected (root = 1)
  size_t max_values;  // more values than this in total (scalars, arrays, objects, keys)
};

// Everything in this project that parses JSON nests a few levels deep; 64 leaves a wide
// margin and keeps every recursive walker (validator, matcher, dump) far from the stack's end.
constexpr size_t kMaxJsonDepth = 64;

// Case files: the largest is a few kilobytes.
constexpr JsonBounds kCaseFileBounds{1u << 20, kMaxJsonDepth, 100000};
// Expectation files list one entry per known failure.
constexpr JsonBounds kExpectationFileBounds{4u << 20, kMaxJsonDepth, 200000};
// One observation record (one line of a driver's descriptor 3).
constexpr JsonBounds kRecordBounds{1u << 20, kMaxJsonDepth, 20000};

// Why a parse was refused.
struct JsonError {
  // JSON Pointer to where the problem is ("/steps/3/args"), "" for the root or for a syntax
  // error (whose message carries the line and column).
  std::string json_path;
  // For people: "duplicate key 'platforms'", "nested deeper than 64 arrays and objects",
  // "invalid JSON: syntax error ... at line 3, column 5".
  std::string message;
};

// Parses `text` as one JSON document within `bounds`. A key repeated in one object is an
// error naming the key, at the path of that object; so is text longer than max_bytes, nesting
// deeper than max_depth (at the path of the container that goes too deep), more than
// max_values values, and any syntax error or invalid UTF-8. On success fills *out and returns
// true; on failure returns false with *error set and *out unspecified. *value_count (when not
// null) is set to the number of values counted against max_values, which callers that keep
// many documents use to bound their memory. Never throws (except std::bad_alloc, which the
// bounds make a matter of the caller's own limits).
bool ParseBoundedJson(std::string_view text, const JsonBounds& bounds, nlohmann::json* out,
                      JsonError* error, size_t* value_count = nullptr);

// Whether `value` nests arrays and objects at most `max_depth` deep (a scalar is 0 deep, `[]`
// is 1), checked without recursion. When it does not, and `where` is not null, *where is the
// JSON Pointer of the first container found too deep. For values built elsewhere than by
// ParseBoundedJson, before a recursive walker sees them.
bool WithinJsonDepth(const nlohmann::json& value, size_t max_depth, std::string* where);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_BOUNDED_JSON_H_
