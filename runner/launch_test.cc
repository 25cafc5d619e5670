#include "launch.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "environment.h"
#include "fake_drivers.h"
#include "supervisor.h"

namespace sigconform {
namespace {

LaunchSpec Spec(const std::string& driver, const ParentState& parent = ParentState{}) {
  LaunchSpec spec;
  spec.argv = {FakeDriver(driver), "run"};
  spec.env = CaseEnvironment(BaseEnvironment(), parent);
  spec.parent = parent;
  spec.program = "{\"protocol\":1,\"case\":\"fake\",\"steps\":[]}";
  spec.timeout_seconds = 60;
  return spec;
}

RunRecord RunOne(const LaunchSpec& spec) {
  Supervisor supervisor(1);
  std::vector<RunRecord> records = supervisor.Run({spec});
  return records.at(0);
}

// Runs the reports-state driver and returns its "state" record.
nlohmann::json State(const ParentState& parent, RunRecord* out = nullptr,
                     const std::string& program = "{\"protocol\":1}") {
  LaunchSpec spec = Spec("reports-state", parent);
  spec.program = program;
  RunRecord record = RunOne(spec);
  EXPECT_EQ(record.launch_error, "");
  EXPECT_TRUE(record.protocol_errors.empty()) << record.protocol_errors.at(0);
  EXPECT_EQ(record.stderr_data, "");
  if (out != nullptr) *out = record;
  for (const nlohmann::json& r : record.records) {
    if (r["ev"] == "state") return r;
  }
  ADD_FAILURE() << "no state record; stderr: " << record.stderr_data;
  return nlohmann::json::object();
}

// Whether signal `sig` is in a /proc/self/status mask such as "0000000000001000".
bool InMask(const nlohmann::json& state, const std::string& mask, int sig) {
  uint64_t bits = std::stoull(state["masks"][mask].get<std::string>(), nullptr, 16);
  return (bits >> (sig - 1)) & 1;
}

uint64_t Mask(const nlohmann::json& state, const std::string& mask) {
  return std::stoull(state["masks"][mask].get<std::string>(), nullptr, 16);
}

uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }

TEST(Launch, IgnoredSignalSurvivesExec) {
  ParentState parent;
  parent.ignore = {"SIGINT", "SIGUSR1"};
  nlohmann::json state = State(parent);
  EXPECT_TRUE(InMask(state, "SigIgn", SIGINT));
  EXPECT_TRUE(InMask(state, "SigIgn", SIGUSR1));
  EXPECT_FALSE(InMask(state, "SigIgn", SIGUSR2));
}

TEST(Launch, OtherSignalsStartDefaultAndUnblocked) {
  // The runner itself ignores SIGUSR2 and blocks SIGTERM; none of it may reach the driver.
  struct sigaction ignore, old_action;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGUSR2, &ignore, &old_action), 0);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);

  nlohmann::json state = State(ParentState{});

  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGUSR2, &old_action, nullptr);
  // Python itself ignores SIGPIPE and SIGXFSZ at startup; nothing else may be ignored.
  EXPECT_EQ(Mask(state, "SigIgn") & ~(Bit(SIGPIPE) | Bit(SIGXFSZ)), 0u);
  EXPECT_EQ(Mask(state, "SigBlk"), 0u);
  EXPECT_EQ(Mask(state, "SigPnd"), 0u);
  EXPECT_EQ(Mask(state, "ShdPnd"), 0u);
}

TEST(Launch, BlockedSignalStaysPendingAcrossExec) {
  ParentState parent;
  parent.block = {"SIGUSR1", "SIGUSR2", "SIGINT"};
  parent.pending = {"SIGUSR1", "SIGINT"};
  nlohmann::json state = State(parent);
  EXPECT_EQ(Mask(state, "SigBlk"), Bit(SIGUSR1) | Bit(SIGUSR2) | Bit(SIGINT));
  // kill(getpid()) makes them pending for the process, not for one thread.
  EXPECT_EQ(Mask(state, "ShdPnd"), Bit(SIGUSR1) | Bit(SIGINT));
}

TEST(Launch, BrokenStdoutHasNoReader) {
  ParentState parent;
  parent.stdout_mode = ParentState::Stdout::kBroken;
  nlohmann::json state = State(parent);
  EXPECT_EQ(state["fds"]["1"]["kind"], "fifo");
  EXPECT_EQ(state["stdout_probe"], "EPIPE");  // Python ignores SIGPIPE: the write fails

  // With SIGPIPE at its default, the first write kills the driver.
  RunRecord record = RunOne(Spec("writes-stdout", parent));
  ASSERT_TRUE(record.status);
  EXPECT_FALSE(record.status->exited);
  EXPECT_EQ(record.status->signal, SIGPIPE);
  EXPECT_EQ(record.stdout_data, "");
}

TEST(Launch, CapturedAndDevNullStdout) {
  RunRecord record;
  nlohmann::json state = State(ParentState{}, &record);
  EXPECT_EQ(state["fds"]["1"]["kind"], "fifo");
  EXPECT_EQ(state["stdout_probe"], "ok");
  EXPECT_EQ(record.stdout_data, "probe\n");

  ParentState parent;
  parent.stdout_mode = ParentState::Stdout::kDevNull;
  state = State(parent, &record);
  EXPECT_EQ(state["fds"]["1"]["kind"], "chr");
  EXPECT_EQ(state["fds"]["1"]["dev_null"], true);
  EXPECT_EQ(state["stdout_probe"], "ok");
  EXPECT_EQ(record.stdout_data, "");
}

TEST(Launch, StandardDescriptorsAndProgram) {
  const std::string program = "{\"protocol\":1,\"case\":\"x/y\",\"steps\":[{\"do\":\"check\"}]}";
  nlohmann::json state = State(ParentState{}, nullptr, program);
  EXPECT_EQ(state["fds"]["0"]["dev_null"], true);
  EXPECT_EQ(state["fds"]["2"]["kind"], "fifo");
  EXPECT_EQ(state["fds"]["3"]["kind"], "fifo");
  EXPECT_EQ(state["fds"]["4"]["kind"], "reg");  // a memfd
  EXPECT_EQ(state["program"], program);
}

TEST(Launch, OnlyDescriptorsZeroToFourAreOpen) {
  // A descriptor of the runner without close-on-exec must not leak into the driver.
  int leaked = open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 0);
  nlohmann::json state = State(ParentState{});
  close(leaked);
  EXPECT_EQ(state["open_fds"], nlohmann::json::array({0, 1, 2, 3, 4}));
}

TEST(Launch, DescribeHasNoDescriptorFour) {
  LaunchSpec spec = Spec("reports-state");
  spec.argv[1] = "describe";
  spec.program.clear();
  spec.env = CaseEnvironment(BaseEnvironment(), ParentState{}, /*run=*/false);
  RunRecord record = RunOne(spec);
  ASSERT_GE(record.records.size(), 1u);
  EXPECT_EQ(record.records[0]["open_fds"], nlohmann::json::array({0, 1, 2, 3}));
  EXPECT_TRUE(record.records[0]["program"].is_null());
  EXPECT_EQ(record.records[0]["argv_tail"], nlohmann::json::array({"describe"}));
}

TEST(Launch, DriverLeadsItsOwnProcessGroup) {
  nlohmann::json state = State(ParentState{});
  EXPECT_EQ(state["pid"], state["pgid"]);
  EXPECT_NE(state["pgid"].get<int>(), getpgrp());
}

TEST(Launch, ResourceLimitsAreApplied) {
  nlohmann::json state = State(ParentState{});
  EXPECT_EQ(state["rlimits"]["CORE"], nlohmann::json::array({0, 0}));

  ParentState parent;
  parent.rlimits = {{"NOFILE", 64}, {"FSIZE", 4096}, {"CORE", 0}};
  state = State(parent);
  EXPECT_EQ(state["rlimits"]["NOFILE"], nlohmann::json::array({64, 64}));
  EXPECT_EQ(state["rlimits"]["FSIZE"], nlohmann::json::array({4096, 4096}));
  EXPECT_EQ(state["rlimits"]["CORE"], nlohmann::json::array({0, 0}));
}

TEST(Launch, EnvironmentIsControlled) {
  setenv("PYTHONUNBUFFERED", "1", 1);
  setenv("SIGCONFORM_TEST_LEAK", "leak", 1);
  ParentState parent;
  parent.env["PYTHONUNBUFFERED"] = std::nullopt;
  parent.env["CASE_VARIABLE"] = "from the case";
  LaunchSpec spec = Spec("reports-state", parent);
  RunRecord record = RunOne(spec);
  unsetenv("PYTHONUNBUFFERED");
  unsetenv("SIGCONFORM_TEST_LEAK");
  ASSERT_GE(record.records.size(), 1u);
  nlohmann::json expected = nlohmann::json::object();
  for (const std::string& entry : spec.env) {
    size_t eq = entry.find('=');
    expected[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  EXPECT_EQ(record.records[0]["env"], expected);
  EXPECT_EQ(record.records[0]["env"]["CASE_VARIABLE"], "from the case");
  EXPECT_EQ(record.env, spec.env);
  EXPECT_EQ(record.argv, spec.argv);
}

TEST(Launch, ExecFailureIsReported) {
  LaunchSpec spec = Spec("says-done");
  spec.argv[0] = "/nonexistent/sigconform-driver";
  LaunchedChild child;
  std::string error;
  EXPECT_FALSE(Launch(spec, &child, &error));
  EXPECT_EQ(error, "cannot execute /nonexistent/sigconform-driver: No such file or directory");
  EXPECT_EQ(child.pid, -1);

  // Through the supervisor: a record with the reason and no status.
  RunRecord record = RunOne(spec);
  EXPECT_EQ(record.launch_error, error);
  EXPECT_FALSE(record.status);
}

TEST(Launch, NonExecutableIsReported) {
  char path[] = "/tmp/sigconform-not-executable-XXXXXX";
  int fd = mkstemp(path);  // mode 0600: no execute bit, not even for root
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "#!/bin/sh\n", 10), 10);
  close(fd);
  LaunchSpec spec = Spec("says-done");
  spec.argv[0] = path;
  LaunchedChild child;
  std::string error;
  EXPECT_FALSE(Launch(spec, &child, &error));
  unlink(path);
  EXPECT_EQ(error, "cannot execute " + std::string(path) + ": Permission denied");
}

TEST(Launch, ImpossibleParentStateIsRejectedBeforeFork) {
  LaunchedChild child;
  std::string error;
  ParentState parent;
  parent.pending = {"SIGUSR1"};
  EXPECT_FALSE(Launch(Spec("says-done", parent), &child, &error));
  EXPECT_EQ(error, "parent.pending: SIGUSR1 is not in parent.block");

  parent = ParentState{};
  parent.ignore = {"SIGKILL"};
  EXPECT_FALSE(Launch(Spec("says-done", parent), &child, &error));
  EXPECT_NE(error.find("SIGKILL cannot be"), std::string::npos) << error;

  parent = ParentState{};
  parent.block = {"SIGNOPE"};
  EXPECT_FALSE(Launch(Spec("says-done", parent), &child, &error));
  EXPECT_EQ(error, "parent.block: unknown signal SIGNOPE");

  parent = ParentState{};
  parent.rlimits = {{"STACK", 1}};
  EXPECT_FALSE(Launch(Spec("says-done", parent), &child, &error));
  EXPECT_EQ(error, "parent.rlimits: unknown limit STACK");

  LaunchSpec relative = Spec("says-done");
  relative.argv[0] = "says-done";
  EXPECT_FALSE(Launch(relative, &child, &error));
  EXPECT_NE(error.find("absolute path"), std::string::npos);
}

TEST(Launch, ParseWaitStatus) {
  WaitStatus exited = ParseWaitStatus(3 << 8);
  EXPECT_TRUE(exited.exited);
  EXPECT_EQ(exited.code, 3);
  WaitStatus killed = ParseWaitStatus(SIGSEGV | 0x80);
  EXPECT_FALSE(killed.exited);
  EXPECT_EQ(killed.signal, SIGSEGV);
  EXPECT_TRUE(killed.core_dumped);
}

}  // namespace
}  // namespace sigconform
