#include "expectations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sigconform {
namespace {

using nlohmann::json;

Result ResultFor(const std::string& impl, const std::string& id, Status status) {
  Result r;
  r.implementation = impl;
  r.case_id = id;
  r.status = status;
  r.message = "step 2: expected 1, got 2";
  return r;
}

Expectations Parse(const char* text) {
  Expectations e;
  const auto errors = ParseExpectations(json::parse(text), "pypy.json", &e);
  EXPECT_TRUE(errors.empty());
  return e;
}

TEST(GlobMatches, StarMatchesAnyRunIncludingSlashes) {
  EXPECT_TRUE(GlobMatches("masks/block", "masks/block"));
  EXPECT_FALSE(GlobMatches("masks/block", "masks/blocked"));
  EXPECT_TRUE(GlobMatches("masks/*", "masks/block"));
  EXPECT_TRUE(GlobMatches("*", "a/b/c"));
  EXPECT_TRUE(GlobMatches("*/wakeup-*", "fd/deep/wakeup-full"));
  EXPECT_FALSE(GlobMatches("timers/*", "masks/timers/x"));
  EXPECT_TRUE(GlobMatches("a*b*c", "aXbYc"));
  EXPECT_FALSE(GlobMatches("a*b*c", "aXbY"));
}

TEST(ApplyExpectations, AListedFailureBecomesXfailKeepingTheReason) {
  const Expectations e = Parse(R"({"pypy": {"masks/*": "pypy issue 123"}})");
  Result r = ResultFor("pypy", "masks/block", Status::kFail);
  ApplyExpectations(e, &r);
  EXPECT_EQ(r.status, Status::kXfail);
  EXPECT_EQ(r.message, "expected failure (pypy issue 123): step 2: expected 1, got 2");
}

TEST(ApplyExpectations, AListedPassBecomesXpass) {
  const Expectations e = Parse(R"({"pypy": {"masks/block": "pypy issue 123"}})");
  Result r = ResultFor("pypy", "masks/block", Status::kPass);
  ApplyExpectations(e, &r);
  EXPECT_EQ(r.status, Status::kXpass);
  EXPECT_NE(r.message.find("pypy issue 123"), std::string::npos);
  EXPECT_TRUE(IsUnexpected(r.status));
}

TEST(ApplyExpectations, OtherStatusesImplementationsAndCasesAreUntouched) {
  const Expectations e = Parse(R"({"pypy": {"masks/block": "reason"}})");
  for (Status s : {Status::kError, Status::kTimeout, Status::kMissing, Status::kNotApplicable}) {
    Result r = ResultFor("pypy", "masks/block", s);
    ApplyExpectations(e, &r);
    EXPECT_EQ(r.status, s);
  }
  Result other_impl = ResultFor("cpython", "masks/block", Status::kFail);
  ApplyExpectations(e, &other_impl);
  EXPECT_EQ(other_impl.status, Status::kFail);
  Result other_case = ResultFor("pypy", "masks/other", Status::kFail);
  ApplyExpectations(e, &other_case);
  EXPECT_EQ(other_case.status, Status::kFail);
}

TEST(ParseExpectations, ErrorsNameTheFileAndPath) {
  Expectations e;
  auto errors = ParseExpectations(json::parse(R"({"pypy": {"a/b": 5, "a/c": ""}, "rust": []})"),
                                  "exp.json", &e);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].file, "exp.json");
  EXPECT_EQ(errors[0].json_path, "/pypy/a~1b");
  EXPECT_NE(errors[0].message.find("reason as a string"), std::string::npos);
  EXPECT_EQ(errors[1].json_path, "/pypy/a~1c");
  EXPECT_EQ(errors[2].json_path, "/rust");
  EXPECT_TRUE(e.entries.empty()) << "a file with problems adds nothing";
  EXPECT_EQ(ParseExpectations(json::array(), "exp.json", &e).size(), 1u);
}

TEST(LoadExpectations, ReadsAFileAndReportsSyntaxWithLine) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("sigconform-exp-" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << R"({"pypy": {"masks/*": "known"}})";
  Expectations e;
  EXPECT_TRUE(LoadExpectations(path, &e).empty());
  ASSERT_EQ(e.entries.size(), 1u);
  EXPECT_EQ(e.entries[0].file, path);
  std::ofstream(path) << "{\n\"pypy\": {\n}\n,}";
  const auto errors = LoadExpectations(path, &e);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("line 4"), std::string::npos) << errors[0].message;
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
