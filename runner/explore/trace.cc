#include "explore/trace.h"

#include <map>
#include <set>

#include "evaluate.h"
#include "explore/generator.h"
#include "signal_names.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = 64;

json Convert(const json& v, bool shape, int depth) {
  if (depth > kMaxDepth) return json{{"$any", true}};
  if (v.is_number_integer() || v.is_number_unsigned()) {
    return shape ? json{{"$type", "int"}} : v;
  }
  if (v.is_number_float()) return shape ? json{{"$type", "float"}} : json{{"float", v}};
  if (v.is_array()) {
    json out = json::array();
    for (const json& item : v) out.push_back(Convert(item, shape, depth + 1));
    return out;
  }
  if (!v.is_object()) return v;  // null, booleans, strings
  if (v.contains("float")) return shape ? json{{"$type", "float"}} : v;
  if (v.contains("bytes")) return v;
  if (v.contains("enum") && v["enum"].is_string()) {
    if (v.contains("name") && v["name"].is_string()) return json{{v["enum"].get<std::string>(), v["name"]}};
    return json{{"$intlike", v.value("value", 0)}};
  }
  for (const char* kind : {"set", "tuple"}) {
    if (v.contains(kind) && v[kind].is_array()) {
      return json{{kind, Convert(v[kind], shape, depth + 1)}};
    }
  }
  if (v.contains("handler") || v.contains("builtin")) return v;
  if (v.contains("callable")) return json{{"$type", "callable"}};
  if (v.contains("struct") && v.contains("fields") && v["fields"].is_object()) {
    json fields = json::object();
    for (const auto& [k, f] : v["fields"].items()) {
      // The sender's pid: the runner's for parent_kill, the driver's own otherwise. si_band
      // shares its storage with si_pid and si_uid in Linux's siginfo_t, so outside SIGPOLL
      // it reads the pid too. si_uid is the sender's user: when the runner is root, each side's
      // driver runs as a user of its own.
      bool pid = k == "si_pid" || k == "si_band" || k == "si_uid";
      fields[k] = pid ? json{{"$type", "int"}} : Convert(f, shape, depth + 1);
    }
    return json{{"struct", v["struct"]}, {"fields", fields}};
  }
  return json{{"$any", true}};
}

// Every step of the program by its path ("3", "2.1").
void IndexSteps(const json& steps, const std::string& prefix, std::map<std::string, json>* out) {
  if (!steps.is_array()) return;
  for (size_t i = 0; i < steps.size(); i++) {
    std::string path = prefix + std::to_string(i);
    (*out)[path] = steps[i];
    if (steps[i].is_object() && steps[i].contains("steps")) {
      IndexSteps(steps[i]["steps"], path + ".", out);
    }
  }
}

json ExceptionItem(const json& e) {
  json out = json::object();
  out["type"] = e.is_object() ? e.value("type", json("?")) : json("?");
  if (e.is_object() && e.contains("errno") && e["errno"].is_string()) out["errno"] = e["errno"];
  return out;
}

// Whether step item `at` raised an exception that a handler raised: a declared handler with
// that `raise` type ran since the step before, or it is KeyboardInterrupt (default_int_handler
// records no event).
bool RaisedByHandler(const json& items, size_t at, const json& handlers) {
  const json& type = items[at]["raises"]["type"];
  if (type == "KeyboardInterrupt") return true;
  for (size_t j = at; j-- > 0 && items[j].contains("event");) {
    const json& name = items[j]["event"]["handler"];
    if (!name.is_string() || !handlers.is_object() || !handlers.contains(name)) continue;
    const json& h = handlers[name.get<std::string>()];
    if (h.is_object() && h.contains("raise") && h["raise"] == type) return true;
  }
  return false;
}

// When a handler raises while other signals wait for theirs, those run at the next safe point
// (rule handler.raise-leaves-rest-pending): on CPython, inside the driver while it handles the
// exception, before it writes the step's record; on the reference, after. Which safe point
// comes first is the driver's, so the record of such a step moves past the handler events
// that follow it, up to the next step: their order among themselves still counts. When one of
// those late handlers raises as well, every driver reports that second exception after the
// step's record (spec/driver-protocol.md): it is compared as it is, never dropped.
void PlaceRaisingStepsAfterTheirLateHandlers(json* items, const json& handlers) {
  for (size_t i = 0; i < items->size(); i++) {
    if (!(*items)[i].contains("step") || !(*items)[i].contains("raises")) continue;
    if (!RaisedByHandler(*items, i, handlers)) continue;
    size_t k = i;
    while (k + 1 < items->size() && (*items)[k + 1].contains("event")) {
      std::swap((*items)[k], (*items)[k + 1]);
      k++;
    }
    i = k;
  }
}

// The top-level steps that are asynchronous sources: those right before a step noted
// kWaitsNote (generator.h), by path.
std::set<std::string> AsyncSources(const json& steps) {
  std::set<std::string> out;
  if (!steps.is_array()) return out;
  for (size_t i = 0; i + 1 < steps.size(); i++) {
    const json& next = steps[i + 1];
    if (next.is_object() && next.contains("note") && next["note"] == kWaitsNote) {
      out.insert(std::to_string(i));
    }
  }
  return out;
}

// When an asynchronous source's signal arrives, between the source step's start and the end
// of the step that waits for it, is timing: the driver reaches a safe point right after it
// asks the runner for the signal (or arms the timer), so the handler may run before the
// source's own record is written or after it; and a signal whose action ends the process may
// end it before or after that record. So such a record is placed right after the item before
// the handler events that precede it (as if written when the step started), and it is dropped
// when the run ended by a signal with no step recorded after it.
void PlaceAsyncSourceRecords(json* items, const std::set<std::string>& sources,
                             bool ended_by_signal) {
  size_t i = 0;
  while (i < items->size()) {
    const json& item = (*items)[i];
    if (!item.contains("step") || !item["step"].is_string() || !sources.count(item["step"])) {
      i++;
      continue;
    }
    size_t k = i;
    while (k > 0 && (*items)[k - 1].contains("event")) {
      std::swap((*items)[k - 1], (*items)[k]);
      k--;
    }
    // Items k+1..i are now events: the next item to look at is i+1.
    bool step_after = false;
    for (size_t j = i + 1; j < items->size() && !step_after; j++) {
      step_after = (*items)[j].contains("step");
    }
    if (ended_by_signal && !step_after) {
      items->erase(items->begin() + static_cast<std::ptrdiff_t>(k));
      continue;  // item i+1 is at i now
    }
    i++;
  }
}

std::string Show(const json& item) {
  std::string s = item.dump();
  if (s.size() > 300) s = s.substr(0, 300) + "...";
  return s;
}

}  // namespace

bool VolatileStep(const json& step) {
  static const std::set<std::string> kCalls = {"getitimer", "setitimer", "alarm", "set_wakeup_fd"};
  static const std::set<std::string> kActions = {"pipe", "socketpair", "ident", "process_info",
                                                 "pidfd_open", "spawn", "burn_cpu", "sleep",
                                                 "fill", "native_busy"};
  if (!step.is_object()) return false;
  if (step.contains("call") && step["call"].is_string()) return kCalls.count(step["call"]) > 0;
  if (step.contains("do") && step["do"].is_string()) return kActions.count(step["do"]) > 0;
  return false;
}

json ValueToMatcher(const json& value, bool shape_only) { return Convert(value, shape_only, 0); }

json TraceOf(const Case& program, const RunRecord& run) {
  std::map<std::string, json> steps;
  IndexSteps(program.steps, "", &steps);
  json items = json::array();
  bool done = false;
  for (const json& r : run.records) {
    const std::string ev = r.value("ev", "");
    if (ev == "step") {
      std::string path = r.value("path", "");
      json item = {{"step", path}};
      if (r.value("ok", false)) {
        auto it = steps.find(path);
        bool shape = it != steps.end() && VolatileStep(it->second);
        item["returns"] = ValueToMatcher(r.contains("value") ? r["value"] : json(nullptr), shape);
      } else {
        item["raises"] = ExceptionItem(r.contains("exception") ? r["exception"] : json());
      }
      items.push_back(item);
    } else if (ev == "handler") {
      json e = {{"handler", r.value("handler", json(nullptr))}};
      if (r.contains("signame") && r["signame"].is_string()) {
        e["sig"] = r["signame"];
      } else {
        e["sig"] = r.value("signum", json(nullptr));
      }
      e["thread"] = r.value("thread", json(nullptr));
      e["frame"] = r.value("frame", json(nullptr));
      items.push_back(json{{"event", e}});
    } else if (ev == "stray") {
      items.push_back(json{{"stray", ExceptionItem(r.contains("exception") ? r["exception"] : json())["type"]}});
    } else if (ev == "done") {
      done = true;
    }
  }
  json end;
  if (!run.launch_error.empty()) {
    end = "error: " + run.launch_error;
  } else if (run.timed_out) {
    end = "timeout";
  } else if (run.interrupted) {
    end = "error: interrupted";
  } else if (!run.protocol_errors.empty() || run.observations_truncated) {
    end = "error: the driver broke the protocol";
  } else if (!run.status) {
    end = "error: not reaped";
  } else if (run.status->exited) {
    end = json{{"code", run.status->code}};
  } else {
    end = json{{"signal", SignalName(run.status->signal)}};
  }
  PlaceRaisingStepsAfterTheirLateHandlers(&items, program.handlers);
  PlaceAsyncSourceRecords(&items, AsyncSources(program.steps),
                          end.is_object() && end.contains("signal"));
  items.push_back(json{{"end", end}});
  items.push_back(json{{"done", done}});
  return items;
}

std::string FirstDifference(const json& a, const json& b, const std::string& a_name,
                            const std::string& b_name) {
  if (a == b) return "";
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; i++) {
    if (a[i] == b[i]) continue;
    std::string where = a[i].contains("step") && b[i].contains("step") && a[i]["step"] == b[i]["step"]
                            ? "step " + a[i]["step"].get<std::string>()
                            : "observation " + std::to_string(i);
    return where + ": " + a_name + " " + Show(a[i]) + ", " + b_name + " " + Show(b[i]);
  }
  return a.size() < b.size() ? "observation " + std::to_string(n) + ": " + a_name +
                                   " ends, " + b_name + " " + Show(b[n])
                             : "observation " + std::to_string(n) + ": " + b_name + " ends, " +
                                   a_name + " " + Show(a[n]);
}

}  // namespace sigconform
