#include "command_merge.h"

#include <iostream>
#include <map>
#include <memory>

#include <CLI/CLI.hpp>

#include "report.h"
#include "report_merge.h"
#include "text.h"

namespace sigconform {

bool ReadAndMerge(const std::vector<std::string>& files, LoadedReport* merged) {
  std::vector<LoadedReport> parts;
  bool ok = true;
  for (const std::string& file : files) {
    LoadedReport part;
    const std::vector<CatalogError> errors = ReadReportFile(file, &part);
    for (const CatalogError& e : errors) std::cerr << "sigconform: " << TerminalText(FormatCatalogError(e)) << "\n";
    if (!errors.empty()) {
      ok = false;
      continue;
    }
    parts.push_back(std::move(part));
  }
  if (!ok) return false;
  const std::vector<std::string> problems = MergeReports(parts, merged);
  for (const std::string& p : problems) std::cerr << "sigconform: " << TerminalText(p) << "\n";
  return problems.empty();
}

int JudgeMerged(const LoadedReport& merged, const Gates& gates) {
  std::vector<std::string> names;
  for (const ImplementationInfo& impl : merged.run.implementations) names.push_back(impl.name);
  for (const std::string& impl : names) {
    std::map<Status, int> counts;
    int total = 0;
    for (const Result& r : merged.results) {
      if (r.implementation != impl) continue;
      ++counts[r.status];
      ++total;
    }
    std::cout << TerminalText(impl) << ": " << total << " cases";
    for (Status s : kAllStatuses) {
      if (counts[s] > 0) std::cout << ", " << counts[s] << " " << StatusName(s);
    }
    std::cout << "\n";
  }
  const Verdict verdict = JudgeRun(names, merged.results, gates);
  for (const std::string& p : verdict.problems) std::cout << "GATE  " << TerminalText(p) << "\n";
  if (verdict.lifted > 0) {
    std::cout << verdict.lifted << " unexpected result(s) rest on settled rules alone; "
              << "--documented-only keeps them from failing\n";
  }
  return verdict.ok ? kExitOk : kExitFailures;
}

CommandAction AddMergeCommand(CLI::App* app, const Invocation* invocation) {
  struct Options {
    std::vector<std::string> files;
    std::string out;
    Gates gates;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app->add_subcommand(
      "merge",
      "join the JSON reports of a run's shards (or of several implementations) into one");
  cmd->add_option("reports", o->files, "JSON reports written by `run --json` or `run --out`")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->out, "where to write the merged JSON report")->required();
  AddGateOptions(cmd, &o->gates);
  cmd->footer(
      "Refuses (exit 2) reports of different catalogs, a pair given twice, an implementation "
      "described differently, an incomplete or inconsistent set of shards. Otherwise exits 1 "
      "when a merged result counts against the run or a gate fails, 0 when all is as "
      "expected.");
  return [o, invocation] {
    LoadedReport merged;
    if (!ReadAndMerge(o->files, &merged)) return kExitUsage;
    merged.run.command_line = invocation->command_line;
    std::string error;
    if (!WriteFileAtomically(o->out, ReportJsonText(merged.run, merged.results), &error)) {
      std::cerr << "sigconform: cannot write " << o->out << ": " << error << "\n";
      return kExitUsage;
    }
    std::cout << "merged " << o->files.size() << " reports, " << merged.results.size()
              << " results: wrote " << o->out << "\n";
    return JudgeMerged(merged, o->gates);
  };
}

}  // namespace sigconform
