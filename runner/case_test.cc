#include "case.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

using nlohmann::json;

TEST(DriverProgram, HasProtocolCaseHandlersAndSteps) {
  Case c;
  c.id = "area/name";
  c.handlers = {{"h", {{"record", true}}}};
  c.steps = json::parse(R"([{"call": "getsignal", "args": ["@SIGINT"], "bind": "x"}])");
  const json program = DriverProgram(c);
  EXPECT_EQ(program, json::parse(R"({"protocol": 1, "case": "area/name",
      "handlers": {"h": {"record": true}},
      "steps": [{"call": "getsignal", "args": ["@SIGINT"], "bind": "x"}]})"));
}

TEST(DriverProgram, StripsExpectAndNoteFromStepsAndThreadSubsteps) {
  Case c;
  c.id = "area/name";
  c.steps = json::parse(R"([
    {"do": "check", "expect": {"events": []}, "note": "why"},
    {"do": "thread", "name": "t", "note": "x", "expect": {"returns": null}, "steps": [
      {"do": "thread", "name": "u", "steps": [{"do": "check", "expect": {"events": []}}]},
      {"call": "alarm", "args": [0], "expect": {"returns": 0}, "note": "inner"}]}])");
  const json steps = DriverProgram(c)["steps"];
  EXPECT_EQ(steps, json::parse(R"([
    {"do": "check"},
    {"do": "thread", "name": "t", "steps": [
      {"do": "thread", "name": "u", "steps": [{"do": "check"}]},
      {"call": "alarm", "args": [0]}]}])"));
}

TEST(DriverProgram, KeepsKwargsNamedLikeStepKeys) {
  // Only step-level keys are for the runner; a keyword argument called "note" is program.
  Case c;
  c.id = "area/name";
  c.steps = json::parse(R"([{"call": "f", "kwargs": {"note": 1, "expect": 2}}])");
  EXPECT_EQ(DriverProgram(c)["steps"][0]["kwargs"], json::parse(R"({"note": 1, "expect": 2})"));
}

TEST(DriverProgram, DoesNotChangeTheCase) {
  Case c;
  c.id = "area/name";
  c.steps = json::parse(R"([{"do": "check", "expect": {"events": []}}])");
  DriverProgram(c);
  EXPECT_TRUE(c.steps[0].contains("expect"));
}

}  // namespace
}  // namespace sigconform
