#include "supervisor.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "environment.h"
#include "fake_drivers.h"

namespace sigconform {
namespace {

LaunchSpec Spec(const std::string& driver, double timeout = 60,
                const ParentState& parent = ParentState{}) {
  LaunchSpec spec;
  spec.argv = {FakeDriver(driver), "run"};
  spec.env = CaseEnvironment(BaseEnvironment(), parent);
  spec.parent = parent;
  spec.program = "{\"protocol\":1,\"case\":\"fake\",\"steps\":[]}";
  spec.timeout_seconds = timeout;
  return spec;
}

double Now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::vector<std::string> Events(const RunRecord& record) {
  std::vector<std::string> out;
  for (const nlohmann::json& r : record.records) out.push_back(r["ev"].get<std::string>());
  return out;
}

bool Exited(const RunRecord& record, int code) {
  return record.status && record.status->exited && record.status->code == code;
}

bool KilledBy(const RunRecord& record, int sig) {
  return record.status && !record.status->exited && record.status->signal == sig;
}

TEST(Supervisor, NormalExitIsRecorded) {
  Supervisor supervisor(1);
  std::vector<RunRecord> records = supervisor.Run({Spec("says-done")});
  ASSERT_EQ(records.size(), 1u);
  const RunRecord& r = records[0];
  EXPECT_TRUE(Exited(r, 0));
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start", "done"}));
  EXPECT_TRUE(r.protocol_errors.empty());
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.interrupted);
  EXPECT_GT(r.seconds, 0.0);
  EXPECT_EQ(r.argv[0], FakeDriver("says-done"));
  EXPECT_FALSE(supervisor.interrupted());
}

TEST(Supervisor, CrashIsRecordedAsTheSignal) {
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("crashes")})[0];
  EXPECT_TRUE(KilledBy(r, SIGSEGV)) << r.stderr_data;
  // The observation written before the crash survives it.
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start"}));
}

TEST(Supervisor, EarlyExitKeepsItsRecords) {
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("exits-early")})[0];
  EXPECT_TRUE(Exited(r, 3));
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start"}));
}

TEST(Supervisor, GarbageBecomesProtocolErrors) {
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("garbage")})[0];
  EXPECT_TRUE(Exited(r, 0));
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start"}));
  ASSERT_EQ(r.protocol_errors.size(), 5u);
  EXPECT_EQ(r.protocol_errors[0], "line 1: not a JSON object: this is not JSON");
  EXPECT_EQ(r.protocol_errors[4], "line 6: last line has no newline: {\"ev\":\"done\"}");
}

TEST(Supervisor, HangingDriverIsKilledAfterTimeout) {
  LaunchSpec spec = Spec("hangs", /*timeout=*/0.5);
  spec.kill_grace_seconds = 0.5;
  Supervisor supervisor(1);
  double start = Now();
  RunRecord r = supervisor.Run({spec})[0];
  double elapsed = Now() - start;
  EXPECT_TRUE(r.timed_out);
  // It ignores SIGTERM, so only the SIGKILL after the grace time ended it.
  EXPECT_TRUE(KilledBy(r, SIGKILL));
  EXPECT_GE(r.seconds, 1.0 - 0.01);
  EXPECT_LT(elapsed, 30.0);  // it would sleep for an hour
}

TEST(Supervisor, TimeoutSendsTermFirst) {
  LaunchSpec spec = Spec("sleeps", /*timeout=*/0.5);
  spec.env.push_back("FAKE_SLEEP_SECONDS=300");
  spec.kill_grace_seconds = 20;
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({spec})[0];
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(KilledBy(r, SIGTERM));
  EXPECT_LT(r.seconds, 20.0);  // ended by the TERM, not by the KILL after the grace time
}

// The timeout counts from the start record: a slow start-up does not shorten the case.
// 2 s of start-up and 2 s of work, against a 3 s timeout: each part fits, their sum would not.
TEST(Supervisor, TimeoutCountsFromTheStartRecord) {
  LaunchSpec spec = Spec("starts-slowly", /*timeout=*/3);
  spec.env.push_back("FAKE_STARTUP_SECONDS=2");
  spec.env.push_back("FAKE_SLEEP_SECONDS=2");
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({spec})[0];
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start", "done"}));
  EXPECT_GE(r.seconds, 4.0 - 0.01);
}

// A start-up longer than the timeout is ended all the same: the start-up gets the case's
// timeout of its own, no more.
TEST(Supervisor, StartUpLongerThanTheTimeoutIsEnded) {
  LaunchSpec spec = Spec("starts-slowly", /*timeout=*/1);
  spec.env.push_back("FAKE_STARTUP_SECONDS=300");
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({spec})[0];
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(KilledBy(r, SIGTERM));
  EXPECT_TRUE(r.records.empty());
  EXPECT_LT(r.seconds, 60.0);
}

TEST(Supervisor, GrandchildHoldingPipeDoesNotBlockReaping) {
  Supervisor supervisor(1);
  double start = Now();
  RunRecord r = supervisor.Run({Spec("forks-grandchild")})[0];
  EXPECT_LT(Now() - start, 30.0);  // the grandchild sleeps 300 s holding every pipe
  EXPECT_TRUE(Exited(r, 0));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start", "done"}));
  EXPECT_TRUE(r.protocol_errors.empty());
}

bool Alive(pid_t pid) {
  // A zombie is not alive: read its state rather than trust kill(pid, 0).
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

// Issue 12, failure 3: a grandchild in a new session held every pipe and was left running.
TEST(Supervisor, GrandchildInANewSessionIsKilledWithItsCase) {
  for (const char* mode : {"full", "process-group"}) {
    SCOPED_TRACE(mode);
    LaunchSpec spec = Spec("escapes-group");
    spec.kill_grace_seconds = 5;
    Supervisor supervisor(1);
    if (std::string(mode) == "process-group") {
      supervisor.set_containment_policy(ContainmentPolicy{false, false});
    }
    double start = Now();
    RunRecord r = supervisor.Run({spec})[0];
    EXPECT_LT(Now() - start, 4.0);  // not the grace time: the grandchild was found and killed
    EXPECT_TRUE(Exited(r, 0));
    ASSERT_GE(r.records.size(), 1u);
    ASSERT_EQ(r.records[0]["ev"], "grandchild");
    const pid_t grandchild = r.records[0]["pid"].get<pid_t>();
    EXPECT_FALSE(Alive(grandchild));
    if (Alive(grandchild)) kill(grandchild, SIGKILL);
    EXPECT_EQ(Events(r), (std::vector<std::string>{"grandchild", "done"}));
    EXPECT_TRUE(r.protocol_errors.empty()) << r.protocol_errors[0];
  }
}

TEST(Supervisor, DaemonLeftByADoubleForkIsKilled) {
  for (const char* mode : {"full", "process-group"}) {
    SCOPED_TRACE(mode);
    Supervisor supervisor(1);
    if (std::string(mode) == "process-group") {
      supervisor.set_containment_policy(ContainmentPolicy{false, false});
    }
    RunRecord r = supervisor.Run({Spec("double-forks")})[0];
    EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
    ASSERT_EQ(Events(r), (std::vector<std::string>{"daemon", "done"}));
    const pid_t daemon = r.records[0]["pid"].get<pid_t>();
    EXPECT_FALSE(Alive(daemon));
    if (Alive(daemon)) kill(daemon, SIGKILL);
  }
}

// Issue 12, failure 3: a driver that moved into the runner's own process group survived its
// timeout (and Ctrl-C) and the runner waited 60 s for it.
TEST(Supervisor, DriverThatJoinsTheRunnersGroupEndsAtItsTimeout) {
  // 3 s: its Python must start and write its record first, on a machine that may be busy
  // (0.5 s was not always enough at a load of 14).
  LaunchSpec spec = Spec("joins-runner-group", /*timeout=*/3);
  spec.kill_grace_seconds = 0.5;
  Supervisor supervisor(1);
  double start = Now();
  RunRecord r = supervisor.Run({spec})[0];
  EXPECT_LT(Now() - start, 30.0);  // 3 + 0.5 after its start, with a wide margin; it sleeps 60 s
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(KilledBy(r, SIGKILL));  // deaf to SIGTERM
  ASSERT_EQ(Events(r), std::vector<std::string>{"start"});
  EXPECT_EQ(r.records[0]["pgid"], getpgrp());  // it really had joined the runner's group
}

// Issue 12, failure 9: a runaway loop reached 3 GB before its timeout.
TEST(Supervisor, MemoryLimitEndsARunawayCaseWithTheReason) {
  LaunchSpec spec = Spec("eats-memory", /*timeout=*/60);
  spec.limits.memory_bytes = 64u << 20;
  Supervisor supervisor(1);
  double start = Now();
  RunRecord r = supervisor.Run({spec})[0];
  if (!Events(r).empty() && Events(r)[0] == "unlimited") {
    GTEST_SKIP() << "no memory controller here: " << supervisor.containment().dump();
  }
  EXPECT_LT(Now() - start, 30.0);
  EXPECT_TRUE(KilledBy(r, SIGKILL)) << r.stderr_data;
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.limit_reached.find("memory limit of 64 MiB"), std::string::npos) << r.limit_reached;
}

// Issue 12, failure 9: a fork bomb was only stopped by the machine's own limits.
TEST(Supervisor, ProcessLimitHoldsAForkBomb) {
  LaunchSpec spec = Spec("fork-bomb", /*timeout=*/1.5);
  spec.kill_grace_seconds = 0.5;
  spec.limits.processes = 16;
  Supervisor supervisor(1);
  double start = Now();
  RunRecord r = supervisor.Run({spec})[0];
  if (!Events(r).empty() && Events(r)[0] == "unlimited") {
    GTEST_SKIP() << "no pids controller here: " << supervisor.containment().dump();
  }
  EXPECT_LT(Now() - start, 15.0);
  EXPECT_TRUE(r.timed_out);
  EXPECT_NE(r.limit_reached.find("limit of 16 processes"), std::string::npos) << r.limit_reached;
}

TEST(Supervisor, DriversRunAsUsersOfTheirOwnWhenTheRunnerIsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "the runner is not root";
  Supervisor supervisor(2);
  LaunchSpec as_root = Spec("reports-state");
  as_root.unprivileged = false;
  std::vector<RunRecord> records = supervisor.Run({Spec("reports-state"), Spec("reports-state"),
                                                   as_root});
  std::vector<long long> uids;
  for (const RunRecord& r : records) {
    ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
    uids.push_back(r.records.at(0)["uid"].get<long long>());
  }
  // Two at once: two different users of this run's block, neither root; the third asked to
  // stay root.
  const long long block = DriverUidBlock(getpid());
  EXPECT_GE(uids[0], block);
  EXPECT_GE(uids[1], block);
  EXPECT_LT(uids[0], block + kDriverUidsPerRun);
  EXPECT_LT(uids[1], block + kDriverUidsPerRun);
  EXPECT_NE(uids[0], uids[1]);
  EXPECT_EQ(uids[2], 0);
  EXPECT_EQ(records[0].records[0]["groups"], nlohmann::json::array());
  EXPECT_EQ(records[0].records[0]["gid"], uids[0]);
  EXPECT_EQ(records[0].user, "uid " + std::to_string(uids[0]));
}

// Two runners at once (tests in parallel, two CI jobs) once gave their drivers the same users:
// one run's fork bomb then used up the other's RLIMIT_NPROC, and its drivers could signal the
// other's.
TEST(Supervisor, ConcurrentRunsGiveTheirDriversDisjointUsers) {
  const pid_t pid_max = 1 << 22;  // PID_MAX_LIMIT
  for (pid_t pid : {1, 2, 4242, pid_max - 2}) {
    EXPECT_GE(DriverUidBlock(pid + 1), DriverUidBlock(pid) + kDriverUidsPerRun);
  }
  EXPECT_GE(DriverUidBlock(1), kDriverUidBase);
  // The last id of the last block is still a valid one: (uid_t)-1 means "no change".
  EXPECT_LT(static_cast<uint64_t>(DriverUidBlock(pid_max - 1)) + kDriverUidsPerRun - 1,
            static_cast<uint64_t>(static_cast<uid_t>(-1)));
}

TEST(Supervisor, EachCaseRunsInACgroupOfItsOwnThatIsRemovedAfterwards) {
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("reports-state")})[0];
  ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
  const nlohmann::json& containment = supervisor.containment();
  ASSERT_TRUE(containment.is_object());
  EXPECT_EQ(containment["subreaper"], true);
  if (containment["cgroups"] == "none") GTEST_SKIP() << containment.dump();
  const std::string cgroup = r.records.at(0)["cgroup"].get<std::string>();
  const std::string marker = "/sigconform-" + std::to_string(getpid()) + "-";
  const size_t at = cgroup.find(marker);
  ASSERT_NE(at, std::string::npos) << cgroup;
  EXPECT_NE(cgroup.find("/case-", at), std::string::npos) << cgroup;
  // Nothing of the run's groups is left in any hierarchy.
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (std::getline(self, line)) EXPECT_EQ(line.find("sigconform-"), std::string::npos);
  const CgroupHost host = DetectCgroups();
  for (const std::string& dir : {host.v2, host.v1_memory, host.v1_pids, host.v1_freezer}) {
    if (dir.empty()) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      EXPECT_NE(entry.path().filename().string().rfind(marker.substr(1), 0), 0u) << entry.path();
    }
  }
}

TEST(Supervisor, FloodIsCappedAndDrained) {
  LaunchSpec spec = Spec("floods");
  spec.capture_limit = 1 << 20;
  spec.observation_limit = 8 << 20;
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({spec})[0];
  // The driver finished on its own: the runner kept reading all three streams.
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data.substr(0, 200);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_data.size(), spec.capture_limit);
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_EQ(r.stderr_data.size(), spec.capture_limit);
  EXPECT_TRUE(r.stderr_truncated);
  EXPECT_TRUE(r.observations_truncated);
  EXPECT_GT(r.records.size(), 1000u);
  EXPECT_LT(r.records.size(), (8u << 20) / 1000u + 1);
  EXPECT_TRUE(r.protocol_errors.empty()) << r.protocol_errors[0];
}

TEST(Supervisor, RequestKillIsCarriedOut) {
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("asks-parent")})[0];
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_EQ(Events(r), (std::vector<std::string>{"start", "request", "handler", "done"}));
  EXPECT_TRUE(r.protocol_errors.empty());
}

TEST(Supervisor, RequestKillWithQueueUsesSigqueue) {
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("asks-parent-queued")})[0];
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
  ASSERT_EQ(Events(r), (std::vector<std::string>{"start", "request", "handler", "done"}));
  EXPECT_EQ(r.records[2]["si_code"], SI_QUEUE);
  EXPECT_EQ(r.records[2]["si_pid"], getpid());
  EXPECT_TRUE(r.protocol_errors.empty());
}

TEST(Supervisor, RequestKillOnceBlockedWaitsUntilTheMainThreadSleeps) {
  // The driver spins in user space for 0.3 s after its request, then sleeps: sent at once,
  // the signal would arrive during the spin.
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({Spec("asks-parent-once-blocked")})[0];
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
  ASSERT_EQ(Events(r), (std::vector<std::string>{"start", "request", "handler", "done"}));
  EXPECT_EQ(r.records[2]["phase"], "blocked");
  EXPECT_TRUE(r.protocol_errors.empty());
  EXPECT_TRUE(r.runner_notes.empty());
}

TEST(Supervisor, RequestKillOnceBlockedDoesNotTakeALockWaitForTheBlockingCall) {
  // The driver first waits 0.5 s for a lock another thread holds: asleep in the kernel, but in
  // a futex. The signal must still come only in the sleep after it.
  LaunchSpec spec = Spec("asks-parent-once-blocked");
  spec.env.push_back("FAKE_LOCK_SECONDS=0.5");
  spec.env.push_back("FAKE_SPIN_SECONDS=0");
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({spec})[0];
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
  ASSERT_EQ(Events(r), (std::vector<std::string>{"start", "request", "handler", "done"}));
  EXPECT_EQ(r.records[2]["phase"], "blocked");
  EXPECT_TRUE(r.runner_notes.empty());
}

TEST(Supervisor, RequestKillOnceBlockedIsSentAnywayAfterItsBoundedWait) {
  // A driver that is still busy when the wait ends gets the signal then, and the record says
  // that the runner did not see it block.
  LaunchSpec spec = Spec("asks-parent-once-blocked");
  spec.once_blocked_wait_seconds = 1;
  spec.env.push_back("FAKE_SPIN_SECONDS=4");
  Supervisor supervisor(1);
  RunRecord r = supervisor.Run({spec})[0];
  EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
  ASSERT_EQ(Events(r), (std::vector<std::string>{"start", "request", "handler", "done"}));
  EXPECT_EQ(r.records[2]["phase"], "spin");
  ASSERT_EQ(r.runner_notes.size(), 1u);
  EXPECT_NE(r.runner_notes[0].find("without seeing the process's main thread asleep"),
            std::string::npos) << r.runner_notes[0];
  EXPECT_NE(r.runner_notes[0].find("last seen: state R"), std::string::npos)
      << r.runner_notes[0];
}

TEST(Supervisor, ManyChildrenRunInParallel) {
  // Six sleepers of 1 s with -j3: at most three at once, and some of them overlapping.
  std::vector<LaunchSpec> specs;
  for (int i = 0; i < 6; ++i) {
    specs.push_back(Spec("sleeps"));
    specs.back().env.push_back("FAKE_SLEEP_SECONDS=1");
  }
  Supervisor supervisor(3);
  std::vector<size_t> finished;
  supervisor.set_progress([&](size_t index, const RunRecord&) { finished.push_back(index); });
  std::vector<RunRecord> records = supervisor.Run(specs);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(finished.size(), 6u);
  std::vector<std::pair<double, int>> edges;  // (wall time, +1 start / -1 end)
  for (const RunRecord& r : records) {
    ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
    ASSERT_EQ(r.records.size(), 2u);
    edges.push_back({r.records[0]["wall"].get<double>(), +1});
    edges.push_back({r.records[1]["wall"].get<double>(), -1});
  }
  std::sort(edges.begin(), edges.end());  // an end sorts before a start at the same time
  int running = 0, most = 0;
  for (const auto& edge : edges) {
    running += edge.second;
    most = std::max(most, running);
  }
  EXPECT_LE(most, 3);
  EXPECT_GE(most, 2);
}

// The (start, end) wall clocks a "sleeps" driver recorded.
std::pair<double, double> Span(const RunRecord& r) {
  EXPECT_EQ(r.records.size(), 2u) << r.stderr_data;
  if (r.records.size() != 2) return {0, 0};
  return {r.records[0]["wall"].get<double>(), r.records[1]["wall"].get<double>()};
}

LaunchSpec Sleeper(double seconds) {
  LaunchSpec spec = Spec("sleeps");
  spec.env.push_back("FAKE_SLEEP_SECONDS=" + std::to_string(seconds));
  return spec;
}

TEST(Supervisor, AFreedSlotIsRefilledWhileOthersStaySilent) {
  // -j2: a long sleeper that says nothing for 5 s, and a quick driver whose slot frees at
  // once. The third spec must start in that slot while the long one still sleeps, not when
  // the long one next writes or ends (issue 14: the freed slot stayed idle).
  Supervisor supervisor(2);
  std::vector<RunRecord> records =
      supervisor.Run({Sleeper(5), Spec("says-done"), Sleeper(0.1)});
  ASSERT_TRUE(Exited(records[1], 0));
  EXPECT_LT(Span(records[2]).first, Span(records[0]).second);
}

TEST(Supervisor, CpuBoundSpecsKeepToTheirSlotsAndOthersGoPast) {
  // -j3 with one CPU slot: the three cpu-bound specs never overlap, and the plain spec
  // submitted after them runs beside the first instead of waiting for all three.
  std::vector<LaunchSpec> specs;
  for (int i = 0; i < 3; ++i) {
    specs.push_back(Sleeper(1.5));
    specs.back().cpu_bound = true;
  }
  specs.push_back(Sleeper(0.1));
  Supervisor supervisor(3);
  supervisor.set_cpu_slots(1);
  std::vector<RunRecord> records = supervisor.Run(specs);
  std::vector<std::pair<double, double>> cpu;
  for (int i = 0; i < 3; ++i) cpu.push_back(Span(records[i]));
  std::sort(cpu.begin(), cpu.end());
  EXPECT_LE(cpu[0].second, cpu[1].first);
  EXPECT_LE(cpu[1].second, cpu[2].first);
  EXPECT_LT(Span(records[3]).first, cpu[0].second);
  for (const RunRecord& r : records) EXPECT_TRUE(Exited(r, 0)) << r.stderr_data;
}

TEST(Supervisor, DriversThatWaitLetMoreStartBeyondParallel) {
  // -j1 with room for two more that wait: sleepers do not hold the one slot, so the second
  // and third start while the first still sleeps (issue 14: a few cases that wait held every
  // slot while the cores idled).
  Supervisor supervisor(1);
  supervisor.set_wait_slots(2);
  std::vector<RunRecord> records = supervisor.Run({Sleeper(3), Sleeper(3), Sleeper(0.1)});
  for (const RunRecord& r : records) ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_LT(Span(records[1]).first, Span(records[0]).second);
  EXPECT_LT(Span(records[2]).first, Span(records[0]).second);
  for (const RunRecord& r : records) EXPECT_GE(r.started, 0.0);
  EXPECT_LE(records[0].started, records[1].started);
}

TEST(Supervisor, ADriverAtWorkKeepsItsSlot) {
  // -j1 with room for waiters: a driver that burns CPU is at work, so the next spec starts
  // only once it has ended.
  LaunchSpec spinner = Spec("spins");
  spinner.env.push_back("FAKE_SPIN_MICROSECONDS=1500000");
  Supervisor supervisor(1);
  supervisor.set_wait_slots(2);
  std::vector<RunRecord> records = supervisor.Run({spinner, Sleeper(0.1)});
  for (const RunRecord& r : records) ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_GE(Span(records[1]).first, Span(records[0]).second);
}

// The wall clock a driver recorded with event `ev`, 0 when it has none.
double WallOf(const RunRecord& r, const std::string& ev) {
  for (const nlohmann::json& record : r.records) {
    if (record.value("ev", "") == ev) return record["wall"].get<double>();
  }
  ADD_FAILURE() << "no \"" << ev << "\" record: " << r.stderr_data;
  return 0;
}

LaunchSpec CpuBound(const std::string& driver, double sleep_seconds, int spin_microseconds) {
  LaunchSpec spec = Spec(driver);
  spec.env.push_back("FAKE_SLEEP_SECONDS=" + std::to_string(sleep_seconds));
  spec.env.push_back("FAKE_SPIN_MICROSECONDS=" + std::to_string(spin_microseconds));
  spec.cpu_bound = true;
  return spec;
}

TEST(Supervisor, ACpuBoundDriverThatWaitsLendsItsCore) {
  // One CPU slot, room for waiters: the first cpu-bound driver sleeps 2 s before it burns, so
  // the second starts during that sleep instead of after the first has ended (issue 14: a
  // timer's delay held a core while the cores idled).
  Supervisor supervisor(1);
  supervisor.set_cpu_slots(1);
  supervisor.set_wait_slots(2);
  std::vector<RunRecord> records = supervisor.Run(
      {CpuBound("waits-then-spins", 2, 300000), CpuBound("spins", 0, 300000)});
  for (const RunRecord& r : records) ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_LT(WallOf(records[1], "start"), WallOf(records[0], "burning"));
}

TEST(Supervisor, ACpuBoundDriverTakesItsCoreBackWhenItBurnsAgain) {
  // One CPU slot: the second driver borrows the first one's slot while it sleeps; once the
  // first burns again both hold a core, so the third starts only after one of them ended.
  Supervisor supervisor(1);
  supervisor.set_cpu_slots(1);
  supervisor.set_wait_slots(2);
  std::vector<RunRecord> records = supervisor.Run({CpuBound("waits-then-spins", 0.5, 2500000),
                                                   CpuBound("spins", 0, 2000000),
                                                   CpuBound("spins", 0, 100000)});
  for (const RunRecord& r : records) ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_LT(WallOf(records[1], "start"), WallOf(records[0], "burning"));
  EXPECT_GE(WallOf(records[2], "start"),
            std::min(WallOf(records[0], "done"), WallOf(records[1], "done")));
}

TEST(Supervisor, WithoutWaitSlotsACpuBoundDriverKeepsItsCoreWhileItSleeps) {
  // A -j given (no wait slots): nothing is sampled, and the cpu-bound driver holds its slot
  // to the end, sleep included.
  Supervisor supervisor(2);
  supervisor.set_cpu_slots(1);
  std::vector<RunRecord> records = supervisor.Run(
      {CpuBound("waits-then-spins", 1, 100000), CpuBound("spins", 0, 100000)});
  for (const RunRecord& r : records) ASSERT_TRUE(Exited(r, 0)) << r.stderr_data;
  EXPECT_GE(WallOf(records[1], "start"), WallOf(records[0], "done"));
}

TEST(Supervisor, LaunchFailureDoesNotStopTheRest) {
  LaunchSpec bad = Spec("says-done");
  bad.argv[0] = "/nonexistent/driver";
  Supervisor supervisor(2);
  std::vector<RunRecord> records =
      supervisor.Run({Spec("says-done"), bad, Spec("exits-early")});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(Exited(records[0], 0));
  EXPECT_EQ(records[1].launch_error,
            "cannot execute /nonexistent/driver: No such file or directory");
  EXPECT_TRUE(Exited(records[2], 3));
}

// Waits until the main thread (the one running the supervisor) has `count` children, each
// running `program` when that is not empty (its /proc comm name).
void WaitForChildren(int count, const std::string& program = "") {
  std::string children = "/proc/self/task/" + std::to_string(getpid()) + "/children";
  for (int i = 0; i < 6000; ++i) {
    std::ifstream in(children);
    if (!in) {  // a kernel without the children file: fall back to a generous wait
      std::this_thread::sleep_for(std::chrono::seconds(2));
      return;
    }
    int pid, found = 0;
    while (in >> pid) {
      std::string comm;
      std::ifstream("/proc/" + std::to_string(pid) + "/comm") >> comm;
      if (program.empty() || comm == program) ++found;
    }
    if (found >= count) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// The process-wide handler of SIGTERM outside the supervisor, to check that it comes back.
volatile sig_atomic_t g_outer_handler_calls = 0;
void OuterHandler(int) { g_outer_handler_calls = g_outer_handler_calls + 1; }

TEST(Supervisor, InterruptStopsEverythingAndReturns) {
  struct sigaction outer, saved;
  memset(&outer, 0, sizeof outer);
  outer.sa_handler = OuterHandler;
  ASSERT_EQ(sigaction(SIGTERM, &outer, &saved), 0);

  std::vector<LaunchSpec> specs;
  for (int i = 0; i < 4; ++i) {
    specs.push_back(Spec("hangs", /*timeout=*/120));
    specs.back().kill_grace_seconds = 0.5;
  }
  Supervisor supervisor(2);
  // The interruption comes once the first two drivers exist (they are forked in one go, so
  // both count as started), whatever the load on the machine.
  std::thread interrupter([] {
    WaitForChildren(2);
    kill(getpid(), SIGTERM);  // process-directed: any thread may take it
  });
  double start = Now();
  std::vector<RunRecord> records = supervisor.Run(specs);
  double elapsed = Now() - start;
  interrupter.join();

  EXPECT_TRUE(supervisor.interrupted());
  EXPECT_EQ(supervisor.interrupt_signal(), SIGTERM);
  EXPECT_LT(elapsed, 60.0);
  ASSERT_EQ(records.size(), 4u);
  for (const RunRecord& r : records) {
    EXPECT_TRUE(r.interrupted);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.argv[0], FakeDriver("hangs"));
  }
  // Two were running and were ended by the TERM (when it came before their `trap`) or by the
  // KILL after it; two never started.
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(KilledBy(records[i], SIGTERM) || KilledBy(records[i], SIGKILL)) << i;
  }
  EXPECT_FALSE(records[2].status);
  EXPECT_FALSE(records[3].status);

  // The previous action is back.
  struct sigaction now;
  ASSERT_EQ(sigaction(SIGTERM, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, OuterHandler);
  EXPECT_EQ(g_outer_handler_calls, 0);
  sigaction(SIGTERM, &saved, nullptr);
}

TEST(Supervisor, SecondInterruptKillsAtOnce) {
  std::vector<LaunchSpec> specs;
  for (int i = 0; i < 2; ++i) {
    specs.push_back(Spec("hangs", /*timeout=*/120));
    specs.back().kill_grace_seconds = 100;  // the first TERM alone would leave them running
  }
  // Outside Run() a stray SIGINT must not kill the test: a no-op handler, which the supervisor
  // replaces while it runs.
  struct sigaction noop, saved;
  memset(&noop, 0, sizeof noop);
  noop.sa_handler = OuterHandler;
  ASSERT_EQ(sigaction(SIGINT, &noop, &saved), 0);
  Supervisor supervisor(2);
  std::thread interrupter([] {
    WaitForChildren(2, "sleep");  // both have set their trap and exec'd sleep: TERM-proof
    kill(getpid(), SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(getpid(), SIGINT);
  });
  double start = Now();
  std::vector<RunRecord> records = supervisor.Run(specs);
  interrupter.join();
  EXPECT_LT(Now() - start, 60.0);
  EXPECT_EQ(supervisor.interrupt_signal(), SIGINT);
  for (const RunRecord& r : records) {
    EXPECT_TRUE(r.interrupted);
    EXPECT_TRUE(KilledBy(r, SIGKILL));
  }
  sigaction(SIGINT, &saved, nullptr);
}

TEST(Supervisor, IgnoredInterruptStaysIgnored) {
  // A runner started under nohup keeps ignoring SIGHUP.
  struct sigaction ignore, saved;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGHUP, &ignore, &saved), 0);
  LaunchSpec spec = Spec("sleeps");
  spec.env.push_back("FAKE_SLEEP_SECONDS=1");
  Supervisor supervisor(1);
  std::thread hup([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(getpid(), SIGHUP);
  });
  RunRecord r = supervisor.Run({spec})[0];
  hup.join();
  EXPECT_FALSE(supervisor.interrupted());
  EXPECT_TRUE(Exited(r, 0));
  EXPECT_FALSE(r.interrupted);
  sigaction(SIGHUP, &saved, nullptr);
}

}  // namespace
}  // namespace sigconform
