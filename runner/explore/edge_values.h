// The argument values the catalog already passes to each function, by parameter: the edge
// values a person thought worth checking (-1 for alarm, "nan" for setitimer, SIGKILL for
// signal...). The generator draws from them, so new catalog cases sharpen exploration without
// a second hand-written list.
#ifndef SIGCONFORM_RUNNER_EXPLORE_EDGE_VALUES_H_
#define SIGCONFORM_RUNNER_EXPLORE_EDGE_VALUES_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"

namespace sigconform {

// Literal arguments by (function, parameter position from 0), each value once, in first-seen
// order (cases in id order, steps depth-first). Only self-contained literals are kept: numbers,
// booleans, null, strings, "@NAME", {"float"}, {"bytes"} and sets/tuples/lists of those;
// "$bindings" and {"handler"} depend on their case and are left out. Keyword arguments are
// filed under the parameter's position when the surface is not at hand, so they are kept by
// name in `keywords`.
struct EdgeValues {
  std::map<std::pair<std::string, size_t>, std::vector<nlohmann::json>> positional;
  std::map<std::pair<std::string, std::string>, std::vector<nlohmann::json>> keywords;

  // The values for that parameter, empty when the catalog passes none.
  const std::vector<nlohmann::json>& At(const std::string& function, size_t position) const;
};

// Harvests the catalog. Bounded by the catalog itself: at most 64 values are kept per
// parameter.
EdgeValues HarvestEdgeValues(const std::vector<Case>& cases);

// Whether a case argument is a self-contained literal (see EdgeValues).
bool IsLiteralArgument(const nlohmann::json& arg);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_EDGE_VALUES_H_
