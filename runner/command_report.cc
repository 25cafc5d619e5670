#include "command_report.h"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "command_merge.h"
#include "report.h"
#include "text.h"

namespace sigconform {

CommandAction AddReportCommand(CLI::App* app, const Invocation* invocation) {
  struct Options {
    std::vector<std::string> files;
    std::string out;
    std::string baseline;
    Gates gates;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app->add_subcommand(
      "report",
      "write every report format (report.json, junit.xml, summary.md, matrix.html) from JSON "
      "reports of one or several machines and implementations");
  cmd->add_option("reports", o->files, "JSON reports written by `run`, `merge` or `report`")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", o->out, "directory to write the reports into")->required();
  cmd->add_option("--baseline", o->baseline,
                  "an earlier JSON report: the dashboard lists and marks what changed since")
      ->check(CLI::ExistingFile);
  AddGateOptions(cmd, &o->gates);
  cmd->footer("Exit statuses as `sigconform merge`.");
  return [o, invocation] {
    LoadedReport merged;
    if (!ReadAndMerge(o->files, &merged)) return kExitUsage;
    merged.run.command_line = invocation->command_line;
    LoadedReport baseline;
    if (!o->baseline.empty()) {
      const std::vector<CatalogError> errors = ReadReportFile(o->baseline, &baseline);
      for (const CatalogError& e : errors) std::cerr << "sigconform: " << TerminalText(FormatCatalogError(e)) << "\n";
      if (!errors.empty()) return kExitUsage;
    }
    const bool written = WriteReportSet(o->out, "", merged.run, merged.results,
                                        [](const std::string& line) { std::cout << line << "\n"; },
                                        o->baseline.empty() ? nullptr : &baseline.results);
    if (!written) return kExitUsage;
    return JudgeMerged(merged, o->gates);
  };
}

}  // namespace sigconform
