// Differential exploration (`sigconform explore`): generated programs run on an
// implementation and an oracle, exactly like cases (one forked process each, with the parent
// state the program asks for), their traces compared; each divergence confirmed by a second
// run, shrunk, and written out as a ready case.
#ifndef SIGCONFORM_RUNNER_EXPLORE_EXPLORER_H_
#define SIGCONFORM_RUNNER_EXPLORE_EXPLORER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/generator.h"
#include "impl_spec.h"
#include "module_surface.h"

namespace sigconform {

struct ExploreOptions {
  Implementation impl;    // the implementation under test
  Implementation oracle;  // the one whose observations count as right
  // Whether each side's drivers may run as an unprivileged user of their own when the runner
  // is root (DescribeOutcome::unprivileged).
  bool impl_unprivileged = true;
  bool oracle_unprivileged = true;
  uint64_t seed = 1;
  uint64_t start = 0;         // the first program index
  size_t programs = 0;        // stop after this many programs; 0: no limit
  double budget_seconds = 0;  // stop starting programs after this long; 0: no limit
  size_t jobs = 2;            // driver processes at once
  // Seconds before a program's driver is ended. A program's own waits end as soon as their event
  // comes (within 8 s each); the rest is for an interpreter starting on a loaded machine (5 s
  // timed CPython out at load 9).
  double program_timeout = 30;
  size_t shrink_evaluations = 150;  // at most this many candidates run per divergence
  // Called with one line for people as things happen (a divergence, its shrinking). May be
  // empty.
  std::function<void(const std::string&)> log;
};

// One divergence.
struct Finding {
  uint64_t index = 0;         // the program's index
  bool confirmed = false;     // false: the second run did not repeat it (flaky)
  // What kind of divergence it is: the action of the step where the traces first differ and
  // what differs there ("pthread_sigmask returns", "kill event", "end"). Only the first
  // confirmed finding of each signature is shrunk and written; later ones name it.
  std::string signature;
  int64_t duplicate_of = -1;  // the index of that first finding, or -1
  nlohmann::json program;     // as generated
  std::string difference;     // FirstDifference on the generated program, impl vs oracle
  nlohmann::json shrunk;      // the shrunk program (confirmed only; else null)
  std::string shrunk_difference;
  std::string step;           // the path of the step where the shrunk traces first differ, or ""
  nlohmann::json expected;    // the oracle's item there
  nlohmann::json observed;    // the implementation's item there
  size_t shrink_evaluations = 0;
  bool shrink_exhausted = false;
  nlohmann::json case_doc;    // the written case, or null
  std::string case_problem;   // why no case was written, or ""
  // The written case judged (Evaluate) against a fresh run of each side: it must pass on the
  // oracle and fail on the implementation.
  bool case_passes_oracle = false;
  bool case_fails_impl = false;
};

struct ExploreOutcome {
  size_t programs = 0;      // programs run on both sides (first runs)
  size_t driver_runs = 0;   // driver processes started in all (confirmation and shrinking too)
  double seconds = 0;       // wall time
  double generation_seconds = 0;  // of which spent generating and comparing (not waiting)
  std::vector<Finding> findings;
  bool interrupted = false;
  int interrupt_signal = 0;
  std::string error;        // a configuration error found on the way (a program the validator
                            // refused: a generator bug); "" otherwise
};

// Runs the exploration. Stops at `programs` or `budget_seconds`, whichever comes first (at
// least one must be set), or when interrupted (SIGINT, SIGTERM, SIGHUP: what finished is
// returned). Every generated program is validated before it runs. Never throws.
ExploreOutcome Explore(const ExploreOptions& options, const GeneratorInputs& inputs,
                       const ModuleSurface& surface);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_EXPLORER_H_
