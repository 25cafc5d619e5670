// Expectation files: what an implementation is known to do wrong, applied after evaluation, so
// that CI gates on changes only (spec: README "Expectation files").
//
//   {"pypy": {
//      "masks/invalid-how-raises-oserror": "PyPy reports ENOTTY",
//      "timers/*": {"status": "timeout", "reason": "...", "link": "https://..."},
//      "handlers/x": {"status": "fail", "step": "3", "observed": {...}, "reason": "..."},
//      "waiting/y": [{"status": "fail", "since": "3.10", "reason": "..."},
//                    {"status": "missing", "platforms": ["darwin"], "reason": "..."}]}}
//
// A plain string pins a failure with that reason. An object pins `status` (any status an
// expectation may pin: status_table.h), optionally down to the failing `step` and the
// `observed` value, with a `reason` and an optional `link`; `platforms`, `since` and `until`
// restrict it to implementations whose describe record says so. A list holds alternatives:
// the first whose conditions hold applies.
#ifndef SIGCONFORM_RUNNER_EXPECTATIONS_H_
#define SIGCONFORM_RUNNER_EXPECTATIONS_H_

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "glob.h"
#include "plan.h"
#include "result.h"

namespace sigconform {

// One entry: cases of `implementation` whose id matches `pattern` are expected to end with
// `pinned.status` (at `pinned.step`, observing `pinned.observed`, when those are given).
struct Expectation {
  std::string implementation;
  std::string pattern;  // a case id, or a glob (glob.h)
  AppliedExpectation pinned;
  std::vector<std::string> platforms;  // as in a case ("linux", "!darwin"); empty: anywhere
  std::string since;                   // the describe's language_version >= since; "" any
  std::string until;                   // the describe's language_version < until; "" any
  std::string json_path;               // where it is in its file, for messages
  // Whether the entry is one plain pin (not a list, no condition): --update-expectations
  // rewrites only those.
  bool plain = true;
};

// Every entry loaded so far, in file order. The first matching entry wins.
struct Expectations {
  std::vector<Expectation> entries;
};

// Bound on the entries of an expectation file (its size, depth and number of values are
// bounded by kExpectationFileBounds, bounded_json.h): a longer one is refused with an error.
constexpr size_t kMaxExpectationEntries = 100000;

// Reads an expectation file and appends its entries to *out. Returns every problem found
// (unreadable file, over the bounds, JSON syntax with line and column, a key given twice,
// wrong types, unknown keys, a status that cannot be pinned, empty reasons, malformed
// versions), each naming the file and the JSON path; a file with problems adds no entry.
// Bounds: kExpectationFileBounds (bounded_json.h) and kMaxExpectationEntries. Never throws.
std::vector<CatalogError> LoadExpectations(const std::string& path, Expectations* out);

// LoadExpectations on an already parsed document; `file` is used in errors and entries.
std::vector<CatalogError> ParseExpectations(const nlohmann::json& doc, const std::string& file,
                                            Expectations* out);

// Checks the entries against what exists: a plain id must be a case of the catalog
// (`catalog_ids`, the whole catalog: cases merely left out by --filter or --shard are fine), a
// glob must match at least one of them, and an implementation name must be one of
// `implementation_names` (the registered names and those given with --impl). Every problem
// is returned, naming the file and the JSON path.
std::vector<CatalogError> CheckExpectations(const Expectations& expectations,
                                            const std::set<std::string>& catalog_ids,
                                            const std::set<std::string>& implementation_names);

// Adjusts a result by the first entry for its implementation and case whose conditions hold
// for `description` (nullptr when the implementation could not describe itself: conditional
// entries then never hold). With an entry:
//  - the result is what it pins (status, and step and observed when pinned) -> xfail, the
//    message keeping the reason and the original message;
//  - it passed -> xpass (the entry is stale), except under a "flaky" pin, where anything goes;
//  - it failed another way (another status, step or value) -> its status stays, so it counts
//    against the run, and the message says what was pinned;
//  - not-applicable, unsupported, not-run and the emulated results are left alone.
// The entry is recorded in result->expectation. Results no entry lists are left alone.
void ApplyExpectations(const Expectations& expectations, const Description* description,
                       Result* result);

// The document `existing` (an expectation file's JSON, or null for a new file) rewritten from
// `results`: for each result, an unconditional entry under its exact case id pins a status
// that counts against the run (status and step, keeping the old reason and link or, for a
// new entry, saying what was observed), and is removed when the result passed. Entries of
// other implementations and cases, globs and conditional entries are left as they are.
nlohmann::json UpdatedExpectations(const nlohmann::json& existing,
                                   const std::vector<Result>& results);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPECTATIONS_H_
