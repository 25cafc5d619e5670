#include "rules.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "bounded_file.h"
#include "text.h"

namespace sigconform {
namespace {

namespace fs = std::filesystem;

const char kSettledMark[] = "*Settled.*";
const char kWithdrawnMark[] = "*Withdrawn.*";
const char kDocumentationLine[] = "Documentation: Python ";

std::string Trim(const std::string& s) {
  size_t begin = 0, end = s.size();
  while (begin < end && (s[begin] == ' ' || s[begin] == '\t')) ++begin;
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) --end;
  return s.substr(begin, end - begin);
}

// The cells of a Markdown table row "| a | b |": the text between unescaped pipes, trimmed,
// with "\|" turned into '|'. The pipes at both ends are optional, as in Markdown.
std::vector<std::string> SplitRow(const std::string& row) {
  std::string line = Trim(row);
  std::vector<std::string> cells;
  std::string cell;
  for (size_t n = 0; n < line.size(); ++n) {
    if (line[n] == '\\' && n + 1 < line.size() && line[n + 1] == '|') {
      cell += '|';
      ++n;
    } else if (line[n] == '|') {
      cells.push_back(Trim(cell));
      cell.clear();
    } else {
      cell += line[n];
    }
  }
  cells.push_back(Trim(cell));
  // "| a | b |" splits into "", "a", "b", "": drop the empty ends the outer pipes make.
  if (!line.empty() && line.front() == '|') cells.erase(cells.begin());
  if (!line.empty() && line.back() == '|' && !cells.empty()) cells.pop_back();
  return cells;
}

bool IsSeparatorRow(const std::vector<std::string>& cells) {
  if (cells.empty()) return false;
  for (const std::string& c : cells) {
    if (c.empty()) return false;
    for (char ch : c) {
      if (ch != '-' && ch != ':') return false;
    }
  }
  return true;
}

bool IsSlugChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// area.slug[.more]: words of lowercase letters, digits and '-', starting with a letter,
// joined by single dots, at least two words.
bool IsRuleId(const std::string& id) {
  size_t words = 0;
  size_t n = 0;
  while (n <= id.size()) {
    size_t end = id.find('.', n);
    if (end == std::string::npos) end = id.size();
    const std::string word = id.substr(n, end - n);
    if (word.empty() || !(word[0] >= 'a' && word[0] <= 'z')) return false;
    for (char c : word) {
      if (!IsSlugChar(c)) return false;
    }
    ++words;
    n = end + 1;
  }
  return words >= 2;
}

// "3.8", "3.11".
bool IsVersion(const std::string& v) {
  const size_t dot = v.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == v.size()) return false;
  for (size_t n = 0; n < v.size(); ++n) {
    if (n == dot) continue;
    if (v[n] < '0' || v[n] > '9') return false;
  }
  return true;
}

std::string JoinQuoted(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "'" : ", '") + w + "'";
  return out;
}

// The table being read, line by line.
enum class TableKind { kNone, kRules, kOther };

// The backquoted rule ids after "Replaced by" in a withdrawn rule's text, up to the end of that
// sentence. Backquoted words that are not rule ids (`SIG_DFL`) are not collected.
std::vector<std::string> Replacements(const std::string& text) {
  std::vector<std::string> ids;
  size_t at = text.find("Replaced by");
  if (at == std::string::npos) return ids;
  size_t end = text.find(". ", at);
  if (end == std::string::npos) end = text.size();
  while (true) {
    const size_t open = text.find('`', at);
    if (open == std::string::npos || open >= end) break;
    const size_t close = text.find('`', open + 1);
    if (close == std::string::npos) break;
    const std::string word = text.substr(open + 1, close - open - 1);
    if (IsRuleId(word)) ids.push_back(word);
    at = close + 1;
  }
  return ids;
}

}  // namespace

std::string FormatRuleError(const RuleError& error) {
  std::string out = error.file;
  if (error.line > 0) out += ":" + std::to_string(error.line);
  return out + ": " + error.message;
}

const char* TierName(Tier tier) { return tier == Tier::kCompat ? "compat" : "documented"; }

const std::vector<std::string>& AvailabilityWords() {
  static const std::vector<std::string> words = {
      "all", "native", "Unix", "Linux", "Linux >= 5.1", "not macOS", "Windows", "WebAssembly"};
  return words;
}

void ParseRuleFile(const std::string& text, const std::string& file, RuleIndex* index) {
  std::set<std::string> known;
  std::set<std::string> withdrawn;
  std::map<std::string, std::string> where;  // id -> "file:line" of its first occurrence
  for (const Rule& r : index->rules) {
    known.insert(r.id);
    if (r.withdrawn) withdrawn.insert(r.id);
    where[r.id] = r.file + ":" + std::to_string(r.line);
  }
  // Replacements are checked once the whole file is read: a rule may name a later row.
  struct PendingReplacement {
    int line;
    std::string rule;
    std::string replacement;
  };
  std::vector<PendingReplacement> replacements;
  std::string documentation;  // from the preamble's "Documentation: Python N.N" line
  bool in_preamble = true;
  auto error = [&](int line, const std::string& message) {
    index->errors.push_back({file, line, message});
  };

  std::istringstream in(text);
  std::string raw;
  int line_number = 0;
  std::string section;
  TableKind table = TableKind::kNone;
  bool expect_separator = false;
  bool in_fence = false;
  while (std::getline(in, raw)) {
    ++line_number;
    // Rule texts go into JSON reports, which must be UTF-8: a line that is not stays out.
    if (SanitizeUtf8(raw) != raw) {
      error(line_number, "not valid UTF-8 (rule files are UTF-8 text); the line is skipped");
      continue;
    }
    const std::string line = Trim(raw);
    if (line.rfind("```", 0) == 0) {
      in_fence = !in_fence;  // examples of the format inside code fences are not rules
      table = TableKind::kNone;
      continue;
    }
    if (in_fence) continue;
    if (line.empty() || line[0] != '|') {
      table = TableKind::kNone;
      if (line.rfind("## ", 0) == 0) {
        section = Trim(line.substr(3));
        in_preamble = false;
      }
      if (in_preamble && line.rfind(kDocumentationLine, 0) == 0) {
        std::string version = line.substr(sizeof kDocumentationLine - 1);
        size_t n = 0;
        while (n < version.size() && (isdigit(static_cast<unsigned char>(version[n])) ||
                                      version[n] == '.')) {
          ++n;
        }
        version.resize(n);
        if (!version.empty() && version.back() == '.') version.pop_back();
        if (!documentation.empty()) {
          error(line_number, "a second 'Documentation:' line; the preamble names one version");
        } else if (!IsVersion(version)) {
          error(line_number, "the documentation version must read like 'Documentation: Python "
                             "3.13 ...', got '" + line + "'");
        } else {
          documentation = version;
        }
      }
      continue;
    }
    in_preamble = false;
    const std::vector<std::string> cells = SplitRow(line);
    if (table == TableKind::kNone) {
      // A header row opens a table.
      if (!cells.empty() && cells[0] == "id") {
        const std::vector<std::string> want = {"id", "rule", "availability", "since"};
        if (cells != want) {
          error(line_number, "a table whose first column is 'id' must be a rule table with "
                             "the columns id | rule | availability | since");
          table = TableKind::kOther;
        } else {
          table = TableKind::kRules;
        }
      } else {
        table = TableKind::kOther;
      }
      expect_separator = true;
      continue;
    }
    if (expect_separator) {
      expect_separator = false;
      if (IsSeparatorRow(cells)) continue;
      if (table == TableKind::kRules) {
        error(line_number, "expected the separator row '| --- | --- | --- | --- |' below the "
                           "header");
      }
    }
    if (table != TableKind::kRules) continue;

    if (cells.size() != 4) {
      error(line_number, "a rule row has 4 cells (id | rule | availability | since), this "
                         "one has " + std::to_string(cells.size()));
      continue;
    }
    const std::string& id_cell = cells[0];
    if (id_cell.size() < 3 || id_cell.front() != '`' || id_cell.back() != '`') {
      error(line_number, "the id must be written in backquotes, like `area.slug`; got '" +
                             id_cell + "'");
      continue;
    }
    Rule rule;
    rule.id = id_cell.substr(1, id_cell.size() - 2);
    rule.file = file;
    rule.line = line_number;
    rule.section = section;
    rule.text = cells[1];
    rule.availability = cells[2];
    rule.since = cells[3];
    rule.area = rule.id.substr(0, rule.id.find('.'));
    rule.settled = rule.text.rfind(kSettledMark, 0) == 0;
    rule.tier = rule.settled ? Tier::kCompat : Tier::kDocumented;
    rule.withdrawn = rule.text.rfind(kWithdrawnMark, 0) == 0;
    rule.documentation = documentation;
    bool ok = true;
    if (!IsRuleId(rule.id)) {
      error(line_number, "malformed rule id '" + rule.id + "': expected area.slug, lowercase "
                         "letters, digits and '-' in words joined by dots");
      ok = false;
    }
    if (rule.text.empty()) {
      error(line_number, "rule '" + rule.id + "' has no text");
      ok = false;
    }
    const auto& words = AvailabilityWords();
    if (std::find(words.begin(), words.end(), rule.availability) == words.end()) {
      error(line_number, "rule '" + rule.id + "': unknown availability '" + rule.availability +
                             "'; expected one of: " + JoinQuoted(words));
      ok = false;
    }
    if (!IsVersion(rule.since)) {
      error(line_number, "rule '" + rule.id + "': 'since' must be a version like 3.8, got '" +
                             rule.since + "'");
      ok = false;
    }
    if (rule.settled && rule.text.find("Evidence") == std::string::npos) {
      error(line_number, "settled rule '" + rule.id + "' gives no evidence: say what was run, "
                         "on which version, and what came back, after 'Evidence:'");
      ok = false;
    }
    if (rule.withdrawn) {
      if (Trim(rule.text.substr(sizeof kWithdrawnMark - 1)).size() < 10) {
        error(line_number, "withdrawn rule '" + rule.id + "' must say why it was withdrawn and "
                           "what replaces it, after '*Withdrawn.*'");
        ok = false;
      }
      for (const std::string& id : Replacements(rule.text)) {
        replacements.push_back({line_number, rule.id, id});
      }
    }
    if (known.count(rule.id) != 0) {
      error(line_number, "duplicate rule id '" + rule.id + "'; first defined at " +
                             where[rule.id]);
      ok = false;
    }
    if (!ok) continue;
    known.insert(rule.id);
    if (rule.withdrawn) withdrawn.insert(rule.id);
    where[rule.id] = file + ":" + std::to_string(line_number);
    index->rules.push_back(std::move(rule));
  }
  if (documentation.empty()) {
    error(0, "the preamble must name the documentation version the rules were read from, in "
             "a line 'Documentation: Python N.N ...' before the first table");
  }
  for (const PendingReplacement& p : replacements) {
    if (!known.count(p.replacement)) {
      error(p.line, "withdrawn rule '" + p.rule + "' is replaced by '" + p.replacement +
                        "', which is not a rule");
    } else if (withdrawn.count(p.replacement)) {
      error(p.line, "withdrawn rule '" + p.rule + "' is replaced by '" + p.replacement +
                        "', which is withdrawn too");
    }
  }
}

RuleIndex LoadRules(const std::string& rules_dir) {
  RuleIndex index;
  std::error_code ec;
  if (!fs::is_directory(rules_dir, ec)) {
    index.errors.push_back({rules_dir, 0, "not a directory"});
    return index;
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(rules_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".md" || p.filename() == "README.md") continue;
    if (p.filename().string().rfind('.', 0) == 0) continue;
    files.push_back(p);
    if (files.size() > kMaxRuleFiles) {
      index.errors.push_back({rules_dir, 0, "more than " + std::to_string(kMaxRuleFiles) +
                                                " rule files"});
      return index;
    }
  }
  if (ec) {
    index.errors.push_back({rules_dir, 0, "cannot list: " + ec.message()});
    return index;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::string text, error;
    if (!ReadFileBounded(p.string(), kMaxRuleFileBytes, &text, &error)) {
      index.errors.push_back({p.string(), 0, error});
      continue;
    }
    ParseRuleFile(text, p.string(), &index);
  }
  if (index.rules.empty() && index.errors.empty()) {
    index.errors.push_back({rules_dir, 0, "no rule found in any *.md file"});
  }
  return index;
}

const Rule* FindRule(const RuleIndex& index, const std::string& id) {
  for (const Rule& r : index.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::vector<CatalogError> CheckCitations(const RuleIndex& index, const std::vector<Case>& cases) {
  std::map<std::string, const Rule*> by_id;
  for (const Rule& r : index.rules) by_id[r.id] = &r;
  std::vector<CatalogError> errors;
  for (const Case& c : cases) {
    for (size_t n = 0; n < c.rules.size(); ++n) {
      const std::string path = "/rules/" + std::to_string(n);
      const auto it = by_id.find(c.rules[n]);
      if (it == by_id.end()) {
        errors.push_back({c.file, path, "rule '" + c.rules[n] + "' is not defined by any rule "
                                        "file of the spec"});
      } else if (it->second->withdrawn) {
        errors.push_back({c.file, path, "rule '" + c.rules[n] + "' is withdrawn (" +
                                        it->second->file + ":" +
                                        std::to_string(it->second->line) +
                                        "); cite what replaces it"});
      }
    }
  }
  return errors;
}

std::vector<Tier> TiersOf(const RuleIndex& index, const Case& c) {
  bool documented = false, compat = false;
  for (const std::string& id : c.rules) {
    const Rule* r = FindRule(index, id);
    if (r == nullptr) continue;
    (r->tier == Tier::kCompat ? compat : documented) = true;
  }
  std::vector<Tier> tiers;
  if (documented) tiers.push_back(Tier::kDocumented);
  if (compat) tiers.push_back(Tier::kCompat);
  return tiers;
}

std::vector<std::string> MixedTierCases(const RuleIndex& index, const std::vector<Case>& cases) {
  std::vector<std::string> ids;
  for (const Case& c : cases) {
    if (TiersOf(index, c).size() > 1) ids.push_back(c.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Coverage ComputeCoverage(const RuleIndex& index, const std::vector<Case>& cases) {
  Coverage coverage;
  coverage.rule_count = index.rules.size();
  coverage.case_count = cases.size();
  std::set<std::string> withdrawn;
  for (const Rule& r : index.rules) {
    coverage.cases_of_rule[r.id];
    if (r.withdrawn) withdrawn.insert(r.id);
  }
  coverage.withdrawn_count = withdrawn.size();
  for (const Case& c : cases) {
    for (const std::string& id : c.rules) {
      auto it = coverage.cases_of_rule.find(id);
      if (it == coverage.cases_of_rule.end()) {
        coverage.unknown.push_back({c.id, id});
        continue;
      }
      if (withdrawn.count(id)) coverage.withdrawn_cited.push_back({c.id, id});
      if (std::find(it->second.begin(), it->second.end(), c.id) == it->second.end()) {
        it->second.push_back(c.id);
      }
    }
  }
  for (auto& [id, ids] : coverage.cases_of_rule) std::sort(ids.begin(), ids.end());
  for (const Rule& r : index.rules) {
    if (!r.withdrawn && coverage.cases_of_rule[r.id].empty()) coverage.uncovered.push_back(r.id);
  }
  const auto by_case_then_rule = [](const UnknownRule& a, const UnknownRule& b) {
    return a.case_id != b.case_id ? a.case_id < b.case_id : a.rule_id < b.rule_id;
  };
  std::sort(coverage.unknown.begin(), coverage.unknown.end(), by_case_then_rule);
  std::sort(coverage.withdrawn_cited.begin(), coverage.withdrawn_cited.end(), by_case_then_rule);
  coverage.mixed_tiers = MixedTierCases(index, cases);
  return coverage;
}

nlohmann::json CoverageJson(const RuleIndex& index, const std::vector<Case>& cases,
                            const Coverage& coverage) {
  using nlohmann::json;
  json rules = json::array();
  for (const Rule& r : index.rules) {
    const auto it = coverage.cases_of_rule.find(r.id);
    rules.push_back({{"id", r.id},
                     {"area", r.area},
                     {"file", r.file},
                     {"line", r.line},
                     {"section", r.section},
                     {"text", r.text},
                     {"availability", r.availability},
                     {"since", r.since},
                     {"settled", r.settled},
                     {"tier", TierName(r.tier)},
                     {"withdrawn", r.withdrawn},
                     {"documentation", r.documentation},
                     {"cases", it == coverage.cases_of_rule.end() ? json::array()
                                                                  : json(it->second)}});
  }
  json by_case = json::object();
  for (const Case& c : cases) by_case[c.id] = c.rules;
  const auto pairs = [](const std::vector<UnknownRule>& list) {
    json out = json::array();
    for (const UnknownRule& u : list) out.push_back({{"case", u.case_id}, {"rule", u.rule_id}});
    return out;
  };
  size_t compat = 0;
  for (const Rule& r : index.rules) compat += (!r.withdrawn && r.tier == Tier::kCompat) ? 1 : 0;
  const size_t standing = coverage.rule_count - coverage.withdrawn_count;
  return {{"rules", rules},
          {"cases", by_case},
          {"uncovered", coverage.uncovered},
          {"unknown", pairs(coverage.unknown)},
          {"withdrawn_cited", pairs(coverage.withdrawn_cited)},
          {"mixed_tiers", coverage.mixed_tiers},
          {"totals",
           {{"rules", coverage.rule_count},
            {"documented", standing - compat},
            {"compat", compat},
            {"withdrawn", coverage.withdrawn_count},
            {"covered", standing - coverage.uncovered.size()},
            {"uncovered", coverage.uncovered.size()},
            {"cases", coverage.case_count}}}};
}

}  // namespace sigconform
