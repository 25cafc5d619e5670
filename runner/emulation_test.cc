#include "emulation.h"

#include <gtest/gtest.h>

#include "plan.h"

namespace sigconform {
namespace {

using nlohmann::json;

Description Pyodide() {
  json record = {{"ev", "describe"}, {"protocol", 1}, {"implementation", "cpython"},
                 {"language_version", "3.13.2"}, {"platform", "emscripten"}, {"kernel", nullptr},
                 {"machine", "wasm32"}, {"executable", "node driver.cjs"},
                 {"names", {"signal", "getsignal", "SIGUSR1", "raise_signal"}},
                 {"operations", {"call", "kill", "check"}}};
  std::string error;
  auto d = ParseDescription(record, &error);
  EXPECT_TRUE(d.has_value()) << error;
  return *d;
}

Case CaseFor(std::vector<std::string> platforms, std::vector<std::string> names) {
  Case c;
  c.id = "area/name";
  c.platforms = std::move(platforms);
  c.requires_names = std::move(names);
  c.operations = {"call"};
  return c;
}

TEST(Emulation, WebAssemblyPlatformsAreEmulated) {
  EXPECT_TRUE(IsEmulatedPlatform("emscripten"));
  EXPECT_TRUE(IsEmulatedPlatform("wasi"));
  EXPECT_FALSE(IsEmulatedPlatform("linux"));
  EXPECT_FALSE(IsEmulatedPlatform("darwin"));
}

TEST(Emulation, RulesThatHoldEverywhereAreJudgedAsAnywhere) {
  EXPECT_EQ(JudgementOf({"all"}), Judgement::kAsAnywhere);
  EXPECT_EQ(JudgementOf({"all", "WebAssembly"}), Judgement::kAsAnywhere);
  EXPECT_EQ(JudgementOf({"all", "native"}), Judgement::kEmulated);
  EXPECT_EQ(JudgementOf({"Unix"}), Judgement::kEmulated);
  EXPECT_EQ(JudgementOf({}), Judgement::kEmulated);
}

TEST(Emulation, PlatformTagsCountAsOnLinuxUnlessTheyNameThePlatform) {
  EXPECT_TRUE(EmulatedPlatformMatches({}, "emscripten"));
  EXPECT_TRUE(EmulatedPlatformMatches({"unix"}, "emscripten"));
  EXPECT_TRUE(EmulatedPlatformMatches({"linux"}, "emscripten"));
  EXPECT_FALSE(EmulatedPlatformMatches({"windows"}, "emscripten"));
  EXPECT_FALSE(EmulatedPlatformMatches({"darwin"}, "emscripten"));
  EXPECT_FALSE(EmulatedPlatformMatches({"unix", "!emscripten"}, "emscripten"));
  EXPECT_TRUE(EmulatedPlatformMatches({"emscripten"}, "emscripten"));
  EXPECT_FALSE(EmulatedPlatformMatches({"wasi"}, "emscripten"));
}

TEST(Emulation, EmulatedResultsAreInformational) {
  EXPECT_EQ(EmulatedStatus(Status::kPass), Status::kEmulatedConforming);
  EXPECT_EQ(EmulatedStatus(Status::kFail), Status::kEmulatedDiverging);
  EXPECT_EQ(EmulatedStatus(Status::kTimeout), Status::kEmulatedDiverging);
  EXPECT_EQ(EmulatedStatus(Status::kError), Status::kError);
  EXPECT_EQ(EmulatedStatus(Status::kNotApplicable), Status::kNotApplicable);
  EXPECT_FALSE(IsUnexpected(Status::kEmulatedConforming));
  EXPECT_FALSE(IsUnexpected(Status::kEmulatedDiverging));
}

TEST(Emulation, PlanRunsAUnixCaseUnderEmulationAndJudgesAnEverywhereCaseAsAnywhere) {
  Applicability a = Plan(CaseFor({"unix"}, {"signal"}), Pyodide(), {"Unix"});
  EXPECT_EQ(a.kind, Applicability::kRun);
  EXPECT_TRUE(a.emulated);
  a = Plan(CaseFor({}, {"getsignal"}), Pyodide(), {"all"});
  EXPECT_EQ(a.kind, Applicability::kRun);
  EXPECT_FALSE(a.emulated);
}

TEST(Emulation, AnAbsentFunctionIsDocumentedAbsentUnderEmulationAndMissingWhereItHoldsEverywhere) {
  Applicability a = Plan(CaseFor({"unix"}, {"alarm"}), Pyodide(), {"Unix"});
  EXPECT_EQ(a.kind, Applicability::kNotApplicable);
  EXPECT_EQ(a.reason, "signal.alarm is absent on emscripten, where the documentation says "
                      "signals are emulated and many functions are not available");
  a = Plan(CaseFor({}, {"strsignal"}), Pyodide(), {"all"});
  EXPECT_EQ(a.kind, Applicability::kMissing);
}

TEST(Emulation, ACaseWhoseFormNeedsTheSystemsSignalsIsEmulatedWhateverItCites) {
  Case plain = CaseFor({"unix"}, {"signal"});
  EXPECT_EQ(NativeNeed(plain), "");
  Case inherited = plain;
  inherited.parent.ignore = {"SIGINT"};
  EXPECT_EQ(NativeNeed(inherited),
            "signal dispositions, mask or pending signals inherited from the parent");
  Case broken = plain;
  broken.parent.stdout_mode = ParentState::Stdout::kBroken;
  EXPECT_EQ(NativeNeed(broken), "a stdout whose reader is gone");
  Case limited = plain;
  limited.parent.rlimits = {{"FSIZE", 1024}};
  EXPECT_EQ(NativeNeed(limited), "resource limits set by the parent");
  Case sent = plain;
  sent.operations = {"call", "parent_kill"};
  EXPECT_EQ(NativeNeed(sent), "a signal sent by the runner");
  Case dies = plain;
  dies.exit.by_signal = true;
  dies.exit.signal = "SIGUSR1";
  EXPECT_EQ(NativeNeed(dies), "the process ended by SIGUSR1's default action");
  Case exits = plain;
  exits.exit.code = 1;  // an exit code is the language's own, not a signal's
  EXPECT_EQ(NativeNeed(exits), "");

  Description pyodide = Pyodide();
  pyodide.operations.insert("parent_kill");
  EXPECT_FALSE(Plan(plain, pyodide, {"all"}).emulated);
  for (const Case& c : {inherited, broken, limited, sent, dies}) {
    Applicability a = Plan(c, pyodide, {"all"});
    EXPECT_EQ(a.kind, Applicability::kRun);
    EXPECT_TRUE(a.emulated) << NativeNeed(c);
  }
  Description linux = Pyodide();
  linux.platform = "linux";
  EXPECT_FALSE(Plan(dies, linux, {"all"}).emulated);
}

// handlers/handler-gets-a-frame-when-sent-from-thread cites a rule that holds everywhere, but
// sends with pthread_kill, which the module's surface gives to Unix only.
TEST(Emulation, ANameTheSurfaceGivesOtherPlatformsIsDocumentedAbsentEvenAsAnywhere) {
  Case c = CaseFor({"unix"}, {"pthread_kill", "signal"});
  Applicability a = Plan(c, Pyodide(), {"all"}, {"pthread_kill"});
  EXPECT_EQ(a.kind, Applicability::kNotApplicable);
  EXPECT_EQ(a.reason, "signal.pthread_kill is absent on emscripten, where the documentation says "
                      "signals are emulated and many functions are not available");
  // A name lacking beside it that the documentation promises there is still missing.
  c.requires_names = {"pthread_kill", "strsignal"};
  EXPECT_EQ(Plan(c, Pyodide(), {"all"}, {"pthread_kill"}).kind, Applicability::kMissing);
  // On Linux the surface's word is the case's platforms' business (spec_check), not this one.
  Description linux = Pyodide();
  linux.platform = "linux";
  EXPECT_EQ(Plan(CaseFor({"unix"}, {"pthread_kill"}), linux, {"all"}, {"pthread_kill"}).kind,
            Applicability::kMissing);
}

TEST(Emulation, AWindowsCaseIsNotApplicable) {
  EXPECT_EQ(Plan(CaseFor({"windows"}, {"signal"}), Pyodide(), {"Windows"}).kind,
            Applicability::kNotApplicable);
}

TEST(Emulation, NothingChangesOnLinux) {
  Description d = Pyodide();
  d.platform = "linux";
  Applicability a = Plan(CaseFor({"unix"}, {"alarm"}), d, {"Unix"});
  EXPECT_EQ(a.kind, Applicability::kMissing);
  EXPECT_FALSE(Plan(CaseFor({"unix"}, {"signal"}), d, {"Unix"}).emulated);
}

}  // namespace
}  // namespace sigconform
