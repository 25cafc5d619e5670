#include "environment.h"

#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

bool Has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

bool HasName(const std::vector<std::string>& env, const std::string& name) {
  const std::string prefix = name + "=";
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) {
    return e.compare(0, prefix.size(), prefix) == 0;
  });
}

TEST(Environment, BaseIsFixedAndSmall) {
  setenv("PYTHONUNBUFFERED", "1", 1);
  setenv("PYTHONPATH", "/evil", 1);
  setenv("PYTHONHOME", "/evil", 1);
  setenv("SOMETHING_ELSE", "x", 1);
  setenv("HOME", "/home/tester", 1);
  std::vector<std::string> base = BaseEnvironment();
  EXPECT_EQ(base, (std::vector<std::string>{
                      "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/tester", "LANG=C.UTF-8",
                      "LC_ALL=C.UTF-8", "TZ=UTC", "PYTHONDONTWRITEBYTECODE=1",
                      "PYTHONNOUSERSITE=1"}));
  unsetenv("HOME");
  EXPECT_TRUE(Has(BaseEnvironment(), "HOME=/nonexistent"));
  unsetenv("PYTHONUNBUFFERED");
  unsetenv("PYTHONPATH");
  unsetenv("PYTHONHOME");
  unsetenv("SOMETHING_ELSE");
}

TEST(Environment, CaseAddsReplacesAndRemoves) {
  ParentState parent;
  parent.env["PYTHONUNBUFFERED"] = "1";
  parent.env["TZ"] = "Europe/Madrid";
  parent.env["LC_ALL"] = std::nullopt;
  parent.env["NOT_THERE"] = std::nullopt;
  std::vector<std::string> env = CaseEnvironment(BaseEnvironment(), parent);
  EXPECT_TRUE(Has(env, "PYTHONUNBUFFERED=1"));
  EXPECT_TRUE(Has(env, "TZ=Europe/Madrid"));
  EXPECT_FALSE(Has(env, "TZ=UTC"));
  EXPECT_FALSE(HasName(env, "LC_ALL"));
  EXPECT_FALSE(HasName(env, "NOT_THERE"));
  EXPECT_TRUE(Has(env, "SIGCONFORM_OBS_FD=3"));
  EXPECT_TRUE(Has(env, "SIGCONFORM_CASE_FD=4"));
  // TZ keeps its place in the base order.
  EXPECT_EQ(std::find(env.begin(), env.end(), "TZ=Europe/Madrid") - env.begin(), 3);
}

TEST(Environment, DescribeHasNoCaseFd) {
  std::vector<std::string> env = CaseEnvironment(BaseEnvironment(), ParentState{}, /*run=*/false);
  EXPECT_TRUE(Has(env, "SIGCONFORM_OBS_FD=3"));
  EXPECT_FALSE(HasName(env, "SIGCONFORM_CASE_FD"));
}

TEST(Environment, CaseCannotMoveProtocolDescriptors) {
  ParentState parent;
  parent.env["SIGCONFORM_OBS_FD"] = "7";
  parent.env["SIGCONFORM_CASE_FD"] = std::nullopt;
  std::vector<std::string> env = CaseEnvironment(BaseEnvironment(), parent);
  EXPECT_TRUE(Has(env, "SIGCONFORM_OBS_FD=3"));
  EXPECT_FALSE(Has(env, "SIGCONFORM_OBS_FD=7"));
  EXPECT_TRUE(Has(env, "SIGCONFORM_CASE_FD=4"));
}

}  // namespace
}  // namespace sigconform
