// Choosing which cases of the catalog a command works on: --filter (globs, "!" to exclude),
// --tag, -k and --shard. A pure function of the loaded cases and the options.
#ifndef SIGCONFORM_RUNNER_CASE_FILTER_H_
#define SIGCONFORM_RUNNER_CASE_FILTER_H_

#include <optional>
#include <string>
#include <vector>

#include "case.h"

namespace sigconform {

// One slice of a run split across machines: shard `index` of `count`, 1-based.
struct Shard {
  int index = 1;
  int count = 1;
};

// Parses "K/N" with 1 <= K <= N <= kMaxShards. nullopt with *error set otherwise.
std::optional<Shard> ParseShard(const std::string& text, std::string* error);
constexpr int kMaxShards = 10000;

// What the user asked for on the command line.
struct CaseSelection {
  // Globs over case ids (glob.h). A glob starting with '!' excludes the cases it matches.
  // A case is kept when it matches some including glob (or there is none) and no excluding
  // one.
  std::vector<std::string> globs;
  std::vector<std::string> tags;      // --tag: keep cases carrying any of these tags
  std::vector<std::string> keywords;  // -k: keep cases whose id or title holds any of these,
                                      // ignoring case
  std::optional<Shard> shard;         // keep only this slice of what the rest selected
};

// Whether one case passes the globs, tags and keywords (the shard is not a property of a
// case alone: see SelectCases).
bool CaseMatches(const Case& c, const CaseSelection& selection);

// The cases of `sorted_cases` (sorted by id, as LoadCatalog returns them) that the selection
// keeps, in the same order. A shard K/N keeps every N-th of the selected cases, starting with
// the K-th: the same catalog and options give the same slices on every machine, the N slices
// are disjoint and together are the unsharded selection, and consecutive cases of one area go
// to different shards, which keeps the slices' running times close.
std::vector<Case> SelectCases(std::vector<Case> sorted_cases, const CaseSelection& selection);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CASE_FILTER_H_
