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

// The step's expectation `key` ("returns"), null when it has none.
json Expected(const json& step, const char* key) {
  auto expect = step.find("expect");
  if (expect == step.end() || !expect->is_object()) return json();
  return expect->value(key, json());
}

// The lower bound of the `{"$range": [low, high]}` the step expects to return, else 0.
double ExpectedLowerBound(const json& step) {
  const json returns = Expected(step, "returns");
  if (!returns.is_object()) return 0.0;
  const json range = returns.value("$range", json());
  return range.is_array() && !range.empty() ? NumberOr0(range[0]) : 0.0;
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
      // With `events` the burn ends at the events, and `seconds` is only its limit (20 s for
      // a burn of a few timer intervals): the lower bound of the burn it expects to return
      // says more, and without one its length is not known from the case.
      cost->seconds += value.contains("events") ? ExpectedLowerBound(value)
                                                : NumberOr0(value.value("seconds", json()));
      cost->cpu_bound = true;
    }
    if (name == "wait") {
      // A wait that expects fewer events than it waits for lasts its whole timeout.
      const json returns = Expected(value, "returns");
      const json events = value.value("events", json());
      if (returns.is_number() && events.is_number() && returns.get<double>() < events.get<double>()) {
        cost->seconds += NumberOr0(value.value("timeout", json()));
      }
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
