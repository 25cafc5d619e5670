// sigconform: the command line. Each subcommand adds its own options (command_*.cc); main()
// only parses and calls the chosen one.
#include <unistd.h>

#include <climits>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "command_common.h"
#include "command_coverage.h"
#include "command_describe.h"
#include "command_diff.h"
#include "command_impls.h"
#include "command_explore.h"
#include "command_list.h"
#include "command_merge.h"
#include "command_report.h"
#include "command_repro.h"
#include "command_run.h"
#include "console.h"
#include "run_metadata.h"

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
  // `sigconform run | head -1`: a reader that leaves must not kill the run (console.h).
  IgnoreSigpipe();
  CLI::App app{"sigconform: conformance of Python signal-module semantics"};
  app.require_subcommand(1);
  const std::string commit = RunnerCommit();
  app.set_version_flag("--version",
                       "sigconform " + RunnerVersion() + (commit.empty() ? "" : " (" + commit + ")"));

  Invocation invocation;
  std::vector<std::pair<CLI::App*, CommandAction>> commands;
  auto add = [&](CommandAction action) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(action));
  };
  add(AddRunCommand(&app, &invocation));
  add(AddListCommand(&app));
  add(AddDescribeCommand(&app));
  add(AddCoverageCommand(&app));
  add(AddImplsCommand(&app));
  add(AddReproCommand(&app));
  add(AddExploreCommand(&app, &invocation));
  add(AddMergeCommand(&app, &invocation));
  add(AddReportCommand(&app, &invocation));
  add(AddDiffCommand(&app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  invocation.runner_path = SelfPath(argv[0]);
  for (int i = 0; i < argc; i++) {
    invocation.command_line += (i ? " " : "") + std::string(argv[i]);
  }
  for (auto& [sub, action] : commands) {
    if (*sub) return action();
  }
  return kExitUsage;
}
