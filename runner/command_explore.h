// `sigconform explore`: differential exploration with generated programs.
#ifndef SIGCONFORM_RUNNER_COMMAND_EXPLORE_H_
#define SIGCONFORM_RUNNER_COMMAND_EXPLORE_H_

#include <cstdint>
#include <string>

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// Options of `sigconform explore`.
struct ExploreCommandOptions {
  std::string impl_spec;    // the implementation under test
  std::string oracle_spec;  // the implementation taken as right
  uint64_t seed = 0;
  bool seed_given = false;  // false: a seed is drawn from the clock and printed
  uint64_t start = 0;       // the first program index
  size_t programs = 0;      // 0: no limit
  double budget = 0;        // seconds; 0: no limit
  int jobs = 0;             // 0: the number of cores
  size_t shrink_runs = 150;
  std::string cases_dir;     // the catalog the edge values come from
  std::string surface_path;  // spec/module-surface.json
  std::string out_dir;       // reports and written cases
  std::string runner_path;
  std::string command_line;
  bool quiet = false;
};

// Describes both implementations, generates programs from the surface, the catalog's edge
// values and what both drivers support, runs them on both, confirms, shrinks and writes each
// divergence as a case under OUT/cases/explore/, and writes OUT/explore.json (the seed, the
// counts, the rate, every finding with its program and shrunk program) and the usual reports
// (OUT/report.json, junit.xml, summary.md: one result per finding, `fail` when confirmed,
// `flaky` when it did not repeat). Returns 0 when nothing diverged, 1 when something did
// (confirmed or flaky), 2 on a usage or configuration error, 130 when interrupted (reports
// written).
int ExploreCommand(const ExploreCommandOptions& options);

// Adds `explore` and its options to the command line.
CommandAction AddExploreCommand(CLI::App* app, const Invocation* invocation);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_EXPLORE_H_
