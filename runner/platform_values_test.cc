#include "platform_values.h"

#include <gtest/gtest.h>

#include <csignal>

#include "catalog.h"

namespace sigconform {
namespace {

using nlohmann::json;

Case Make(const char* steps) {
  json doc = {{"id", "area/name"},
              {"title", "A case for the platform values tests"},
              {"rules", {"meta.test"}},
              {"steps", json::parse(steps)}};
  Case c;
  for (const auto& e : ValidateCase(doc, "area/name.json", "area/name", &c)) {
    ADD_FAILURE() << FormatCatalogError(e);
  }
  return c;
}

std::vector<std::string> Errors(const char* steps) {
  json doc = {{"id", "area/name"}, {"title", "A case for the validator tests"}, {"rules", {"meta.test"}},
              {"steps", json::parse(steps)}};
  Case c;
  std::vector<std::string> out;
  for (const auto& e : ValidateCase(doc, "area/name.json", "area/name", &c)) {
    out.push_back(FormatCatalogError(e));
  }
  return out;
}

// Emscripten's C library: SIG_IGN is not 1 there, and musl keeps three signals for itself.
const PlatformValues kEmscripten = {{"SIG_DFL", 0}, {"SIG_IGN", 4294967294}, {"NSIG", 65},
                                    {"SIGRTMIN", 35}, {"SIGRTMAX", 64}};

TEST(PlatformValues, TheHostsAreItsSignalH) {
  const PlatformValues host = HostPlatformValues();
  EXPECT_EQ(host.at("SIG_DFL"), 0);
  EXPECT_EQ(host.at("SIG_IGN"), 1);  // glibc and musl on Linux
  EXPECT_EQ(host.at("NSIG"), NSIG);
  EXPECT_EQ(host.at("SIGRTMIN"), SIGRTMIN);
  EXPECT_EQ(host.at("SIGRTMAX"), SIGRTMAX);
}

// The runner's own numbers decide where it shares the C library: a driver that reports other
// numbers (a module with a wrong SIG_IGN reads it from itself) cannot make them right.
TEST(PlatformValues, ReportedNumbersCountOnlyWhereTheRunnerCannotKnowThem) {
  const PlatformValues lying = {{"SIG_IGN", 7}, {"SIGRTMIN", 40}};
  EXPECT_EQ(PlatformValuesFor("linux", lying), HostPlatformValues());
  EXPECT_EQ(PlatformValuesFor("emscripten", kEmscripten), kEmscripten);
  PlatformValues partial = PlatformValuesFor("wasi", {{"SIG_IGN", 1}, {"UNKNOWN", 3}});
  EXPECT_EQ(partial, (PlatformValues{{"SIG_IGN", 1}}));
}

TEST(PlatformValues, ResolvesArgumentsAndMatchersEverywhereInTheSteps) {
  Case c = Make(R"([
    {"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN"}]},
    {"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "float": true}]},
    {"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "text": "{}"}]},
    {"do": "text", "of": "@SIG_IGN", "form": "repr",
     "expect": {"returns": {"platform": "SIG_IGN", "text": "<Handlers.SIG_IGN: {}>"}}},
    {"do": "attribute", "name": "SIGRTMIN",
     "expect": {"returns": {"$all": [{"Signals": "SIGRTMIN"}, {"$intlike": {"platform": "SIGRTMIN"}}]}}},
    {"do": "thread", "name": "t", "steps": [
      {"do": "attribute", "name": "NSIG", "expect": {"returns": {"platform": "NSIG"}}}]},
    {"do": "text", "of": 1, "form": "str", "expect": {"returns": {"platform": "SIG_DFL", "text": "${}"}}}
  ])");
  EXPECT_EQ(PlatformValuesUsed(c), (std::vector<std::string>{"NSIG", "SIGRTMIN", "SIG_DFL", "SIG_IGN"}));
  std::vector<std::string> missing;
  ASSERT_TRUE(ResolvePlatformValues(kEmscripten, &c, &missing));
  EXPECT_EQ(c.steps[0]["args"][1], json(4294967294LL));
  EXPECT_EQ(c.steps[1]["args"][1], json::parse(R"({"float": 4294967294.0})"));
  EXPECT_EQ(c.steps[2]["args"][1], json("4294967294"));
  EXPECT_EQ(c.steps[3]["expect"]["returns"], json("<Handlers.SIG_IGN: 4294967294>"));
  EXPECT_EQ(c.steps[4]["expect"]["returns"]["$all"][1], json::parse(R"({"$intlike": 35})"));
  EXPECT_EQ(c.steps[5]["steps"][0]["expect"]["returns"], json(65));
  EXPECT_EQ(c.steps[6]["expect"]["returns"], json("$$0"));  // stays a literal, not a binding
  EXPECT_TRUE(PlatformValuesUsed(c).empty());
}

TEST(PlatformValues, ANumberTheValuesLackLeavesTheCaseAsItWas) {
  Case c = Make(R"([{"do": "attribute", "name": "SIGRTMAX", "expect": {"returns": {"$intlike": {"platform": "SIGRTMAX"}}}},
                    {"do": "attribute", "name": "NSIG", "expect": {"returns": {"platform": "NSIG"}}}])");
  const json before = c.steps;
  std::vector<std::string> missing;
  EXPECT_FALSE(ResolvePlatformValues({{"SIG_IGN", 1}}, &c, &missing));
  EXPECT_EQ(missing, (std::vector<std::string>{"NSIG", "SIGRTMAX"}));
  EXPECT_EQ(c.steps, before);
}

TEST(PlatformValues, TheValidatorRefusesMalformedForms) {
  const auto fine = Errors(R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN"}]}])");
  EXPECT_TRUE(fine.empty()) << fine.front();
  for (const char* steps : {
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIGUSR1"}]}])",
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "float": false}]}])",
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "text": "no place"}]}])",
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "text": "{}{}"}]}])",
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "float": true, "text": "{}"}]}])",
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": "SIG_IGN", "extra": 1}]}])",
           R"([{"call": "signal", "args": ["@SIGUSR1", {"platform": 1}]}])",
           R"([{"do": "attribute", "name": "NSIG", "expect": {"returns": {"$intlike": {"platform": "NSIG", "float": true}}}}])",
       }) {
    EXPECT_FALSE(Errors(steps).empty()) << steps;
  }
}

}  // namespace
}  // namespace sigconform
