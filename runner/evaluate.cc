#include "evaluate.h"

#include <signal.h>

#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "matcher.h"
#include "signal_names.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

constexpr size_t kStderrExcerptBytes = 2000;
constexpr size_t kMessageExcerptBytes = 300;
constexpr size_t kMaxResultJsonBytes = 16 * 1024;
// At most this many failed expectations are kept per result (a case may have hundreds).
constexpr size_t kMaxFailures = 16;

// One step of the case, flattened depth-first, with its protocol path ("3", "3.1").
struct FlatStep {
  std::string path;
  const json* step;
  bool main;       // a step of the main program, not of a thread
  bool last_main;  // the last step of the main program
};

void Flatten(const json& steps, const std::string& prefix, bool main, std::vector<FlatStep>* out) {
  if (!steps.is_array()) return;
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string path = prefix + std::to_string(i);
    out->push_back({path, &steps[i], main, main && i + 1 == steps.size()});
    const json& s = steps[i];
    const json action = s.is_object() ? s.value("do", json()) : json();
    if ((action == "thread" || action == "fork") && s.contains("steps")) {
      Flatten(s["steps"], path + ".", false, out);
    }
  }
}

// Whether the main program's last step lets its exception escape (`uncaught`): then the
// process is expected to end there, without `done`, like a case with an `exit` step.
bool EndsUncaught(const json& steps) {
  return steps.is_array() && !steps.empty() && steps.back().is_object() &&
         steps.back().value("uncaught", json(false)) == json(true);
}

bool HasExitStep(const json& steps) {
  if (!steps.is_array()) return false;
  for (const auto& s : steps) {
    if (!s.is_object()) continue;
    if (s.value("do", json()) == "exit") return true;
    // A forked child's `exit` ends the child, not the process the runner watches.
    if (s.value("do", json()) != "fork" && s.contains("steps") && HasExitStep(s["steps"])) {
      return true;
    }
  }
  return false;
}

// The signals whose arrival means the implementation crashed rather than behaved: what the
// kernel or the C library sends a process that faulted or aborted (spec/case-format.md, "The
// end of the process").
bool IsCrashSignal(int sig) {
  for (const char* name : {"SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT", "SIGFPE", "SIGSYS", "SIGTRAP"}) {
    if (SignalNumber(name) == sig) return true;
  }
  return false;
}

// Every signal name the case itself sends or asks to be sent: "@SIGxxx" arguments anywhere in
// its steps, `sig` fields (parent_kill), signals left pending by the parent. A death by one of
// these is the implementation's behaviour, judged like any other, never a crash or an error.
void CollectSignalNames(const json& v, std::set<std::string>* out) {
  switch (v.type()) {
    case json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.rfind("@SIG", 0) == 0) out->insert(s.substr(1));
      return;
    }
    case json::value_t::array:
      for (const auto& item : v) CollectSignalNames(item, out);
      return;
    case json::value_t::object:
      for (const auto& [key, item] : v.items()) {
        if (key == "sig" && item.is_string()) out->insert(item.get<std::string>());
        CollectSignalNames(item, out);
      }
      return;
    default:
      return;
  }
}

bool CaseSendsSignal(const Case& c, int sig) {
  std::set<std::string> names(c.parent.pending.begin(), c.parent.pending.end());
  CollectSignalNames(c.steps, &names);  // validated cases nest at most kMaxJsonDepth deep
  for (const std::string& name : names) {
    if (SignalNumber(name) == sig) return true;
  }
  return false;
}

std::string Str(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "ValueError: message" (just the type when the message is empty).
std::string DescribeException(const json& e) {
  if (!e.is_object()) return Str(e);
  std::string out = Str(e.value("type", json("?")));
  const std::string message = e.value("message", json("")).is_string()
                                  ? e.value("message", std::string())
                                  : std::string();
  if (!message.empty()) out += ": " + message;
  return out;
}

std::string DescribeEvent(const json& e, bool expectation) {
  if (!e.is_object()) return Str(e);
  std::string sig;
  if (expectation) {
    sig = e.contains("sig") ? Str(e["sig"]) : "any signal";
  } else {
    sig = e.value("signame", json()).is_string() ? Str(e["signame"])
                                                  : "signal " + Str(e.value("signum", json()));
  }
  std::string out = Str(e.value("handler", json("?"))) + "(" + sig;
  if (!expectation || e.contains("thread")) out += ", thread " + Str(e.value("thread", json("?")));
  if (!expectation || e.contains("frame")) out += ", frame " + Str(e.value("frame", json("?")));
  return out + ")";
}

std::string DescribeEvents(const json& events, bool expectation) {
  std::string out = "[";
  for (const auto& e : events) {
    if (out.size() > 1) out += ", ";
    out += DescribeEvent(e, expectation);
  }
  return out + "]";
}

bool EventMatches(const json& want, const json& got) {
  if (got.value("handler", json()) != want["handler"]) return false;
  if (want.contains("sig")) {
    const json signame = got.value("signame", json());
    if (signame.is_string()) {
      if (signame != want["sig"]) return false;
    } else {
      // The driver could not name the signal: compare numbers, as this host knows them.
      const auto number = SignalNumber(want["sig"].get<std::string>());
      const json signum = got.value("signum", json());
      if (!number || !signum.is_number_integer() || signum.get<long long>() != *number) {
        return false;
      }
    }
  }
  if (want.contains("thread") && got.value("thread", json()) != want["thread"]) return false;
  if (want.contains("frame") && got.value("frame", json()) != want["frame"]) return false;
  return true;
}

std::optional<std::string> CheckRaises(const json& want, const json& exc) {
  const std::string type = Str(exc.value("type", json()));
  std::set<std::string> mro;
  for (const auto& m : exc.value("mro", json::array())) mro.insert(Str(m));
  const std::string raised = "raised " + DescribeException(exc);
  if (want.is_string()) {
    if (type != want.get<std::string>()) return "expected " + want.get<std::string>() + ", " + raised;
    return std::nullopt;
  }
  if (want.contains("type") && type != want["type"].get<std::string>()) {
    return "expected " + want["type"].get<std::string>() + ", " + raised;
  }
  for (const auto& base : want.value("isa", json::array())) {
    if (!mro.count(Str(base))) {
      return "expected an exception that is a " + Str(base) + ", " + raised +
             " (bases: " + Str(exc.value("mro", json::array())) + ")";
    }
  }
  for (const auto& base : want.value("not_isa", json::array())) {
    if (mro.count(Str(base))) {
      return "expected an exception that is not a " + Str(base) + ", " + raised;
    }
  }
  if (want.contains("errno")) {
    const json got = exc.value("errno", json());
    if (got != want["errno"]) {
      return "expected errno " + Str(want["errno"]) + ", got " +
             (got.is_null() ? std::string("none") : Str(got)) + " (" + raised + ")";
    }
  }
  if (want.contains("class")) {
    const json got = exc.value("class", json());
    for (const char* key : {"module", "name"}) {
      if (!want["class"].contains(key)) continue;
      const json have = got.is_object() ? got.value(key, json()) : json();
      if (have != want["class"][key]) {
        return std::string("expected the class's __") + key + "__ to be '" +
               Str(want["class"][key]) + "', got " +
               (have.is_null() ? std::string("none reported") : "'" + Str(have) + "'") + " (" +
               raised + ")";
      }
    }
  }
  if (want.contains("message_contains")) {
    const std::string message = exc.value("message", json("")).is_string()
                                    ? exc["message"].get<std::string>()
                                    : std::string();
    if (message.find(want["message_contains"].get<std::string>()) == std::string::npos) {
      return "expected a message containing '" + want["message_contains"].get<std::string>() +
             "', " + raised;
    }
  }
  return std::nullopt;
}

// Binds a step's value: one name takes the whole value; a list of names unpacks a tuple or
// list of that length, as Python's `a, b = value` would.
std::optional<std::string> BindValue(const json& bind, const json& value, Bindings* b) {
  if (bind.is_string()) {
    (*b)[bind.get<std::string>()] = value;
    return std::nullopt;
  }
  const json* items = nullptr;
  if (value.is_array()) items = &value;
  if (value.is_object() && value.size() == 1 && value.contains("tuple") && value["tuple"].is_array()) {
    items = &value["tuple"];
  }
  if (items == nullptr || items->size() != bind.size()) {
    return "cannot unpack " + Describe(value) + " into " + std::to_string(bind.size()) +
           " names " + bind.dump();
  }
  for (size_t i = 0; i < bind.size(); ++i) (*b)[bind[i].get<std::string>()] = (*items)[i];
  return std::nullopt;
}

// What a malformed record lacks, or "" when it is a well-formed record of its kind.
std::string RecordProblem(const json& r) {
  const std::string ev = r.value("ev", json()).is_string() ? r["ev"].get<std::string>() : "";
  if (ev == "step") {
    if (!r.value("path", json()).is_string()) return "a step record without a string 'path'";
    if (!r.value("t0", json()).is_number() || !r.value("t1", json()).is_number()) {
      return "step record " + Str(r["path"]) + " without numeric 't0' and 't1'";
    }
    const json ok = r.value("ok", json());
    if (!ok.is_boolean()) return "step record " + Str(r["path"]) + " without a boolean 'ok'";
    if (ok.get<bool>() && !r.contains("value")) {
      return "step record " + Str(r["path"]) + " has \"ok\": true but no 'value'";
    }
    if (!ok.get<bool>()) {
      const json e = r.value("exception", json());
      if (!e.is_object() || !e.value("type", json()).is_string() ||
          !e.value("mro", json()).is_array()) {
        return "step record " + Str(r["path"]) +
               " has \"ok\": false but no 'exception' with a 'type' and an 'mro'";
      }
    }
    return "";
  }
  if (ev == "handler") {
    if (!r.value("handler", json()).is_string() || !r.value("thread", json()).is_string() ||
        !r.value("signum", json()).is_number_integer()) {
      return "a handler record without 'handler', 'signum' and 'thread'";
    }
    return "";
  }
  if (ev == "stray") {
    if (!r.value("exception", json()).is_object()) return "a stray record without 'exception'";
    return "";
  }
  if (ev == "audit") {
    if (!r.value("event", json()).is_string() || !r.contains("args")) {
      return "an audit record without a string 'event' and 'args'";
    }
    return "";
  }
  if (ev == "request" || ev == "done") return "";
  return "a record of unknown kind '" + ev + "'";
}

std::string Excerpt(const std::string& s) { return TailExcerpt(s, kMessageExcerptBytes); }

// An expected or observed value too large to show whole (a driver may report megabytes) is
// replaced by the start of its JSON text, cut at kMaxResultJsonBytes.
json CapJson(json value) {
  if (value.is_null()) return value;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= kMaxResultJsonBytes) return value;
  return json(CapText(text, kMaxResultJsonBytes));
}

// Bounds what one result holds, whatever the driver wrote: the message (valid UTF-8, at most
// kMaxMessageBytes), expected and observed.
// Every failure of the list is bounded the same way, and the list to kMaxFailures (the message
// still counts them all).
void CapResult(Result* r) {
  r->message = CapText(SanitizeUtf8(r->message), kMaxMessageBytes);
  r->expected = CapJson(std::move(r->expected));
  r->observed = CapJson(std::move(r->observed));
  if (r->failures.size() > kMaxFailures) r->failures.resize(kMaxFailures);
  for (Failure& f : r->failures) {
    f.message = CapText(SanitizeUtf8(f.message), kMaxMessageBytes);
    f.expected = CapJson(std::move(f.expected));
    f.observed = CapJson(std::move(f.observed));
  }
}

// Checks one captured stream; a reason on mismatch.
std::optional<std::string> CheckStream(const char* name, const StreamExpectation& want,
                                       const std::string& data, bool truncated) {
  if (!want.present) return std::nullopt;
  const std::string note = truncated ? " (capture truncated)" : "";
  for (const auto& needle : want.contains) {
    if (data.find(needle) == std::string::npos) {
      return std::string(name) + " does not contain '" + needle + "'" + note + "; it holds: " +
             (data.empty() ? std::string("nothing") : "'" + Excerpt(data) + "'");
    }
  }
  for (const auto& needle : want.excludes) {
    const size_t at = data.find(needle);
    if (at != std::string::npos) {
      const size_t from = at > 100 ? at - 100 : 0;
      return std::string(name) + " contains '" + needle + "', which it must not: '" +
             SanitizeUtf8(data.substr(from, needle.size() + 200)) + "'";
    }
  }
  if (want.empty && !data.empty()) {
    return std::string(name) + " must be empty; it holds " + std::to_string(data.size()) +
           " bytes: '" + Excerpt(data) + "'";
  }
  return std::nullopt;
}

json StreamJson(const StreamExpectation& s) {
  json out = json::object();
  if (!s.contains.empty()) out["contains"] = s.contains;
  if (!s.excludes.empty()) out["excludes"] = s.excludes;
  if (s.empty) out["empty"] = true;
  return out;
}

class Evaluation {
 public:
  Evaluation(const Case& c, const RunRecord& run, bool emulated)
      : c_(c), run_(run), emulated_(emulated) {
    result_.case_id = c.id;
    result_.seconds = run.seconds;
    result_.env = run.env;
    result_.exit_description = run.launch_error.empty() ? DescribeWaitStatus(run.status) : "";
    result_.stderr_excerpt = TailExcerpt(run.stderr_data, kStderrExcerptBytes);
    result_.expected = nullptr;
    result_.observed = nullptr;
  }

  Result Run() {
    // The driver ran when it wrote anything; its start record may say how it made its state
    // fresh, and the runner's own fork+exec is the rest of the story.
    if (run_.launch_error.empty() && run_.status) {
      result_.isolation = "fork-exec";
      if (!run_.records.empty() && run_.records[0].value("ev", json()) == "start") {
        // Untrusted: only a short word of lowercase letters and '-' is taken.
        const json isolation = run_.records[0].value("isolation", json());
        if (isolation.is_string()) {
          const std::string word = isolation.get<std::string>();
          bool ok = !word.empty() && word.size() <= 32;
          for (char ch : word) ok = ok && ((ch >= 'a' && ch <= 'z') || ch == '-');
          if (ok) result_.isolation = word;
        }
      }
    }
    Judge();
    if (run_.leftover_processes > 0 && result_.status != Status::kPass) {
      result_.message += " (" + std::to_string(run_.leftover_processes) +
                         " of its processes outlived the driver and were killed)";
    }
    if (result_.status != Status::kPass) {
      for (const std::string& note : run_.runner_notes) result_.message += " (" + note + ")";
    }
    CapResult(&result_);
    return std::move(result_);
  }

 private:
  void Set(Status status, std::string message, std::string step = "", json expected = nullptr,
           json observed = nullptr) {
    result_.status = status;
    result_.message = std::move(message);
    result_.step = std::move(step);
    result_.expected = std::move(expected);
    result_.observed = std::move(observed);
  }

  // The table of end states of spec/case-format.md ("The end of the process"), in its order:
  // the first row that applies decides.
  void Judge() {
    if (!run_.launch_error.empty()) {
      return Set(Status::kError, "the driver could not be started: " + run_.launch_error);
    }
    if (run_.interrupted) {
      return Set(Status::kError, "the runner was interrupted and ended the case");
    }
    if (!run_.limit_reached.empty()) {
      return Set(Status::kError, run_.limit_reached + " (" + result_.exit_description + ")");
    }
    const bool signaled = run_.status && !run_.status->exited;
    const int signal = signaled ? run_.status->signal : 0;
    const auto asked = c_.exit.by_signal ? SignalNumber(c_.exit.signal) : std::nullopt;
    const bool expected_signal = asked && *asked == signal;
    if (signaled && signal == SIGKILL && !expected_signal && !run_.timed_out &&
        !CaseSendsSignal(c_, SIGKILL)) {
      return Set(Status::kError,
                 "the driver was killed by SIGKILL, which neither the case nor the runner sent "
                 "(the kernel's out-of-memory killer, or a process outside the case)" +
                     LastStepNote());
    }
    if (run_.timed_out) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%g", c_.timeout);
      const std::string last = LastStepPath();
      const std::string timed_out = std::string("timed out after ") + secs + " s; " +
                                    (last.empty() ? std::string("no step was observed")
                                                  : "the last step observed was " + last);
      // A failed expectation observed before the timeout is not hidden by it: the
      // implementation was wrong before it hung (when its records can be read at all).
      if (run_.protocol_errors.empty() && !run_.observations_truncated && IndexRecords()) {
        WalkSteps(/*timed_out=*/true);
        if (!failures_.empty()) return FinishFailed("; then the case " + timed_out);
      }
      return Set(Status::kTimeout, timed_out);
    }
    if (signaled && IsCrashSignal(signal) && !expected_signal && !CaseSendsSignal(c_, signal) &&
        !EmulatedEndBySignal()) {
      return Set(Status::kCrash, "the implementation crashed: " + result_.exit_description +
                                     LastStepNote());
    }
    if (!run_.protocol_errors.empty()) {
      std::string more = run_.protocol_errors.size() > 1
                             ? " (and " + std::to_string(run_.protocol_errors.size() - 1) + " more)"
                             : "";
      return Set(Status::kError,
                 "the driver broke the protocol: " + run_.protocol_errors.front() + more);
    }
    if (run_.observations_truncated) {
      return Set(Status::kError, "the observation stream passed its size cap; the rest was dropped");
    }
    if (!IndexRecords()) return;
    if (!run_.status) return Set(Status::kError, "the driver process was not reaped");
    // A case that runs to its end (no `exit` step, no death expected) must end with `done`: a
    // driver that exits without it, whatever its code, or that closed descriptor 3 early,
    // broke the protocol; which steps it did not report says nothing about the implementation.
    if (run_.status->exited && !done_ && !c_.exit.by_signal && !HasExitStep(c_.steps) &&
        !EndsUncaught(c_.steps)) {
      // Unless an exception escaped outside any step first: that is the implementation's
      // doing, and explains the early end better.
      if (!strays_.empty()) {
        Stray();
        return FinishFailed();
      }
      return Set(Status::kError, "the driver exited (" + result_.exit_description +
                                     ") without writing its done record" + LastStepNote());
    }

    if (!WalkSteps()) return;
    if (!strays_.empty()) Stray();
    if (!ended_early_) CheckExit();
    struct StreamCheck {
      const char* name;
      const StreamExpectation& want;
      const std::string& data;
      bool truncated;
    };
    const StreamCheck streams[] = {
        {"stdout", c_.stdout_expect, run_.stdout_data, run_.stdout_truncated},
        {"stderr", c_.stderr_expect, run_.stderr_data, run_.stderr_truncated}};
    for (const StreamCheck& s : streams) {
      if (auto why = CheckStream(s.name, s.want, s.data, s.truncated)) {
        Fail(*why, "", json{{s.name, StreamJson(s.want)}},
             json{{s.name, TailExcerpt(s.data, kStderrExcerptBytes)}});
      }
    }
    if (!failures_.empty()) return FinishFailed();
    Set(Status::kPass, "");
  }

  // Checks the sequence of records and indexes them; false (with the result set) on an error.
  bool IndexRecords() {
    const auto& records = run_.records;
    if (records.empty()) {
      const std::optional<WaitStatus>& ws = run_.status;
      if (run_.timed_out) {
        Set(Status::kTimeout, "timed out before the driver wrote its start record");
      } else if (ws && !ws->exited && !IsCrashSignal(ws->signal)) {
        // Killed by a signal before it could start the case: the implementation ended early
        // (a signal the parent left pending, say), so the case fails at its first step, as
        // spec/case-format.md says of any early end. An exit before the start record is the
        // driver's failure to start (an import error, a refused interpreter): an error.
        Set(Status::kFail, "the process ended (" + DescribeWaitStatus(ws) +
                               ") before the driver wrote its start record: no step ran", "0");
      } else {
        Set(Status::kError, "the driver wrote no start record (" + DescribeWaitStatus(ws) + ")");
      }
      return false;
    }
    const json& first = records[0];
    if (first.value("ev", json()) != "start" || first.value("case", json()) != c_.id ||
        !first.value("protocol", json()).is_number_integer() || first["protocol"] != 1) {
      Set(Status::kError, "the first record must be {\"ev\": \"start\", \"protocol\": 1, \"case\": \"" +
                              c_.id + "\"}, got " + Str(first), "", nullptr, first);
      return false;
    }
    std::vector<FlatStep> flat;
    Flatten(c_.steps, "", true, &flat);
    std::set<std::string> paths;
    for (const auto& f : flat) paths.insert(f.path);
    for (size_t i = 1; i < records.size(); ++i) {
      const json& r = records[i];
      const std::string problem = RecordProblem(r);
      if (!problem.empty()) {
        Set(Status::kError, "record " + std::to_string(i + 1) + ": " + problem, "", nullptr, r);
        return false;
      }
      const std::string ev = r["ev"].get<std::string>();
      if (ev == "step") {
        const std::string path = r["path"].get<std::string>();
        if (!paths.count(path)) {
          Set(Status::kError, "record " + std::to_string(i + 1) + ": a step record for path " +
                                  path + ", which the case does not have", "", nullptr, r);
          return false;
        }
        if (!step_records_.emplace(path, i).second) {
          Set(Status::kError, "record " + std::to_string(i + 1) + ": a second step record for path " +
                                  path, path, nullptr, r);
          return false;
        }
      } else if (ev == "handler") {
        handlers_.push_back(i);
      } else if (ev == "audit") {
        audits_.push_back(i);
      } else if (ev == "stray") {
        strays_.push_back(i);
      } else if (ev == "done") {
        if (done_) {
          Set(Status::kError, "record " + std::to_string(i + 1) + ": a second done record");
          return false;
        }
        done_ = true;
      }
    }
    flat_ = std::move(flat);
    return true;
  }

  void Stray() {
    const json& r = run_.records[strays_.front()];
    Fail("an exception escaped outside any step: " + DescribeException(r["exception"]) +
             " (thread " + Str(r.value("thread", json("?"))) + ")",
         "", nullptr, r);
  }

  // Checks every step observed, in the order of the case, collecting each failed expectation
  // (failures_): a step that failed does not stop the steps after it from being judged. Stops
  // at the first step that was not observed: when `timed_out`, silently (the timeout is the
  // verdict unless a failure came before it), else as a failure that says what was observed
  // last. False when an error decided the result.
  bool WalkSteps(bool timed_out = false) {
    Bindings bindings;
    for (const FlatStep& f : flat_) {
      auto it = step_records_.find(f.path);
      if (it == step_records_.end()) {
        if (timed_out) return true;
        if (f.last_main && c_.exit.by_signal) continue;  // the step that was to end the process
        ended_early_ = true;  // the exit is then no second failure: it is this one
        if (!strays_.empty()) {
          Stray();
          strays_.clear();  // reported: not again after the walk
          return true;
        }
        Fail("the process ended (" + result_.exit_description + ") before step " + f.path +
                 LastObserved(), f.path);
        return true;
      }
      CheckStep(f, it->second, &bindings);
    }
    return true;
  }

  // "; the last thing observed was step 3, which returned 5" (or the handler, or the stray
  // exception, whichever record came last), or "; nothing was observed after the start".
  std::string LastObserved() const {
    for (auto i = run_.records.size(); i-- > 1;) {
      const json& r = run_.records[i];
      const std::string ev = r.value("ev", "");
      if (ev == "step") {
        return "; the last thing observed was step " + Str(r["path"]) + ", which " +
               (r["ok"] == true ? "returned " + Describe(r.value("value", json()))
                                : "raised " + DescribeException(r["exception"]));
      }
      if (ev == "handler") {
        return "; the last thing observed was handler " + DescribeEvent(r, false);
      }
      if (ev == "stray") {
        return "; the last thing observed was an exception outside any step: " +
               DescribeException(r["exception"]);
      }
    }
    return "; nothing was observed after the start record";
  }

  // Records one failed expectation; the first decides the result's message, step, expected
  // and observed (FinishFailed).
  void Fail(std::string message, std::string step = "", json expected = nullptr,
            json observed = nullptr) {
    failures_.push_back({std::move(step), std::move(message), std::move(expected),
                         std::move(observed), ""});
  }

  // Sets a `fail` result from failures_ (not empty): the first failure, with the count of the
  // others in its message; every one of them in result_.failures. `then` is appended (how the
  // case ended after them, for a timeout).
  void FinishFailed(const std::string& then = "") {
    Failure first = failures_.front();
    std::string message = first.message;
    if (failures_.size() > 1) {
      message += " (and " + std::to_string(failures_.size() - 1) + " more failed expectation" +
                 (failures_.size() > 2 ? "s" : "") + ")";
    }
    Set(Status::kFail, message + then, first.step, first.expected, first.observed);
    result_.failures = failures_;
  }

  // Checks one observed step against each of its expectations, recording every one that does
  // not hold (Fail); binds its value when all held. True when all held.
  bool CheckStep(const FlatStep& f, size_t index, Bindings* bindings) {
    const json& rec = run_.records[index];
    const json& step = *f.step;
    const json expect = step.value("expect", json::object());
    const bool ok = rec["ok"].get<bool>();
    const std::string at = "step " + f.path + ": ";
    bool held = true;  // every expectation of the step is checked, each failure recorded
    if (expect.contains("raises")) {
      const json& want = expect["raises"];
      if (ok) {
        Fail(at + "expected an exception, returned " + Describe(rec["value"]), f.path,
             json{{"raises", want}}, rec);
        held = false;
      } else if (auto why = CheckRaises(want, rec["exception"])) {
        Fail(at + *why, f.path, json{{"raises", want}}, rec);
        held = false;
      }
    } else if (expect.contains("returns")) {
      const json& want = expect["returns"];
      if (!ok) {
        Fail(at + "expected a value matching " + DescribeMatcher(want) + ", raised " +
                 DescribeException(rec["exception"]),
             f.path, json{{"returns", want}}, rec);
        held = false;
      } else if (auto why = Match(want, rec["value"], *bindings)) {
        Fail(at + *why, f.path, json{{"returns", want}}, rec);
        held = false;
      }
    } else if (!ok && !step.value("uncaught", false)) {
      // (A step that lets its exception escape may raise without `raises`: the case's `exit`
      // judges how the program ended.)
      Fail(at + "unexpected exception " + DescribeException(rec["exception"]), f.path, nullptr,
           rec);
      held = false;
    }
    if (expect.contains("events")) {
      const json& want = expect["events"];
      json got = json::array();
      for (size_t h : handlers_) {
        if (h < index) got.push_back(run_.records[h]);
      }
      std::string why;
      if (got.size() != want.size()) {
        why = "expected " + std::to_string(want.size()) + " handler events by the end of the step, "
              "observed " + std::to_string(got.size()) + ": " + DescribeEvents(got, false);
      } else {
        for (size_t i = 0; i < want.size() && why.empty(); ++i) {
          if (!EventMatches(want[i], got[i])) {
            why = "event " + std::to_string(i) + ": expected " + DescribeEvent(want[i], true) +
                  ", observed " + DescribeEvent(got[i], false);
          } else if (auto late = EventTiming(want[i], got[i])) {
            why = "event " + std::to_string(i) + " (" + DescribeEvent(got[i], false) + "): " + *late;
          }
        }
      }
      if (!why.empty()) {
        Fail(at + why, f.path, json{{"events", want}}, got);
        held = false;
      }
    }
    if (expect.contains("audit")) {
      // Like `events`: the exact list of audit records written before this step's record.
      const json& want = expect["audit"];
      json got = json::array();
      for (size_t a : audits_) {
        if (a < index) got.push_back(run_.records[a]);
      }
      std::string why;
      if (got.size() != want.size()) {
        why = "expected " + std::to_string(want.size()) + " audit events by the end of the step, "
              "observed " + std::to_string(got.size()) + ":";
        for (const auto& a : got) why += " " + Str(a["event"]) + Describe(a["args"]);
      } else {
        for (size_t i = 0; i < want.size() && why.empty(); ++i) {
          if (got[i]["event"] != want[i]["event"]) {
            why = "audit event " + std::to_string(i) + ": expected " + Str(want[i]["event"]) +
                  ", observed " + Str(got[i]["event"]);
          } else if (want[i].contains("args")) {
            if (auto bad = Match(want[i]["args"], got[i]["args"], *bindings)) {
              why = "audit event " + std::to_string(i) + " (" + Str(want[i]["event"]) +
                    ") arguments: " + *bad;
            }
          }
        }
      }
      if (!why.empty()) {
        Fail(at + why, f.path, json{{"audit", want}}, got);
        held = false;
      }
    }
    if (expect.contains("elapsed")) {
      const double lo = expect["elapsed"][0].get<double>(), hi = expect["elapsed"][1].get<double>();
      // With `elapsed_from`, the window opens at the start of that earlier step (which armed
      // the timer this step waits for): a scheduling gap between the two steps then counts,
      // as it does for the timer.
      const std::string from = expect.value("elapsed_from", std::string());
      json wanted = {{"elapsed", expect["elapsed"]}};
      double start = rec["t0"].get<double>();
      std::string what = "the step took";
      bool known = true;
      if (!from.empty()) {
        wanted["elapsed_from"] = from;
        auto it = step_records_.find(from);
        if (it == step_records_.end()) {
          Fail(at + "elapsed_from " + from + ": step " + from + " was not observed", f.path,
               wanted, rec);
          held = false;
          known = false;
        } else {
          start = run_.records[it->second]["t0"].get<double>();
          what = "from the start of step " + from + " to the end of this one took";
        }
      }
      const double took = rec["t1"].get<double>() - start;
      if (known && !(took >= lo && took <= hi)) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%s %.3f s, expected between %g and %g s", what.c_str(),
                      took, lo, hi);
        Fail(at + buf, f.path, wanted, rec);
        held = false;
      }
    }
    if (held && ok && step.contains("bind")) {
      if (auto why = BindValue(step["bind"], rec["value"], bindings)) {
        Fail(at + *why, f.path, json{{"bind", step["bind"]}}, rec);
        held = false;
      }
    }
    return held;
  }

  // The timing keys of an expected event (spec/case-format.md, "Expectations"): when the
  // handler ran compared with the start (`t0`) of another step. A reason, or nullopt.
  std::optional<std::string> EventTiming(const json& want, const json& got) const {
    for (const char* key : {"after_start_of", "before_start_of"}) {
      if (!want.contains(key)) continue;
      const std::string path = Str(want[key]);
      auto it = step_records_.find(path);
      if (it == step_records_.end()) {
        return std::string(key) + " " + path + ": step " + path + " was not observed";
      }
      const json t = got.value("t", json());
      if (!t.is_number()) return std::string("the handler record has no numeric 't'");
      const double ran = t.get<double>();
      const double start = run_.records[it->second]["t0"].get<double>();
      const bool after = std::string(key) == "after_start_of";
      if (after ? ran >= start : ran < start) continue;
      char buf[200];
      std::snprintf(buf, sizeof buf, "expected it %s step %s started (t0 %.3f s); it ran at %.3f s",
                    after ? "after" : "before", path.c_str(), start, ran);
      return std::string(buf);
    }
    return std::nullopt;
  }

  // Checks how the process ended against `exit`, recording a failure when it differs.
  void CheckExit() {
    const WaitStatus& ws = *run_.status;
    bool matches;
    std::string want;
    json expected;
    if (c_.exit.by_signal) {
      const auto number = SignalNumber(c_.exit.signal);
      matches = !ws.exited && number && ws.signal == *number;
      want = "to be killed by " + c_.exit.signal;
      expected = {{"exit", {{"signal", c_.exit.signal}}}};
    } else {
      matches = ws.exited && ws.code == c_.exit.code;
      want = "to exit with code " + std::to_string(c_.exit.code);
      expected = {{"exit", {{"code", c_.exit.code}}}};
    }
    if (matches) return;
    const std::string message = "expected the process " + want + "; it ended with " +
                                result_.exit_description;
    Fail(message, "", expected, json{{"exit", result_.exit_description}});
  }

  // Under emulation, a case that expects its last step to end the process by a signal and
  // that ended there by a crash signal (Pyodide carries out SIGQUIT's default action by
  // abort(): SIGABRT) saw the emulation carry out a default action its own way: the end is
  // judged as a wrong signal (row 9), not as a crash. A crash where the case expected to go
  // on (any earlier step, or a case expecting an exit code) stays a crash.
  bool EmulatedEndBySignal() const {
    if (!emulated_ || !c_.exit.by_signal || !c_.steps.is_array() || c_.steps.empty()) return false;
    const size_t last = c_.steps.size() - 1;
    return LastStepPath() == (last == 0 ? std::string() : std::to_string(last - 1));
  }

  const Case& c_;
  const RunRecord& run_;
  const bool emulated_;
  Result result_;
  std::vector<FlatStep> flat_;
  std::map<std::string, size_t> step_records_;  // path -> index in run_.records
  std::vector<size_t> handlers_;                // indices of handler records
  std::vector<size_t> strays_;                  // indices of stray records
  std::vector<size_t> audits_;                  // indices of audit records
  // The path of the last step record read, "" when none was; read straight from the
  // records, so that it is known before (or without) IndexRecords.
  std::string LastStepPath() const {
    for (auto it = run_.records.rbegin(); it != run_.records.rend(); ++it) {
      if (it->value("ev", json()) == "step" && it->value("path", json()).is_string()) {
        return (*it)["path"].get<std::string>();
      }
    }
    return "";
  }

  // " after step 3 (the last one observed)" or " before its first step".
  std::string LastStepNote() const {
    const std::string last = LastStepPath();
    if (last.empty()) return " before its first step";
    return " after step " + last + " (the last one observed)";
  }

  std::vector<Failure> failures_;  // every failed expectation so far, in the case's order
  bool ended_early_ = false;        // the process ended before a step it was to run
  bool done_ = false;
};

}  // namespace

std::string DescribeWaitStatus(const std::optional<WaitStatus>& status) {
  if (!status) return "not reaped";
  if (status->exited) return "exit code " + std::to_string(status->code);
  return "killed by " + SignalName(status->signal) + (status->core_dumped ? " (core dumped)" : "");
}

Result Evaluate(const Case& c, const RunRecord& run, bool emulated) {
  try {
    return Evaluation(c, run, emulated).Run();
  } catch (const std::exception& e) {
    // Records are checked before use; this is a last line so that one odd record cannot take
    // the whole run (and its reports) down.
    Result r;
    r.case_id = c.id;
    r.status = Status::kError;
    r.message = CapText(SanitizeUtf8(std::string("internal error while evaluating: ") + e.what()),
                        kMaxMessageBytes);
    r.seconds = run.seconds;
    r.env = run.env;
    r.exit_description = run.launch_error.empty() ? DescribeWaitStatus(run.status) : "";
    r.stderr_excerpt = TailExcerpt(run.stderr_data, kStderrExcerptBytes);
    return r;
  }
}

}  // namespace sigconform
