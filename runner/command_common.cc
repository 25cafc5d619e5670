#include "command_common.h"

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>

#include "catalog.h"
#include "expectations.h"
#include "module_surface.h"
#include "rules.h"
#include "spec_check.h"
#include "text.h"

namespace sigconform {

std::string DefaultRulesDir() {
  const char* root = std::getenv("SIGCONFORM_SOURCE_ROOT");
  std::string base = (root != nullptr && *root != '\0') ? root : SIGCONFORM_SOURCE_ROOT;
  return base + "/spec/rules";
}

std::string DefaultSurfacePath() {
  const char* root = std::getenv("SIGCONFORM_SOURCE_ROOT");
  std::string base = (root != nullptr && *root != '\0') ? root : SIGCONFORM_SOURCE_ROOT;
  return base + "/spec/module-surface.json";
}

std::string DefaultCasesDir() {
  const char* root = std::getenv("SIGCONFORM_SOURCE_ROOT");
  std::string base = (root != nullptr && *root != '\0') ? root : SIGCONFORM_SOURCE_ROOT;
  return base + "/cases";
}

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

bool PassesFilters(const std::string& id, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (GlobMatches(f, id)) return true;
  }
  return false;
}

bool LoadSelected(const std::string& cases_dir, const std::vector<std::string>& filters,
                  std::vector<Case>* out) {
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
  for (Case& c : catalog.cases) {
    if (PassesFilters(c.id, filters)) out->push_back(std::move(c));
  }
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
