#include "command_describe.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "command_common.h"
#include "describe.h"
#include "impl_spec.h"
#include "text.h"

namespace sigconform {

int DescribeCommand(const std::vector<std::string>& impl_specs) {
  std::vector<Implementation> impls;
  if (!ParseImplementations(impl_specs, &impls)) return kExitUsage;
  std::vector<DescribeOutcome> described = DescribeAll(impls);
  int status = kExitOk;
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description) {
      std::cerr << "sigconform: " << TerminalText(impls[i].name) << ": "
                << TerminalText(described[i].error) << "\n";
      status = kExitFailures;
      continue;
    }
    nlohmann::json out = {{"implementation", impls[i].name}, {"argv", impls[i].argv},
                          {"describe", described[i].record}};
    // ASCII only: every other character a driver wrote is escaped, so none reaches the
    // terminal raw.
    std::cout << out.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return status;
}

CommandAction AddDescribeCommand(CLI::App* app) {
  auto impls = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app->add_subcommand("describe", "print what drivers say about themselves");
  cmd->add_option("--impl", *impls, "implementation (repeatable)")->required();
  return [impls] { return DescribeCommand(*impls); };
}

}  // namespace sigconform
