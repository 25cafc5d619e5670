// The rules of the specification (spec/rules/*.md, format in spec/rules/README.md): parsing the
// Markdown tables into an index, and the coverage of that index by the catalog's cases.
// Pure functions of text and plain values, apart from LoadRules, which reads a directory.
#ifndef SIGCONFORM_RUNNER_RULES_H_
#define SIGCONFORM_RUNNER_RULES_H_

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"

namespace sigconform {

// One rule: one row of a rule table.
struct Rule {
  std::string id;            // "handler.stays-installed"; stable forever
  std::string area;          // the part of the id before the first dot: "handler"
  std::string file;          // the Markdown file, as given to the parser
  int line = 0;              // 1-based line of the row in `file`
  std::string section;       // the nearest "## " heading above the row, without the hashes
  std::string text;          // the rule column, as written (Markdown)
  std::string availability;  // one of AvailabilityWords()
  std::string since;         // "3.0", "3.8": the language version that introduced it
  bool settled = false;      // the text starts with "*Settled.*": decided by observed behaviour
};

// One thing wrong in a rule file. Shown as "FILE:LINE: MESSAGE".
struct RuleError {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem is the file as a whole
  std::string message;
};

std::string FormatRuleError(const RuleError& error);

// Every rule found, in file order (files sorted by name), and every problem. A rule with an
// error in its own row is left out of `rules`; a duplicate id keeps its first occurrence.
struct RuleIndex {
  std::vector<Rule> rules;
  std::vector<RuleError> errors;
};

// The availability words spec/rules/README.md allows, in that order.
const std::vector<std::string>& AvailabilityWords();

// Parses one rule file's text and appends its rules and errors to *index. A table whose header
// row starts with the cell "id" must be a rule table: exactly the columns id, rule,
// availability, since; each of its rows must have four cells, a backquoted id of the form
// `area.slug` (lowercase letters, digits, '-', dots between words), non-empty text, a known
// availability word and a "N.N" version; a settled rule must give its evidence (the word
// "Evidence" in its text). Other tables and text are ignored. "\|" is a literal '|' in a cell.
// Ids must be unique across everything already in *index.
void ParseRuleFile(const std::string& text, const std::string& file, RuleIndex* index);

// Parses every "*.md" file directly in `rules_dir` except README.md, in name order. A missing
// directory, an unreadable file, or a directory without any rule is an error. Never throws.
RuleIndex LoadRules(const std::string& rules_dir);

// A case citing a rule id the index does not have.
struct UnknownRule {
  std::string case_id;
  std::string rule_id;
};

// Which cases check which rule.
struct Coverage {
  std::map<std::string, std::vector<std::string>> cases_of_rule;  // every rule id; case ids sorted
  std::vector<std::string> uncovered;   // rule ids no case cites, in index order
  std::vector<UnknownRule> unknown;     // sorted by case id, then rule id
  size_t rule_count = 0;
  size_t case_count = 0;
};

Coverage ComputeCoverage(const RuleIndex& index, const std::vector<Case>& cases);

// The machine-readable index with its coverage:
// {"rules": [{"id", "area", "file", "line", "section", "text", "availability", "since",
//             "settled", "cases": [...]}, ...],
//  "cases": {"case/id": ["rule.id", ...], ...},
//  "uncovered": [...], "unknown": [{"case", "rule"}, ...],
//  "totals": {"rules", "covered", "uncovered", "cases"}}
nlohmann::json CoverageJson(const RuleIndex& index, const std::vector<Case>& cases,
                            const Coverage& coverage);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RULES_H_
