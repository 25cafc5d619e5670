#include "fork_server.h"

#include <errno.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "environment.h"
#include "fake_drivers.h"

namespace sigconform {
namespace {

// The Python driver, run by Debian's CPython, as the runner's `cpython` implementation.
std::vector<std::string> PythonDriver() {
  return {"/usr/bin/python3", std::string(SIGCONFORM_SOURCE_ROOT) + "/adapters/python/driver.py"};
}

LaunchSpec CaseSpec(const std::string& steps) {
  LaunchSpec spec;
  spec.argv = PythonDriver();
  spec.argv.push_back("run");
  spec.env = CaseEnvironment(BaseEnvironment(), ParentState{});
  spec.program = "{\"protocol\": 1, \"case\": \"t/x\", \"handlers\": {}, \"steps\": " + steps + "}";
  return spec;
}

// Reads a descriptor to its end (the case's process closes it when it ends).
std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 60000) <= 0) break;
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

class ForkServerTest : public ::testing::Test {
 protected:
  // The runner is a child subreaper while it runs cases (RunContainment); so is this test.
  void SetUp() override { ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0); }
  void TearDown() override { prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0); }
};

TEST(FitsForkServer, OnlyCasesWithoutParentState) {
  ParentState none;
  EXPECT_TRUE(FitsForkServer(none));
  ParentState p = none;
  p.ignore = {"SIGINT"};
  EXPECT_FALSE(FitsForkServer(p));
  p = none;
  p.block = {"SIGUSR1"};
  EXPECT_FALSE(FitsForkServer(p));
  p = none;
  p.stdout_mode = ParentState::Stdout::kBroken;
  EXPECT_FALSE(FitsForkServer(p));
  p = none;
  p.env["PYTHONUNBUFFERED"] = "1";
  EXPECT_FALSE(FitsForkServer(p));
  p = none;
  p.rlimits["NOFILE"] = 64;
  EXPECT_FALSE(FitsForkServer(p));
}

TEST_F(ForkServerTest, TheCasesProcessIsTheRunnersChildInItsOwnGroup) {
  std::string error;
  std::unique_ptr<ForkServer> server =
      ForkServer::Start(PythonDriver(), CaseEnvironment(BaseEnvironment(), ParentState{}), &error);
  ASSERT_NE(server, nullptr) << error;
  for (int round = 0; round < 2; ++round) {  // the server serves more than one case
    LaunchedChild child;
    ASSERT_TRUE(server->Spawn(CaseSpec("[{\"do\": \"process_info\"}]"), &child, &error, nullptr))
        << error;
    EXPECT_EQ(getpgid(child.pid), child.pid);
    std::string observations = ReadAll(child.obs_fd.get());
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);  // ours to reap
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_NE(observations.find("\"isolation\": \"fork-server\""), std::string::npos)
        << observations;
    const std::string identity = "{\"tuple\": [" + std::to_string(child.pid) + ", " +
                                 std::to_string(getuid()) + ", " + std::to_string(getpid()) + "]}";
    EXPECT_NE(observations.find(identity), std::string::npos) << observations;
  }
  EXPECT_TRUE(server->alive());
}

TEST_F(ForkServerTest, ACaseWithParentStateIsRefused) {
  std::string error;
  std::unique_ptr<ForkServer> server =
      ForkServer::Start(PythonDriver(), CaseEnvironment(BaseEnvironment(), ParentState{}), &error);
  ASSERT_NE(server, nullptr) << error;
  LaunchSpec spec = CaseSpec("[]");
  spec.parent.block = {"SIGUSR1"};
  LaunchedChild child;
  EXPECT_FALSE(server->Spawn(spec, &child, &error, nullptr));
  EXPECT_EQ(child.pid, -1);
  EXPECT_TRUE(server->alive());
}

TEST_F(ForkServerTest, AServerNamingAProcessThatIsNotOursIsKilledAndRefused) {
  std::string error;
  std::unique_ptr<ForkServer> server = ForkServer::Start(
      {FakeDriver("lying-fork-server")}, CaseEnvironment(BaseEnvironment(), ParentState{}), &error);
  ASSERT_NE(server, nullptr) << error;
  LaunchedChild child;
  EXPECT_FALSE(server->Spawn(CaseSpec("[]"), &child, &error, nullptr));
  EXPECT_EQ(error, "the fork-server named process " + std::to_string(getpid()) +
                       ", which is not the runner's child");
  EXPECT_EQ(child.pid, -1);
  EXPECT_FALSE(server->alive());
  EXPECT_EQ(server->pid(), -1);  // killed and reaped
  EXPECT_FALSE(server->Spawn(CaseSpec("[]"), &child, &error, nullptr));
  EXPECT_EQ(error, "the fork-server has stopped");
}

// A server whose start-up takes `delay` seconds (a shell sleeps, then becomes the Python
// driver's `serve`): a slow interpreter start on a loaded machine, for real.
std::vector<std::string> SlowStartingDriver(const std::string& delay) {
  return {"/bin/sh", "-c", "sleep " + delay + "; exec \"$0\" \"$1\" \"$2\"", PythonDriver()[0],
          PythonDriver()[1]};
}

TEST_F(ForkServerTest, AStartUpLongerThanAnAnswerMayTakeIsWaitedFor) {
  // Issue 14: with one limit for the start-up and the first answer, a server that was only
  // slow to start was killed and every case ran by fork+exec.
  std::string error;
  std::unique_ptr<ForkServer> server =
      ForkServer::Start(SlowStartingDriver("1.5"), CaseEnvironment(BaseEnvironment(), ParentState{}),
                        &error, /*start_seconds=*/60, /*answer_seconds=*/1);
  ASSERT_NE(server, nullptr) << error;
  for (int round = 0; round < 2; ++round) {
    LaunchedChild child;
    ASSERT_TRUE(server->Spawn(CaseSpec("[]"), &child, &error, nullptr)) << error;
    ReadAll(child.obs_fd.get());
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
  }
  EXPECT_TRUE(server->alive());
  EXPECT_EQ(server->served(), 2u);
  EXPECT_EQ(server->stop_reason(), "");
}

TEST_F(ForkServerTest, AServerThatDoesNotStartInTimeIsKilledSayingWhy) {
  std::string error;
  std::unique_ptr<ForkServer> server =
      ForkServer::Start(SlowStartingDriver("60"), CaseEnvironment(BaseEnvironment(), ParentState{}),
                        &error, /*start_seconds=*/1, /*answer_seconds=*/10);
  ASSERT_NE(server, nullptr) << error;
  LaunchedChild child;
  EXPECT_FALSE(server->Spawn(CaseSpec("[]"), &child, &error, nullptr));
  EXPECT_EQ(error, "the fork-server did not start within 1 s");
  EXPECT_EQ(server->stop_reason(), error);
  EXPECT_FALSE(server->alive());
  EXPECT_EQ(server->pid(), -1);  // killed and reaped
  EXPECT_FALSE(server->Spawn(CaseSpec("[]"), &child, &error, nullptr));
  EXPECT_EQ(error, "the fork-server has stopped");
  EXPECT_EQ(server->stop_reason(), "the fork-server did not start within 1 s");
}

TEST_F(ForkServerTest, AServerThatEndsSaysHowInItsStopReason) {
  std::string error;
  std::unique_ptr<ForkServer> server = ForkServer::Start(
      {"/bin/sh", "-c", "exit 3"}, CaseEnvironment(BaseEnvironment(), ParentState{}), &error);
  ASSERT_NE(server, nullptr) << error;
  LaunchedChild child;
  EXPECT_FALSE(server->Spawn(CaseSpec("[]"), &child, &error, nullptr));
  EXPECT_EQ(server->stop_reason(), "the fork-server has ended before it started, exit code 3");
  EXPECT_EQ(server->served(), 0u);
}

TEST(ParentStateBeforeExec, NamesTheKeysThatNeedAForkExec) {
  ParentState p;
  EXPECT_EQ(ParentStateBeforeExec(p), "");
  p.block = {"SIGUSR1"};
  p.env["X"] = "1";
  EXPECT_EQ(ParentStateBeforeExec(p), "parent.block, parent.env");
}

}  // namespace
}  // namespace sigconform
