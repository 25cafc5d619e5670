#include "command_coverage.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "case.h"
#include "command_common.h"
#include "report.h"
#include "rules.h"

namespace sigconform {

int CoverageCommand(const CoverageOptions& options) {
  const RuleIndex index = LoadRules(options.rules_dir);
  for (const RuleError& e : index.errors) std::cerr << "sigconform: " << FormatRuleError(e) << "\n";
  std::vector<Case> cases;
  if (!LoadSelected(options.cases_dir, {}, &cases)) return kExitUsage;
  // Malformed rules are reported and left out, but the coverage of the others is still shown.
  const Coverage coverage = ComputeCoverage(index, cases);

  std::string section_file;
  for (const Rule& r : index.rules) {
    if (r.file != section_file) {
      section_file = r.file;
      std::cout << "# " << r.file << "\n";
    }
    const std::vector<std::string>& ids = coverage.cases_of_rule.at(r.id);
    std::cout << r.id << (r.withdrawn ? "  (withdrawn)" : r.settled ? "  (settled: compat tier)" : "")
              << "\n";
    if (ids.empty() && !r.withdrawn) std::cout << "    UNCOVERED\n";
    for (const std::string& id : ids) std::cout << "    " << id << "\n";
  }
  if (!coverage.uncovered.empty()) {
    std::cout << "\nrules no case checks:\n";
    for (const std::string& id : coverage.uncovered) {
      for (const Rule& r : index.rules) {
        if (r.id == id) std::cout << "  " << id << "  (" << r.file << ":" << r.line << ")\n";
      }
    }
  }
  if (!coverage.mixed_tiers.empty()) {
    std::cout << "\ncases resting on both tiers (documented and compat; a case rests on one):\n";
    for (const std::string& id : coverage.mixed_tiers) std::cout << "  " << id << "\n";
  }
  for (const UnknownRule& u : coverage.unknown) {
    std::cerr << "sigconform: case " << u.case_id << " cites rule '" << u.rule_id
              << "', which no well-formed rule row of " << options.rules_dir << " defines\n";
  }
  for (const UnknownRule& u : coverage.withdrawn_cited) {
    std::cerr << "sigconform: case " << u.case_id << " cites rule '" << u.rule_id
              << "', which is withdrawn\n";
  }
  const size_t standing = coverage.rule_count - coverage.withdrawn_count;
  const size_t covered = standing - coverage.uncovered.size();
  size_t compat = 0;
  for (const Rule& r : index.rules) compat += (!r.withdrawn && r.tier == Tier::kCompat) ? 1 : 0;
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f",
                standing == 0 ? 0.0 : 100.0 * covered / standing);
  std::cout << "\n" << standing << " rules (" << standing - compat << " documented, " << compat
            << " compat; " << coverage.withdrawn_count << " withdrawn not counted), " << covered
            << " covered (" << percent << " %), " << coverage.uncovered.size() << " uncovered; "
            << coverage.case_count << " cases";
  if (!coverage.mixed_tiers.empty()) {
    std::cout << "; " << coverage.mixed_tiers.size() << " resting on both tiers";
  }
  if (!coverage.unknown.empty()) {
    std::cout << "; " << coverage.unknown.size() << " citation(s) of unknown rules";
  }
  if (!coverage.withdrawn_cited.empty()) {
    std::cout << "; " << coverage.withdrawn_cited.size() << " citation(s) of withdrawn rules";
  }
  std::cout << "\n";

  if (!options.json_path.empty()) {
    std::string error;
    const std::string text = CoverageJson(index, cases, coverage).dump(2) + "\n";
    if (!WriteFileAtomically(options.json_path, text, &error)) {
      std::cerr << "sigconform: cannot write " << options.json_path << ": " << error << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << options.json_path << "\n";
  }
  if (!index.errors.empty()) {
    std::cerr << "sigconform: the rule files have " << index.errors.size() << " error(s)\n";
  }
  if (!index.errors.empty() || !coverage.unknown.empty() || !coverage.withdrawn_cited.empty()) {
    return kExitUsage;
  }
  if (options.strict && !coverage.mixed_tiers.empty()) return kExitFailures;
  return coverage.uncovered.empty() ? kExitOk : kExitFailures;
}

CommandAction AddCoverageCommand(CLI::App* app) {
  auto coverage = std::make_shared<CoverageOptions>();
  CLI::App* cmd = app->add_subcommand("coverage", "list every rule with the cases that check it");
  cmd->add_option("--rules", coverage->rules_dir,
                  "rules directory (default: the source tree's spec/rules/)");
  cmd->add_option("--cases", coverage->cases_dir, "catalog directory");
  cmd->add_option("--json", coverage->json_path,
                  "write the rule index with its coverage to this file");
  cmd->add_flag("--strict", coverage->strict,
                "also fail when a case rests on both tiers (documented and compat)");
  return [coverage] {
    if (coverage->rules_dir.empty()) coverage->rules_dir = DefaultRulesDir();
    if (coverage->cases_dir.empty()) coverage->cases_dir = DefaultCasesDir();
    return CoverageCommand(*coverage);
  };
}

}  // namespace sigconform
