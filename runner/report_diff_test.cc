#include "report_diff.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

Result Make(const std::string& id, Status s, const std::string& step = "") {
  Result r;
  r.case_id = id;
  r.implementation = "pypy";
  r.status = s;
  r.step = step;
  return r;
}

TEST(DiffResults, ClassifiesEveryKindOfChange) {
  const std::vector<Result> before = {
      Make("a/regressed", Status::kPass),       Make("a/fixed", Status::kFail, "2"),
      Make("a/moved", Status::kFail, "2"),      Make("a/same", Status::kFail, "2"),
      Make("a/known", Status::kXfail, "1"),     Make("a/gone", Status::kPass),
      Make("a/now-na", Status::kPass),
  };
  const std::vector<Result> after = {
      Make("a/regressed", Status::kTimeout),    Make("a/fixed", Status::kPass),
      Make("a/moved", Status::kFail, "5"),      Make("a/same", Status::kFail, "2"),
      Make("a/known", Status::kXfail, "1"),     Make("a/new-pass", Status::kPass),
      Make("a/new-fail", Status::kFail, "0"),   Make("a/now-na", Status::kNotApplicable),
  };
  const std::vector<Change> changes = DiffResults(before, after);
  std::vector<std::string> got;
  for (const Change& c : changes) got.push_back(std::string(ChangeKindName(c.kind)) + " " + c.case_id);
  EXPECT_EQ(got, (std::vector<std::string>{"fix a/fixed", "removed a/gone", "changed a/moved",
                                           "regression a/new-fail", "added a/new-pass",
                                           "changed a/now-na", "regression a/regressed"}));
  const nlohmann::json j = DiffJson(changes);
  EXPECT_EQ(j["regressions"], 2);
  EXPECT_EQ(j["fixes"], 1);
  EXPECT_EQ(j["changes"][2]["before_step"], "2");
  EXPECT_EQ(j["changes"][2]["after_step"], "5");
}

TEST(DiffResults, IdenticalRunsHaveNoChange) {
  const std::vector<Result> run = {Make("a/x", Status::kPass), Make("a/y", Status::kFail, "1")};
  EXPECT_TRUE(DiffResults(run, run).empty());
}

}  // namespace
}  // namespace sigconform
