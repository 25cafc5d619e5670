#include "command_diff.h"

#include <cctype>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "report.h"
#include "report_diff.h"
#include "report_read.h"
#include "text.h"

namespace sigconform {
namespace {

bool Read(const std::string& file, LoadedReport* out) {
  const std::vector<CatalogError> errors = ReadReportFile(file, out);
  for (const CatalogError& e : errors) std::cerr << "sigconform: " << TerminalText(FormatCatalogError(e)) << "\n";
  return errors.empty();
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string StatusAt(const std::optional<Result>& r) {
  if (!r) return "(absent)";
  std::string s = StatusName(r->status);
  if (!r->step.empty()) s += " at step " + r->step;
  return s;
}

}  // namespace

CommandAction AddDiffCommand(CLI::App* app) {
  struct Options {
    std::string before, after, json_path;
    bool strict = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app->add_subcommand("diff", "list regressions and fixes between two JSON reports");
  cmd->add_option("old", o->before, "the earlier JSON report")->required()->check(CLI::ExistingFile);
  cmd->add_option("new", o->after, "the later JSON report")->required()->check(CLI::ExistingFile);
  cmd->add_option("--json", o->json_path, "also write the changes as JSON to this file");
  cmd->add_flag("--strict", o->strict, "exit 1 on any change, not only on regressions");
  cmd->footer("Exit status: 0 no regression; 1 a regression (with --strict: any change); 2 a "
              "report cannot be read.");
  return [o] {
    LoadedReport before, after;
    if (!Read(o->before, &before) || !Read(o->after, &after)) return kExitUsage;
    if (before.run.catalog_digest != after.run.catalog_digest) {
      std::cout << "note: the reports were made from different catalogs\n";
    }
    const std::vector<Change> changes = DiffResults(before.results, after.results);
    for (const Change& c : changes) {
      std::cout << Upper(ChangeKindName(c.kind)) << "  " << TerminalText(c.implementation) << "  "
                << TerminalText(c.case_id) << ": " << StatusAt(c.before) << " -> " << StatusAt(c.after);
      if (c.after && !c.after->message.empty() && IsUnexpected(c.after->status)) {
        std::cout << " (" << TerminalText(c.after->message) << ")";
      }
      std::cout << "\n";
    }
    const nlohmann::json summary = DiffJson(changes);
    std::cout << summary["regressions"] << " regressions, " << summary["fixes"] << " fixes, "
              << summary["changed"] << " changed, " << summary["added"] << " added, "
              << summary["removed"] << " removed\n";
    if (!o->json_path.empty()) {
      std::string error;
      if (!WriteFileAtomically(o->json_path, summary.dump(2) + "\n", &error)) {
        std::cerr << "sigconform: cannot write " << o->json_path << ": " << error << "\n";
        return kExitUsage;
      }
    }
    const bool failed = o->strict ? !changes.empty() : summary["regressions"].get<int>() > 0;
    return failed ? kExitFailures : kExitOk;
  };
}

}  // namespace sigconform
