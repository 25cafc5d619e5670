// What two runs are compared on: kept, ignored, and where events fall.
#include "explore/trace.h"

#include <gtest/gtest.h>

#include "catalog.h"
#include "explore/generator.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

Case Program() {
  json doc = json::parse(R"({
    "id": "explore/t", "title": "a generated program", "rules": ["x.y"],
    "handlers": {"rec": {"record": true}},
    "steps": [
      {"call": "signal", "args": ["@SIGUSR1", {"handler": "rec"}]},
      {"call": "setitimer", "args": ["@ITIMER_REAL", {"float": 100.0}]},
      {"do": "kill", "sig": "@SIGUSR1"},
      {"call": "sigwaitinfo", "args": [{"set": ["@SIGUSR2"]}]}
    ]})");
  Case c;
  EXPECT_TRUE(ValidateCase(doc, "explore", "explore/t", &c).empty());
  return c;
}

RunRecord FakeRun(double itimer, int pid, const std::string& message, bool event_before_step2) {
  RunRecord r;
  r.status = WaitStatus{true, 0, 0, false};
  r.records.push_back(json{{"ev", "start"}, {"t", 0.0}});
  r.records.push_back(json::parse(R"({"ev":"step","path":"0","ok":true,"t0":0.1,"t1":0.2,"thread":"main",
      "value":{"enum":"Handlers","name":"SIG_DFL","value":0}})"));
  json timer = {{"ev", "step"}, {"path", "1"}, {"ok", true}, {"thread", "main"},
                {"value", {{"tuple", json::array({json{{"float", itimer}}, json{{"float", 0.0}}})}}}};
  r.records.push_back(timer);
  json event = json::parse(R"({"ev":"handler","handler":"rec","signum":10,"signame":"SIGUSR1","thread":"main","frame":"frame","t":0.3})");
  if (event_before_step2) r.records.push_back(event);
  r.records.push_back(json::parse(R"({"ev":"step","path":"2","ok":true,"value":null,"thread":"main"})"));
  if (!event_before_step2) r.records.push_back(event);
  json info = {{"ev", "step"}, {"path", "3"}, {"ok", false}, {"thread", "main"},
               {"exception", {{"type", "ValueError"}, {"errno", nullptr}, {"message", message}}}};
  if (pid > 0) {
    info["ok"] = true;
    info["value"] = {{"struct", "struct_siginfo"},
                     {"fields", {{"si_signo", 12}, {"si_pid", pid}, {"si_band", pid}, {"si_code", 0}}}};
  }
  r.records.push_back(info);
  r.records.push_back(json{{"ev", "done"}});
  return r;
}

TEST(TraceTest, TimesTimerReadingsPidsAndMessagesDoNotCount) {
  Case c = Program();
  EXPECT_EQ(TraceOf(c, FakeRun(99.5, 0, "one wording", true)), TraceOf(c, FakeRun(98.25, 0, "another", true)));
  EXPECT_EQ(TraceOf(c, FakeRun(1, 4000, "", true)), TraceOf(c, FakeRun(1, 5000, "", true)));
}

TEST(TraceTest, WhereAHandlerRanBetweenTheStepsCounts) {
  Case c = Program();
  json a = TraceOf(c, FakeRun(1, 0, "", true)), b = TraceOf(c, FakeRun(1, 0, "", false));
  EXPECT_NE(a, b);
  std::string diff = FirstDifference(a, b, "impl", "oracle");
  EXPECT_NE(diff.find("impl {\"event\""), std::string::npos) << diff;
}

TEST(TraceTest, ValuesAreKeptAsMatchers) {
  json t = TraceOf(Program(), FakeRun(1, 0, "", true));
  EXPECT_EQ(t[0], json::parse(R"({"step": "0", "returns": {"Handlers": "SIG_DFL"}})"));
  EXPECT_EQ(t[1]["returns"], json::parse(R"({"tuple": [{"$type": "float"}, {"$type": "float"}]})"));
  EXPECT_EQ(t[2], json::parse(R"({"event": {"handler": "rec", "sig": "SIGUSR1", "thread": "main", "frame": "frame"}})"));
  EXPECT_EQ(t[4], json::parse(R"({"step": "3", "raises": {"type": "ValueError"}})"));
  EXPECT_EQ(t[5], json::parse(R"({"end": {"code": 0}})"));
  EXPECT_EQ(t[6], json::parse(R"({"done": true})"));
}

TEST(TraceTest, HowTheProcessEndedCounts) {
  Case c = Program();
  RunRecord killed = FakeRun(1, 0, "", true);
  killed.records.pop_back();
  killed.status = WaitStatus{false, 0, 15, false};
  json t = TraceOf(c, killed);
  EXPECT_EQ(t[t.size() - 2], json::parse(R"({"end": {"signal": "SIGTERM"}})"));
  EXPECT_EQ(t.back(), json::parse(R"({"done": false})"));
  RunRecord hung = FakeRun(1, 0, "", true);
  hung.timed_out = true;
  EXPECT_EQ(TraceOf(c, hung)[5], json::parse(R"({"end": "timeout"})"));
}

// SIGUSR1's handler raises OSError with SIGUSR2 waiting; `late` runs SIGUSR2's handler after the
// unblocking step's record (the reference), otherwise before it (CPython).
RunRecord RaisingUnblock(bool late, const std::string& second_handler) {
  RunRecord r;
  r.status = WaitStatus{true, 0, 0, false};
  r.records.push_back(json::parse(R"({"ev":"handler","handler":"boom","signame":"SIGUSR1","thread":"main","frame":"frame"})"));
  json second = {{"ev", "handler"}, {"handler", second_handler}, {"signame", "SIGUSR2"},
                 {"thread", "main"}, {"frame", "frame"}};
  if (!late) r.records.push_back(second);
  r.records.push_back(json::parse(R"({"ev":"step","path":"0","ok":false,"exception":{"type":"OSError"}})"));
  if (late) r.records.push_back(second);
  r.records.push_back(json::parse(R"({"ev":"step","path":"1","ok":true,"value":null})"));
  r.records.push_back(json{{"ev", "done"}});
  return r;
}

TEST(TraceTest, WhetherLateHandlersRunBeforeOrAfterTheRaisingStepsRecordDoesNotCount) {
  json doc = json::parse(R"({
    "id": "explore/t", "title": "a generated program", "rules": ["x.y"],
    "handlers": {"rec": {"record": true}, "boom": {"record": true, "raise": "OSError"}},
    "steps": [
      {"call": "pthread_sigmask", "args": ["@SIG_UNBLOCK", {"set": ["@SIGUSR1", "@SIGUSR2"]}]},
      {"call": "sigpending", "args": []}
    ]})");
  Case c;
  ASSERT_TRUE(ValidateCase(doc, "explore", "explore/t", &c).empty());
  EXPECT_EQ(TraceOf(c, RaisingUnblock(true, "rec")), TraceOf(c, RaisingUnblock(false, "rec")));
  // Which handler ran still counts.
  EXPECT_NE(TraceOf(c, RaisingUnblock(true, "rec")), TraceOf(c, RaisingUnblock(false, "boom")));
  // A late handler that raises again: its exception is never dropped (a driver that lost it
  // once hid behind such a rule), so a run without it differs.
  RunRecord stray = RaisingUnblock(true, "boom");
  stray.records.insert(stray.records.begin() + 3,
                       json::parse(R"({"ev":"stray","exception":{"type":"OSError"}})"));
  EXPECT_NE(TraceOf(c, stray), TraceOf(c, RaisingUnblock(false, "boom")));
  // A step that raises on its own (no handler raised that type) keeps its place.
  doc["handlers"]["boom"]["raise"] = "ValueError";
  ASSERT_TRUE(ValidateCase(doc, "explore", "explore/t", &c).empty());
  EXPECT_NE(TraceOf(c, RaisingUnblock(true, "rec")), TraceOf(c, RaisingUnblock(false, "rec")));
}

// signal(SIGUSR1, rec); parent_kill SIGUSR1; wait for 1 event (noted kWaitsNote).
Case AsyncProgram() {
  json doc = json::parse(R"({
    "id": "explore/t", "title": "a generated program", "rules": ["x.y"],
    "handlers": {"rec": {"record": true}},
    "steps": [
      {"call": "signal", "args": ["@SIGUSR1", {"handler": "rec"}]},
      {"do": "parent_kill", "sig": "SIGUSR1"},
      {"do": "wait", "events": 1, "timeout": 8}
    ]})");
  doc["steps"][2]["note"] = kWaitsNote;
  Case c;
  EXPECT_TRUE(ValidateCase(doc, "explore", "explore/t", &c).empty());
  return c;
}

json Rec(const std::string& path, json value) {
  return json{{"ev", "step"}, {"path", path}, {"ok", true}, {"thread", "main"}, {"value", value}};
}

const json kUsr1Event = json::parse(
    R"({"ev":"handler","handler":"rec","signum":10,"signame":"SIGUSR1","thread":"main","frame":"frame"})");

// The handler runs before parent_kill's record (`before`) or after it.
RunRecord ParentKillRun(bool before) {
  RunRecord r;
  r.status = WaitStatus{true, 0, 0, false};
  r.records.push_back(Rec("0", json::parse(R"({"enum":"Handlers","name":"SIG_DFL","value":0})")));
  if (before) r.records.push_back(kUsr1Event);
  r.records.push_back(Rec("1", nullptr));
  if (!before) r.records.push_back(kUsr1Event);
  r.records.push_back(Rec("2", 1));
  r.records.push_back(json{{"ev", "done"}});
  return r;
}

TEST(TraceTest, WhereAnAsynchronousSourcesHandlerRanBeforeItsWaitEndedDoesNotCount) {
  Case c = AsyncProgram();
  json before = TraceOf(c, ParentKillRun(true)), after = TraceOf(c, ParentKillRun(false));
  EXPECT_EQ(before, after);
  // As if parent_kill's record were written when the step started.
  EXPECT_EQ(after[1], json::parse(R"({"step": "1", "returns": null})"));
  EXPECT_TRUE(after[2].contains("event")) << after.dump();
  // The event still counts: a run without it differs.
  RunRecord lost = ParentKillRun(false);
  lost.records.erase(lost.records.begin() + 2);
  lost.records[2]["value"] = 0;
  EXPECT_NE(TraceOf(c, lost), after);
}

TEST(TraceTest, WhetherAnAsynchronousSignalEndedTheProcessBeforeOrAfterItsSourcesRecordDoesNotCount) {
  Case c = AsyncProgram();
  RunRecord early;
  early.status = WaitStatus{false, 0, 10, false};
  early.records.push_back(Rec("0", json::parse(R"({"enum":"Handlers","name":"SIG_DFL","value":0})")));
  RunRecord late = early;
  late.records.push_back(Rec("1", nullptr));
  json a = TraceOf(c, early), b = TraceOf(c, late);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[a.size() - 2], json::parse(R"({"end": {"signal": "SIGUSR1"}})"));
  // A run that ends normally keeps the record.
  late.status = WaitStatus{true, 0, 0, false};
  EXPECT_EQ(TraceOf(c, late)[1], json::parse(R"({"step": "1", "returns": null})"));
}

TEST(TraceTest, ShapeOnlyKeepsStructureAndNonNumbers) {
  json v = json::parse(R"({"tuple": [3, {"float": 0.5}, "x", {"set": [{"enum": "Signals", "name": "SIGINT", "value": 2}]}]})");
  EXPECT_EQ(ValueToMatcher(v, true),
            json::parse(R"({"tuple": [{"$type": "int"}, {"$type": "float"}, "x", {"set": [{"Signals": "SIGINT"}]}]})"));
  EXPECT_EQ(ValueToMatcher(json::parse(R"({"float": 0.5})"), false), json::parse(R"({"float": 0.5})"));
  EXPECT_EQ(ValueToMatcher(json::parse(R"({"callable": "<lambda>"})"), false), json::parse(R"({"$type": "callable"})"));
}

}  // namespace
}  // namespace sigconform
