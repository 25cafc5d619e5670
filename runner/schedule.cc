#include "schedule.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace sigconform {
namespace {

using nlohmann::json;

double NumberOr0(const json& value) {
  return value.is_number() && value.get<double>() > 0 ? value.get<double>() : 0.0;
}

// Adds what one JSON value of the steps costs; recurses into arrays and objects (threads,
// forked children, nested expectations). The catalog's loader has already bounded the depth.
void AddCost(const json& value, CaseCost* cost) {
  if (value.is_array()) {
    for (const json& item : value) AddCost(item, cost);
    return;
  }
  if (!value.is_object()) return;
  auto action = value.find("do");
  if (action != value.end() && action->is_string()) {
    const std::string& name = action->get_ref<const std::string&>();
    if (name == "sleep") cost->seconds += NumberOr0(value.value("seconds", json()));
    if (name == "burn_cpu" || name == "native_busy") {
      cost->seconds += NumberOr0(value.value("seconds", json()));
      cost->cpu_bound = true;
    }
  }
  auto elapsed = value.find("elapsed");
  if (elapsed != value.end() && elapsed->is_array() && !elapsed->empty()) {
    cost->seconds += NumberOr0((*elapsed)[0]);
  }
  for (const auto& item : value.items()) {
    if (item.key() != "elapsed") AddCost(item.value(), cost);
  }
}

}  // namespace

CaseCost EstimateCost(const Case& c) {
  CaseCost cost;
  AddCost(c.steps, &cost);
  return cost;
}

std::vector<size_t> LongestFirst(const std::vector<double>& seconds) {
  std::vector<size_t> order(seconds.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&seconds](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  return order;
}

}  // namespace sigconform
