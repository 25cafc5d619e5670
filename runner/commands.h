// The runner's subcommands, as functions of plain options: main.cc only parses arguments.
#ifndef SIGCONFORM_RUNNER_COMMANDS_H_
#define SIGCONFORM_RUNNER_COMMANDS_H_

#include <string>
#include <vector>

namespace sigconform {

// Exit statuses of the CLI.
constexpr int kExitOk = 0;           // every result as expected
constexpr int kExitFailures = 1;     // at least one result counts against the run
constexpr int kExitUsage = 2;        // usage, catalog or configuration error: nothing was run
constexpr int kExitInterrupted = 130;  // the runner was interrupted; reports were written

// Options of `sigconform run`.
struct RunOptions {
  std::vector<std::string> impl_specs;  // as given on the command line; never empty
  std::string cases_dir;                // the catalog
  std::vector<std::string> filters;     // globs over case ids; empty: every case
  std::vector<std::string> expectation_files;
  int jobs = 0;            // drivers at once; 0: twice the number of cores
  std::string json_path;   // where to write the JSON report alone; "" for none
  std::string out_dir;     // where to write report.json, junit.xml, summary.md; "" for none
  std::string runner_path;   // this program, as reproduce lines should call it
  std::string command_line;  // how it was invoked, for the reports
  bool quiet = false;        // no line per unexpected result, only the summary
};

// Loads and filters the catalog, describes the implementations, plans, runs every applicable
// pair under one Supervisor, evaluates, applies expectations, prints unexpected results as
// they come and a summary at the end, and writes the reports — also when drivers break or the
// runner is interrupted. Returns an exit status above.
int RunCommand(const RunOptions& options);

// `sigconform list`: prints "id  title" for each case that passes the filters, sorted;
// with `verbose`, also its rules and tags. Catalog errors are printed and give kExitUsage.
int ListCommand(const std::string& cases_dir, const std::vector<std::string>& filters,
                bool verbose);

// `sigconform describe`: prints each implementation's describe record as indented JSON.
int DescribeCommand(const std::vector<std::string>& impl_specs);

// Options of `sigconform coverage`.
struct CoverageOptions {
  std::string rules_dir;  // spec/rules of the source tree by default
  std::string cases_dir;  // the catalog
  std::string json_path;  // where to write the machine-readable index; "" for none
};

// `sigconform coverage`: reads the rules of spec/rules/*.md and the catalog, prints every rule
// with the cases that check it, the rules no case checks, and the totals. Returns kExitOk when
// every rule is covered, kExitFailures when some is not, kExitUsage when a rule file or a case
// is malformed or a case cites a rule id that does not exist (the catalog must never cite
// unknown rules).
int CoverageCommand(const CoverageOptions& options);

// The default rules directory: <source root>/spec/rules.
std::string DefaultRulesDir();

// The default catalog: <source root>/cases (SIGCONFORM_SOURCE_ROOT, overridable by the
// environment variable of that name).
std::string DefaultCasesDir();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMANDS_H_
