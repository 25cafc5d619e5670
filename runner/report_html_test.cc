#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report.h"

namespace sigconform {
namespace {

Result Make(const std::string& id, const std::string& impl, Status s, const std::string& msg) {
  Result r;
  r.case_id = id;
  r.implementation = impl;
  r.status = s;
  r.message = msg;
  return r;
}

TEST(ReportHtml, OneRowPerCaseOneColumnPerImplementation) {
  RunInfo info;
  info.started_at = "2026-01-01T00:00:00Z";
  info.implementations = {{"reference", {}}, {"cpython", {}}};
  std::vector<Result> results = {
      Make("masks/a", "reference", Status::kPass, ""),
      Make("masks/a", "cpython", Status::kFail, "step 1: expected a set"),
      Make("timers/b", "reference", Status::kNotApplicable, "needs linux"),
  };
  const std::string html = ReportHtml(info, results);
  EXPECT_NE(html.find("<th>reference</th><th>cpython</th>"), std::string::npos);
  EXPECT_NE(html.find(">masks/a<"), std::string::npos);
  EXPECT_NE(html.find(">timers<"), std::string::npos);  // an area heading
  EXPECT_NE(html.find("title=\"step 1: expected a set\">fail<"), std::string::npos);
  // The missing cpython cell of timers/b is an empty cell, not a guessed status.
  EXPECT_NE(html.find(">not-applicable</td><td></td></tr>"), std::string::npos);
}

TEST(ReportHtml, MessagesAreEscaped) {
  RunInfo info;
  info.implementations = {{"x", {}}};
  const std::string html =
      ReportHtml(info, {Make("a/b", "x", Status::kFail, "<script>\"&\"</script>")});
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;&quot;&amp;&quot;&lt;/script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace sigconform
