// The shrinker on plain documents with a pretend oracle: what it removes, what it keeps
// together, and that it stops.
#include "explore/shrink.h"

#include <gtest/gtest.h>

#include "catalog.h"
#include "explore/generator.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

json Program() {
  return json::parse(R"({
    "id": "explore/s1-p2", "title": "a generated program", "rules": ["x.y"],
    "parent": {"block": ["SIGUSR2", "SIGHUP"], "pending": ["SIGUSR2"], "ignore": ["SIGTERM"]},
    "handlers": {"rec": {"record": true}, "boom": {"record": true, "raise": "RuntimeError"}},
    "steps": [
      {"call": "signal", "args": ["@SIGUSR1", {"handler": "boom"}]},
      {"do": "ident", "thread": "main", "bind": "main"},
      {"call": "getsignal", "args": ["@SIGHUP"]},
      {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", {"set": ["@SIGUSR1", "@SIGALRM"]}]},
      {"do": "parent_kill", "sig": "SIGUSR1"},
      {"call": "sigwait", "args": [{"set": ["@SIGUSR1"]}], "note": "explore: waits for the step before"},
      {"call": "pthread_kill", "args": ["$main", "@SIGCHLD"]},
      {"call": "sigpending", "args": []}
    ]})");
}

bool HasCall(const json& doc, const std::string& fn) {
  for (const json& s : doc["steps"]) {
    if (s.value("call", "") == fn) return true;
  }
  return false;
}

DivergesBatch Pretend(std::function<bool(const json&)> diverges, size_t* calls) {
  return [=](const std::vector<json>& docs) {
    std::vector<bool> out;
    for (const json& d : docs) {
      (*calls)++;
      out.push_back(diverges(d));
    }
    return out;
  };
}

TEST(ShrinkTest, KeepsOnlyTheStepThatStillDiverges) {
  size_t calls = 0;
  ShrinkStats stats;
  json shrunk = Shrink(Program(), Pretend([](const json& d) { return HasCall(d, "getsignal"); }, &calls),
                       3, 500, &stats);
  ASSERT_EQ(shrunk["steps"].size(), 1u) << shrunk.dump();
  EXPECT_EQ(shrunk["steps"][0]["call"], "getsignal");
  EXPECT_EQ(shrunk["steps"][0]["args"][0], "@SIGUSR1") << "arguments are simplified too";
  EXPECT_FALSE(shrunk.contains("parent"));
  EXPECT_FALSE(shrunk.contains("handlers")) << "handlers no step names are dropped";
  EXPECT_FALSE(stats.exhausted);
  EXPECT_EQ(stats.evaluated, calls);
}

TEST(ShrinkTest, TheResultDoesNotDependOnTheBatchSize) {
  auto diverges = [](const json& d) {
    return HasCall(d, "pthread_kill") && d.contains("parent") && d["parent"].contains("ignore");
  };
  size_t calls = 0;
  json one = Shrink(Program(), Pretend(diverges, &calls), 1, 1000, nullptr);
  json four = Shrink(Program(), Pretend(diverges, &calls), 4, 1000, nullptr);
  EXPECT_EQ(one, four);
  // pthread_kill needs the ident step that binds $main: both stay.
  EXPECT_EQ(one["steps"].size(), 2u) << one.dump();
  EXPECT_EQ(one["parent"], json::parse(R"({"ignore": ["SIGTERM"]})"));
}

TEST(ShrinkTest, EveryCandidateIsValidAndKeepsAWaitWithItsSource) {
  for (const json& c : ShrinkCandidates(Program())) {
    EXPECT_TRUE(ValidateCase(c, "explore", c["id"], nullptr).empty()) << c.dump();
    const json& steps = c["steps"];
    for (size_t i = 0; i < steps.size(); i++) {
      if (steps[i].value("note", "") != kWaitsNote) continue;
      ASSERT_GT(i, 0u) << c.dump();
      EXPECT_EQ(steps[i - 1].value("do", ""), "parent_kill") << c.dump();
    }
    bool source = false;
    for (size_t i = 0; i < steps.size(); i++) {
      if (steps[i].value("do", "") == "parent_kill") {
        source = true;
        ASSERT_LT(i + 1, steps.size());
        EXPECT_EQ(steps[i + 1].value("note", ""), kWaitsNote);
      }
    }
    (void)source;
  }
}

TEST(ShrinkTest, StopsAtTheEvaluationLimit) {
  size_t calls = 0;
  ShrinkStats stats;
  Shrink(Program(), Pretend([](const json&) { return true; }, &calls), 2, 5, &stats);
  EXPECT_EQ(calls, 5u);
  EXPECT_TRUE(stats.exhausted);
}

TEST(ShrinkTest, ANonDivergingCandidateLeavesTheProgramAsItWas) {
  size_t calls = 0;
  json doc = Program();
  json out = Shrink(doc, Pretend([](const json&) { return false; }, &calls), 3, 1000, nullptr);
  // Only unused handlers could go, and every handler here is... not all used: rec is not.
  EXPECT_EQ(out["steps"], doc["steps"]);
  EXPECT_EQ(out["parent"], doc["parent"]);
}

}  // namespace
}  // namespace sigconform
