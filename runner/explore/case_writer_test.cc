// Writing the oracle's observations as a case: it validates, and Evaluate passes it on the
// oracle's run and fails it on the diverging run.
#include "explore/case_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog.h"
#include "evaluate.h"
#include "explore/generator.h"
#include "explore/trace.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

json Program() {
  return json::parse(R"({
    "id": "explore/s1-p4", "title": "generated", "rules": ["todo.fill-in-rules"],
    "handlers": {"rec": {"record": true}},
    "steps": [
      {"call": "signal", "args": ["@SIGUSR1", {"handler": "rec"}]},
      {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", {"set": ["@SIGUSR1"]}]},
      {"call": "raise_signal", "args": ["@SIGUSR1"]},
      {"call": "pthread_sigmask", "args": ["@SIG_UNBLOCK", {"set": ["@SIGUSR1"]}]},
      {"do": "kill", "sig": "@SIGTERM"},
      {"call": "sigpending", "args": []}
    ]})");
}

// A run: the mask calls return `old_mask` the second time; SIGTERM ends the process.
RunRecord FakeRun(const json& second_mask_value) {
  RunRecord r;
  r.status = WaitStatus{false, 0, 15, false};
  auto step = [&](const std::string& path, json value) {
    r.records.push_back(json{{"ev", "step"}, {"path", path}, {"ok", true}, {"thread", "main"},
                             {"t0", 0.1}, {"t1", 0.2}, {"value", value}});
  };
  r.records.push_back(json{{"ev", "start"}, {"protocol", 1}, {"case", "explore/s1-p4"}, {"t", 0.0}});
  step("0", json::parse(R"({"enum": "Handlers", "name": "SIG_DFL", "value": 0})"));
  step("1", json::parse(R"({"set": []})"));
  step("2", nullptr);
  r.records.push_back(json::parse(R"({"ev": "handler", "handler": "rec", "signum": 10, "signame": "SIGUSR1", "thread": "main", "frame": "frame", "t": 0.3})"));
  step("3", second_mask_value);
  return r;
}

TEST(CaseWriterTest, TheOraclesObservationsBecomeTheExpectations) {
  json program = Program();
  Case as_case;
  ASSERT_TRUE(ValidateCase(program, "explore", "explore/s1-p4", &as_case).empty());
  RunRecord oracle = FakeRun(json::parse(R"({"set": [{"enum": "Signals", "name": "SIGUSR1", "value": 10}]})"));
  RunRecord impl = FakeRun(json::parse(R"({"set": []})"));
  ModuleSurface surface;
  ASSERT_TRUE(LoadModuleSurface(std::string(SIGCONFORM_SOURCE_ROOT) + "/spec/module-surface.json", &surface).empty());

  WrittenCase w = WriteCase(program, TraceOf(as_case, oracle), "TODO: title", surface);
  ASSERT_TRUE(w.problem.empty()) << w.problem;
  const json& doc = w.doc;
  EXPECT_EQ(doc["title"], "TODO: title");
  EXPECT_EQ(doc["since"], "3.8") << "raise_signal came in 3.8";
  EXPECT_EQ(doc["exit"], json::parse(R"({"signal": "SIGTERM"})"));
  // The step that ended the process stays; the one after it goes.
  ASSERT_EQ(doc["steps"].size(), 5u);
  EXPECT_EQ(doc["steps"][1]["expect"]["returns"], json::parse(R"({"set": []})"));
  EXPECT_EQ(doc["steps"][3]["expect"]["returns"], json::parse(R"({"set": [{"Signals": "SIGUSR1"}]})"));
  EXPECT_EQ(doc["steps"][3]["expect"]["events"],
            json::parse(R"([{"handler": "rec", "sig": "SIGUSR1", "thread": "main", "frame": "frame"}])"));
  EXPECT_FALSE(doc["steps"][4].contains("expect"));

  Case written;
  auto errors = ValidateCase(doc, "explore", "explore/s1-p4", &written);
  ASSERT_TRUE(errors.empty()) << FormatCatalogError(errors.front());
  EXPECT_EQ(Evaluate(written, oracle).status, Status::kPass) << Evaluate(written, oracle).message;
  EXPECT_EQ(Evaluate(written, impl).status, Status::kFail);

  // The file reads like the catalog's: id first, one step a line.
  std::string text = FormatCaseFile(doc);
  EXPECT_EQ(text.rfind("{\n  \"id\": \"explore/s1-p4\",\n  \"title\"", 0), 0u) << text;
  EXPECT_EQ(json::parse(text), doc);
}

TEST(CaseWriterTest, AProcessEndedByAnAsynchronousSignalKeepsTheStepThatWaitsForIt) {
  json program = json::parse(R"({
    "id": "explore/s1-p5", "title": "generated", "rules": ["todo.fill-in-rules"],
    "steps": [
      {"call": "getsignal", "args": ["@SIGUSR1"]},
      {"do": "parent_kill", "sig": "SIGUSR1"},
      {"do": "wait", "events": 1, "timeout": 8},
      {"call": "sigpending", "args": []}
    ]})");
  program["steps"][2]["note"] = kWaitsNote;
  Case as_case;
  ASSERT_TRUE(ValidateCase(program, "explore", "explore/s1-p5", &as_case).empty());
  RunRecord oracle;
  oracle.status = WaitStatus{false, 0, 10, false};
  oracle.records.push_back(json::parse(
      R"({"ev": "step", "path": "0", "ok": true, "value": {"enum": "Handlers", "name": "SIG_DFL", "value": 0}})"));
  ModuleSurface surface;
  ASSERT_TRUE(LoadModuleSurface(std::string(SIGCONFORM_SOURCE_ROOT) + "/spec/module-surface.json", &surface).empty());
  WrittenCase w = WriteCase(program, TraceOf(as_case, oracle), "TODO: a title", surface);
  ASSERT_TRUE(w.problem.empty()) << w.problem;
  // Without the wait, the driver could end before the runner's signal arrives.
  ASSERT_EQ(w.doc["steps"].size(), 3u) << w.doc.dump();
  EXPECT_EQ(w.doc["steps"][2]["do"], "wait");
  EXPECT_EQ(w.doc["exit"], json::parse(R"({"signal": "SIGUSR1"})"));
}

TEST(CaseWriterTest, AStrayExceptionOrATimeoutCannotBeWritten) {
  json program = Program();
  Case as_case;
  ASSERT_TRUE(ValidateCase(program, "explore", "explore/s1-p4", &as_case).empty());
  ModuleSurface surface;
  RunRecord stray = FakeRun(json::parse(R"({"set": []})"));
  stray.records.push_back(json::parse(R"({"ev": "stray", "exception": {"type": "RuntimeError"}, "thread": "main"})"));
  EXPECT_NE(WriteCase(program, TraceOf(as_case, stray), "t", surface).problem, "");
  RunRecord hung = FakeRun(json::parse(R"({"set": []})"));
  hung.timed_out = true;
  WrittenCase w = WriteCase(program, TraceOf(as_case, hung), "t", surface);
  EXPECT_TRUE(w.doc.is_null());
  EXPECT_NE(w.problem.find("timeout"), std::string::npos) << w.problem;
}

}  // namespace
}  // namespace sigconform
