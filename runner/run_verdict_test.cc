#include "run_verdict.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

Result Make(const std::string& impl, Status s) {
  Result r;
  r.implementation = impl;
  r.status = s;
  return r;
}

TEST(JudgeRun, AnyUnexpectedResultFailsTheRun) {
  EXPECT_TRUE(JudgeRun({"a"}, {Make("a", Status::kPass), Make("a", Status::kXfail)}, {}).ok);
  for (Status s : {Status::kFail, Status::kMissing, Status::kError, Status::kCrash,
                   Status::kTimeout, Status::kXpass, Status::kNotRun, Status::kFlaky}) {
    const Verdict v = JudgeRun({"a"}, {Make("a", Status::kPass), Make("a", s)}, {});
    EXPECT_FALSE(v.ok) << StatusName(s);
    EXPECT_EQ(v.unexpected, 1u);
  }
}

TEST(JudgeRun, TooFewJudgedCasesFailTheRunEvenWithoutUnexpectedResults) {
  // A driver that supports one action: 1 pass, 3 unsupported, 10 not-applicable (left out).
  std::vector<Result> results = {Make("partial", Status::kPass)};
  for (int i = 0; i < 3; ++i) results.push_back(Make("partial", Status::kUnsupported));
  for (int i = 0; i < 10; ++i) results.push_back(Make("partial", Status::kNotApplicable));
  results.push_back(Make("full", Status::kPass));
  EXPECT_DOUBLE_EQ(JudgedPercent(results, "partial"), 25.0);
  EXPECT_DOUBLE_EQ(JudgedPercent(results, "full"), 100.0);
  Gates gates;
  const Verdict v = JudgeRun({"full", "partial"}, results, gates);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.unexpected, 0u);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "partial: judged 25.0 % of its applicable cases, below --min-judged 50");
  gates.min_judged_percent = 25;
  EXPECT_TRUE(JudgeRun({"full", "partial"}, results, gates).ok);
  gates.min_judged_percent = 0;
  EXPECT_TRUE(JudgeRun({}, {Make("x", Status::kUnsupported)}, gates).ok);
}

TEST(JudgedPercent, OnlyNotApplicableIsLeftOut) {
  EXPECT_DOUBLE_EQ(JudgedPercent({Make("a", Status::kNotApplicable)}, "a"), 100.0);
  EXPECT_DOUBLE_EQ(JudgedPercent({Make("a", Status::kFail), Make("a", Status::kError)}, "a"), 50.0);
  EXPECT_DOUBLE_EQ(JudgedPercent({Make("a", Status::kNotRun), Make("a", Status::kXfail)}, "a"), 50.0);
}

TEST(TallyByTier, CountsEachResultUnderEveryTierItsCaseRestsOn) {
  Result documented_pass = Make("a", Status::kPass);
  documented_pass.tiers = {"documented"};
  Result compat_fail = Make("a", Status::kFail);
  compat_fail.tiers = {"compat"};
  Result both_error = Make("a", Status::kError);
  both_error.tiers = {"documented", "compat"};
  Result untiered_na = Make("b", Status::kNotApplicable);
  const auto tally = TallyByTier({documented_pass, compat_fail, both_error, untiered_na});
  const TierTally& d = tally.at("a").at("documented");
  EXPECT_EQ(d.results, 2u);
  EXPECT_EQ(d.judged, 1u);  // error is no verdict on the behaviour
  EXPECT_EQ(d.passed, 1u);
  EXPECT_EQ(d.unexpected, 1u);
  const TierTally& c = tally.at("a").at("compat");
  EXPECT_EQ(c.results, 2u);
  EXPECT_EQ(c.judged, 1u);
  EXPECT_EQ(c.passed, 0u);
  EXPECT_EQ(c.unexpected, 2u);
  EXPECT_EQ(tally.at("b").at("").results, 1u);
  EXPECT_EQ(tally.at("b").at("").judged, 0u);
}

TEST(ClassifyRepeats, StableBrokenAndFlaky) {
  Status folded;
  Repetition r = ClassifyRepeats({Status::kPass, Status::kPass, Status::kPass}, &folded);
  EXPECT_EQ(r.stability, "stable");
  EXPECT_EQ(folded, Status::kPass);
  EXPECT_EQ(r.runs, 3);
  r = ClassifyRepeats({Status::kFail, Status::kFail}, &folded);
  EXPECT_EQ(r.stability, "broken");
  EXPECT_EQ(folded, Status::kFail);
  r = ClassifyRepeats({Status::kPass, Status::kTimeout, Status::kPass}, &folded);
  EXPECT_EQ(r.stability, "flaky");
  EXPECT_EQ(folded, Status::kFlaky);
  EXPECT_EQ(r.verdicts[1], Status::kTimeout);
  r = ClassifyRepeats({Status::kFail, Status::kTimeout}, &folded);
  EXPECT_EQ(r.stability, "flaky");
}

TEST(JudgeRun, DocumentedOnlyLiftsFailuresRestingOnSettledRulesAlone) {
  Result settled = Make("a", Status::kFail);
  settled.tiers = {"compat"};
  Result documented = Make("a", Status::kFail);
  documented.tiers = {"documented"};
  Result mixed = Make("a", Status::kTimeout);
  mixed.tiers = {"documented", "compat"};
  Result settled_error = Make("a", Status::kError);
  settled_error.tiers = {"compat"};
  Gates gates;
  EXPECT_FALSE(JudgeRun({"a"}, {settled}, gates).ok) << "by default every tier counts";
  gates.documented_only = true;
  const Verdict v = JudgeRun({"a"}, {settled}, gates);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.lifted, 1u);
  EXPECT_FALSE(JudgeRun({"a"}, {documented}, gates).ok);
  EXPECT_FALSE(JudgeRun({"a"}, {mixed}, gates).ok);
  EXPECT_FALSE(JudgeRun({"a"}, {settled_error}, gates).ok) << "harness trouble is never lifted";
  Result unknown = Make("a", Status::kFail);  // no tiers known: it counts
  EXPECT_FALSE(JudgeRun({"a"}, {unknown}, gates).ok);
}

}  // namespace
}  // namespace sigconform
