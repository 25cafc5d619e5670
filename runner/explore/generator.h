// Generating random but valid, deterministic programs in the case language
// (spec/case-format.md) for differential exploration (`sigconform explore`).
//
// What is generated comes from data the project already has: each function's parameters and
// their types from the module's surface (spec/module-surface.json), the edge values the
// catalog passes to each parameter (edge_values.h), and the names and step actions both
// implementations' drivers report in `describe`. What is hand-written here is only policy: which
// signals may be sent without ending the process, and how to keep a program free of races.
//
// Determinism. A program's observations must not depend on timing, or two runs of the same
// implementation could differ. The generator keeps a model of the process (each signal's
// disposition, whether it is blocked or pending, how many handler events were recorded) and:
//  - sends signals synchronously only (kill, raise_signal, pthread_kill of the main thread,
//    pidfd_send_signal to itself): the kernel delivers an unblocked signal sent to the calling
//    thread before the call returns, so when its handler runs is fixed;
//  - emits an asynchronous source (parent_kill, a short ITIMER_REAL) only together with the
//    step that waits for its event — sigwait when the signal is blocked, `wait` for the exact
//    event count when a recording handler will run — and only while the model is sure of that
//    state; such a waiting step carries the note kWaitsNote, so that the shrinker removes the
//    pair together. Where between the source's start and the waiting step's end the signal
//    arrives is still timing (parent_kill only asks the runner, which sends it while the
//    driver goes on): the comparison does not count it (trace.h);
//  - waits with sigwait/sigwaitinfo only for a signal the model knows is pending, and with
//    sigtimedwait otherwise only with a timeout of 0;
//  - never starts threads, never calls pause, never arms an interval or CPU timer that could
//    fire, never sends stop signals or signals whose default action dumps core.
#ifndef SIGCONFORM_RUNNER_EXPLORE_GENERATOR_H_
#define SIGCONFORM_RUNNER_EXPLORE_GENERATOR_H_

#include <cstdint>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "explore/edge_values.h"
#include "module_surface.h"

namespace sigconform {

// The note on a step that waits for the asynchronous source right before it.
extern const char* const kWaitsNote;

// What the generator draws from.
struct GeneratorInputs {
  const ModuleSurface* surface = nullptr;  // must outlive the generator's use
  EdgeValues edges;
  // The module names and step actions both implementations have (their describe records'
  // `names` and `operations`, intersected). Functions outside `names` are never called.
  std::set<std::string> names;
  std::set<std::string> operations;
  // The lower of the two implementations' language versions ("3.9"): nothing newer is used.
  std::string language_version = "3.13";
};

// Program `index` of the exploration `seed`: a complete case document (id
// "explore/s<seed>-p<index>", a title, the placeholder rule kPlaceholderRule, parent state,
// handlers, 1 to about 20 steps, and the `exit` the model expects) that ValidateCase accepts.
// The same (inputs, seed, index) always give the same document. Never throws.
nlohmann::json GenerateProgram(const GeneratorInputs& inputs, uint64_t seed, uint64_t index);

// The rule id a generated program cites until a person fills in the real ones.
extern const char* const kPlaceholderRule;

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_GENERATOR_H_
