#include "catalog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "signal_names.h"

namespace sigconform {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kTestdata = std::string(SIGCONFORM_SOURCE_ROOT) + "/runner/testdata";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A minimal valid case to which each test adds what it checks.
json Base() {
  return json::parse(R"({"id": "area/name", "title": "A case used by the validator tests",
    "rules": ["meta.test"], "handlers": {"h": {}}, "steps": [{"do": "check"}]})");
}

std::vector<CatalogError> Validate(const json& doc, Case* out = nullptr) {
  return ValidateCase(doc, "area/name.json", "area/name", out);
}

std::string AllErrors(const std::vector<CatalogError>& errors) {
  std::string out;
  for (const auto& e : errors) out += FormatCatalogError(e) + "\n";
  return out;
}

// True when some error sits at `path` and its message contains `text`.
bool HasError(const std::vector<CatalogError>& errors, const std::string& path,
              const std::string& text) {
  return std::any_of(errors.begin(), errors.end(), [&](const CatalogError& e) {
    return e.json_path == path && e.message.find(text) != std::string::npos;
  });
}

TEST(Catalog, GoodFixturesLoadWithoutErrorsSortedById) {
  const Catalog catalog = LoadCatalog(kTestdata + "/good-cases");
  EXPECT_TRUE(catalog.errors.empty()) << AllErrors(catalog.errors);
  std::vector<std::string> ids;
  for (const auto& c : catalog.cases) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"fixtures/killed-by-signal", "fixtures/masks-and-handlers",
                                           "fixtures/matchers", "fixtures/threads"}));
}

TEST(Catalog, FillsEveryFieldOfTheCase) {
  const Catalog catalog = LoadCatalog(kTestdata + "/good-cases");
  ASSERT_EQ(catalog.cases.size(), 4u) << AllErrors(catalog.errors);
  const Case& c = catalog.cases[1];
  ASSERT_EQ(c.id, "fixtures/masks-and-handlers");
  EXPECT_EQ(c.file, kTestdata + "/good-cases/fixtures/masks-and-handlers.json");
  EXPECT_EQ(c.since, "3.3");
  EXPECT_EQ(c.platforms, std::vector<std::string>{"unix"});
  EXPECT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.tags, (std::vector<std::string>{"masks", "fixture"}));
  EXPECT_DOUBLE_EQ(c.timeout, 20);
  EXPECT_EQ(c.parent.block, (std::vector<std::string>{"SIGUSR1", "SIGUSR2"}));
  EXPECT_EQ(c.parent.pending, std::vector<std::string>{"SIGUSR1"});
  EXPECT_EQ(c.parent.stdout_mode, ParentState::Stdout::kCapture);
  EXPECT_EQ(c.parent.env.at("PYTHONUNBUFFERED"), std::optional<std::string>("1"));
  EXPECT_EQ(c.parent.env.at("PYTHONWARNINGS"), std::nullopt);
  EXPECT_EQ(c.parent.rlimits.at("CORE"), 0);
  EXPECT_FALSE(c.exit.by_signal);
  EXPECT_EQ(c.exit.code, 0);
  EXPECT_TRUE(c.stdout_expect.present);
  EXPECT_EQ(c.stdout_expect.contains, std::vector<std::string>{"all done"});
  EXPECT_EQ(c.stdout_expect.excludes, std::vector<std::string>{"Traceback"});
  EXPECT_TRUE(c.stderr_expect.present);
  EXPECT_TRUE(c.stderr_expect.empty);
  EXPECT_EQ(c.steps.size(), 11u);
  EXPECT_TRUE(c.handlers.contains("quiet"));

  const Case& killed = catalog.cases[0];
  EXPECT_TRUE(killed.exit.by_signal);
  EXPECT_EQ(killed.exit.signal, "SIGTERM");
  EXPECT_EQ(killed.parent.ignore, std::vector<std::string>{"SIGINT"});
  EXPECT_EQ(killed.since, "3.0");  // the default
  EXPECT_DOUBLE_EQ(killed.timeout, 10);
  EXPECT_FALSE(killed.stdout_expect.present);

  const Case& threads = catalog.cases[3];
  EXPECT_EQ(threads.kernel, std::optional<std::string>("4.0"));
}

TEST(Catalog, DerivesRequiredNamesFromCallsAttributesAndRequires) {
  const Catalog catalog = LoadCatalog(kTestdata + "/good-cases");
  ASSERT_EQ(catalog.cases.size(), 4u) << AllErrors(catalog.errors);
  EXPECT_EQ(catalog.cases[1].requires_names,
            (std::vector<std::string>{"SIGUSR1", "SIGUSR2", "SIG_UNBLOCK", "getsignal",
                                      "pthread_sigmask", "signal"}));
  const auto& m = catalog.cases[2].requires_names;
  const std::set<std::string> names(m.begin(), m.end());
  EXPECT_TRUE(names.count("NSIG"));         // explicit
  EXPECT_TRUE(names.count("ITIMER_PROF"));  // "@NAME" argument
  EXPECT_TRUE(names.count("SIGINT"));       // "@NAME" nested in a tuple
  EXPECT_TRUE(names.count("valid_signals"));
  EXPECT_FALSE(names.count("SIG_DFL"));  // "@@SIG_DFL" is a literal string
  EXPECT_FALSE(names.count("@SIG_DFL"));
  EXPECT_TRUE(std::is_sorted(m.begin(), m.end()));
  // A kill's signal argument is an ARG too.
  const auto& k = catalog.cases[0].requires_names;
  EXPECT_NE(std::find(k.begin(), k.end(), "SIGTERM"), k.end());
}

TEST(Catalog, DerivesOperationsIncludingThreadSubsteps) {
  const Catalog catalog = LoadCatalog(kTestdata + "/good-cases");
  ASSERT_EQ(catalog.cases.size(), 4u) << AllErrors(catalog.errors);
  EXPECT_EQ(catalog.cases[3].operations,
            (std::vector<std::string>{"call", "check", "ident", "join", "thread"}));
  EXPECT_EQ(catalog.cases[0].operations,
            (std::vector<std::string>{"call", "check", "kill", "parent_kill"}));
}

TEST(Catalog, HandlerWriteArgumentsAddRequiredNames) {
  json doc = Base();
  doc["handlers"]["w"] = {{"write", {{"fd", 1}, {"data", {{"tuple", {"@SIGPIPE"}}}}}}};
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  EXPECT_EQ(c.requires_names, std::vector<std::string>{"SIGPIPE"});
}

TEST(Catalog, UntilClosesTheVersionsACaseCovers) {
  json doc = Base();
  doc["since"] = "3.3";
  doc["until"] = "3.7";
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  EXPECT_EQ(c.until, std::optional<std::string>("3.7"));
  doc.erase("until");
  ASSERT_TRUE(Validate(doc, &c).empty());
  EXPECT_FALSE(c.until.has_value());
  doc["until"] = "3.2";
  EXPECT_TRUE(HasError(Validate(doc), "/until", "must be after 'since' (3.3)"));
}

TEST(Catalog, UncaughtIsOnlyForTheLastStepOfTheMainProgram) {
  json doc = Base();
  doc["steps"] = json::parse(R"([{"do": "check"}, {"do": "kill", "sig": "@SIGINT", "uncaught": true}])");
  doc["exit"] = {{"signal", "SIGINT"}};
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  EXPECT_NE(std::find(c.operations.begin(), c.operations.end(), "uncaught"), c.operations.end());
  doc["steps"][0]["uncaught"] = true;
  EXPECT_TRUE(HasError(Validate(doc), "/steps/0/uncaught", "only the last step"));
  doc["steps"] = json::parse(R"([{"do": "thread", "name": "t", "steps": [
      {"do": "check", "uncaught": true}]}])");
  EXPECT_TRUE(HasError(Validate(doc), "/steps/0/steps/0/uncaught", "only a step of the main"));
}

TEST(Catalog, ForkNamesAChildThatEventsMayNameButJoinMayNot) {
  json doc = Base();
  doc["steps"] = json::parse(R"([
      {"do": "fork", "name": "kid", "bind": "pid", "steps": [{"do": "check", "bind": "inner"},
                                                             {"do": "exit", "code": 3}]},
      {"do": "waitpid", "pid": "$pid", "timeout": 10,
       "expect": {"events": [{"handler": "h", "thread": "kid"}]}}])");
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  EXPECT_NE(std::find(c.operations.begin(), c.operations.end(), "fork"), c.operations.end());
  // What the child binds stays in the child; join and ident are for threads.
  doc["steps"].push_back(json::parse(R"({"do": "check", "expect": {"returns": "$inner"}})"));
  doc["steps"].push_back(json::parse(R"({"do": "join", "name": "kid", "timeout": 1})"));
  doc["steps"].push_back(json::parse(R"({"do": "ident", "thread": "kid"})"));
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/2/expect/returns", "'$inner' is not bound")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/3/name", "is a forked child, not a thread")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/4/thread", "is a forked child")) << AllErrors(errors);
  // A thread may not fork; a thread and a child share one namespace.
  doc["steps"] = json::parse(R"([{"do": "thread", "name": "t", "steps": [
      {"do": "fork", "name": "kid", "steps": [{"do": "check"}]}]},
      {"do": "fork", "name": "t", "steps": [{"do": "check"}]}])");
  const auto more = Validate(doc);
  EXPECT_TRUE(HasError(more, "/steps/0/steps/0", "cannot run in a thread")) << AllErrors(more);
  EXPECT_TRUE(HasError(more, "/steps/1/name", "already the name")) << AllErrors(more);
}

TEST(Catalog, HandlerKindsAndAritiesAreFeaturesTheDriverMustList) {
  json doc = Base();
  doc["handlers"] = json::parse(R"({"m": {"kind": "method"}, "o": {"kind": "object", "arity": 1},
                                    "f": {"kind": "function", "arity": 2}})");
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  for (const char* feature : {"handler_method", "handler_object", "handler_arity"}) {
    EXPECT_NE(std::find(c.operations.begin(), c.operations.end(), feature), c.operations.end())
        << feature;
  }
  doc["handlers"] = json::parse(R"({"x": {"kind": "lambda", "arity": 5}})");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/handlers/x/kind", "'lambda' is not one of")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/handlers/x/arity", "at most 4")) << AllErrors(errors);
}

TEST(Catalog, TextNamesFilesAndTheRaisedClass) {
  json doc = Base();
  doc["steps"] = json::parse(R"([
      {"do": "text", "of": "@SIGINT", "form": "repr"},
      {"do": "names_of", "of": "@ItimerError"},
      {"do": "temp_file", "bind": "fd"},
      {"do": "file_size", "fd": "$fd"},
      {"call": "setitimer", "args": [-1, {"float": 1.0}],
       "expect": {"raises": {"class": {"name": "itimer_error"}}}}])");
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  doc["steps"][0]["form"] = "format";
  doc["steps"][4]["expect"]["raises"]["class"] = json::object();
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/0/form", "'format' is not one of")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/4/expect/raises/class", "at least one")) << AllErrors(errors);
}

TEST(Catalog, BadCorpusEachMistakeIsReportedAtItsPath) {
  const fs::path dir = kTestdata + "/bad-cases";
  const json expected = json::parse(ReadFile(dir / "expected.json"));
  ASSERT_GE(expected.size(), 15u);
  for (const auto& [name, want] : expected.items()) {
    SCOPED_TRACE(name);
    const std::string stem = name.substr(0, name.size() - 5);
    Case c;
    const auto errors = ParseAndValidateCase(ReadFile(dir / name), (dir / name).string(),
                                             "bad/" + stem, &c);
    ASSERT_FALSE(errors.empty()) << "accepted";
    EXPECT_TRUE(HasError(errors, want["json_path"], want["message_contains"])) << AllErrors(errors);
    // One mistake a file: anything else reported is a validator bug or a sloppy fixture.
    EXPECT_EQ(errors.size(), 1u) << AllErrors(errors);
    EXPECT_EQ(errors[0].file, (dir / name).string());
    EXPECT_TRUE(c.id.empty()) << "a case with errors must not be filled";
  }
}

TEST(Catalog, EveryBadCaseFileIsListedInExpected) {
  const fs::path dir = kTestdata + "/bad-cases";
  const json expected = json::parse(ReadFile(dir / "expected.json"));
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expected.json") continue;
    EXPECT_TRUE(expected.contains(name)) << name << " is not listed in expected.json";
  }
}

TEST(Catalog, LoadsRecursivelySkipsDotEntriesAndNonJson) {
  const fs::path root = fs::temp_directory_path() / ("sigconform-catalog-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "zeta" / "deep");
  fs::create_directories(root / "alpha");
  fs::create_directories(root / ".hidden");
  const auto write = [](const fs::path& p, const json& doc) { std::ofstream(p) << doc.dump(); };
  json a = Base();
  a["id"] = "alpha/one";
  write(root / "alpha" / "one.json", a);
  json z = Base();
  z["id"] = "zeta/deep/two";
  write(root / "zeta" / "deep" / "two.json", z);
  write(root / ".hidden" / "broken.json", json::array());
  write(root / "alpha" / ".draft.json", json::array());
  std::ofstream(root / "alpha" / "README.md") << "not a case";
  std::ofstream(root / "meson.build") << "# not a case";

  const Catalog catalog = LoadCatalog(root.string());
  EXPECT_TRUE(catalog.errors.empty()) << AllErrors(catalog.errors);
  ASSERT_EQ(catalog.cases.size(), 2u);
  EXPECT_EQ(catalog.cases[0].id, "alpha/one");
  EXPECT_EQ(catalog.cases[1].id, "zeta/deep/two");
  fs::remove_all(root);
}

TEST(Catalog, InvalidFilesAreErrorsAndValidOnesStillLoad) {
  const fs::path root = fs::temp_directory_path() / ("sigconform-catalog2-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "area");
  json good = Base();
  good["id"] = "area/good";
  std::ofstream(root / "area" / "good.json") << good.dump();
  json misnamed = Base();
  misnamed["id"] = "area/other";
  std::ofstream(root / "area" / "misnamed.json") << misnamed.dump();
  std::ofstream(root / "area" / "syntax.json") << "{\n  \"id\": \"area/syntax\"\n  \"title\": 1\n}";

  const Catalog catalog = LoadCatalog(root.string());
  ASSERT_EQ(catalog.cases.size(), 1u);
  EXPECT_EQ(catalog.cases[0].id, "area/good");
  EXPECT_TRUE(HasError(catalog.errors, "/id", "does not match the file's path 'area/misnamed'"))
      << AllErrors(catalog.errors);
  EXPECT_TRUE(HasError(catalog.errors, "", "line 3, column")) << AllErrors(catalog.errors);
  EXPECT_EQ(catalog.errors.size(), 2u) << AllErrors(catalog.errors);
  fs::remove_all(root);
}

TEST(Catalog, TheProjectCatalogLoadsWithoutErrors) {
  // The C++ half of the agreement schema_agreement_test.py checks with the schema.
  const Catalog catalog = LoadCatalog(std::string(SIGCONFORM_SOURCE_ROOT) + "/cases");
  EXPECT_TRUE(catalog.errors.empty()) << AllErrors(catalog.errors);
}

TEST(Catalog, MissingDirectoryIsAnErrorNotACrash) {
  const Catalog catalog = LoadCatalog("/nonexistent/sigconform/cases");
  EXPECT_TRUE(catalog.cases.empty());
  ASSERT_EQ(catalog.errors.size(), 1u);
  EXPECT_EQ(catalog.errors[0].file, "/nonexistent/sigconform/cases");
}

// Issue 12, failure 1: a case nested about 10,000 levels deep in `returns`, in thread steps
// or in `args` crashed the loader (and `list`) with SIGSEGV.
TEST(Catalog, DeeplyNestedCasesAreErrorsWithTheirPathNotCrashes) {
  const std::string head = R"({"id": "area/name", "title": "t", "rules": ["meta.test"], )";
  std::string returns = head + R"("steps": [{"call": "getsignal", "args": ["@SIGINT"], )" +
                        R"("expect": {"returns": )" + std::string(10000, '[') +
                        std::string(10000, ']') + "}}]}";
  std::string args = head + R"("steps": [{"call": "getsignal", "args": )" +
                     std::string(10000, '[') + std::string(10000, ']') + "}]}";
  std::string threads = head + R"("steps": )";
  for (int i = 0; i < 10000; ++i) threads += R"([{"do": "thread", "name": "t", "steps": )";
  threads += "[]";
  for (int i = 0; i < 10000; ++i) threads += "}]";
  threads += "}";
  for (const std::string* text : {&returns, &args, &threads}) {
    std::vector<CatalogError> errors;
    ASSERT_NO_FATAL_FAILURE(errors = ParseAndValidateCase(*text, "x.json", "area/name", nullptr));
    ASSERT_EQ(errors.size(), 1u) << AllErrors(errors);
    EXPECT_NE(errors[0].message.find("nested deeper than 64"), std::string::npos)
        << errors[0].message;
    EXPECT_EQ(errors[0].json_path.rfind("/steps/0/", 0), 0u) << errors[0].json_path;
  }

  // A document built in memory, not parsed, meets the same bound in ValidateCase.
  json deep = Base();
  json value = 1;
  for (int i = 0; i < 10000; ++i) value = json::array({std::move(value)});
  deep["steps"][0] = {{"call", "getsignal"}, {"args", json::array({std::move(value)})}};
  const auto errors = Validate(deep);
  ASSERT_EQ(errors.size(), 1u) << AllErrors(errors);
  EXPECT_EQ(errors[0].json_path.substr(0, 17), "/steps/0/args/0/0");

  // And through the loader, as `list` and `run` use it.
  const fs::path root = fs::temp_directory_path() / ("sigconform-deep-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "area");
  std::ofstream(root / "area" / "name.json") << returns;
  const Catalog catalog = LoadCatalog(root.string());
  EXPECT_TRUE(catalog.cases.empty());
  ASSERT_EQ(catalog.errors.size(), 1u);
  EXPECT_NE(catalog.errors[0].message.find("nested deeper"), std::string::npos);
  fs::remove_all(root);
}

// Issue 12, failure 6: a second "platforms" silently won and turned the case not-applicable.
TEST(Catalog, DuplicateKeysAreErrorsNamingTheKeyAndItsPath) {
  const auto errors = ParseAndValidateCase(
      R"({"id": "area/name", "title": "t", "rules": ["meta.test"], "platforms": ["linux"],
          "steps": [{"do": "check"}], "platforms": ["windows"]})",
      "area/name.json", "area/name", nullptr);
  ASSERT_EQ(errors.size(), 1u) << AllErrors(errors);
  EXPECT_EQ(errors[0].json_path, "/platforms");
  EXPECT_NE(errors[0].message.find("duplicate key 'platforms'"), std::string::npos);
}

TEST(Catalog, OversizedAndUnreadableFilesAreErrors) {
  const fs::path root = fs::temp_directory_path() / ("sigconform-big-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "area");
  std::ofstream(root / "area" / "big.json") << std::string(2u << 20, ' ');
  // A FIFO without a writer would block a naive reader forever.
  ASSERT_EQ(mkfifo((root / "area" / "fifo.json").c_str(), 0600), 0);
  const Catalog catalog = LoadCatalog(root.string());
  EXPECT_TRUE(HasError(catalog.errors, "", "larger than 1048576 bytes")) << AllErrors(catalog.errors);
  EXPECT_TRUE(HasError(catalog.errors, "", "not a regular file")) << AllErrors(catalog.errors);
  fs::remove_all(root);
}

TEST(Validate, NeverThrowsOnOddDocuments) {
  for (const char* text : {"null", "5", "\"case\"", "[]", "{}", R"({"steps": 5})",
                           R"({"steps": [5, null, [], {"do": 5}, {"call": []}]})",
                           R"({"handlers": [], "parent": "x", "exit": [], "stdout": 1})",
                           R"({"steps": [{"do": "thread", "name": 5, "steps": [{"do": "join"}]}]})",
                           R"({"steps": [{"call": "f", "expect": {"returns": {"struct": 5}}}]})"}) {
    SCOPED_TRACE(text);
    std::vector<CatalogError> errors;
    EXPECT_NO_THROW(errors = ParseAndValidateCase(text, "x.json", "area/x", nullptr));
    EXPECT_FALSE(errors.empty());
  }
}

TEST(Validate, ReportsEveryErrorNotJustTheFirst) {
  json doc = Base();
  doc["timeout"] = "slow";
  doc["tags"] = {"Bad Tag"};
  doc["steps"][0]["expct"] = 1;
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/timeout", "expected a number, got string"));
  EXPECT_TRUE(HasError(errors, "/tags/0", "is not a tag"));
  EXPECT_TRUE(HasError(errors, "/steps/0/expct", "unknown key 'expct'; expected one of: bind, do, expect, note"));
}

TEST(Validate, JsonPointerEscapesSlashAndTilde) {
  json doc = Base();
  doc["a/b~c"] = 1;
  EXPECT_TRUE(HasError(Validate(doc), "/a~1b~0c", "unknown key 'a/b~c'"));
}

TEST(Validate, ThreadStepsSeeEarlierMainBindings) {
  json doc = Base();
  doc["steps"] = json::parse(R"([
    {"do": "pipe", "bind": ["r", "w"]},
    {"do": "thread", "name": "t", "steps": [
      {"do": "write", "fd": "$w", "data": {"bytes": "00"}, "bind": "n"},
      {"do": "check", "expect": {"returns": null, "events": [{"handler": "h", "thread": "t"}]}}]},
    {"do": "join", "name": "t", "timeout": 1},
    {"do": "check", "expect": {"returns": "$n"}}])");
  EXPECT_TRUE(Validate(doc).empty()) << AllErrors(Validate(doc));
}

TEST(Validate, HandlerWriteMayUseANameBoundByAnyStep) {
  json doc = Base();
  doc["handlers"]["w"] = json::parse(R"({"write": {"fd": "$wfd", "data": {"bytes": "00"}}})");
  doc["steps"] = json::parse(R"([{"do": "pipe", "bind": ["rfd", "wfd"]}])");
  EXPECT_TRUE(Validate(doc).empty()) << AllErrors(Validate(doc));
  doc["handlers"]["w"]["write"]["fd"] = "$nowhere";
  EXPECT_TRUE(HasError(Validate(doc), "/handlers/w/write/fd", "'$nowhere' is not bound"));
}

TEST(Validate, MatcherAndArgumentLiteralsWithDoubledSigils) {
  json doc = Base();
  doc["steps"] = json::parse(R"([{"call": "f", "args": ["$$x", "@@y"],
                                   "expect": {"returns": "$$z"}}])");
  Case c;
  EXPECT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  EXPECT_EQ(c.requires_names, std::vector<std::string>{"f"});
}

TEST(Validate, SignalUnknownOnThisHostIsAnErrorOnlyWhereTheRunnerActs) {
  if (SignalNumber("SIGINFO")) GTEST_SKIP() << "this host has SIGINFO";
  json doc = Base();
  doc["exit"] = {{"signal", "SIGINFO"}};
  doc["steps"][0]["expect"] = {{"events", {{{"handler", "h"}, {"sig", "SIGINFO"}}}}};
  EXPECT_TRUE(Validate(doc).empty()) << AllErrors(Validate(doc));

  json parent = Base();
  parent["parent"] = {{"block", {"SIGINFO"}}};
  EXPECT_TRUE(HasError(Validate(parent), "/parent/block/0", "does not exist on this host"));

  json kill = Base();
  kill["steps"] = {{{"do", "parent_kill"}, {"sig", "SIGINFO"}}};
  EXPECT_TRUE(HasError(Validate(kill), "/steps/0/sig", "does not exist on this host"));

  // A case for other platforms only never makes this runner act on the name.
  parent["platforms"] = {"darwin", "freebsd"};
  EXPECT_TRUE(Validate(parent).empty()) << AllErrors(Validate(parent));
}

TEST(Validate, TypeMessagesNameBothTypes) {
  json doc = Base();
  doc["steps"] = json::parse(R"([{"do": "wait", "events": "1", "timeout": true}])");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/0/events", "expected an integer, got string"));
  EXPECT_TRUE(HasError(errors, "/steps/0/timeout", "expected a number, got boolean"));
}

TEST(Validate, ValuesOutOfRangeAreErrors) {
  json doc = Base();
  doc["timeout"] = 0;
  doc["steps"] = json::parse(R"([{"do": "wait", "events": 0, "timeout": 1},
      {"do": "sleep", "seconds": -1}, {"call": "f", "expect": {"returns": {"$range": [2, 1]}}}])");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/timeout", "more than 0"));
  EXPECT_TRUE(HasError(errors, "/steps/0/events", ">= 1"));
  EXPECT_TRUE(HasError(errors, "/steps/1/seconds", ">= 0"));
  EXPECT_TRUE(HasError(errors, "/steps/2/expect/returns/$range", "the range is empty"));
}

TEST(Validate, MatcherObjectsHaveOneKey) {
  json doc = Base();
  doc["steps"][0]["expect"] = json::parse(R"({"returns": {"Signals": "SIGINT", "set": []}})");
  EXPECT_TRUE(HasError(Validate(doc), "/steps/0/expect/returns", "exactly one key"));
  doc["steps"][0]["expect"] = json::parse(R"({"returns": {"$type": "integer"}})");
  EXPECT_TRUE(HasError(Validate(doc), "/steps/0/expect/returns/$type", "'integer' is not a type"));
  doc["steps"][0]["expect"] = json::parse(R"({"returns": {"$type": "Signals"}})");
  EXPECT_TRUE(Validate(doc).empty());
}

TEST(Validate, AuditExpectationsAndProcessActions) {
  json doc = Base();
  doc["steps"] = json::parse(R"([{"do": "audit_hook", "events": ["signal.pthread_kill"]},
      {"do": "process_info", "bind": ["pid", "uid", "ppid"]},
      {"do": "parent_kill", "sig": "SIGUSR1", "queue": true},
      {"do": "spawn", "argv": ["sleep", "30"], "bind": "child"},
      {"do": "pidfd_open", "pid": "$child", "bind": "fd"},
      {"do": "waitpid", "pid": "$child", "timeout": 5},
      {"do": "check", "expect": {"audit": [{"event": "signal.pthread_kill",
                                            "args": {"tuple": ["$pid", 0]}}]}}])");
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  doc["steps"] = json::parse(R"([{"do": "audit_hook", "events": []},
      {"do": "parent_kill", "sig": "SIGUSR1", "queue": 1},
      {"do": "check", "expect": {"audit": [{"args": "$nope"}, {"event": "x", "when": 1}]}}])");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/0/events", "at least one string"));
  EXPECT_TRUE(HasError(errors, "/steps/1/queue", "boolean"));
  EXPECT_TRUE(HasError(errors, "/steps/2/expect/audit/0", "event"));
  EXPECT_TRUE(HasError(errors, "/steps/2/expect/audit/0/args", "nope"));
  EXPECT_TRUE(HasError(errors, "/steps/2/expect/audit/1/when", "unknown key"));
}

TEST(Validate, SelectAndNativeBusyActions) {
  json doc = Base();
  doc["steps"] = json::parse(R"([{"do": "socketpair", "bind": ["r", "w"]},
      {"do": "select", "fds": ["$r"], "timeout": 0},
      {"do": "native_busy", "seconds": 0.5}])");
  ASSERT_TRUE(Validate(doc).empty()) << AllErrors(Validate(doc));
  doc["steps"] = json::parse(R"([{"do": "select", "fds": ["$nope"]},
      {"do": "select", "fds": [], "timeout": -1},
      {"do": "native_busy", "seconds": 0}])");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/0", "timeout")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/0/fds/0", "nope")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/1/timeout", ">= 0")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/2/seconds", "> 0")) << AllErrors(errors);
}

TEST(Validate, WakeupAndNamesActionsAndEventTiming) {
  json doc = Base();
  doc["steps"] = json::parse(R"([{"do": "pipe", "bind": ["r", "w"]},
      {"do": "fill", "fd": "$w"},
      {"do": "attribute", "name": "SIGBREAK", "expect": {"raises": "AttributeError"}},
      {"do": "attribute", "name": "NSIG", "bind": "nsig"},
      {"do": "members", "enum": "Signals",
       "expect": {"returns": {"$every": {"$all": [{"$below": "$nsig"}, {"$below": 1000}]}}}},
      {"do": "thread", "name": "t", "steps": [{"do": "check"}, {"do": "check"}]},
      {"do": "read", "fd": "$r", "size": 1,
       "expect": {"returns": {"$signal_bytes": ["SIGUSR1"]},
                  "events": [{"handler": "h", "after_start_of": "5.1", "before_start_of": "7"}]}},
      {"do": "check", "expect": {"returns": {"$signum": "SIGUSR1"}}}])");
  Case c;
  ASSERT_TRUE(Validate(doc, &c).empty()) << AllErrors(Validate(doc));
  // `attribute` does not make the case require the name: it may check that one is absent.
  EXPECT_EQ(std::count(c.requires_names.begin(), c.requires_names.end(), "SIGBREAK"), 0);
  doc["steps"] = json::parse(R"([{"do": "fill"},
      {"do": "attribute", "name": "not a name"},
      {"do": "members", "enum": "ItimerError"},
      {"do": "check", "expect": {"events": [{"handler": "h", "after_start_of": "0.1"},
                                            {"handler": "h", "before_start_of": 3}]}},
      {"do": "check", "expect": {"returns": {"$below": "nsig"}}},
      {"do": "check", "expect": {"returns": {"$below": "$unbound"}}},
      {"do": "check", "expect": {"returns": {"$signum": "SIGNOPE"}}},
      {"do": "check", "expect": {"returns": {"$signal_bytes": ["SIGUSR1", "oops"]}}},
      {"do": "check", "expect": {"returns": {"$every": {"$nope": 1}}}}])");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/0", "fd")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/1/name", "attribute name")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/2/enum", "Signals")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/3/expect/events/0/after_start_of",
                       "not the path of a step")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/3/expect/events/1/before_start_of", "string"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/4/expect/returns/$below", "binding")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/5/expect/returns/$below", "not bound")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/6/expect/returns/$signum", "unknown signal"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/7/expect/returns/$signal_bytes/1", "not a signal name"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/8/expect/returns/$every/$nope", "unknown matcher"))
      << AllErrors(errors);
}

TEST(Validate, ElapsedFromNamesAStepThatSurelyStartsBefore) {
  json doc = Base();
  // An earlier step of the same sequence, the enclosing thread step, and an earlier step of
  // the sequence enclosing a thread's step.
  doc["steps"] = json::parse(R"([{"do": "check"},
      {"do": "thread", "name": "t", "steps": [{"do": "check"},
          {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "1.0"}},
          {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "1"}},
          {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "0"}}]},
      {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "0"}}])");
  EXPECT_TRUE(Validate(doc).empty()) << AllErrors(Validate(doc));
  doc["steps"] = json::parse(R"([{"do": "check"},
      {"do": "thread", "name": "t", "steps": [{"do": "check"}]},
      {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "1.0"}},
      {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "3"}},
      {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": "9"}},
      {"do": "check", "expect": {"returns": null, "elapsed_from": "0"}},
      {"do": "check", "expect": {"elapsed": [0, 5], "elapsed_from": 0}}])");
  const auto errors = Validate(doc);
  EXPECT_TRUE(HasError(errors, "/steps/2/expect/elapsed_from",
                       "step 1.0 is not a step that surely starts before step 2"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/3/expect/elapsed_from",
                       "step 3 is not a step that surely starts before step 3"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/4/expect/elapsed_from", "not the path of a step"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/5/expect/elapsed_from", "needs an 'elapsed' window"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/steps/6/expect/elapsed_from", "string")) << AllErrors(errors);
}

TEST(Validate, DuplicateListItemsAreErrors) {
  json doc = Base();
  doc["rules"] = {"a.b", "a.b"};
  EXPECT_TRUE(HasError(Validate(doc), "/rules/1", "duplicate item 'a.b'"));
}

TEST(Validate, IdMustBeTheFilesPath) {
  json doc = Base();
  EXPECT_TRUE(ValidateCase(doc, "x.json", "area/name", nullptr).empty());
  EXPECT_TRUE(HasError(ValidateCase(doc, "x.json", "area/other", nullptr), "/id",
                       "does not match the file's path 'area/other'"));
  doc["id"] = "Area/Name";
  EXPECT_TRUE(HasError(ValidateCase(doc, "x.json", "Area/Name", nullptr), "/id", "is not a case id"));
}

}  // namespace
}  // namespace sigconform
