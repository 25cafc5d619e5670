#include "case_timings.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

namespace fs = std::filesystem;

// A directory of its own per test, removed at the end.
class CaseTimingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sigconform-timings-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const char* name) const { return (dir_ / name).string(); }
  void Write(const char* name, const std::string& text) const { std::ofstream(Path(name)) << text; }

  fs::path dir_;
};

TEST_F(CaseTimingsTest, WhatIsSavedIsLoadedBackPerImplementation) {
  CaseTimings written;
  written.Set("cpython", "alarm/zero-cancels", 1.5084);
  written.Set("pypy", "alarm/zero-cancels", 2.25);
  written.Set("cpython", "names/x", 0.012);
  std::string error;
  ASSERT_TRUE(written.Save(Path("t.json"), &error)) << error;
  CaseTimings read;
  ASSERT_TRUE(read.Load(Path("t.json"), &error)) << error;
  EXPECT_EQ(read.size(), 3u);
  EXPECT_DOUBLE_EQ(*read.Seconds("cpython", "alarm/zero-cancels"), 1.508);
  EXPECT_DOUBLE_EQ(*read.Seconds("pypy", "alarm/zero-cancels"), 2.25);
  EXPECT_FALSE(read.Seconds("reference", "alarm/zero-cancels"));
  EXPECT_FALSE(read.Seconds("cpython", "names/y"));
}

TEST_F(CaseTimingsTest, ANewRunKeepsTheDurationsOfCasesItDidNotRun) {
  CaseTimings first;
  first.Set("cpython", "a/one", 1.0);
  first.Set("cpython", "a/two", 2.0);
  std::string error;
  ASSERT_TRUE(first.Save(Path("t.json"), &error)) << error;
  CaseTimings second;
  ASSERT_TRUE(second.Load(Path("t.json"), &error)) << error;
  second.Set("cpython", "a/two", 0.5);
  ASSERT_TRUE(second.Save(Path("t.json"), &error)) << error;
  CaseTimings third;
  ASSERT_TRUE(third.Load(Path("t.json"), &error)) << error;
  EXPECT_DOUBLE_EQ(*third.Seconds("cpython", "a/one"), 1.0);
  EXPECT_DOUBLE_EQ(*third.Seconds("cpython", "a/two"), 0.5);
}

TEST_F(CaseTimingsTest, AMissingFileIsNoError) {
  CaseTimings timings;
  std::string error;
  EXPECT_TRUE(timings.Load(Path("none.json"), &error)) << error;
  EXPECT_EQ(timings.size(), 0u);
}

TEST_F(CaseTimingsTest, AnotherFileIsRefusedAndAddsNothing) {
  CaseTimings timings;
  std::string error;
  Write("report.json", R"({"run": {}, "results": []})");
  EXPECT_FALSE(timings.Load(Path("report.json"), &error));
  EXPECT_NE(error.find("not a timings file"), std::string::npos) << error;
  Write("broken.json", R"({"sigconform_timings": 1, "implementations": {)");
  error.clear();
  EXPECT_FALSE(timings.Load(Path("broken.json"), &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(timings.Load(dir_.string(), &error));  // a directory
  EXPECT_EQ(timings.size(), 0u);
}

TEST_F(CaseTimingsTest, EntriesThatAreNoDurationsAreSkipped) {
  Write("t.json", R"({"sigconform_timings": 1, "implementations": {
    "cpython": {"a/ok": 0.25, "a/neg": -1, "a/text": "slow", "a/null": null},
    "pypy": 7}})");
  CaseTimings timings;
  std::string error;
  ASSERT_TRUE(timings.Load(Path("t.json"), &error)) << error;
  EXPECT_EQ(timings.size(), 1u);
  EXPECT_DOUBLE_EQ(*timings.Seconds("cpython", "a/ok"), 0.25);
}

}  // namespace
}  // namespace sigconform
