#include "impl_spec.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

using Words = std::vector<std::string>;

Words Split(const std::string& command) {
  std::string error;
  std::optional<Words> words = SplitShellWords(command, &error);
  EXPECT_TRUE(words.has_value()) << command << ": " << error;
  return words.value_or(Words{});
}

std::string SplitError(const std::string& command) {
  std::string error;
  EXPECT_FALSE(SplitShellWords(command, &error).has_value()) << command;
  return error;
}

TEST(ImplSpec, ShellSplitting) {
  EXPECT_EQ(Split("a b  c"), (Words{"a", "b", "c"}));
  EXPECT_EQ(Split("  \ta\n b \t"), (Words{"a", "b"}));
  EXPECT_EQ(Split(""), Words{});
  EXPECT_EQ(Split("'a b' c"), (Words{"a b", "c"}));
  EXPECT_EQ(Split("'' x"), (Words{"", "x"}));
  EXPECT_EQ(Split("\"\""), (Words{""}));
  EXPECT_EQ(Split("a'b'\"c\"d"), (Words{"abcd"}));
  // Single quotes keep backslashes and double quotes.
  EXPECT_EQ(Split("'a\\b\"c'"), (Words{"a\\b\"c"}));
  // In double quotes a backslash escapes only $ ` " \ and newline.
  EXPECT_EQ(Split("\"a\\\"b\""), (Words{"a\"b"}));
  EXPECT_EQ(Split("\"a\\\\b\""), (Words{"a\\b"}));
  EXPECT_EQ(Split("\"a\\$b\""), (Words{"a$b"}));
  EXPECT_EQ(Split("\"a\\nb\""), (Words{"a\\nb"}));
  EXPECT_EQ(Split("\"a\\\nb\""), (Words{"ab"}));
  // Quoted, $ and operators are literal: there is no expansion.
  EXPECT_EQ(Split("\"$HOME\" '|;&'"), (Words{"$HOME", "|;&"}));
  // Outside quotes a backslash keeps the next character; backslash-newline vanishes.
  EXPECT_EQ(Split("a\\ b c\\'d"), (Words{"a b", "c'd"}));
  EXPECT_EQ(Split("a\\\nb"), (Words{"ab"}));
  EXPECT_EQ(Split("\\$x"), (Words{"$x"}));
}

TEST(ImplSpec, ShellSplittingErrors) {
  EXPECT_NE(SplitError("a 'b").find("unterminated single quote"), std::string::npos);
  EXPECT_NE(SplitError("a \"b\\\"").find("unterminated double quote"), std::string::npos);
  EXPECT_NE(SplitError("a\\").find("backslash"), std::string::npos);
  EXPECT_NE(SplitError("a | b").find("never run through a shell"), std::string::npos);
  SplitError("$HOME/x");
  SplitError("a > log");
  SplitError("a; b");
  SplitError("`x`");
}

TEST(ImplSpec, NameEqualsCommand) {
  std::string error;
  std::optional<Implementation> impl =
      ParseImplSpec("mypy=/opt/py/bin/python3 -X dev '/a b/driver.py'", &error);
  ASSERT_TRUE(impl) << error;
  EXPECT_EQ(impl->name, "mypy");
  EXPECT_EQ(impl->argv, (Words{"/opt/py/bin/python3", "-X", "dev", "/a b/driver.py"}));

  // Only the first '=' separates: the command may contain more.
  impl = ParseImplSpec("x=prog --opt=1", &error);
  ASSERT_TRUE(impl) << error;
  EXPECT_EQ(impl->argv, (Words{"prog", "--opt=1"}));
}

TEST(ImplSpec, BadSpecsAreClearErrors) {
  std::string error;
  EXPECT_FALSE(ParseImplSpec("nosuch", &error));
  EXPECT_NE(error.find("unknown implementation 'nosuch'"), std::string::npos) << error;
  EXPECT_NE(error.find("reference, cpython, pypy"), std::string::npos) << error;

  EXPECT_FALSE(ParseImplSpec("x=prog 'oops", &error));
  EXPECT_NE(error.find("implementation 'x': unterminated single quote"), std::string::npos)
      << error;

  EXPECT_FALSE(ParseImplSpec("x=   ", &error));
  EXPECT_NE(error.find("empty command"), std::string::npos) << error;

  EXPECT_FALSE(ParseImplSpec("=prog", &error));
  EXPECT_FALSE(ParseImplSpec("a b=prog", &error));
}

TEST(ImplSpec, RegisteredNames) {
  setenv("PYENV_ROOT", "/nonexistent", 1);
  EXPECT_EQ(RegisteredNames(), (Words{"reference", "cpython", "pypy", "pyodide"}));
  unsetenv("PYENV_ROOT");
  std::string error;
  unsetenv("SIGCONFORM_SOURCE_ROOT");
  unsetenv("SIGCONFORM_BUILD_ROOT");
  std::optional<Implementation> ref = ParseImplSpec("reference", &error);
  ASSERT_TRUE(ref) << error;
  EXPECT_EQ(ref->name, "reference");
  EXPECT_EQ(ref->argv, Words{std::string(SIGCONFORM_BUILD_ROOT) +
                             "/reference-impl/driver/sigref-driver"});

  std::optional<Implementation> cpython = ParseImplSpec("cpython", &error);
  ASSERT_TRUE(cpython) << error;
  EXPECT_EQ(cpython->argv, (Words{"/usr/bin/python3", std::string(SIGCONFORM_SOURCE_ROOT) +
                                                          "/adapters/python/driver.py"}));

  std::optional<Implementation> pypy = ParseImplSpec("pypy", &error);
  ASSERT_TRUE(pypy) << error;
  EXPECT_EQ(pypy->argv[0], "pypy3");
}

TEST(ImplSpec, PyodideRunsTheNodeDriverWithItsCacheInTheBuildTree) {
  std::string error;
  std::optional<Implementation> pyodide = ParseImplSpec("pyodide", &error);
  ASSERT_TRUE(pyodide) << error;
  EXPECT_EQ(pyodide->argv,
            (Words{"node", std::string(SIGCONFORM_SOURCE_ROOT) + "/adapters/pyodide/driver.cjs",
                   "--cache", std::string(SIGCONFORM_BUILD_ROOT) + "/adapters/pyodide/cache",
                   "--native",
                   std::string(SIGCONFORM_BUILD_ROOT) + "/adapters/pyodide/fork_server.node"}));
}

// A pyenv tree made of empty executables: only what matters to the discovery.
class FakePyenv : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/sigconform-pyenv-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    root_ = templ;
    setenv("PYENV_ROOT", root_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("PYENV_ROOT");
    std::string command = "rm -rf '" + root_ + "'";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  void Install(const std::string& version, const std::string& exe) {
    std::string dir = root_ + "/versions/" + version + "/bin";
    std::string command = "mkdir -p '" + dir + "' && touch '" + dir + "/" + exe +
                          "' && chmod +x '" + dir + "/" + exe + "'";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  std::string root_;
};

TEST_F(FakePyenv, EveryMinorVersionIsRegisteredOnceAsPyMajorMinor) {
  Install("3.6.15", "python3");
  Install("3.10.13", "python3");
  Install("3.10.2", "python3");
  Install("2.7.18", "python");
  Install("3.12-dev", "python3");  // not a release: left out
  Install("myenv", "python3");     // a virtualenv: left out
  std::vector<PyenvInterpreter> found = PyenvInterpreters();
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].name, "py2.7");
  EXPECT_EQ(found[0].program, root_ + "/versions/2.7.18/bin/python");
  EXPECT_EQ(found[1].name, "py3.6");
  EXPECT_EQ(found[2].name, "py3.10");
  EXPECT_EQ(found[2].version, "3.10.13");  // the newest patch release
  EXPECT_EQ(RegisteredNames(),
            (Words{"reference", "cpython", "pypy", "pyodide", "py2.7", "py3.6", "py3.10"}));
  std::string error;
  std::optional<Implementation> py310 = ParseImplSpec("py3.10", &error);
  ASSERT_TRUE(py310) << error;
  EXPECT_EQ(py310->argv[0], root_ + "/versions/3.10.13/bin/python3");
  EXPECT_EQ(py310->argv[1], std::string(SIGCONFORM_SOURCE_ROOT) + "/adapters/python/driver.py");
}

TEST(ImplSpec, RootsCanBeOverriddenByEnvironment) {
  setenv("SIGCONFORM_SOURCE_ROOT", "/src", 1);
  setenv("SIGCONFORM_BUILD_ROOT", "/bld", 1);
  std::string error;
  EXPECT_EQ(ParseImplSpec("reference", &error)->argv,
            Words{"/bld/reference-impl/driver/sigref-driver"});
  EXPECT_EQ(ParseImplSpec("cpython", &error)->argv[1], "/src/adapters/python/driver.py");
  unsetenv("SIGCONFORM_SOURCE_ROOT");
  unsetenv("SIGCONFORM_BUILD_ROOT");
}

TEST(ImplSpec, BareProgramIsSearchedOnPath) {
  std::string error;
  Words argv{"sh", "-c", "true"};
  ASSERT_TRUE(ResolveProgram(&argv, &error)) << error;
  EXPECT_EQ(argv[0][0], '/');
  EXPECT_EQ(argv[0].substr(argv[0].size() - 3), "/sh");
  EXPECT_EQ(access(argv[0].c_str(), X_OK), 0);
  EXPECT_EQ(argv[1], "-c");

  Implementation impl{"x", {"no-such-program-sigconform"}};
  EXPECT_FALSE(ResolveImplementation(&impl, &error));
  EXPECT_EQ(error, "implementation 'x': program 'no-such-program-sigconform' not found on PATH");
}

TEST(ImplSpec, RelativePathIsTakenAgainstCwd) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  std::string error;
  Words argv{"sub/prog"};
  ASSERT_TRUE(ResolveProgram(&argv, &error)) << error;
  EXPECT_EQ(argv[0], std::string(cwd) + "/sub/prog");

  Words absolute{"/x/y"};
  ASSERT_TRUE(ResolveProgram(&absolute, &error));
  EXPECT_EQ(absolute[0], "/x/y");
}

}  // namespace
}  // namespace sigconform
