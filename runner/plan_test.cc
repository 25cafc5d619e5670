#include "plan.h"

#include <gtest/gtest.h>

#include <functional>

namespace sigconform {
namespace {

using nlohmann::json;

json DescribeRecord() {
  return json::parse(R"({"ev": "describe", "protocol": 1, "implementation": "cpython",
    "language_version": "3.11.2", "platform": "linux", "kernel": "6.1.0-13-amd64",
    "machine": "x86_64", "executable": "/usr/bin/python3",
    "names": ["signal", "SIGUSR1", "pthread_kill"], "operations": ["call", "kill", "check"],
    "t": 0.01})");
}

Description Desc() {
  std::string error;
  auto d = ParseDescription(DescribeRecord(), &error);
  EXPECT_TRUE(d.has_value()) << error;
  return *d;
}

Case CaseUsing(std::vector<std::string> names, std::vector<std::string> ops) {
  Case c;
  c.id = "area/name";
  c.requires_names = std::move(names);
  c.operations = std::move(ops);
  return c;
}

TEST(ParseDescription, ReadsEveryField) {
  const Description d = Desc();
  EXPECT_EQ(d.implementation, "cpython");
  EXPECT_EQ(d.language_version, "3.11.2");
  EXPECT_EQ(d.platform, "linux");
  EXPECT_EQ(d.kernel, std::optional<std::string>("6.1.0-13-amd64"));
  EXPECT_EQ(d.machine, "x86_64");
  EXPECT_EQ(d.executable, "/usr/bin/python3");
  EXPECT_EQ(d.names.size(), 3u);
  EXPECT_TRUE(d.operations.count("kill"));
  EXPECT_EQ(d.raw, DescribeRecord());
}

TEST(ParseDescription, NullKernelOffLinux) {
  json r = DescribeRecord();
  r["kernel"] = nullptr;
  r["platform"] = "darwin";
  auto d = ParseDescription(r, nullptr);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->kernel);
}

TEST(ParseDescription, RejectsBrokenRecordsWithAReason) {
  const std::vector<std::pair<std::function<void(json&)>, std::string>> breaks = {
      {[](json& r) { r["ev"] = "start"; }, "'ev'"},
      {[](json& r) { r["protocol"] = 2; }, "protocol 2"},
      {[](json& r) { r.erase("implementation"); }, "'implementation'"},
      {[](json& r) { r["names"] = "SIGINT"; }, "'names'"},
      {[](json& r) { r["operations"] = {"call", 5}; }, "'operations'"},
      {[](json& r) { r["language_version"] = "three"; }, "language_version"},
      {[](json& r) { r["kernel"] = 6; }, "'kernel'"},
      {[](json& r) { r = json::array(); }, "not a JSON object"},
  };
  for (const auto& [mutate, text] : breaks) {
    json r = DescribeRecord();
    mutate(r);
    std::string error;
    EXPECT_FALSE(ParseDescription(r, &error)) << text;
    EXPECT_NE(error.find(text), std::string::npos) << error;
  }
}

TEST(PlatformMatches, UnixAndExclusions) {
  EXPECT_TRUE(PlatformMatches({}, "windows"));
  EXPECT_TRUE(PlatformMatches({"unix"}, "freebsd"));
  EXPECT_FALSE(PlatformMatches({"unix"}, "windows"));
  EXPECT_FALSE(PlatformMatches({"unix", "!darwin"}, "darwin"));
  EXPECT_TRUE(PlatformMatches({"unix", "!darwin"}, "linux"));
  EXPECT_TRUE(PlatformMatches({"!windows"}, "linux"));
  EXPECT_FALSE(PlatformMatches({"!unix"}, "openbsd"));
  EXPECT_TRUE(PlatformMatches({"linux", "windows"}, "windows"));
}

TEST(CompareVersions, IsNumericNotLexical) {
  EXPECT_LT(CompareVersions("3.9", "3.10"), 0);
  EXPECT_EQ(CompareVersions("3.8", "3.8.0"), 0);
  EXPECT_GT(CompareVersions("6.1.0-13-amd64", "5.1"), 0);
  EXPECT_LT(CompareVersions("4.19.0", "5"), 0);
  EXPECT_EQ(CompareVersions("3.13.0rc1", "3.13"), 0);
}

TEST(Plan, RunsWhenEverythingFits) {
  Case c = CaseUsing({"pthread_kill", "SIGUSR1"}, {"call", "kill"});
  c.platforms = {"unix"};
  c.kernel = "5.1";
  c.since = "3.8";
  const Applicability a = Plan(c, Desc());
  EXPECT_EQ(a.kind, Applicability::kRun);
  EXPECT_EQ(a.reason, "");
}

TEST(Plan, PlatformOutsideIsNotApplicable) {
  Case c = CaseUsing({}, {"call"});
  c.platforms = {"unix", "!linux"};
  const Applicability a = Plan(c, Desc());
  EXPECT_EQ(a.kind, Applicability::kNotApplicable);
  EXPECT_EQ(a.reason, "the case applies to unix, !linux; the implementation runs on linux");
}

TEST(Plan, KernelMinimumAppliesOnlyOnLinux) {
  Case c = CaseUsing({}, {"call"});
  c.kernel = "6.2";
  Applicability a = Plan(c, Desc());
  EXPECT_EQ(a.kind, Applicability::kNotApplicable);
  EXPECT_EQ(a.reason, "the case needs Linux 6.2 or later; the kernel is 6.1.0-13-amd64");
  Description darwin = Desc();
  darwin.platform = "darwin";
  darwin.kernel = "23.0.0";
  c.kernel = "99";
  EXPECT_EQ(Plan(c, darwin).kind, Applicability::kRun);
}

TEST(Plan, OlderLanguageVersionIsNotApplicableSayingBoth) {
  Case c = CaseUsing({}, {"call"});
  c.since = "3.12";
  const Applicability a = Plan(c, Desc());
  EXPECT_EQ(a.kind, Applicability::kNotApplicable);
  EXPECT_EQ(a.reason, "the behaviour is documented since 3.12; the implementation claims 3.11.2");
  c.since = "3.9";  // numeric: 3.11 is not older than 3.9
  EXPECT_EQ(Plan(c, Desc()).kind, Applicability::kRun);
}

TEST(Plan, VersionFromUntilOnIsNotApplicable) {
  Case c = CaseUsing({}, {"call"});
  c.since = "3.3";
  c.until = "3.7";
  Description d = Desc();
  d.language_version = "3.6.15";
  EXPECT_EQ(Plan(c, d).kind, Applicability::kRun);
  d.language_version = "3.7.0";  // `until` itself is outside: [since, until)
  Applicability a = Plan(c, d);
  EXPECT_EQ(a.kind, Applicability::kNotApplicable);
  EXPECT_EQ(a.reason, "the behaviour changed in 3.7 (the case covers 3.3 up to 3.7); the "
                      "implementation claims 3.7.0");
  c.until = "3.10";  // numeric: 3.9 is before 3.10
  d.language_version = "3.9.18";
  EXPECT_EQ(Plan(c, d).kind, Applicability::kRun);
}

TEST(Plan, LackingANameIsMissing) {
  Case c = CaseUsing({"SIGUSR1", "pidfd_send_signal"}, {"call"});
  c.since = "3.9";
  const Applicability a = Plan(c, Desc());
  EXPECT_EQ(a.kind, Applicability::kMissing);
  EXPECT_EQ(a.reason, "signal.pidfd_send_signal is documented for 3.9 on linux and the "
                      "implementation lacks it");
  c.requires_names = {"a", "b"};
  EXPECT_EQ(Plan(c, Desc()).reason,
            "signal.a, signal.b are documented for 3.9 on linux and the implementation lacks them");
}

TEST(Plan, ScopeComesBeforeMissingNames) {
  // A name the implementation lacks does not make a case for another version "missing".
  Case c = CaseUsing({"pidfd_send_signal"}, {"call"});
  c.since = "3.12";
  EXPECT_EQ(Plan(c, Desc()).kind, Applicability::kNotApplicable);
}

TEST(Plan, ActionTheDriverCannotPerformIsUnsupported) {
  const Applicability a = Plan(CaseUsing({}, {"call", "thread"}), Desc());
  EXPECT_EQ(a.kind, Applicability::kUnsupported);
  EXPECT_EQ(a.reason, "the driver cannot perform the step action 'thread' on this runtime");
  // Missing names win over unsupported operations.
  EXPECT_EQ(Plan(CaseUsing({"nope"}, {"thread"}), Desc()).kind, Applicability::kMissing);
}

TEST(Plan, UnsupportedListsEveryActionTheDriverLacks) {
  const Applicability a = Plan(CaseUsing({}, {"call", "thread", "kill", "join", "spawn"}), Desc());
  EXPECT_EQ(a.kind, Applicability::kUnsupported);
  EXPECT_EQ(a.reason, "the driver cannot perform the step actions 'thread', 'join', 'spawn' "
                      "on this runtime");
}

TEST(Plan, OutOfScopeWinsOverUnsupported) {
  Case c = CaseUsing({}, {"thread"});
  c.platforms = {"darwin"};
  EXPECT_EQ(Plan(c, Desc()).kind, Applicability::kNotApplicable);
}

}  // namespace
}  // namespace sigconform
