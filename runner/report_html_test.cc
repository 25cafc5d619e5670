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
  info.implementations = {{"reference", "", {}, {}}, {"cpython", "", {}, {}}};
  std::vector<Result> results = {
      Make("masks/a", "reference", Status::kPass, ""),
      Make("masks/a", "cpython", Status::kFail, "step 1: expected a set"),
      Make("timers/b", "reference", Status::kNotApplicable, "needs linux"),
  };
  const std::string html = ReportHtml(info, results);
  EXPECT_NE(html.find("<th data-col=\"0\">reference</th><th data-col=\"1\">cpython</th>"),
            std::string::npos) << html;
  EXPECT_NE(html.find("<code>masks/a</code>"), std::string::npos);
  EXPECT_NE(html.find("<tr data-section=\"timers\"><th>timers</th>"), std::string::npos);  // a pass rate row
  EXPECT_NE(html.find("title=\"step 1: expected a set\">fail<"), std::string::npos);
  // The missing cpython cell of timers/b is an empty cell, not a guessed status.
  EXPECT_NE(html.find(">not-applicable</td><td data-col=\"1\"></td></tr>"), std::string::npos);
  // The pass rates: masks is 1/1 on the reference, 0/1 on cpython; timers applies nowhere.
  EXPECT_NE(html.find(">1/1 (100 %)<"), std::string::npos);
  EXPECT_NE(html.find(">0/1 (0 %)<"), std::string::npos);
  EXPECT_NE(html.find(">0/0 (—)<"), std::string::npos);
}

TEST(ReportHtml, MessagesAreEscaped) {
  RunInfo info;
  info.implementations = {{"x", "", {}, {}}};
  const std::string html =
      ReportHtml(info, {Make("a/b", "x", Status::kFail, "<script>\"&\"</script>\u2028")});
  // Two script elements: the data and the page's own; the message never opens a third.
  size_t scripts = 0;
  for (size_t at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) ++scripts;
  EXPECT_EQ(scripts, 2u);
  EXPECT_NE(html.find("&lt;script&gt;&quot;&amp;&quot;&lt;/script&gt;"), std::string::npos);
  // In the embedded JSON, "<", ">", "&" and U+2028 are escapes: nothing can end the element.
  EXPECT_NE(html.find("\\u003cscript\\u003e\\\"\\u0026\\\"\\u003c/script\\u003e\\u2028"), std::string::npos);
}

TEST(ReportHtml, BaselineChangesAreListedAndMarked) {
  RunInfo info;
  info.implementations = {{"x", "", {}, {}}};
  const std::vector<Result> before = {Make("a/b", "x", Status::kPass, ""), Make("a/c", "x", Status::kFail, "no")};
  const std::vector<Result> after = {Make("a/b", "x", Status::kFail, "now"), Make("a/c", "x", Status::kFail, "no")};
  const std::string html = ReportHtml(info, after, &before);
  EXPECT_NE(html.find("<li data-kind=\"regression\"><strong>regression</strong> <code>a/b</code>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<code>a/c</code> on"), std::string::npos) << "an unchanged pair is not listed";
  EXPECT_NE(html.find("data-changed tabindex=\"0\" title=\"now\">fail<div class=\"was\">was pass</div>"), std::string::npos);
  EXPECT_NE(html.find("name=\"changed\""), std::string::npos);
}

TEST(ReportHtml, PassRatesAreBySpecSectionOfTheCitedRules) {
  RunInfo info;
  info.implementations = {{"x", "", {}, {}}};
  info.rules = {{"mask.a", {"A.", "documented", "Masks"}}, {"pending.b", {"B.", "documented", "Pending"}}};
  Result both = Make("masks/both", "x", Status::kFail, "no");
  both.rules = {"mask.a", "pending.b"};
  Result one = Make("masks/one", "x", Status::kPass, "");
  one.rules = {"mask.a"};
  const std::string html = ReportHtml(info, {both, one});
  EXPECT_NE(html.find("<tr data-section=\"Masks\"><th>Masks</th><td data-col=\"0\" class=\"s-bad\">1/2 (50 %)</td>"),
            std::string::npos) << html;
  EXPECT_NE(html.find("<tr data-section=\"Pending\"><th>Pending</th><td data-col=\"0\" class=\"s-bad\">0/1 (0 %)</td>"),
            std::string::npos);
}

TEST(ReportHtml, TotalsAndRowsShowTheRuleTier) {
  RunInfo info;
  info.implementations = {{"cpython", "", {}, {}}};
  std::vector<Result> results = {Make("masks/a", "cpython", Status::kPass, ""),
                                 Make("masks/b", "cpython", Status::kFail, "wrong"),
                                 Make("startup/c", "cpython", Status::kFail, "wrong")};
  results[0].tiers = {"documented"};
  results[1].tiers = {"documented"};
  results[2].tiers = {"compat"};
  const std::string html = ReportHtml(info, results);
  // passed, judged, pass rate, unexpected, results.
  EXPECT_NE(html.find("<tr data-impl=\"cpython\" data-tier=\"documented\"><th>cpython</th><td>documented</td>"
                      "<td class=\"n\">1</td><td class=\"n\">2</td><td class=\"s-bad\">50 %</td>"
                      "<td class=\"n\">1</td><td class=\"n\">2</td></tr>"),
            std::string::npos) << html;
  EXPECT_NE(html.find("<td>settled from CPython</td><td class=\"n\">0</td><td class=\"n\">1</td>"),
            std::string::npos) << html;
  EXPECT_NE(html.find("data-tier=\"compat\" data-search=\"startup/c \""), std::string::npos) << html;
  EXPECT_NE(html.find("<option value=\"compat\">settled from CPython</option>"), std::string::npos) << html;
  EXPECT_NE(html.find("[\"tier\",\"documented\"]"), std::string::npos) << "the drill-down's facts: " << html;
}

}  // namespace
}  // namespace sigconform
