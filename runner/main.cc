// sigconform: the command line. Parsing only; the commands live in commands.cc.
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"

namespace {

// This program's own path, absolute, so that reproduce lines work from any directory.
std::string SelfPath(const char* argv0) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) return std::string(buf, static_cast<size_t>(n));
  return argv0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sigconform;
  CLI::App app{"sigconform: conformance of Python signal-module semantics"};
  app.require_subcommand(1);

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "run the catalog against implementations");
  run_cmd->add_option("--impl", run.impl_specs,
                      "implementation: reference, cpython, pypy or NAME=COMMAND (repeatable; "
                      "default: reference and cpython)");
  run_cmd->add_option("--cases", run.cases_dir, "catalog directory (default: the source tree's cases/)");
  run_cmd->add_option("--filter", run.filters, "glob over case ids, e.g. 'masks/*' (repeatable)");
  run_cmd->add_option("-j,--jobs", run.jobs, "drivers at once (default: twice the cores)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--json", run.json_path, "write the JSON report to this file");
  run_cmd->add_option("--out", run.out_dir,
                      "write report.json, junit.xml, summary.md and matrix.html into this directory "
                      "(default, when neither --json nor --out is given: reports/latest)");
  run_cmd->add_option("--expectations", run.expectation_files,
                      "expectation file of known failures (repeatable)");
  run_cmd->add_flag("-q,--quiet", run.quiet, "print only the summary");

  std::string list_cases;
  std::vector<std::string> list_filters;
  bool list_verbose = false;
  CLI::App* list_cmd = app.add_subcommand("list", "print the catalog");
  list_cmd->add_option("--cases", list_cases, "catalog directory");
  list_cmd->add_option("--filter", list_filters, "glob over case ids (repeatable)");
  list_cmd->add_flag("-v,--verbose", list_verbose, "also print rules and tags");

  std::vector<std::string> describe_impls;
  CLI::App* describe_cmd = app.add_subcommand("describe", "print what drivers say about themselves");
  describe_cmd->add_option("--impl", describe_impls, "implementation (repeatable)")->required();

  CoverageOptions coverage;
  CLI::App* coverage_cmd =
      app.add_subcommand("coverage", "list every rule with the cases that check it");
  coverage_cmd->add_option("--rules", coverage.rules_dir,
                           "rules directory (default: the source tree's spec/rules/)");
  coverage_cmd->add_option("--cases", coverage.cases_dir, "catalog directory");
  coverage_cmd->add_option("--json", coverage.json_path,
                           "write the rule index with its coverage to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (*run_cmd) {
    if (run.impl_specs.empty()) run.impl_specs = {"reference", "cpython"};
    if (run.cases_dir.empty()) run.cases_dir = DefaultCasesDir();
    if (run.json_path.empty() && run.out_dir.empty()) run.out_dir = "reports/latest";
    run.runner_path = SelfPath(argv[0]);
    for (int i = 0; i < argc; i++) {
      run.command_line += (i ? " " : "") + std::string(argv[i]);
    }
    return RunCommand(run);
  }
  if (*list_cmd) {
    return ListCommand(list_cases.empty() ? DefaultCasesDir() : list_cases, list_filters,
                       list_verbose);
  }
  if (*describe_cmd) return DescribeCommand(describe_impls);
  if (*coverage_cmd) {
    if (coverage.rules_dir.empty()) coverage.rules_dir = DefaultRulesDir();
    if (coverage.cases_dir.empty()) coverage.cases_dir = DefaultCasesDir();
    return CoverageCommand(coverage);
  }
  return kExitUsage;
}
