// What the subcommands share: the exit statuses, the default catalog and rules, loading the
// selected cases, resolving --impl, quoting reproduce lines.
#ifndef SIGCONFORM_RUNNER_COMMAND_COMMON_H_
#define SIGCONFORM_RUNNER_COMMAND_COMMON_H_

#include <functional>
#include <string>
#include <vector>

#include <set>

#include "case.h"
#include "case_filter.h"
#include "impl_spec.h"
#include "run_verdict.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// Exit statuses of the CLI (README, "Exit statuses").
constexpr int kExitOk = 0;        // every result as expected
constexpr int kExitFailures = 1;  // a result counts against the run, or a gate failed
// Usage, catalog, expectation-file or configuration error (nothing was run), or an
// implementation whose driver could not start (the others ran; the reports were written).
constexpr int kExitUsage = 2;
// The runner was interrupted by signal N: it exits 128 + N (130 for SIGINT, 143 for
// SIGTERM, 129 for SIGHUP), as a shell reports a command killed by that signal; the reports
// were written, with the cases that did not finish as not-run.
inline int ExitForSignal(int signal_number) { return 128 + signal_number; }

// How the runner was invoked, filled by main() after parsing and before any command runs.
struct Invocation {
  std::string runner_path;   // this program, absolute, as reproduce lines should call it
  std::string command_line;  // argv joined by spaces, for the reports
};

// What a subcommand's Add*Command function returns: the action main() calls when that
// subcommand was chosen, after parsing. It returns the process's exit status.
using CommandAction = std::function<int()>;

// The defaults below are under DataDir() (data_paths.h): the installed data folder of an
// installed runner, else the source tree (SIGCONFORM_SOURCE_ROOT overrides both).

// The default rules directory: <data>/spec/rules.
std::string DefaultRulesDir();

// The default module surface: <data>/spec/module-surface.json.
std::string DefaultSurfacePath();

// The default catalog: <data>/cases.
std::string DefaultCasesDir();

// A word quoted for a POSIX shell, so that reproduce lines can be pasted as they are.
std::string ShellQuote(const std::string& word);

// Loads the catalog and keeps the cases the selection keeps, in id order; *all_ids (when not
// null) gets the id of every case of the catalog. Prints catalog errors and returns false
// when there are any: a broken case is never skipped silently.
bool LoadSelected(const std::string& cases_dir, const CaseSelection& selection,
                  std::vector<Case>* out, std::set<std::string>* all_ids = nullptr);

// Adds --filter, --tag and -k to a subcommand, filling *selection; with `shard_text`, also
// --shard (parse it with ParseShard once the command line is parsed).
void AddSelectionOptions(CLI::App* cmd, CaseSelection* selection, std::string* shard_text);

// Adds the gates a run is judged by (--min-judged, --documented-only) to a subcommand that
// judges results (run, merge, report), filling *gates: one wording for all three.
void AddGateOptions(CLI::App* cmd, Gates* gates);

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
