#include "rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "catalog.h"

namespace sigconform {
namespace {

namespace fs = std::filesystem;

const std::string kSourceRoot = SIGCONFORM_SOURCE_ROOT;

const char kHeader[] =
    "# Part\n"
    "Documentation: Python 3.13, read in translation.\n"
    "## Handlers (`handler.*`)\n"
    "\n"
    "| id | rule | availability | since |\n"
    "| --- | --- | --- | --- |\n";

RuleIndex Parse(const std::string& text, const std::string& file = "spec/rules/x.md") {
  RuleIndex index;
  ParseRuleFile(text, file, &index);
  return index;
}

std::string AllErrors(const RuleIndex& index) {
  std::string out;
  for (const RuleError& e : index.errors) out += FormatRuleError(e) + "\n";
  return out;
}

bool HasError(const RuleIndex& index, int line, const std::string& text) {
  return std::any_of(index.errors.begin(), index.errors.end(), [&](const RuleError& e) {
    return e.line == line && e.message.find(text) != std::string::npos;
  });
}

Case CaseCiting(const std::string& id, std::vector<std::string> rules) {
  Case c;
  c.id = id;
  c.rules = std::move(rules);
  return c;
}

TEST(Rules, ParsesEveryFieldOfARow) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `handler.stays-installed` | A handler stays installed \\| after it runs. | all | 3.0 |\n"
      "| `itimer.negative-time` | *Settled.* Negative raises. Evidence: CPython 3.11.2. | Linux "
      ">= 5.1 | 3.3 |\n");
  ASSERT_TRUE(index.errors.empty()) << AllErrors(index);
  ASSERT_EQ(index.rules.size(), 2u);
  const Rule& r = index.rules[0];
  EXPECT_EQ(r.id, "handler.stays-installed");
  EXPECT_EQ(r.area, "handler");
  EXPECT_EQ(r.file, "spec/rules/x.md");
  EXPECT_EQ(r.line, 7);
  EXPECT_EQ(r.section, "Handlers (`handler.*`)");
  EXPECT_EQ(r.text, "A handler stays installed | after it runs.");
  EXPECT_EQ(r.availability, "all");
  EXPECT_EQ(r.since, "3.0");
  EXPECT_FALSE(r.settled);
  EXPECT_EQ(r.tier, Tier::kDocumented);
  EXPECT_FALSE(r.withdrawn);
  EXPECT_EQ(r.documentation, "3.13");
  EXPECT_TRUE(index.rules[1].settled);
  EXPECT_EQ(index.rules[1].tier, Tier::kCompat);
  EXPECT_EQ(index.rules[1].availability, "Linux >= 5.1");
  EXPECT_EQ(index.rules[1].line, 8);
}

TEST(Rules, WithdrawnRuleKeepsItsIdAndNamesItsReplacement) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `itimer.old` | *Withdrawn.* It pinned a rounding accident. Replaced by `itimer.new`. "
      "| all | 3.0 |\n"
      "| `itimer.new` | Negative times raise. | all | 3.0 |\n");
  ASSERT_TRUE(index.errors.empty()) << AllErrors(index);
  ASSERT_EQ(index.rules.size(), 2u);
  EXPECT_TRUE(index.rules[0].withdrawn);
  EXPECT_FALSE(index.rules[1].withdrawn);
  EXPECT_EQ(std::string(TierName(index.rules[0].tier)), "documented");
}

TEST(Rules, WithdrawnRuleMustSayWhyAndBeReplacedByAStandingRule) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `a.bare` | *Withdrawn.* | all | 3.0 |\n"                                   // 7
      "| `a.gone` | *Withdrawn.* Wrong. Replaced by `a.nowhere`. | all | 3.0 |\n"   // 8
      "| `a.chain` | *Withdrawn.* Wrong too. Replaced by `a.gone`. | all | 3.0 |\n"  // 9
      "| `a.code` | *Withdrawn.* Said `SIG_DFL` wrongly; nothing replaces it. | all | 3.0 |\n");
  EXPECT_TRUE(HasError(index, 7, "must say why")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 8, "replaced by 'a.nowhere', which is not a rule"))
      << AllErrors(index);
  EXPECT_TRUE(HasError(index, 9, "replaced by 'a.gone', which is withdrawn too"))
      << AllErrors(index);
  EXPECT_FALSE(HasError(index, 10, "")) << AllErrors(index);
}

TEST(Rules, EveryFileNamesItsDocumentationVersionOnce) {
  const std::string table =
      "| id | rule | availability | since |\n| --- | --- | --- | --- |\n"
      "| `a.b` | T. | all | 3.0 |\n";
  const RuleIndex none = Parse("# Part\n\n" + table);
  EXPECT_TRUE(HasError(none, 0, "documentation version")) << AllErrors(none);
  const RuleIndex bad = Parse("# Part\nDocumentation: Python three\n" + table);
  EXPECT_TRUE(HasError(bad, 2, "must read like")) << AllErrors(bad);
  const RuleIndex twice =
      Parse("# Part\nDocumentation: Python 3.12\nDocumentation: Python 3.13\n" + table);
  EXPECT_TRUE(HasError(twice, 3, "a second")) << AllErrors(twice);
  // Below the first section the line is ordinary text, not the preamble's.
  const RuleIndex late = Parse("# Part\n## Section\nDocumentation: Python 3.12\n" + table);
  EXPECT_TRUE(HasError(late, 0, "documentation version")) << AllErrors(late);
  const RuleIndex good = Parse("# Part\n\nDocumentation: Python 3.12.\n\n" + table);
  EXPECT_TRUE(good.errors.empty()) << AllErrors(good);
  ASSERT_EQ(good.rules.size(), 1u);
  EXPECT_EQ(good.rules[0].documentation, "3.12");
}

TEST(Rules, IgnoresOtherTablesTextAndCodeFences) {
  const RuleIndex index = Parse(
      "Documentation: Python 3.12\n"
      "Some text | with a pipe.\n\n"
      "| word | meaning |\n| --- | --- |\n| `a.b` | not a rule: another table |\n\n"
      "```\n| id | rule | availability | since |\n| `mask.example` | in a fence | all | 3.3 |\n```\n" +
      std::string(kHeader) + "| `send.raise` | Sends. | all | 3.8 |\n");
  EXPECT_TRUE(index.errors.empty()) << AllErrors(index);
  ASSERT_EQ(index.rules.size(), 1u);
  EXPECT_EQ(index.rules[0].id, "send.raise");
}

TEST(Rules, MalformedRowsNameTheirLine) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `handler.ok` | Fine. | all | 3.0 |\n"           // 7
      "| handler.no-quotes | Text. | all | 3.0 |\n"       // 8
      "| `handler.cells` | Text. | all |\n"               // 9
      "| `Handler.Upper` | Text. | all | 3.0 |\n"         // 10
      "| `nodot` | Text. | all | 3.0 |\n"                 // 11
      "| `handler.avail` | Text. | Solaris | 3.0 |\n"     // 12
      "| `handler.since` | Text. | all | three |\n"       // 13
      "| `handler.empty` |  | all | 3.0 |\n"              // 14
      "| `handler.settled` | *Settled.* No proof. | all | 3.0 |\n");  // 15
  EXPECT_EQ(index.rules.size(), 1u);
  EXPECT_TRUE(HasError(index, 8, "backquotes")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 9, "4 cells")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 10, "malformed rule id")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 11, "malformed rule id")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 12, "unknown availability 'Solaris'")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 13, "'since' must be a version")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 14, "has no text")) << AllErrors(index);
  EXPECT_TRUE(HasError(index, 15, "gives no evidence")) << AllErrors(index);
  EXPECT_EQ(FormatRuleError(index.errors[0]).rfind("spec/rules/x.md:8: ", 0), 0u);
}

TEST(Rules, WrongHeaderOrMissingSeparatorIsAnError) {
  const RuleIndex bad_header =
      Parse("| id | text | availability | since |\n| --- | --- | --- | --- |\n"
            "| `a.b` | T. | all | 3.0 |\n");
  EXPECT_TRUE(HasError(bad_header, 1, "must be a rule table")) << AllErrors(bad_header);
  EXPECT_TRUE(bad_header.rules.empty());
  const RuleIndex no_separator =
      Parse("| id | rule | availability | since |\n| `a.b` | T. | all | 3.0 |\n");
  EXPECT_TRUE(HasError(no_separator, 2, "separator")) << AllErrors(no_separator);
}

TEST(Rules, DuplicateIdsAcrossFilesAreErrors) {
  RuleIndex index;
  ParseRuleFile(std::string(kHeader) + "| `a.b` | One. | all | 3.0 |\n", "one.md", &index);
  ParseRuleFile(std::string(kHeader) + "| `a.b` | Two. | all | 3.0 |\n", "two.md", &index);
  ASSERT_EQ(index.rules.size(), 1u);
  EXPECT_EQ(index.rules[0].file, "one.md");
  ASSERT_EQ(index.errors.size(), 1u);
  EXPECT_EQ(FormatRuleError(index.errors[0]),
            "two.md:7: duplicate rule id 'a.b'; first defined at one.md:7");
}

TEST(Rules, LoadRulesSkipsTheReadmeAndReadsFilesInNameOrder) {
  const fs::path dir = fs::temp_directory_path() / ("sigconform-rules-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "README.md") << kHeader << "| `readme.example` | Ex. | all | 3.0 |\n";
  std::ofstream(dir / "b.md") << kHeader << "| `b.rule` | B. | all | 3.0 |\n";
  std::ofstream(dir / "a.md") << kHeader << "| `a.rule` | A. | Unix | 3.3 |\n";
  std::ofstream(dir / "notes.txt") << kHeader << "| `c.rule` | C. | all | 3.0 |\n";
  const RuleIndex index = LoadRules(dir.string());
  fs::remove_all(dir);
  EXPECT_TRUE(index.errors.empty()) << AllErrors(index);
  ASSERT_EQ(index.rules.size(), 2u);
  EXPECT_EQ(index.rules[0].id, "a.rule");
  EXPECT_EQ(index.rules[1].id, "b.rule");

  const RuleIndex missing = LoadRules("/nonexistent/rules");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(FormatRuleError(missing.errors[0]), "/nonexistent/rules: not a directory");
}

TEST(Coverage, ListsCasesPerRuleTheUncoveredAndTheUnknown) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `a.one` | One. | all | 3.0 |\n| `a.two` | Two. | all | 3.0 |\n"
      "| `a.three` | Three. | all | 3.0 |\n");
  const std::vector<Case> cases = {CaseCiting("z/case", {"a.one"}),
                                   CaseCiting("b/case", {"a.one", "a.three", "a.typo"})};
  const Coverage coverage = ComputeCoverage(index, cases);
  EXPECT_EQ(coverage.cases_of_rule.at("a.one"), (std::vector<std::string>{"b/case", "z/case"}));
  EXPECT_EQ(coverage.cases_of_rule.at("a.three"), std::vector<std::string>{"b/case"});
  EXPECT_EQ(coverage.uncovered, std::vector<std::string>{"a.two"});
  ASSERT_EQ(coverage.unknown.size(), 1u);
  EXPECT_EQ(coverage.unknown[0].case_id, "b/case");
  EXPECT_EQ(coverage.unknown[0].rule_id, "a.typo");

  const nlohmann::json j = CoverageJson(index, cases, coverage);
  EXPECT_EQ(j["rules"].size(), 3u);
  EXPECT_EQ(j["rules"][0]["id"], "a.one");
  EXPECT_EQ(j["rules"][0]["cases"], nlohmann::json({"b/case", "z/case"}));
  EXPECT_EQ(j["rules"][1]["line"], 8);
  EXPECT_EQ(j["cases"]["z/case"], nlohmann::json({"a.one"}));
  EXPECT_EQ(j["uncovered"], nlohmann::json({"a.two"}));
  EXPECT_EQ(j["unknown"][0]["rule"], "a.typo");
  EXPECT_EQ(j["totals"]["rules"], 3);
  EXPECT_EQ(j["totals"]["covered"], 2);
  EXPECT_EQ(j["totals"]["cases"], 2);
}

TEST(Rules, ARowThatIsNotUtf8IsAnErrorAndLeftOut) {
  // Found by fuzz_rules: the rule's text reached the coverage JSON and threw there.
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `handler.stays-installed` | A handler \xb8 stays. | all | 3.0 |\n"
      "| `handler.runs-in-main` | It runs in the main thread. | all | 3.0 |\n");
  EXPECT_TRUE(HasError(index, 7, "not valid UTF-8")) << AllErrors(index);
  ASSERT_EQ(index.rules.size(), 1u);
  EXPECT_EQ(index.rules[0].id, "handler.runs-in-main");
  const Coverage coverage = ComputeCoverage(index, {CaseCiting("a/b", {"handler.runs-in-main"})});
  EXPECT_NO_THROW(CoverageJson(index, {}, coverage).dump());
}

TEST(Coverage, WithdrawnRulesNeedNoCaseAndMayNotBeCited) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `a.old` | *Withdrawn.* Said too much. Replaced by `a.new`. | all | 3.0 |\n"
      "| `a.new` | New. | all | 3.0 |\n"
      "| `a.quiet` | *Withdrawn.* Nothing can observe it; nothing replaces it. | all | 3.0 |\n");
  ASSERT_TRUE(index.errors.empty()) << AllErrors(index);
  const std::vector<Case> cases = {CaseCiting("x/new", {"a.new"}),
                                   CaseCiting("x/stale", {"a.new", "a.old"})};
  const Coverage coverage = ComputeCoverage(index, cases);
  EXPECT_TRUE(coverage.uncovered.empty());
  ASSERT_EQ(coverage.withdrawn_cited.size(), 1u);
  EXPECT_EQ(coverage.withdrawn_cited[0].case_id, "x/stale");
  EXPECT_EQ(coverage.withdrawn_cited[0].rule_id, "a.old");
  const nlohmann::json j = CoverageJson(index, cases, coverage);
  EXPECT_EQ(j["totals"]["rules"], 3);
  EXPECT_EQ(j["totals"]["withdrawn"], 2);
  EXPECT_EQ(j["totals"]["documented"], 1);
  EXPECT_EQ(j["totals"]["covered"], 1);
  EXPECT_EQ(j["rules"][0]["withdrawn"], true);
  EXPECT_EQ(j["rules"][1]["tier"], "documented");
  EXPECT_EQ(j["rules"][1]["documentation"], "3.13");
  EXPECT_EQ(j["withdrawn_cited"][0]["case"], "x/stale");
}

TEST(Citations, UnknownAndWithdrawnRulesAreErrorsAtTheirJsonPath) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `a.old` | *Withdrawn.* Said too much. Replaced by `a.new`. | all | 3.0 |\n"
      "| `a.new` | New. | all | 3.0 |\n");
  Case c = CaseCiting("x/case", {"a.new", "a.old", "a.typo"});
  c.file = "cases/x/case.json";
  const std::vector<CatalogError> errors = CheckCitations(index, {c});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(FormatCatalogError(errors[0]).rfind("cases/x/case.json: /rules/1: rule 'a.old' is "
                                                "withdrawn", 0), 0u)
      << FormatCatalogError(errors[0]);
  EXPECT_EQ(FormatCatalogError(errors[1]).rfind("cases/x/case.json: /rules/2: rule 'a.typo' is "
                                                "not defined", 0), 0u)
      << FormatCatalogError(errors[1]);
  EXPECT_TRUE(CheckCitations(index, {CaseCiting("x/ok", {"a.new"})}).empty());
}

TEST(Tiers, ACaseRestsOnTheTiersOfTheRulesItCites) {
  const RuleIndex index = Parse(std::string(kHeader) +
      "| `a.doc` | Stated. | all | 3.0 |\n"
      "| `a.cpy` | *Settled.* Observed. Evidence: CPython 3.11.2. | all | 3.0 |\n");
  ASSERT_TRUE(index.errors.empty()) << AllErrors(index);
  const Case doc = CaseCiting("x/doc", {"a.doc"});
  const Case cpy = CaseCiting("x/cpy", {"a.cpy"});
  const Case both = CaseCiting("x/both", {"a.cpy", "a.doc"});
  EXPECT_EQ(TiersOf(index, doc), std::vector<Tier>{Tier::kDocumented});
  EXPECT_EQ(TiersOf(index, cpy), std::vector<Tier>{Tier::kCompat});
  EXPECT_EQ(TiersOf(index, both), (std::vector<Tier>{Tier::kDocumented, Tier::kCompat}));
  EXPECT_EQ(MixedTierCases(index, {doc, both, cpy}), std::vector<std::string>{"x/both"});
}

// The real specification parses cleanly, and the real catalog cites only rules it defines.
// (Whether every rule is covered is the `coverage` test's business.)
TEST(RealSpec, RuleFilesParseWithoutErrors) {
  const RuleIndex index = LoadRules(kSourceRoot + "/spec/rules");
  EXPECT_TRUE(index.errors.empty()) << AllErrors(index);
  EXPECT_FALSE(index.rules.empty());
}

TEST(RealSpec, EveryRuleCitedByACaseExists) {
  const RuleIndex index = LoadRules(kSourceRoot + "/spec/rules");
  const Catalog catalog = LoadCatalog(kSourceRoot + "/cases");
  ASSERT_TRUE(catalog.errors.empty()) << FormatCatalogError(catalog.errors[0]);
  const Coverage coverage = ComputeCoverage(index, catalog.cases);
  std::string unknown;
  for (const UnknownRule& u : coverage.unknown) unknown += u.case_id + " cites " + u.rule_id + "\n";
  EXPECT_TRUE(coverage.unknown.empty()) << unknown;
  std::string citations;
  for (const CatalogError& e : CheckCitations(index, catalog.cases)) {
    citations += FormatCatalogError(e) + "\n";
  }
  EXPECT_TRUE(citations.empty()) << citations;
}

}  // namespace
}  // namespace sigconform
