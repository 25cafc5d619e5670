// Shrinking a diverging program to a minimal one that still diverges (`sigconform explore`):
// fewer steps, simpler arguments, less parent state, plainer handlers.
#ifndef SIGCONFORM_RUNNER_EXPLORE_SHRINK_H_
#define SIGCONFORM_RUNNER_EXPLORE_SHRINK_H_

#include <cstddef>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigconform {

// The simpler variants of a case document, most reducing first: without a run of steps
// (halves, then quarters, then each step), without a parent entry, a handler without its
// `raise` or `restore`, a signal argument replaced by SIGUSR1, a set argument without one
// member. A step noted kWaitsNote (generator.h) leaves only together with the step before it,
// so that no variant holds an asynchronous source without its wait or a wait without its
// source. Every variant is accepted by ValidateCase (steps that use a name bound by a removed
// step are invalid and left out). Deterministic. Never throws.
std::vector<nlohmann::json> ShrinkCandidates(const nlohmann::json& doc);

// The document without the handlers no step names (a cosmetic last pass).
nlohmann::json DropUnusedHandlers(const nlohmann::json& doc);

// Decides, for a batch of candidate documents, which still diverge; answer i for candidate i.
// It may run them in parallel.
using DivergesBatch = std::function<std::vector<bool>(const std::vector<nlohmann::json>&)>;

struct ShrinkStats {
  size_t rounds = 0;      // accepted reductions
  size_t evaluated = 0;   // candidates run
  bool exhausted = false; // stopped at max_evaluations rather than at a fixed point
};

// Greedy shrinking: takes the first candidate (in ShrinkCandidates order) that still diverges,
// and starts again from it, until no candidate diverges or `max_evaluations` candidates have
// been run. Candidates are handed to `diverges` `batch` at a time; the result is the same
// whatever the batch size, provided `diverges` is deterministic. Returns the smallest program
// found (`doc` itself when nothing smaller diverges).
nlohmann::json Shrink(const nlohmann::json& doc, const DivergesBatch& diverges, size_t batch,
                      size_t max_evaluations, ShrinkStats* stats);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_SHRINK_H_
