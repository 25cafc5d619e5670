// Expectation files: known failures of an implementation, applied after evaluation
// (a listed case that fails becomes xfail, one that passes becomes xpass).
#ifndef SIGCONFORM_RUNNER_EXPECTATIONS_H_
#define SIGCONFORM_RUNNER_EXPECTATIONS_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "result.h"

namespace sigconform {

// One entry: cases of `implementation` whose id matches `pattern` are expected to fail.
struct Expectation {
  std::string implementation;
  std::string pattern;  // a case id, or a glob where '*' matches any run of characters, '/' too
  std::string reason;   // why it fails (a bug link, a documented divergence)
  std::string file;     // where it was written, for messages
};

// Every entry loaded so far, in file order. The first matching entry wins.
struct Expectations {
  std::vector<Expectation> entries;
};

// Reads an expectation file, `{"<implementation>": {"<case id or glob>": "reason"}}`, and
// appends its entries to *out. Returns the problems found (unreadable file, JSON syntax with
// line and column, a key given twice, wrong types, empty reasons), each naming the file and
// the JSON path; a file with problems adds no entry. Bounds: kExpectationFileBounds
// (bounded_json.h) for its size, depth and number of values. Never throws.
std::vector<CatalogError> LoadExpectations(const std::string& path, Expectations* out);

// LoadExpectations on an already parsed document; `file` is used in errors and entries.
std::vector<CatalogError> ParseExpectations(const nlohmann::json& doc, const std::string& file,
                                            Expectations* out);

// Whether `id` matches `pattern` ('*' = any run of characters, including none and '/').
bool GlobMatches(const std::string& pattern, const std::string& id);

// Adjusts a result by the expectations for its implementation and case: fail -> xfail (the
// message keeps the reason and the original message), pass -> xpass; every other status, and
// results no entry lists, are left as they are.
void ApplyExpectations(const Expectations& expectations, Result* result);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPECTATIONS_H_
