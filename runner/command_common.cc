#include "command_common.h"

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>

#include <CLI/CLI.hpp>

#include "catalog.h"
#include "data_paths.h"
#include "expectations.h"
#include "module_surface.h"
#include "rules.h"
#include "spec_check.h"
#include "text.h"

namespace sigconform {

std::string DefaultRulesDir() { return DataDir() + "/spec/rules"; }

std::string DefaultSurfacePath() { return DataDir() + "/spec/module-surface.json"; }

std::string DefaultCasesDir() { return DataDir() + "/cases"; }

std::string ShellQuote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '-' ||
          c == '_' || c == '=' || c == ':' || c == ',' || c == '+')) {
      plain = false;
    }
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool LoadSelected(const std::string& cases_dir, const CaseSelection& selection,
                  std::vector<Case>* out, std::set<std::string>* all_ids) {
  Catalog catalog = LoadCatalog(cases_dir);
  if (!catalog.errors.empty()) {
    for (const CatalogError& e : catalog.errors) {
      // A case file may hold anything, control characters included.
      std::cerr << "sigconform: " << TerminalText(FormatCatalogError(e)) << "\n";
    }
    std::cerr << "sigconform: the catalog has " << catalog.errors.size()
              << " error(s); nothing was run\n";
    return false;
  }
  if (all_ids != nullptr) {
    for (const Case& c : catalog.cases) all_ids->insert(c.id);
  }
  *out = SelectCases(std::move(catalog.cases), selection);
  return true;
}

bool LoadSpecAndCheck(const std::string& rules_dir, const std::string& surface_path,
                      const std::vector<Case>& cases, RuleIndex* rules_out,
                      ModuleSurface* surface_out) {
  RuleIndex rules = LoadRules(rules_dir);
  for (const RuleError& e : rules.errors) std::cerr << "sigconform: " << FormatRuleError(e) << "\n";
  ModuleSurface surface;
  const std::vector<CatalogError> surface_errors = LoadModuleSurface(surface_path, &surface);
  for (const CatalogError& e : surface_errors) {
    std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  }
  if (!rules.errors.empty() || !surface_errors.empty()) {
    std::cerr << "sigconform: the spec has " << rules.errors.size() + surface_errors.size()
              << " error(s); nothing was done\n";
    return false;
  }
  std::vector<CatalogError> errors = CheckCitations(rules, cases);
  const std::vector<CatalogError> more = CheckAgainstSpec(cases, rules, surface);
  errors.insert(errors.end(), more.begin(), more.end());
  for (const CatalogError& e : errors) std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  if (!errors.empty()) {
    std::cerr << "sigconform: " << errors.size() << " case(s) disagree with the spec (rules or "
              << "module surface); nothing was done\n";
    return false;
  }
  if (rules_out != nullptr) *rules_out = std::move(rules);
  if (surface_out != nullptr) *surface_out = std::move(surface);
  return true;
}

void AddSelectionOptions(CLI::App* cmd, CaseSelection* selection, std::string* shard_text) {
  cmd->add_option("--filter", selection->globs,
                  "shell glob over case ids ('masks/*', 'wakeup/?ull*', '[mp]*/*'); a leading "
                  "'!' excludes ('!timers/*'). Repeatable: a case is kept when it matches some "
                  "including glob (or none is given) and no excluding one");
  cmd->add_option("--tag", selection->tags, "keep cases carrying this tag (repeatable: any of them)");
  cmd->add_option("-k", selection->keywords,
                  "keep cases whose id or title contains this text, ignoring case (repeatable: "
                  "any of them)");
  if (shard_text != nullptr) {
    cmd->add_option("--shard", *shard_text,
                    "run slice K of N (e.g. 2/4) of the selected cases: the same catalog and "
                    "options give the same slices on every machine, and `sigconform merge` "
                    "joins them");
  }
}

void AddGateOptions(CLI::App* cmd, Gates* gates) {
  cmd->add_option("--min-judged", gates->min_judged_percent,
                  "fail when an implementation judged less than this percentage of its "
                  "applicable cases (unsupported, error and not-run are not judged; default 50)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_flag("--documented-only", gates->documented_only,
                "gate on the documented tier alone: a fail, crash, timeout or flaky result "
                "whose case rests only on rules settled from CPython's behaviour is reported "
                "but does not fail the run");
}

bool ParseImplementations(const std::vector<std::string>& specs,
                          std::vector<Implementation>* out) {
  std::map<std::string, int> seen;
  for (const std::string& spec : specs) {
    std::string error;
    std::optional<Implementation> impl = ParseImplSpec(spec, &error);
    if (!impl || !ResolveImplementation(&*impl, &error)) {
      std::cerr << "sigconform: " << error << "\n";
      return false;
    }
    if (seen[impl->name]++ > 0) {
      std::cerr << "sigconform: implementation '" << impl->name << "' is given twice\n";
      return false;
    }
    out->push_back(std::move(*impl));
  }
  return true;
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace sigconform
