#include "step_text.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

using nlohmann::json;

TEST(StepText, ACallIsWrittenAsTheCallItWas) {
  EXPECT_EQ(StepText(json::parse(R"({"call": "pthread_sigmask", "args": ["@SIG_BLOCK", {"set": ["@SIGUSR1"]}],
                                     "expect": {"returns": {"set": []}}})")),
            "pthread_sigmask(SIG_BLOCK, {SIGUSR1})");
  EXPECT_EQ(StepText(json::parse(R"({"call": "signal", "args": ["@SIGKILL", "@SIG_IGN"]})")),
            "signal(SIGKILL, SIG_IGN)");
  EXPECT_EQ(StepText(json::parse(R"({"call": "default_int_handler", "args": []})")),
            "default_int_handler()");
}

TEST(StepText, BindingsKeywordsAndEveryArgumentForm) {
  EXPECT_EQ(StepText(json::parse(R"({"call": "setitimer", "args": ["@ITIMER_REAL", {"float": 0.5}],
                                     "kwargs": {"interval": {"float": 0.25}}, "bind": "old"})")),
            "old = setitimer(ITIMER_REAL, 0.5, interval=0.25)");
  EXPECT_EQ(StepText(json::parse(R"({"do": "pipe", "bind": ["r", "w"]})")), "r, w = pipe()");
  EXPECT_EQ(StepText(json::parse(R"({"call": "f", "args": ["$old", "text", null, true, 5,
      {"bytes": "00ff"}, {"set": []}, {"tuple": [1]}, {"tuple": [1, 2]}, [1, "@@x"],
      {"handler": "h"}, "$$y"]})")),
            "f(old, 'text', None, True, 5, b'\\x00\\xff', set(), (1,), (1, 2), [1, '@x'], h, '$y')");
}

TEST(StepText, ActionsShowTheirFieldsAndThreadsTheirStepCount) {
  EXPECT_EQ(StepText(json::parse(R"({"do": "kill", "sig": "@SIGUSR1", "note": "why"})")),
            "kill(sig=SIGUSR1)");
  EXPECT_EQ(StepText(json::parse(R"({"do": "wait", "events": 1, "timeout": 5})")),
            "wait(events=1, timeout=5)");
  EXPECT_EQ(StepText(json::parse(R"({"do": "thread", "name": "t", "steps": [{"do": "check"}]})")),
            "thread(name='t', steps=[1 step])");
}

TEST(StepText, LongTextIsCutOnACharacterBoundary) {
  std::string big = R"({"call": "f", "args": [")";
  for (int i = 0; i < 100; ++i) big += "\u00e9";  // two bytes each
  big += "\"]}";
  const std::string text = StepText(json::parse(big), 41);
  EXPECT_LE(text.size(), 41u);
  EXPECT_EQ(text.substr(text.size() - 3), "...");
  EXPECT_EQ(text.substr(0, 3), "f('");
  // No half character before the dots.
  EXPECT_NE(static_cast<unsigned char>(text[text.size() - 4]), 0xC3);
}

TEST(StepAtPath, FindsMainAndThreadSteps) {
  const json steps = json::parse(R"([{"do": "check"},
    {"do": "thread", "name": "t", "steps": [{"do": "pipe"}, {"call": "alarm", "args": [1]}]}])");
  ASSERT_NE(StepAtPath(steps, "0"), nullptr);
  EXPECT_EQ(StepText(*StepAtPath(steps, "1.1")), "alarm(1)");
  EXPECT_EQ(StepAtPath(steps, "2"), nullptr);
  EXPECT_EQ(StepAtPath(steps, "0.0"), nullptr);
  EXPECT_EQ(StepAtPath(steps, "1.5"), nullptr);
  EXPECT_EQ(StepAtPath(steps, ""), nullptr);
  EXPECT_EQ(StepAtPath(steps, "1."), nullptr);
  EXPECT_EQ(StepAtPath(steps, "x"), nullptr);
}

}  // namespace
}  // namespace sigconform
