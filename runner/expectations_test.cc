#include "expectations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "status_table.h"

namespace sigconform {
namespace {

using nlohmann::json;

Result ResultFor(const std::string& impl, const std::string& id, Status status,
                 const std::string& step = "2") {
  Result r;
  r.implementation = impl;
  r.case_id = id;
  r.status = status;
  r.step = status == Status::kPass ? "" : step;
  r.message = "step 2: expected 1, got 2";
  return r;
}

Expectations Parse(const char* text) {
  Expectations e;
  const auto errors = ParseExpectations(json::parse(text), "pypy.json", &e);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : FormatCatalogError(errors[0]));
  return e;
}

Description Describing(const std::string& platform, const std::string& version) {
  Description d;
  d.platform = platform;
  d.language_version = version;
  return d;
}

TEST(ApplyExpectations, AListedFailureBecomesXfailKeepingTheReason) {
  const Expectations e = Parse(R"({"pypy": {"masks/*": "pypy issue 123"}})");
  Result r = ResultFor("pypy", "masks/block", Status::kFail);
  ApplyExpectations(e, nullptr, &r);
  EXPECT_EQ(r.status, Status::kXfail);
  EXPECT_EQ(r.message, "expected fail (pypy issue 123): step 2: expected 1, got 2");
  ASSERT_TRUE(r.expectation);
  EXPECT_EQ(r.expectation->reason, "pypy issue 123");
}

TEST(ApplyExpectations, AListedPassBecomesXpass) {
  const Expectations e = Parse(R"({"pypy": {"masks/block": "pypy issue 123"}})");
  Result r = ResultFor("pypy", "masks/block", Status::kPass);
  ApplyExpectations(e, nullptr, &r);
  EXPECT_EQ(r.status, Status::kXpass);
  EXPECT_NE(r.message.find("pypy issue 123"), std::string::npos);
  EXPECT_NE(r.message.find("pypy.json/pypy/masks~1block"), std::string::npos) << r.message;
  EXPECT_TRUE(IsUnexpected(r.status));
}

TEST(ApplyExpectations, AnyPinnableStatusCanBePinned) {
  for (const char* status : {"missing", "error", "crash", "timeout"}) {
    const std::string text = std::string(R"({"pypy": {"a/b": {"status": ")") + status +
                             R"(", "reason": "known", "link": "https://bugs.invalid/1"}}})";
    Expectations e;
    ASSERT_TRUE(ParseExpectations(json::parse(text), "f.json", &e).empty()) << status;
    Result r = ResultFor("pypy", "a/b", *StatusFromName(status));
    ApplyExpectations(e, nullptr, &r);
    EXPECT_EQ(r.status, Status::kXfail) << status;
    EXPECT_EQ(r.expectation->link, "https://bugs.invalid/1");
    // The same entry does not excuse another kind of failure.
    Result other = ResultFor("pypy", "a/b", Status::kFail);
    ApplyExpectations(e, nullptr, &other);
    EXPECT_EQ(other.status, Status::kFail) << status;
    EXPECT_NE(other.message.find(std::string("not the failure")), std::string::npos);
  }
}

TEST(ApplyExpectations, APinnedStepOrValueCatchesANewWayOfFailing) {
  const Expectations e = Parse(R"({"pypy": {"a/b": {"status": "fail", "step": "2",
      "observed": {"ev": "step", "ok": true, "value": 2}, "reason": "old bug"}}})");
  Result same = ResultFor("pypy", "a/b", Status::kFail, "2");
  same.observed = json::parse(R"({"ev": "step", "ok": true, "value": 2})");
  ApplyExpectations(e, nullptr, &same);
  EXPECT_EQ(same.status, Status::kXfail);

  Result other_step = ResultFor("pypy", "a/b", Status::kFail, "4");
  other_step.observed = same.observed;
  ApplyExpectations(e, nullptr, &other_step);
  EXPECT_EQ(other_step.status, Status::kFail);
  EXPECT_NE(other_step.message.find("fail at step 2"), std::string::npos) << other_step.message;
  EXPECT_NE(other_step.message.find("got fail at step 4"), std::string::npos) << other_step.message;

  Result other_value = ResultFor("pypy", "a/b", Status::kFail, "2");
  other_value.observed = json::parse(R"({"ev": "step", "ok": true, "value": 3})");
  ApplyExpectations(e, nullptr, &other_value);
  EXPECT_EQ(other_value.status, Status::kFail);
}

TEST(ApplyExpectations, FlakyPinAcceptsAnyVerdict) {
  const Expectations e = Parse(R"({"pypy": {"a/b": {"status": "flaky", "reason": "races"}}})");
  Result pass = ResultFor("pypy", "a/b", Status::kPass);
  ApplyExpectations(e, nullptr, &pass);
  EXPECT_EQ(pass.status, Status::kPass);
  for (Status s : {Status::kFail, Status::kFlaky, Status::kTimeout}) {
    Result r = ResultFor("pypy", "a/b", s);
    ApplyExpectations(e, nullptr, &r);
    EXPECT_EQ(r.status, Status::kXfail);
  }
}

TEST(ApplyExpectations, ConditionsChooseTheAlternativeByPlatformAndVersion) {
  const Expectations e = Parse(R"({"pypy": {"a/b": [
      {"status": "timeout", "platforms": ["darwin"], "reason": "slow there"},
      {"status": "fail", "since": "3.10", "until": "3.12", "reason": "3.10 and 3.11 only"}]}})");
  const Description mac = Describing("darwin", "3.9.1"), linux310 = Describing("linux", "3.10.4"),
                    linux312 = Describing("linux", "3.12.0");
  Result r = ResultFor("pypy", "a/b", Status::kTimeout);
  ApplyExpectations(e, &mac, &r);
  EXPECT_EQ(r.status, Status::kXfail);
  r = ResultFor("pypy", "a/b", Status::kFail);
  ApplyExpectations(e, &linux310, &r);
  EXPECT_EQ(r.status, Status::kXfail);
  r = ResultFor("pypy", "a/b", Status::kFail);
  ApplyExpectations(e, &linux312, &r);
  EXPECT_EQ(r.status, Status::kFail) << "no alternative holds on 3.12";
  EXPECT_FALSE(r.expectation);
  r = ResultFor("pypy", "a/b", Status::kFail);
  ApplyExpectations(e, nullptr, &r);
  EXPECT_EQ(r.status, Status::kFail) << "conditions never hold without a description";
}

TEST(ApplyExpectations, OtherStatusesImplementationsAndCasesAreUntouched) {
  const Expectations e = Parse(R"({"pypy": {"masks/block": "reason"}})");
  for (Status s : {Status::kNotApplicable, Status::kUnsupported, Status::kNotRun}) {
    Result r = ResultFor("pypy", "masks/block", s);
    ApplyExpectations(e, nullptr, &r);
    EXPECT_EQ(r.status, s);
  }
  Result other_impl = ResultFor("cpython", "masks/block", Status::kFail);
  ApplyExpectations(e, nullptr, &other_impl);
  EXPECT_EQ(other_impl.status, Status::kFail);
  Result other_case = ResultFor("pypy", "masks/other", Status::kFail);
  ApplyExpectations(e, nullptr, &other_case);
  EXPECT_EQ(other_case.status, Status::kFail);
}

TEST(ParseExpectations, ErrorsNameTheFileAndPath) {
  Expectations e;
  auto errors = ParseExpectations(json::parse(R"({"pypy": {"a/b": 5, "a/c": "",
      "a/d": {"status": "pass", "reason": "x"}, "a/e": {"status": "fail", "reasn": "x"},
      "a/f": {"status": "fail", "reason": "x", "since": "three"}}, "rust": []})"),
                                  "exp.json", &e);
  std::vector<std::string> lines;
  for (const auto& err : errors) lines.push_back(FormatCatalogError(err));
  const auto has = [&](const std::string& text) {
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("exp.json: /pypy/a~1b: expected a reason (a string)")) << ::testing::PrintToString(lines);
  EXPECT_TRUE(has("exp.json: /pypy/a~1c: the reason is empty"));
  EXPECT_TRUE(has("/pypy/a~1d/status: 'pass' cannot be pinned; expected one of: fail, missing"));
  EXPECT_TRUE(has("/pypy/a~1e/reasn: unknown key 'reasn'"));
  EXPECT_TRUE(has("/pypy/a~1e: missing required key 'reason'"));
  EXPECT_TRUE(has("/pypy/a~1f/since: expected a version"));
  EXPECT_TRUE(has("exp.json: /rust: expected an object"));
  EXPECT_TRUE(e.entries.empty()) << "a file with problems adds nothing";
  EXPECT_EQ(ParseExpectations(json::array(), "exp.json", &e).size(), 1u);
}

TEST(CheckExpectations, UnknownCasesGlobsAndImplementationsAreErrors) {
  const Expectations e = Parse(R"({"pypy": {"masks/block": "x", "masks/*": "y", "masks/nonesuch": "z",
      "timers/*": "w"}, "graalpy": {"masks/block": "v"}})");
  const auto errors = CheckExpectations(e, {"masks/block", "masks/unblock"}, {"cpython", "pypy", "reference"});
  std::vector<std::string> lines;
  for (const auto& err : errors) lines.push_back(FormatCatalogError(err));
  ASSERT_EQ(lines.size(), 3u) << ::testing::PrintToString(lines);
  EXPECT_NE(lines[0].find("pypy.json: /graalpy: 'graalpy' is no implementation; known: cpython, pypy, reference"),
            std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("/pypy/masks~1nonesuch: 'masks/nonesuch' is no case of the catalog"),
            std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("/pypy/timers~1*: 'timers/*' matches no case of the catalog"),
            std::string::npos) << lines[2];
}

TEST(UpdatedExpectations, PinsNewFailuresKeepsReasonsDropsFixes) {
  const json existing = json::parse(R"({
      "pypy": {"a/old": {"status": "fail", "reason": "filed as bug 7", "link": "https://b.invalid/7"},
               "a/fixed": "was broken", "a/glob*": "left alone",
               "a/cond": [{"status": "fail", "since": "3.9", "reason": "only new"}]},
      "other": {"x/y": "another implementation"}})");
  Result old_now_times_out = ResultFor("pypy", "a/old", Status::kTimeout, "");
  Result fixed = ResultFor("pypy", "a/fixed", Status::kXpass);
  Result fresh = ResultFor("pypy", "a/new", Status::kFail, "3");
  Result cond = ResultFor("pypy", "a/cond", Status::kXpass);
  Result na = ResultFor("pypy", "a/na", Status::kNotApplicable);
  const json updated = UpdatedExpectations(existing, {old_now_times_out, fixed, fresh, cond, na});
  EXPECT_EQ(updated["pypy"]["a/old"],
            json::parse(R"({"status": "timeout", "reason": "filed as bug 7", "link": "https://b.invalid/7"})"));
  EXPECT_FALSE(updated["pypy"].contains("a/fixed"));
  EXPECT_EQ(updated["pypy"]["a/new"]["status"], "fail");
  EXPECT_EQ(updated["pypy"]["a/new"]["step"], "3");
  EXPECT_EQ(updated["pypy"]["a/new"]["reason"], "step 2: expected 1, got 2");
  EXPECT_EQ(updated["pypy"]["a/glob*"], "left alone");
  EXPECT_EQ(updated["pypy"]["a/cond"], existing["pypy"]["a/cond"]);
  EXPECT_FALSE(updated["pypy"].contains("a/na"));
  EXPECT_EQ(updated["other"], existing["other"]);
  // What it writes, it can read.
  Expectations reread;
  EXPECT_TRUE(ParseExpectations(updated, "u.json", &reread).empty());
}

TEST(LoadExpectations, ReadsAFileAndReportsSyntaxWithLine) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("sigconform-exp-" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << R"({"pypy": {"masks/*": "known"}})";
  Expectations e;
  EXPECT_TRUE(LoadExpectations(path, &e).empty());
  ASSERT_EQ(e.entries.size(), 1u);
  EXPECT_EQ(e.entries[0].pinned.file, path);
  std::ofstream(path) << "{\n\"pypy\": {\n}\n,}";
  auto errors = LoadExpectations(path, &e);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("line 4"), std::string::npos) << errors[0].message;
  std::ofstream(path) << std::string(1000, '[');
  errors = LoadExpectations(path, &e);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("nested deeper"), std::string::npos) << errors[0].message;
  std::filesystem::remove(path);
  EXPECT_EQ(LoadExpectations(path, &e).size(), 1u);
}

TEST(LoadExpectations, DuplicateKeysAndHugeFilesAreErrorsNotSilentChoices) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("sigconform-exp-dup-" + std::to_string(getpid()) + ".json");
  // The second entry would silently replace the first.
  std::ofstream(path) << R"({"pypy": {"masks/a": "known", "masks/a": "other"}})";
  Expectations e;
  auto errors = LoadExpectations(path, &e);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].json_path, "/pypy/masks~1a");
  EXPECT_NE(errors[0].message.find("duplicate key 'masks/a'"), std::string::npos);
  EXPECT_TRUE(e.entries.empty());
  {
    std::ofstream out(path);
    out << "{\"pypy\": {\"a\": \"" << std::string(5u << 20, 'x') << "\"}}";
  }
  errors = LoadExpectations(path, &e);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("larger than"), std::string::npos) << errors[0].message;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sigconform
