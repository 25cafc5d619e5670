#include "schedule.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

Case WithSteps(const char* steps) {
  Case c;
  c.id = "x/y";
  c.steps = nlohmann::json::parse(steps);
  return c;
}

TEST(EstimateCost, ACaseThatOnlyCallsCostsNothing) {
  CaseCost cost = EstimateCost(WithSteps(
      R"([{"call": "getsignal", "args": ["@SIGINT"], "expect": {"returns": {"Handlers": "SIG_DFL"}}}])"));
  EXPECT_EQ(cost.seconds, 0.0);
  EXPECT_FALSE(cost.cpu_bound);
}

TEST(EstimateCost, SleepsAndElapsedLowerBoundsAddUpAlsoInThreads) {
  CaseCost cost = EstimateCost(WithSteps(R"([
    {"do": "sleep", "seconds": 0.5},
    {"call": "alarm", "args": [1]},
    {"do": "wait", "events": 1, "timeout": 10, "expect": {"returns": 1, "elapsed": [0.8, 10]}},
    {"do": "thread", "name": "t", "steps": [{"do": "sleep", "seconds": 2}]}
  ])"));
  EXPECT_DOUBLE_EQ(cost.seconds, 3.3);
  EXPECT_FALSE(cost.cpu_bound);
}

TEST(EstimateCost, BurningCpuMakesACaseCpuBound) {
  CaseCost burn = EstimateCost(WithSteps(R"([{"do": "burn_cpu", "seconds": 0.4}])"));
  EXPECT_TRUE(burn.cpu_bound);
  EXPECT_DOUBLE_EQ(burn.seconds, 0.4);
  EXPECT_TRUE(EstimateCost(WithSteps(R"([{"do": "native_busy", "seconds": 1}])")).cpu_bound);
}

TEST(EstimateCost, ABurnThatEndsAtEventsCountsTheCpuItExpectsNotItsLimit) {
  // 20 s is the limit of a burn that ends at three timer intervals; 0.05 s is what it must
  // return at least. Without an expected range its length is unknown: 0.
  CaseCost burn = EstimateCost(WithSteps(R"([{"do": "burn_cpu", "seconds": 20, "events": 3,
      "expect": {"returns": {"$range": [0.05, 20]}}}])"));
  EXPECT_DOUBLE_EQ(burn.seconds, 0.05);
  EXPECT_TRUE(burn.cpu_bound);
  EXPECT_EQ(EstimateCost(WithSteps(R"([{"do": "burn_cpu", "seconds": 20, "events": 1}])")).seconds,
            0.0);
}

TEST(EstimateCost, AWaitThatExpectsFewerEventsLastsItsTimeout) {
  CaseCost cost = EstimateCost(WithSteps(R"([
    {"do": "wait", "events": 1, "timeout": 0.5, "expect": {"returns": 0, "events": []}},
    {"do": "wait", "events": 1, "timeout": 10, "expect": {"returns": 1}},
    {"do": "wait", "events": 2, "timeout": 7}
  ])"));
  EXPECT_DOUBLE_EQ(cost.seconds, 0.5);
}

TEST(EstimateCost, NonNumbersAndNegativesCountAsZero) {
  CaseCost cost = EstimateCost(WithSteps(R"([
    {"do": "sleep", "seconds": "a while"},
    {"do": "sleep", "seconds": -3},
    {"do": "read", "fd": "$r", "expect": {"elapsed": []}}
  ])"));
  EXPECT_EQ(cost.seconds, 0.0);
}

TEST(LongestFirst, LongestStartsFirstAndTiesKeepTheirOrder) {
  EXPECT_EQ(LongestFirst({0.0, 2.0, 0.0, 5.0, 2.0}), (std::vector<size_t>{3, 1, 4, 0, 2}));
  EXPECT_TRUE(LongestFirst({}).empty());
}

}  // namespace
}  // namespace sigconform
