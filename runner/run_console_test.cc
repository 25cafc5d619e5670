#include "run_console.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sigconform {
namespace {

Result Make(const std::string& id, Status s, const std::string& message) {
  Result r;
  r.case_id = id;
  r.implementation = "cpython";
  r.status = s;
  r.message = message;
  return r;
}

TEST(Console, WithoutATerminalOnlyUnexpectedResultsAndTheSummary) {
  std::ostringstream out;
  {
    Console console([&](const std::string& text) { out << text; }, ConsoleStyle{}, 3);
    console.Started(0, "masks/a on cpython");
    console.Finished(0, Make("masks/a", Status::kPass, ""));
    console.Started(1, "masks/b on cpython");
    Result fail = Make("masks/b", Status::kFail, "step 2: expected 1, got 2");
    fail.step = "2";
    fail.step_text = "alarm(1)";
    fail.reproduce = "sigconform run --filter masks/b";
    console.Finished(1, fail);
    console.Known(Make("masks/c", Status::kNotApplicable, "not on linux"));
    console.Summary({"cpython"}, {Make("masks/a", Status::kPass, ""), fail}, 1.25);
  }
  const std::string text = out.str();
  EXPECT_EQ(text,
            "FAIL  cpython  masks/b: step 2: expected 1, got 2\n"
            "    step 2: alarm(1)\n"
            "    reproduce: sigconform run --filter masks/b\n"
            "\n"
            "cpython: 2 cases, 1 pass, 1 fail\n"
            "finished in 1.2 s\n");
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\033'), std::string::npos);
}

TEST(Console, LiveLineIsRedrawnAndErasedBeforeOtherLines) {
  std::ostringstream out;
  ConsoleStyle style;
  style.live = true;
  {
    Console console([&](const std::string& text) { out << text; }, style, 2);
    console.Started(0, "masks/slow on pypy");
    console.Finished(1, Make("masks/b", Status::kTimeout, "ended at 10 s"));
    console.Line("wrote r.json");
  }
  const std::string text = out.str();
  EXPECT_NE(text.find("[1/2] 1 unexpected"), std::string::npos) << text;
  EXPECT_NE(text.find("running 1: masks/slow on pypy ("), std::string::npos) << text;
  // Every other line starts on a fresh or cleared line, never after progress text; the
  // console ends with the progress line erased.
  const size_t result = text.find("TIMEOUT  cpython  masks/b");
  ASSERT_NE(result, std::string::npos) << text;
  EXPECT_TRUE(result == 0 || text.compare(result - 4, 4, "\r\033[K") == 0) << text;
  EXPECT_NE(text.find("\r\033[Kwrote r.json\n"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");
  // No colour was asked for.
  EXPECT_EQ(text.find("\033[3"), std::string::npos);
}

TEST(Console, ColoursOnlyWhenAsked) {
  std::ostringstream out;
  ConsoleStyle style;
  style.colour = true;
  {
    Console console([&](const std::string& text) { out << text; }, style, 1);
    console.Finished(0, Make("masks/b", Status::kFail, "x"));
  }
  EXPECT_EQ(out.str().rfind("\033[31mFAIL\033[0m  cpython  masks/b", 0), 0u) << out.str();
}

}  // namespace
}  // namespace sigconform
