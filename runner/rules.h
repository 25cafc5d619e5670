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
#include "catalog.h"

namespace sigconform {

// The tier of a rule (spec/rules/README.md, "Tiers"): what kind of truth a verdict resting on
// it is. A rule marked *Settled.* records what CPython happens to do where the documentation is
// silent; every other rule is stated by the documentation.
enum class Tier {
  kDocumented,  // "documented": every implementation must do this
  kCompat,      // "compat": the CPython-compatibility tier
};

// "documented" or "compat", as reports and the coverage index write it.
const char* TierName(Tier tier);

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
  Tier tier = Tier::kDocumented;  // kCompat exactly when `settled`
  // The text starts with "*Withdrawn.*": the rule was wrong. It keeps its id forever, needs no
  // case, and no case may cite it.
  bool withdrawn = false;
  std::string documentation;  // the documentation version its file was read from: "3.13"
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

// Parses one rule file's text and appends its rules and errors to *index. The preamble (the
// lines before the first table) must name the documentation version the file was read from in
// one line "Documentation: Python N.N ..." (the rest of the line is free). A table whose header
// row starts with the cell "id" must be a rule table: exactly the columns id, rule,
// availability, since; each of its rows must have four cells, a backquoted id of the form
// `area.slug` (lowercase letters, digits, '-', dots between words), non-empty text, a known
// availability word and a "N.N" version; a settled rule must give its evidence (the word
// "Evidence" in its text); a withdrawn rule must say why after its mark, and every backquoted
// rule id after "Replaced by" must be a rule of this or an earlier file that is not withdrawn.
// Other tables and text are ignored. "\|" is a literal '|' in a cell. Ids must be unique across
// everything already in *index.
void ParseRuleFile(const std::string& text, const std::string& file, RuleIndex* index);

// The most rule files LoadRules reads, and the largest it accepts.
constexpr size_t kMaxRuleFiles = 1000;
constexpr size_t kMaxRuleFileBytes = 4u << 20;

// Parses every "*.md" file directly in `rules_dir` except README.md, in name order. A missing
// directory, an unreadable file, a file over kMaxRuleFileBytes, more than kMaxRuleFiles files,
// or a directory without any rule is an error. Never throws.
RuleIndex LoadRules(const std::string& rules_dir);

// The rule with this id, or nullptr.
const Rule* FindRule(const RuleIndex& index, const std::string& id);

// The citations a run refuses (spec/rules/README.md): a case citing an id the index does not
// have, or a withdrawn rule. One error per citation, at JSON path "/rules/N" of the case's
// file. Empty when every citation is sound.
std::vector<CatalogError> CheckCitations(const RuleIndex& index, const std::vector<Case>& cases);

// The tiers the rules a case cites belong to, documented first, each once. Unknown ids are
// skipped (CheckCitations reports them). A case should rest on one tier; a case citing rules of
// both is listed by MixedTierCases.
std::vector<Tier> TiersOf(const RuleIndex& index, const Case& c);

// The ids of the cases whose cited rules span more than one tier, sorted.
std::vector<std::string> MixedTierCases(const RuleIndex& index, const std::vector<Case>& cases);

// A case citing a rule id the index does not have.
struct UnknownRule {
  std::string case_id;
  std::string rule_id;
};

// Which cases check which rule.
struct Coverage {
  std::map<std::string, std::vector<std::string>> cases_of_rule;  // every rule id; case ids sorted
  std::vector<std::string> uncovered;   // rule ids no case cites, in index order; withdrawn
                                        // rules are never uncovered
  std::vector<UnknownRule> unknown;     // sorted by case id, then rule id
  std::vector<UnknownRule> withdrawn_cited;  // citations of withdrawn rules, sorted likewise
  std::vector<std::string> mixed_tiers;  // MixedTierCases
  size_t rule_count = 0;       // every rule, withdrawn ones included
  size_t withdrawn_count = 0;  // rules marked withdrawn
  size_t case_count = 0;
};

Coverage ComputeCoverage(const RuleIndex& index, const std::vector<Case>& cases);

// The machine-readable index with its coverage:
// {"rules": [{"id", "area", "file", "line", "section", "text", "availability", "since",
//             "settled", "tier", "withdrawn", "documentation", "cases": [...]}, ...],
//  "cases": {"case/id": ["rule.id", ...], ...},
//  "uncovered": [...], "unknown": [{"case", "rule"}, ...],
//  "withdrawn_cited": [{"case", "rule"}, ...], "mixed_tiers": ["case/id", ...],
//  "totals": {"rules", "documented", "compat", "withdrawn", "covered", "uncovered", "cases"}}
// "covered" and "uncovered" count the rules that are not withdrawn.
nlohmann::json CoverageJson(const RuleIndex& index, const std::vector<Case>& cases,
                            const Coverage& coverage);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RULES_H_
