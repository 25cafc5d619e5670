#include "command_list.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "case.h"
#include "command_common.h"
#include "text.h"

namespace sigconform {

int ListCommand(const std::string& cases_dir, const CaseSelection& selection, bool verbose) {
  std::vector<Case> cases;
  if (!LoadSelected(cases_dir, selection, &cases)) return kExitUsage;
  size_t width = 0;
  for (const Case& c : cases) width = std::max(width, c.id.size());
  for (const Case& c : cases) {
    std::cout << c.id << std::string(width - c.id.size() + 2, ' ') << TerminalText(c.title) << "\n";
    if (verbose) {
      std::cout << "    rules:";
      for (const std::string& r : c.rules) std::cout << " " << r;
      std::cout << "\n    tags:";
      for (const std::string& t : c.tags) std::cout << " " << t;
      std::cout << "\n";
    }
  }
  std::cout << cases.size() << " cases\n";
  return kExitOk;
}

CommandAction AddListCommand(CLI::App* app) {
  struct Options {
    std::string cases;
    CaseSelection selection;
    std::string shard;
    bool verbose = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app->add_subcommand("list", "print the catalog");
  cmd->add_option("--cases", o->cases, "catalog directory");
  AddSelectionOptions(cmd, &o->selection, &o->shard);
  cmd->add_flag("-v,--verbose", o->verbose, "also print rules and tags");
  return [o] {
    if (!o->shard.empty()) {
      std::string error;
      o->selection.shard = ParseShard(o->shard, &error);
      if (!o->selection.shard) {
        std::cerr << "sigconform: " << error << "\n";
        return kExitUsage;
      }
    }
    return ListCommand(o->cases.empty() ? DefaultCasesDir() : o->cases, o->selection, o->verbose);
  };
}

}  // namespace sigconform
