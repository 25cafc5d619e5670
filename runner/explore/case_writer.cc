#include "explore/case_writer.h"

#include <algorithm>
#include <map>
#include <vector>

#include "catalog.h"
#include "explore/generator.h"
#include "rules.h"
#include "spec_check.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

}  // namespace

WrittenCase WriteCase(const json& program, const json& oracle_trace, const std::string& title,
                      const ModuleSurface& surface) {
  WrittenCase out;
  json doc = program;
  doc["title"] = title;
  json steps = doc["steps"];
  std::map<std::string, json> outcome;  // by top-level path
  std::map<std::string, json> events_at;  // events to expect at that step
  json events = json::array();
  json last_shown = json::array();
  json end;
  bool stray = false;
  std::vector<std::string> order;
  for (const json& item : oracle_trace) {
    if (item.contains("event")) {
      events.push_back(item["event"]);
    } else if (item.contains("step")) {
      std::string path = item["step"];
      if (path.find('.') != std::string::npos) continue;  // thread steps: not generated
      outcome[path] = item;
      order.push_back(path);
      if (events != last_shown) {
        events_at[path] = events;
        last_shown = events;
      }
    } else if (item.contains("stray")) {
      stray = true;
    } else if (item.contains("end")) {
      end = item["end"];
    }
  }
  if (stray) {
    out.problem = "the oracle raised outside any step (a stray exception), which a case cannot expect";
    return out;
  }
  if (!end.is_object()) {
    out.problem = "the oracle's run ended with " + end.dump() + ", which a case cannot expect";
    return out;
  }
  // Steps up to the last observed one, plus the one that ended the process, if any.
  size_t observed = 0;
  while (observed < steps.size() && outcome.count(std::to_string(observed))) observed++;
  bool died_in_step = observed < steps.size();
  size_t keep = observed + (died_in_step ? 1 : 0);
  // A process that died at an asynchronous source may die while the next step waits for it
  // (the trace does not tell: trace.h); without that step the case would race the signal
  // against the driver's own end.
  if (died_in_step && keep < steps.size() && steps[keep].is_object() &&
      steps[keep].value("note", "") == kWaitsNote) {
    keep++;
  }
  json kept = json::array();
  for (size_t i = 0; i < steps.size() && i < keep; i++) {
    json step = steps[i];
    step.erase("expect");
    std::string path = std::to_string(i);
    json expect = json::object();
    if (auto it = outcome.find(path); it != outcome.end()) {
      if (it->second.contains("raises")) {
        expect["raises"] = it->second["raises"];
      } else {
        expect["returns"] = it->second["returns"];
      }
    }
    if (auto it = events_at.find(path); it != events_at.end()) expect["events"] = it->second;
    if (!expect.empty()) step["expect"] = expect;
    kept.push_back(step);
  }
  if (!died_in_step && events != last_shown) {
    kept.push_back(json{{"do", "check"}, {"expect", {{"events", events}}}});
  }
  doc["steps"] = kept;
  if (end.contains("signal")) {
    doc["exit"] = json{{"signal", end["signal"]}};
  } else if (end.value("code", 0) != 0) {
    doc["exit"] = json{{"code", end["code"]}};
  } else {
    doc.erase("exit");
  }
  Case c;
  std::vector<CatalogError> errors = ValidateCase(doc, "explore", doc.value("id", ""), &c);
  if (!errors.empty()) {
    out.problem = "the written case is not valid: " + FormatCatalogError(errors.front());
    return out;
  }
  RuleIndex no_rules;
  VersionNeed need = DerivedSince(c, no_rules, surface);
  if (need.version != "3.0") doc["since"] = need.version;
  out.doc = doc;
  return out;
}

std::string FormatCaseFile(const json& doc) {
  // The catalog's layout: top-level keys in the order spec/case-format.md lists them, one a
  // line, each step on one line.
  static const std::vector<std::string> kOrder = {
      "id", "title", "rules", "since", "until", "platforms", "kernel", "requires", "tags",
      "timeout", "parent", "handlers", "steps", "exit", "stdout", "stderr"};
  std::vector<std::string> keys;
  for (const std::string& k : kOrder) {
    if (doc.contains(k)) keys.push_back(k);
  }
  for (const auto& [k, v] : doc.items()) {
    if (std::find(kOrder.begin(), kOrder.end(), k) == kOrder.end()) keys.push_back(k);
  }
  std::string s = "{\n";
  for (size_t i = 0; i < keys.size(); i++) {
    const json& value = doc[keys[i]];
    s += "  " + json(keys[i]).dump() + ": ";
    if (keys[i] == "steps" && value.is_array()) {
      s += "[\n";
      for (size_t k = 0; k < value.size(); k++) {
        s += "    " + value[k].dump() + (k + 1 < value.size() ? ",\n" : "\n");
      }
      s += "  ]";
    } else {
      s += value.dump();
    }
    s += i + 1 < keys.size() ? ",\n" : "\n";
  }
  return s + "}\n";
}

}  // namespace sigconform
