#include "case_filter.h"

#include <algorithm>
#include <cctype>

#include "glob.h"

namespace sigconform {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A positive decimal number of at most 9 digits, or -1.
int SmallNumber(const std::string& s) {
  if (s.empty() || s.size() > 9) return -1;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::optional<Shard> ParseShard(const std::string& text, std::string* error) {
  const size_t slash = text.find('/');
  const int k = slash == std::string::npos ? -1 : SmallNumber(text.substr(0, slash));
  const int n = slash == std::string::npos ? -1 : SmallNumber(text.substr(slash + 1));
  if (k < 1 || n < 1 || k > n || n > kMaxShards) {
    if (error) {
      *error = "--shard '" + text + "': expected K/N with 1 <= K <= N <= " +
               std::to_string(kMaxShards) + ", e.g. 2/4";
    }
    return std::nullopt;
  }
  return Shard{k, n};
}

bool CaseMatches(const Case& c, const CaseSelection& selection) {
  bool any_including = false, included = false;
  for (const std::string& glob : selection.globs) {
    if (!glob.empty() && glob[0] == '!') {
      if (GlobMatches(glob.substr(1), c.id)) return false;
    } else {
      any_including = true;
      included = included || GlobMatches(glob, c.id);
    }
  }
  if (any_including && !included) return false;
  if (!selection.tags.empty()) {
    const bool tagged = std::any_of(selection.tags.begin(), selection.tags.end(), [&](const auto& t) {
      return std::find(c.tags.begin(), c.tags.end(), t) != c.tags.end();
    });
    if (!tagged) return false;
  }
  if (!selection.keywords.empty()) {
    const std::string id = Lower(c.id), title = Lower(c.title);
    const bool found =
        std::any_of(selection.keywords.begin(), selection.keywords.end(), [&](const auto& k) {
          const std::string word = Lower(k);
          return id.find(word) != std::string::npos || title.find(word) != std::string::npos;
        });
    if (!found) return false;
  }
  return true;
}

std::vector<Case> SelectCases(std::vector<Case> sorted_cases, const CaseSelection& selection) {
  // Kept in place, in order: no second vector of cases while the first still holds them all.
  size_t kept = 0;
  size_t position = 0;  // among the cases the globs, tags and keywords keep
  for (size_t i = 0; i < sorted_cases.size(); ++i) {
    if (!CaseMatches(sorted_cases[i], selection)) continue;
    const size_t here = position++;
    if (selection.shard &&
        here % static_cast<size_t>(selection.shard->count) !=
            static_cast<size_t>(selection.shard->index - 1)) {
      continue;
    }
    if (kept != i) sorted_cases[kept] = std::move(sorted_cases[i]);
    ++kept;
  }
  sorted_cases.erase(sorted_cases.begin() + static_cast<std::ptrdiff_t>(kept), sorted_cases.end());
  return sorted_cases;
}

}  // namespace sigconform
