#include "report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

RunInfo Info() {
  RunInfo info;
  info.started_at = "2024-05-01T12:00:00Z";
  info.seconds = 12.5;
  info.command_line = "sigconform run --impl cpython";
  info.cases_dir = "cases";
  info.jobs = 2;
  info.implementations = {{"cpython", "cpython",
                           {{"ev", "describe"}, {"implementation", "cpython"},
                            {"language_version", "3.11.2"}, {"platform", "linux"},
                            {"executable", "/usr/bin/python3"}},
                           {"PATH=/usr/bin", "LC_ALL=C.UTF-8"}},
                          {"broken", "broken=/bin/false", {{"error", "describe exited 1"}}, {}}};
  info.base_env = {"PATH=/usr/bin", "LC_ALL=C.UTF-8"};
  info.host_kernel = "6.1.0";
  info.host_machine = "x86_64";
  return info;
}

std::vector<Result> Results() {
  Result pass;
  pass.case_id = "masks/ok";
  pass.implementation = "cpython";
  pass.status = Status::kPass;
  pass.seconds = 0.25;
  pass.exit_description = "exit code 0";

  Result fail;
  fail.case_id = "masks/block-returns-previous-mask";
  fail.implementation = "cpython";
  fail.status = Status::kFail;
  fail.message = "step 0: expected a member of Signals named SIGUSR2, got int 12 <&>";
  fail.step = "0";
  fail.expected = json::parse(R"({"returns": {"set": [{"Signals": "SIGUSR2"}]}})");
  fail.observed = json::parse(R"({"ev": "step", "path": "0", "ok": true,
      "value": {"set": [{"enum": "Signals", "name": "SIGUSR1", "value": 10}]}})");
  fail.reproduce = "sigconform run --impl cpython --case masks/block-returns-previous-mask";
  fail.seconds = 0.5;
  fail.exit_description = "exit code 0";
  fail.stderr_excerpt = "bad \xff byte\x01 and ``` fence";
  fail.env = {"PATH=/usr/bin", "PYTHONUNBUFFERED=1"};

  Result na;
  na.case_id = "timers/prof";
  na.implementation = "broken";
  na.status = Status::kNotApplicable;
  na.message = "driver does not support step 'burn_cpu'";

  Result err;
  err.case_id = "timers/real";
  err.implementation = "broken";
  err.status = Status::kError;
  err.message = "the driver wrote no start record (exit code 1)";
  return {pass, fail, na, err};
}

TEST(ReportJson, HasRunSummaryAndResults) {
  const json report = ReportJson(Info(), Results());
  EXPECT_EQ(report["sigconform_report"], 2);
  EXPECT_EQ(report["run"]["jobs"], 2);
  EXPECT_EQ(report["run"]["implementations"][0]["name"], "cpython");
  EXPECT_EQ(report["run"]["implementations"][1]["describe"]["error"], "describe exited 1");
  EXPECT_EQ(report["run"]["host"]["machine"], "x86_64");
  EXPECT_EQ(report["summary"]["cpython"]["pass"], 1);
  EXPECT_EQ(report["summary"]["cpython"]["fail"], 1);
  EXPECT_EQ(report["summary"]["cpython"]["xpass"], 0);
  EXPECT_EQ(report["summary"]["cpython"]["total"], 2);
  EXPECT_EQ(report["summary"]["broken"]["not-applicable"], 1);
  EXPECT_EQ(report["summary"]["broken"]["error"], 1);
  ASSERT_EQ(report["results"].size(), 4u);
  const json& fail = report["results"][1];
  EXPECT_EQ(fail["status"], "fail");
  EXPECT_EQ(fail["step"], "0");
  EXPECT_EQ(fail["exit"], "exit code 0");
  EXPECT_TRUE(fail.contains("expected"));
  EXPECT_TRUE(fail.contains("observed"));
  EXPECT_TRUE(fail.contains("reproduce"));
  // The environment is written once per implementation; a result lists only its changes.
  EXPECT_FALSE(fail.contains("env"));
  EXPECT_EQ(fail["env_changes"], json::parse(R"({"LC_ALL": null, "PYTHONUNBUFFERED": "1"})"));
  EXPECT_EQ(report["run"]["implementations"][0]["env"][1], "LC_ALL=C.UTF-8");
}

TEST(ReportJson, LeavesOutEmptyFields) {
  const json pass = ReportJson(Info(), Results())["results"][0];
  for (const char* key : {"message", "step", "expected", "observed", "reproduce", "stderr_excerpt",
                          "env", "env_changes", "expectation", "repeat", "step_text", "title"}) {
    EXPECT_FALSE(pass.contains(key)) << key;
  }
  EXPECT_TRUE(pass.contains("seconds"));
}

TEST(ReportJson, AlwaysDumpsEvenWithInvalidUtf8) {
  const json report = ReportJson(Info(), Results());
  std::string text;
  EXPECT_NO_THROW(text = report.dump());
  EXPECT_NE(report["results"][1]["stderr_excerpt"].get<std::string>().find("\xEF\xBF\xBD"),
            std::string::npos);
}

TEST(ReportJson, EmptyRunStillHasASummaryPerImplementation) {
  const json report = ReportJson(Info(), {});
  EXPECT_EQ(report["results"], json::array());
  EXPECT_EQ(report["summary"]["cpython"]["total"], 0);
}

TEST(ReportJsonText, IsTheDumpOfReportJsonWrittenResultByResult) {
  RunInfo info = Info();
  info.containment = {{"cgroups", "v2"}, {"subreaper", true}, {"odd", "\xff\n"}};
  info.runner_max_rss_kb = 2048;
  std::vector<Result> results = Results();
  Failure failure;
  failure.message = "step 1: expected\nnothing";
  failure.step = "1";
  failure.expected = json::parse(R"({"returns": [1, {"a": []}]})");
  failure.observed = json::object();
  results[1].failures = {failure, failure};
  failure.step_text = "pthread_sigmask(SIG_BLOCK, {SIGUSR1})";
  results[1].failures.push_back(failure);
  results[1].rules = {"masks.block"};
  results[1].tiers = {"compat"};
  results[1].title = "blocking returns the previous mask";
  results[1].isolation = "fork-server";
  AppliedExpectation pinned;
  pinned.status = Status::kFail;
  pinned.step = "1";
  pinned.observed = json::parse(R"({"value": [1, 2]})");
  pinned.reason = "known";
  pinned.link = "https://example.org/bug";
  pinned.file = "expectations.json";
  results[1].expectation = pinned;
  results[0].repetition = Repetition{3, {Status::kPass, Status::kFail, Status::kPass}, "flaky"};
  info.rules["masks.block"] = {"Blocking *returns* the mask.\nSecond line", "compat", "Masks"};
  info.sources = json::array({{{"file", "a.json"}, {"shard", "1/2"}}});
  info.runner_version = "0.9";
  info.catalog_digest = "abc";
  info.interrupted = true;
  info.interrupted_by = "SIGINT";
  EXPECT_EQ(ReportJsonText(info, results), ReportJson(info, results).dump(2) + "\n");
  EXPECT_EQ(ReportJsonText(info, {}), ReportJson(info, {}).dump(2) + "\n");
  EXPECT_EQ(ReportJsonText(RunInfo(), {}), ReportJson(RunInfo(), {}).dump(2) + "\n");
}

TEST(ReportJunit, OneSuitePerImplementationWithEscapedText) {
  const std::string xml = ReportJunit(Info(), Results());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  EXPECT_NE(xml.find("<testsuites name=\"sigconform\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"cpython\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"broken\""), std::string::npos);
  // The implementation is in the classname: consumers that group by it keep them apart.
  EXPECT_NE(xml.find("<testcase classname=\"cpython.masks\" name=\"masks/ok\" time=\"0.250\"/>"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure type=\"fail\" message=\"fail: step 0: expected a member of Signals "
                     "named SIGUSR2, got int 12 &lt;&amp;&gt;\">"),
            std::string::npos);
  EXPECT_NE(xml.find("expected: returns {{Signals: SIGUSR2}}&#10;observed: returned {&lt;Signals.SIGUSR1: 10&gt;}"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped type=\"not-applicable\" message=\"not-applicable: driver does not support step "
                     "&apos;burn_cpu&apos;\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<error type=\"error\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"describe.language_version\" value=\"3.11.2\"/>"), std::string::npos);
  // Control characters XML cannot carry become visible escapes; the raw bytes never appear.
  EXPECT_NE(xml.find("<system-err>bad \xEF\xBF\xBD byte\\x01 and ``` fence</system-err>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\xff'), std::string::npos);
}

// A fail with three failed expectations: the first is the result's own, the later two must
// be shown too, so that a known failure does not hide a new one in the same case.
Result ThreeFailures() {
  Result r;
  r.case_id = "handlers/three";
  r.implementation = "cpython";
  r.status = Status::kFail;
  r.message = "step 1: expected returns 0, got 1";
  r.step = "1";
  r.step_text = "alarm(1)";
  r.failures = {{"1", "step 1: expected returns 0, got 1", json{{"returns", 0}}, json{{"ev", "step"}, {"ok", true}, {"value", 1}}, "alarm(1)"},
                {"3", "step 3: the handler ran twice", nullptr, nullptr, "raise_signal(SIGUSR1)"},
                {"", "expected the process to exit with code 0; it ended with exit code 7", nullptr, nullptr, ""}};
  return r;
}

TEST(ReportMarkdown, EveryFailureOfACaseIsListed) {
  const std::string md = ReportMarkdown(Info(), {ThreeFailures()});
  EXPECT_NE(md.find("- failure 2 of 3: `step 3: raise_signal(SIGUSR1); step 3: the handler ran twice`"),
            std::string::npos) << md;
  EXPECT_NE(md.find("- failure 3 of 3: `expected the process to exit with code 0; it ended with exit code 7`"),
            std::string::npos) << md;
  EXPECT_EQ(md.find("failure 1 of 3"), std::string::npos);  // the first is the result's own lines
}

TEST(ReportJunit, EveryFailureOfACaseIsInItsFailureElement) {
  const std::string xml = ReportJunit(Info(), {ThreeFailures()});
  const size_t open = xml.find("<failure ");
  const size_t close = xml.find("</failure>");
  ASSERT_NE(open, std::string::npos) << xml;
  ASSERT_NE(close, std::string::npos) << xml;
  const std::string body = xml.substr(open, close - open);
  EXPECT_NE(body.find("failure 2 of 3: step 3: raise_signal(SIGUSR1); step 3: the handler ran twice"),
            std::string::npos) << body;
  EXPECT_NE(body.find("failure 3 of 3: expected the process to exit with code 0"), std::string::npos) << body;
}

TEST(ReportHtml, EveryFailureOfACaseIsInItsDrillDown) {
  const std::string html = ReportHtml(Info(), {ThreeFailures()});
  EXPECT_NE(html.find("failure 2 of 3"), std::string::npos);
  EXPECT_NE(html.find("step 3: raise_signal(SIGUSR1); step 3: the handler ran twice"), std::string::npos);
  EXPECT_NE(html.find("failure 3 of 3"), std::string::npos);
}

TEST(ReportMarkdown, SummaryTableAndASectionPerProblem) {
  const std::string md = ReportMarkdown(Info(), Results());
  EXPECT_NE(md.find("| implementation | pass | fail | missing | not-applicable | error | timeout | "
                    "xfail | xpass | total | judged |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| `cpython` | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 2 | 100 % |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `broken` | 0 | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 2 | 0 % |"), std::string::npos) << md;
  EXPECT_NE(md.find("### `masks/block-returns-previous-mask` on `cpython`: fail"), std::string::npos) << md;
  EXPECT_NE(md.find("- expected: `returns {{Signals: SIGUSR2}}`"), std::string::npos) << md;
  EXPECT_NE(md.find("- observed: `returned {<Signals.SIGUSR1: 10>}`"), std::string::npos) << md;
  EXPECT_NE(md.find("- reproduce: `sigconform run --impl cpython --case masks/block-returns-previous-mask`"),
            std::string::npos) << md;
  EXPECT_NE(md.find("````text\nbad"), std::string::npos) << "the fence must outgrow ``` inside: " << md;
  EXPECT_NE(md.find("bad \xEF\xBF\xBD byte\\x01 and"), std::string::npos) << "controls shown as escapes";
  EXPECT_NE(md.find("### `timers/real` on `broken`: error"), std::string::npos);
  EXPECT_EQ(md.find("### `masks/ok`"), std::string::npos) << "passes get no section";
  EXPECT_NE(md.find("- `timers/prof` on `broken`: not-applicable, `driver does not support step 'burn_cpu'`"),
            std::string::npos) << md;
  EXPECT_NE(md.find("`broken`: could not be described: `describe exited 1`"), std::string::npos) << md;
}

TEST(ReportMarkdown, TotalsByTierAndTheTierOfEachResult) {
  std::vector<Result> results = Results();
  for (Result& r : results) r.tiers = {r.case_id.rfind("masks/", 0) == 0 ? "documented" : "compat"};
  const std::string md = ReportMarkdown(Info(), results);
  EXPECT_NE(md.find("## By rule tier\n\n| implementation | tier | passed | judged | unexpected | results |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| `cpython` | documented | 1 | 2 | 1 | 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `broken` | settled from CPython | 0 | 0 | 1 | 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("- tier: `documented`"), std::string::npos) << md;
}

TEST(ReportMarkdown, UntrustedTextStaysInsideCodeSpans) {
  std::vector<Result> results = Results();
  results[1].message = "a | b ` c `` d\n# heading <b>x</b>";
  results[1].implementation = "cpython";
  const std::string md = ReportMarkdown(Info(), results);
  // A fence longer than the longest backtick run, the pipe escaped, the newline gone.
  EXPECT_NE(md.find("```a \\| b ` c `` d\\n# heading <b>x</b>```"), std::string::npos) << md;
}

TEST(WriteFileAtomically, CreatesParentsAndReplacesWhole) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("sigconform-report-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string path = (dir / "a" / "b" / "report.json").string();
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, "first", &error)) << error;
  ASSERT_TRUE(WriteFileAtomically(path, "second", &error)) << error;
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "second");
  size_t files = 0;
  for (auto it = fs::directory_iterator(dir / "a" / "b"); it != fs::directory_iterator(); ++it) ++files;
  EXPECT_EQ(files, 1u) << "no temporary file is left behind";
  fs::remove_all(dir);
}

TEST(WriteFileAtomically, FailureIsReportedNotThrown) {
  std::string error;
  EXPECT_FALSE(WriteFileAtomically("/proc/sigconform/nope/report.json", "x", &error));
  EXPECT_FALSE(error.empty());
}

TEST(Text, SanitizeUtf8ReplacesOnlyBrokenSequences) {
  EXPECT_EQ(SanitizeUtf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
}

TEST(Text, TailExcerptNeverSplitsACharacter) {
  EXPECT_EQ(TailExcerpt("short", 10), "short");
  EXPECT_EQ(TailExcerpt("abcdef", 3), "...def");
  EXPECT_EQ(TailExcerpt("x\xc3\xa9y", 2), "...y");  // the cut would land inside 'é'
}

}  // namespace
}  // namespace sigconform
