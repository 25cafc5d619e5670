#include "report_read.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "report_fixture.h"

namespace sigconform {
namespace {

using nlohmann::json;

TEST(ReadReport, RoundTripsEveryFieldReportJsonWrites) {
  const json written = ReportJson(SampleRun(), SampleResults());
  LoadedReport loaded;
  const auto errors = ReadReport(written, "r.json", &loaded);
  ASSERT_TRUE(errors.empty()) << FormatCatalogError(errors[0]);
  EXPECT_EQ(loaded.results.size(), SampleResults().size());
  // Written again, nothing is lost or changed: a merge carries every field through.
  EXPECT_EQ(ReportJson(loaded.run, loaded.results), written);
  // The environment is rebuilt from the implementation's and the result's changes.
  EXPECT_EQ(loaded.results[1].env, (std::vector<std::string>{"PATH=/usr/bin", "PYTHONUNBUFFERED=1"}));
}

TEST(ReadReport, ProblemsNameTheJsonPathAndWhatWasExpected) {
  json doc = ReportJson(SampleRun(), SampleResults());
  doc["results"][2]["status"] = "passed";
  doc["results"][3]["sandbox"] = "fork";
  doc["results"][4].erase("case");
  doc["results"][5]["implementation"] = "nobody";
  doc["run"]["jobs"] = "two";
  LoadedReport loaded;
  const auto errors = ReadReport(doc, "r.json", &loaded);
  std::vector<std::string> lines;
  for (const auto& e : errors) lines.push_back(FormatCatalogError(e));
  const auto has = [&](const std::string& text) {
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("r.json: /results/2/status: unknown status 'passed'")) << ::testing::PrintToString(lines);
  EXPECT_TRUE(has("/results/3/sandbox: unknown key 'sandbox'"));
  EXPECT_TRUE(has("/results/4: missing required key 'case'"));
  EXPECT_TRUE(has("/results/5/implementation: implementation 'nobody' is not in /run/implementations"));
  EXPECT_TRUE(has("/run/jobs: expected an integer"));
  EXPECT_TRUE(loaded.results.empty()) << "nothing is filled when there are problems";
}

TEST(ReadReport, RefusesOtherVersionsAndDuplicatePairs) {
  json doc = ReportJson(SampleRun(), SampleResults());
  json old = doc;
  old["sigconform_report"] = 1;
  LoadedReport loaded;
  auto errors = ReadReport(old, "old.json", &loaded);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("expected report format 2, got 1"), std::string::npos);
  doc["results"].push_back(doc["results"][0]);
  errors = ReadReport(doc, "r.json", &loaded);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("a second result for case 'area/pass'"), std::string::npos);
}

TEST(ReadReportFile, RefusesTooDeepAndInvalidJsonWithoutCrashing) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("sigconform-read-" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << std::string(100000, '[') << std::string(100000, ']');
  LoadedReport loaded;
  auto errors = ReadReportFile(path, &loaded);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("nested deeper than 64"), std::string::npos) << errors[0].message;
  std::ofstream(path) << "{\n\"sigconform_report\": 2,\n}";
  errors = ReadReportFile(path, &loaded);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("line 3"), std::string::npos) << errors[0].message;
  std::filesystem::remove(path);
  errors = ReadReportFile(path, &loaded);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message.rfind("cannot read", 0), 0u) << errors[0].message;
}

}  // namespace
}  // namespace sigconform
