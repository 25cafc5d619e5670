// Turning a shrunk diverging program into a ready case file (`sigconform explore`): the
// oracle's observations become the expectations, for a person to review, title, cite rules
// for and add to the catalog.
#ifndef SIGCONFORM_RUNNER_EXPLORE_CASE_WRITER_H_
#define SIGCONFORM_RUNNER_EXPLORE_CASE_WRITER_H_

#include <string>

#include <nlohmann/json.hpp>

#include "module_surface.h"

namespace sigconform {

// What WriteCase produced.
struct WrittenCase {
  nlohmann::json doc;  // the case document; null when the trace cannot be expressed
  std::string problem; // why not, for people; "" when doc is set
};

// The case for `program` (a generated case document) expecting what `oracle_trace` (TraceOf)
// shows: each step's `returns` or `raises`; the handler events seen so far on the first step
// after they changed (a final `check` step carries events that came after the last step);
// `exit` as the oracle ended; steps the oracle never reached are dropped, except the one that
// ended the process (with the step that waits for it, when it is an asynchronous source). `title` replaces the program's. Its `since` is the version the surface
// derives from what it uses; its `rules` stay the placeholder (generator.h). Not expressible,
// with a problem and a null doc: an oracle run that timed out, broke the protocol, or raised
// outside any step (a stray exception). Never throws.
WrittenCase WriteCase(const nlohmann::json& program, const nlohmann::json& oracle_trace,
                      const std::string& title, const ModuleSurface& surface);

// The case document as the catalog writes it: two-space indentation, one step a line.
std::string FormatCaseFile(const nlohmann::json& doc);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_CASE_WRITER_H_
