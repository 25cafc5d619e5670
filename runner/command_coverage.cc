#include "command_coverage.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "case.h"
#include "command_common.h"
#include "report.h"
#include "module_surface.h"
#include "rules.h"
#include "spec_check.h"

namespace sigconform {

using nlohmann::json;

int CoverageCommand(const CoverageOptions& options) {
  const RuleIndex index = LoadRules(options.rules_dir);
  for (const RuleError& e : index.errors) std::cerr << "sigconform: " << FormatRuleError(e) << "\n";
  std::vector<Case> cases;
  if (!LoadSelected(options.cases_dir, {}, &cases)) return kExitUsage;
  // Malformed rules are reported and left out, but the coverage of the others is still shown.
  const Coverage coverage = ComputeCoverage(index, cases);
  ModuleSurface surface;
  const std::vector<CatalogError> surface_errors = LoadModuleSurface(options.surface_path, &surface);
  for (const CatalogError& e : surface_errors) {
    std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  }
  std::vector<CatalogError> spec_errors;
  if (surface_errors.empty()) spec_errors = CheckAgainstSpec(cases, index, surface);
  for (const CatalogError& e : spec_errors) {
    std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  }
  const SurfaceCoverage names = ComputeSurfaceCoverage(surface, cases);

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
  if (surface_errors.empty()) {
    std::cout << "\n# the module's surface (" << options.surface_path << ")\n";
    for (const SurfaceName& n : surface.names) {
      const std::vector<std::string>& ids = names.cases_of_name.at(n.name);
      std::cout << n.name << "  (" << n.kind << ", since " << n.since << ")  " << ids.size()
                << (ids.size() == 1 ? " case" : " cases") << (ids.empty() ? "  UNEXERCISED" : "")
                << "\n";
      for (const Parameter& p : n.parameters) {
        const auto& pids = names.cases_of_parameter.at(n.name + "." + p.name);
        std::cout << "    " << p.name << "  " << pids.size() << (pids.size() == 1 ? " case" : " cases")
                  << (pids.empty() ? "  UNEXERCISED" : "") << "\n";
      }
    }
    if (!names.unexercised_names.empty() || !names.unexercised_parameters.empty()) {
      std::cout << "\nnames and parameters no case exercises:\n";
      for (const std::string& n : names.unexercised_names) std::cout << "  " << n << "\n";
      for (const std::string& p : names.unexercised_parameters) std::cout << "  " << p << "\n";
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
  if (surface_errors.empty()) {
    const json totals = SurfaceCoverageJson(surface, names)["totals"];
    std::cout << totals["names"] << " names of the module, " << totals["names_exercised"]
              << " exercised; " << totals["parameters"] << " parameters, "
              << totals["parameters_exercised"] << " exercised\n";
  }

  if (!options.json_path.empty()) {
    std::string error;
    json index_json = CoverageJson(index, cases, coverage);
    if (surface_errors.empty()) index_json["surface"] = SurfaceCoverageJson(surface, names);
    const std::string text = index_json.dump(2) + "\n";
    if (!WriteFileAtomically(options.json_path, text, &error)) {
      std::cerr << "sigconform: cannot write " << options.json_path << ": " << error << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << options.json_path << "\n";
  }
  if (!index.errors.empty()) {
    std::cerr << "sigconform: the rule files have " << index.errors.size() << " error(s)\n";
  }
  if (!index.errors.empty() || !coverage.unknown.empty() || !coverage.withdrawn_cited.empty() ||
      !surface_errors.empty() || !spec_errors.empty()) {
    return kExitUsage;
  }
  if (options.strict && (!coverage.mixed_tiers.empty() || !names.unexercised_names.empty() ||
                         !names.unexercised_parameters.empty())) {
    return kExitFailures;
  }
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
  cmd->add_option("--surface", coverage->surface_path,
                  "the module's surface (default: the source tree's spec/module-surface.json)");
  cmd->add_flag("--strict", coverage->strict,
                "also fail when a case rests on both tiers (documented and compat) or a name "
                "or parameter of the module is exercised by no case");
  return [coverage] {
    if (coverage->rules_dir.empty()) coverage->rules_dir = DefaultRulesDir();
    if (coverage->cases_dir.empty()) coverage->cases_dir = DefaultCasesDir();
    if (coverage->surface_path.empty()) coverage->surface_path = DefaultSurfacePath();
    return CoverageCommand(*coverage);
  };
}

}  // namespace sigconform
