#include "spec_check.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

using nlohmann::json;

const std::string kSourceRoot = SIGCONFORM_SOURCE_ROOT;

// A small surface: enough of the module for each check to have something to bite on.
ModuleSurface Surface() {
  const json doc = json::parse(R"({
    "sigconform_module_surface": 1, "module": "signal", "documentation": "3.13", "names": [
      {"name": "Signals", "kind": "enum", "since": "3.5", "platforms": ["all"]},
      {"name": "SIGUSR1", "kind": "signal", "since": "3.0", "platforms": ["unix"],
       "enum": "Signals"},
      {"name": "SIGSTKFLT", "kind": "signal", "since": "3.11", "platforms": ["linux"],
       "enum": "Signals"},
      {"name": "NSIG", "kind": "constant", "since": "3.0", "platforms": ["all"]},
      {"name": "signal", "kind": "function", "since": "3.0", "platforms": ["all"],
       "parameters": [{"name": "signalnum", "pass": "positional-or-keyword", "type": "signal"},
                      {"name": "handler", "pass": "positional-or-keyword", "type": "handler"}]},
      {"name": "set_wakeup_fd", "kind": "function", "since": "3.0", "platforms": ["all"],
       "parameters": [{"name": "fd", "pass": "positional", "type": "fd"},
                      {"name": "warn_on_full_buffer", "pass": "keyword", "type": "bool",
                       "since": "3.7", "default": true}]},
      {"name": "setitimer", "kind": "function", "since": "3.0", "platforms": ["unix"],
       "parameters": [{"name": "which", "pass": "positional", "type": "int"},
                      {"name": "seconds", "pass": "positional", "type": "float"},
                      {"name": "interval", "pass": "positional", "type": "float",
                       "since": "3.4", "default": 0.0}]},
      {"name": "sigwaitinfo", "kind": "function", "since": "3.3",
       "platforms": ["linux", "freebsd", "netbsd"],
       "parameters": [{"name": "sigset", "pass": "positional", "type": "signals"}]},
      {"name": "strsignal", "kind": "function", "since": "3.8", "platforms": ["all"],
       "parameters": [{"name": "signalnum", "pass": "positional", "type": "signal"}]}
    ]})");
  ModuleSurface surface;
  const auto errors = ParseModuleSurface(doc, "surface.json", &surface);
  EXPECT_TRUE(errors.empty());
  return surface;
}

RuleIndex Rules() {
  RuleIndex index;
  ParseRuleFile(
      "Documentation: Python 3.13\n\n| id | rule | availability | since |\n"
      "| --- | --- | --- | --- |\n"
      "| `a.everywhere` | Holds everywhere. | all | 3.0 |\n"
      "| `a.unix` | Holds on Unix. | Unix | 3.0 |\n"
      "| `a.late` | Holds since 3.9. | all | 3.9 |\n"
      "| `a.pidfd` | Needs a recent kernel. | Linux >= 5.1 | 3.9 |\n",
      "rules.md", &index);
  EXPECT_TRUE(index.errors.empty());
  return index;
}

// A case built by the real validator from its steps and top-level keys.
Case Make(json steps, json top = json::object()) {
  json doc = {{"id", "x/case"}, {"title", "a case for the spec check"},
              {"rules", {"a.everywhere"}}, {"steps", std::move(steps)}};
  for (const auto& item : top.items()) doc[item.key()] = item.value();
  Case c;
  const auto errors = ValidateCase(doc, "cases/x/case.json", "x/case", &c);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : FormatCatalogError(errors[0]));
  return c;
}

std::string AllErrors(const std::vector<CatalogError>& errors) {
  std::string out;
  for (const CatalogError& e : errors) out += FormatCatalogError(e) + "\n";
  return out;
}

std::vector<CatalogError> Check(const Case& c) { return CheckAgainstSpec({c}, Rules(), Surface()); }

bool HasError(const std::vector<CatalogError>& errors, const std::string& path,
              const std::string& text) {
  for (const CatalogError& e : errors) {
    if (e.json_path == path && e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

const json kUnix = {{"platforms", {"unix"}}};

TEST(SpecCheck, KeywordAddedLaterRaisesTheSince) {
  // The wakeup case that passed warn_on_full_buffer (3.7) under a since of 3.6.
  const Case c = Make(json::parse(R"([
      {"call": "set_wakeup_fd", "args": [-1], "kwargs": {"warn_on_full_buffer": false}}])"),
                      {{"since", "3.6"}});
  const VersionNeed need = DerivedSince(c, Rules(), Surface());
  EXPECT_EQ(need.version, "3.7");
  EXPECT_EQ(need.why, "set_wakeup_fd's parameter warn_on_full_buffer");
  EXPECT_EQ(need.path, "/steps/0/kwargs/warn_on_full_buffer");
  const auto errors = Check(c);
  EXPECT_TRUE(HasError(errors, "/since", "warn_on_full_buffer (at "
                                         "/steps/0/kwargs/warn_on_full_buffer) dates from 3.7"))
      << AllErrors(errors);
  EXPECT_TRUE(Check(Make(c.steps, {{"since", "3.7"}})).empty());
}

TEST(SpecCheck, PositionalParameterAddedLaterRaisesTheSince) {
  const Case two = Make(json::parse(R"([{"call": "setitimer", "args": [0, {"float": 0.0}]}])"),
                        kUnix);
  EXPECT_EQ(DerivedSince(two, Rules(), Surface()).version, "3.0");
  const Case three = Make(
      json::parse(R"([{"call": "setitimer", "args": [0, {"float": 0.0}, {"float": 0.0}]}])"),
      kUnix);
  EXPECT_EQ(DerivedSince(three, Rules(), Surface()).version, "3.4");
  EXPECT_EQ(DerivedSince(three, Rules(), Surface()).path, "/steps/0/args/2");
}

TEST(SpecCheck, FunctionsEnumsMembersRulesAndActionsEachRaiseTheSince) {
  auto since_of = [](json steps, json top = kUnix) {
    return DerivedSince(Make(std::move(steps), std::move(top)), Rules(), Surface()).version;
  };
  EXPECT_EQ(since_of(json::parse(R"([{"call": "strsignal", "args": ["@SIGUSR1"]}])")), "3.8");
  EXPECT_EQ(since_of(json::parse(
                R"([{"do": "check", "expect": {"returns": {"Signals": "SIGUSR1"}}}])")),
            "3.5");
  EXPECT_EQ(since_of(json::parse(
                R"([{"do": "check", "expect": {"returns": {"$type": "Signals"}}}])")),
            "3.5");
  EXPECT_EQ(since_of(json::parse(
                R"([{"do": "check", "expect": {"returns": {"Signals": "SIGSTKFLT"}}}])"),
                     {{"platforms", {"linux"}}}),
            "3.11");
  // An alternative is not a requirement: an int or a Signals member both pass on 3.0.
  EXPECT_EQ(since_of(json::parse(R"([{"do": "check", "expect": {"returns":
                {"$one_of": [10, {"Signals": "SIGUSR1"}]}}}])")),
            "3.0");
  EXPECT_EQ(since_of(json::parse(R"([{"do": "audit_hook", "events": ["signal.pthread_kill"]}])")),
            "3.8");
  json late = kUnix;
  late["rules"] = {"a.late"};
  EXPECT_EQ(since_of(json::parse(R"([{"do": "check"}])"), late), "3.9");
}

TEST(SpecCheck, NamesTheModuleLacksAreErrors) {
  const auto errors = Check(Make(json::parse(R"([
      {"call": "sigwaitnfo", "args": [["@SIGUSR1"]]},
      {"call": "NSIG"},
      {"call": "signal", "args": ["@SIGUSR3", "@SIG_DFL"]},
      {"do": "attribute", "name": "SIGNOTHERE"},
      {"do": "check", "expect": {"returns": {"Signals": "SIGINFO"}}}])"),
                                 kUnix));
  EXPECT_TRUE(HasError(errors, "/steps/0/call", "'sigwaitnfo' is not a name of the signal module"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/1/call", "'NSIG' is a constant, not something to call"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/2/args/0", "'SIGUSR3' is not a name")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/2/args/1", "'SIG_DFL' is not a name")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/4/expect/returns/Signals", "'SIGINFO' is not a name"))
      << AllErrors(errors);
  // `attribute` looks at a name that may be absent: no error.
  for (const CatalogError& e : errors) EXPECT_NE(e.json_path, "/steps/3/name");
}

TEST(SpecCheck, PlatformsMayNotReachWhereAUsedNameIsMissing) {
  const auto errors = Check(Make(json::parse(R"([{"call": "sigwaitinfo", "args": [["@SIGUSR1"]]}])"),
                                 {{"platforms", {"unix"}}, {"since", "3.3"}}));
  EXPECT_TRUE(HasError(errors, "/steps/0/call", "sigwaitinfo does not exist on darwin, openbsd"))
      << AllErrors(errors);
  EXPECT_EQ(errors.size(), 1u) << AllErrors(errors);  // one error per name and case
  EXPECT_TRUE(Check(Make(json::parse(R"([{"call": "sigwaitinfo", "args": [["@SIGUSR1"]]}])"),
                         {{"platforms", {"unix", "!darwin", "!openbsd"}}, {"since", "3.3"}}))
                  .empty());
  // No platforms means everywhere: SIGUSR1 is not on Windows, even as a parent's signal.
  const auto everywhere = Check(Make(json::parse(R"([{"do": "check"}])"),
                                     {{"parent", {{"block", {"SIGUSR1"}}}}}));
  EXPECT_TRUE(HasError(everywhere, "/parent/block/0", "signal SIGUSR1 does not exist on windows"))
      << AllErrors(everywhere);
}

TEST(SpecCheck, RulesBindPlatformsAndKernel) {
  json unix_rule = {{"rules", {"a.unix"}}};
  const auto everywhere = Check(Make(json::parse(R"([{"do": "check"}])"), unix_rule));
  EXPECT_TRUE(HasError(everywhere, "/rules/0", "rule a.unix is available on 'Unix' only, not on "
                                               "windows, emscripten, wasi"))
      << AllErrors(everywhere);
  json pidfd = {{"rules", {"a.pidfd"}}, {"platforms", {"linux"}}, {"since", "3.9"}};
  EXPECT_TRUE(HasError(Check(Make(json::parse(R"([{"do": "check"}])"), pidfd)), "/rules/0",
                       "needs Linux 5.1"));
  pidfd["kernel"] = "5.3";
  EXPECT_TRUE(Check(Make(json::parse(R"([{"do": "check"}])"), pidfd)).empty());
}

TEST(SurfaceCoverage, CountsNamesAndParametersByTheCasesThatUseThem) {
  Case a = Make(json::parse(R"([
      {"call": "signal", "args": ["@SIGUSR1"], "kwargs": {"handler": "@SIG_IGN"}},
      {"do": "attribute", "name": "NSIG"}])"),
                kUnix);
  a.id = "b/one";
  Case b = Make(json::parse(R"([
      {"call": "set_wakeup_fd", "args": [-1], "expect": {"returns": {"$any": true}}}])"));
  b.id = "a/two";
  const ModuleSurface surface = Surface();
  const SurfaceCoverage coverage = ComputeSurfaceCoverage(surface, {a, b});
  EXPECT_EQ(coverage.cases_of_name.at("signal"), std::vector<std::string>{"b/one"});
  EXPECT_EQ(coverage.cases_of_name.at("NSIG"), std::vector<std::string>{"b/one"});
  EXPECT_EQ(coverage.cases_of_parameter.at("signal.signalnum"), std::vector<std::string>{"b/one"});
  EXPECT_EQ(coverage.cases_of_parameter.at("signal.handler"), std::vector<std::string>{"b/one"});
  EXPECT_EQ(coverage.cases_of_parameter.at("set_wakeup_fd.fd"), std::vector<std::string>{"a/two"});
  EXPECT_EQ(coverage.unexercised_names,
            (std::vector<std::string>{"SIGSTKFLT", "Signals", "setitimer", "sigwaitinfo",
                                      "strsignal"}));
  EXPECT_EQ(coverage.unexercised_parameters,
            (std::vector<std::string>{"set_wakeup_fd.warn_on_full_buffer", "setitimer.which",
                                      "setitimer.seconds", "setitimer.interval",
                                      "sigwaitinfo.sigset", "strsignal.signalnum"}));
  const json j = SurfaceCoverageJson(surface, coverage);
  EXPECT_EQ(j["totals"]["names"], 9);
  EXPECT_EQ(j["totals"]["names_exercised"], 4);
  EXPECT_EQ(j["totals"]["parameters"], 9);
  EXPECT_EQ(j["totals"]["parameters_exercised"], 3);
}

// Every case of the real catalog agrees with the real rules and module surface: its `since` is
// at least the version of everything it calls, names, matches, passes and cites, and its
// platforms stay where all of that exists.
TEST(RealSpec, EveryCaseAgreesWithTheModuleSurfaceAndTheRules) {
  ModuleSurface surface;
  const auto surface_errors = LoadModuleSurface(kSourceRoot + "/spec/module-surface.json", &surface);
  ASSERT_TRUE(surface_errors.empty()) << AllErrors(surface_errors);
  const RuleIndex rules = LoadRules(kSourceRoot + "/spec/rules");
  const Catalog catalog = LoadCatalog(kSourceRoot + "/cases");
  ASSERT_TRUE(catalog.errors.empty()) << AllErrors(catalog.errors);
  const auto errors = CheckAgainstSpec(catalog.cases, rules, surface);
  EXPECT_TRUE(errors.empty()) << errors.size() << " disagreement(s):\n" << AllErrors(errors);
}

}  // namespace
}  // namespace sigconform
