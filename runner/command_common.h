// What the subcommands share: the exit statuses, the default catalog and rules, loading the
// selected cases, resolving --impl, quoting reproduce lines.
#ifndef SIGCONFORM_RUNNER_COMMAND_COMMON_H_
#define SIGCONFORM_RUNNER_COMMAND_COMMON_H_

#include <functional>
#include <string>
#include <vector>

#include "case.h"
#include "impl_spec.h"

namespace sigconform {

// Exit statuses of the CLI.
constexpr int kExitOk = 0;           // every result as expected
constexpr int kExitFailures = 1;     // at least one result counts against the run
constexpr int kExitUsage = 2;        // usage, catalog or configuration error: nothing was run
constexpr int kExitInterrupted = 130;  // the runner was interrupted; reports were written

// How the runner was invoked, filled by main() after parsing and before any command runs.
struct Invocation {
  std::string runner_path;   // this program, absolute, as reproduce lines should call it
  std::string command_line;  // argv joined by spaces, for the reports
};

// What a subcommand's Add*Command function returns: the action main() calls when that
// subcommand was chosen, after parsing. It returns the process's exit status.
using CommandAction = std::function<int()>;

// The default rules directory: <source root>/spec/rules.
std::string DefaultRulesDir();

// The default module surface: <source root>/spec/module-surface.json.
std::string DefaultSurfacePath();

// The default catalog: <source root>/cases (SIGCONFORM_SOURCE_ROOT, overridable by the
// environment variable of that name).
std::string DefaultCasesDir();

// A word quoted for a POSIX shell, so that reproduce lines can be pasted as they are.
std::string ShellQuote(const std::string& word);

// Whether a case id passes the --filter globs (every id passes an empty list).
bool PassesFilters(const std::string& id, const std::vector<std::string>& filters);

// Loads the catalog and keeps the cases the filters select. Prints catalog errors and returns
// false when there are any: a broken case is never skipped silently.
bool LoadSelected(const std::string& cases_dir, const std::vector<std::string>& filters,
                  std::vector<Case>* out);

// Loads the rules and the module surface and checks the cases against both: citations
// (CheckCitations) and what each case uses (CheckAgainstSpec). Prints every problem and returns
// false when there is one; `*rules` and `*surface` (when not null) receive what was loaded.
struct RuleIndex;
struct ModuleSurface;
bool LoadSpecAndCheck(const std::string& rules_dir, const std::string& surface_path,
                      const std::vector<Case>& cases, RuleIndex* rules, ModuleSurface* surface);

// Parses and resolves every --impl. Prints the problem and returns false on the first bad one
// or when a name is given twice.
bool ParseImplementations(const std::vector<std::string>& specs,
                          std::vector<Implementation>* out);

// The current UTC time as "2026-12-01T20:05:23Z".
std::string NowIso8601();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_COMMON_H_
