// Runs sigref-driver on small programs, the way the runner does (fork, parent state, exec,
// observations on fd 3), and checks the records.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using json = nlohmann::json;

// What the parent leaves behind before exec.
struct Parent {
  bool ignore_sigint = false;
  bool broken_stdout = false;
  long file_size_limit = -1;  // RLIMIT_FSIZE; -1 leaves it as it is
  std::vector<std::string> env;  // "NAME=value" added to the environment.
};

struct DriverRun {
  std::vector<json> records;
  int status = 0;  // waitpid status.
  std::string stderr_text;
};

std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

DriverRun RunDriver(const json& program, const Parent& parent = {}) {
  char path[] = "/tmp/sigref-driver-test-XXXXXX";
  const int file = mkstemp(path);
  EXPECT_GE(file, 0);
  const std::string text = program.dump();
  EXPECT_EQ(write(file, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(file);

  int obs[2], err[2], out[2];
  EXPECT_EQ(pipe(obs), 0);
  EXPECT_EQ(pipe(err), 0);
  EXPECT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    if (parent.ignore_sigint) signal(SIGINT, SIG_IGN);
    else signal(SIGINT, SIG_DFL);
    if (parent.file_size_limit >= 0) {
      struct rlimit limit;
      getrlimit(RLIMIT_FSIZE, &limit);
      limit.rlim_cur = static_cast<rlim_t>(parent.file_size_limit);
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    dup2(obs[1], 3);
    dup2(err[1], 2);
    if (parent.broken_stdout) close(out[0]);
    dup2(out[1], 1);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    // A controlled environment: PYTHONUNBUFFERED changes what stdout cases observe.
    unsetenv("PYTHONUNBUFFERED");
    for (const std::string& e : parent.env) putenv(const_cast<char*>(e.c_str()));
    setenv("SIGCONFORM_OBS_FD", "3", 1);
    execl(SIGREF_DRIVER_PATH, SIGREF_DRIVER_PATH, "run", path, static_cast<char*>(nullptr));
    _exit(127);
  }
  close(obs[1]);
  close(err[1]);
  close(out[1]);
  if (parent.broken_stdout) close(out[0]);
  // Drain stdout in the background so the driver never blocks on it.
  std::thread drain([&] {
    if (!parent.broken_stdout) ReadAll(out[0]);
  });
  DriverRun run;
  std::thread errors([&] { run.stderr_text = ReadAll(err[0]); });
  std::string lines = ReadAll(obs[0]);
  errors.join();
  drain.join();
  EXPECT_EQ(waitpid(pid, &run.status, 0), pid);
  close(obs[0]);
  close(err[0]);
  if (!parent.broken_stdout) close(out[0]);
  unlink(path);
  size_t start = 0;
  while (start < lines.size()) {
    const size_t end = lines.find('\n', start);
    run.records.push_back(json::parse(lines.substr(start, end - start)));
    start = end + 1;
  }
  return run;
}

// The records of one kind, in order.
std::vector<json> Of(const DriverRun& run, const std::string& ev) {
  std::vector<json> out;
  for (const json& r : run.records) {
    if (r["ev"] == ev) out.push_back(r);
  }
  return out;
}

json Program(json steps, json handlers = json::object()) {
  return {{"protocol", 1}, {"case", "test/case"}, {"handlers", handlers}, {"steps", steps}};
}

TEST(Driver, StreamsStartStepsAndDone) {
  DriverRun run = RunDriver(Program({{{"do", "check"}}, {{"call", "getsignal"}, {"args", {"@SIGPIPE"}}}}));
  ASSERT_EQ(run.records.size(), 4u);
  EXPECT_EQ(run.records[0]["ev"], "start");
  EXPECT_EQ(run.records[0]["case"], "test/case");
  EXPECT_EQ(run.records[1]["path"], "0");
  EXPECT_EQ(run.records[2]["value"],
            json({{"enum", "Handlers"}, {"name", "SIG_IGN"}, {"value", 1}}));
  EXPECT_EQ(run.records[3]["ev"], "done");
  EXPECT_TRUE(WIFEXITED(run.status));
  EXPECT_EQ(WEXITSTATUS(run.status), 0);
  for (const json& r : run.records) EXPECT_TRUE(r["t"].is_number());
}

TEST(Driver, SigintGetsDefaultIntHandlerOnlyIfInheritedAsDefault) {
  const json program = Program({{{"call", "getsignal"}, {"args", {"@SIGINT"}}}});
  DriverRun inherited_default = RunDriver(program);
  EXPECT_EQ(Of(inherited_default, "step")[0]["value"],
            json({{"builtin", "default_int_handler"}}));
  Parent parent;
  parent.ignore_sigint = true;
  DriverRun inherited_ignore = RunDriver(program, parent);
  EXPECT_EQ(Of(inherited_ignore, "step")[0]["value"],
            json({{"enum", "Handlers"}, {"name", "SIG_IGN"}, {"value", 1}}));
}

TEST(Driver, HandlerRunsInsideTheStepThatSentTheSignal) {
  DriverRun run = RunDriver(Program(
      {{{"call", "signal"}, {"args", {"@SIGUSR1", {{"handler", "h"}}}}},
       {{"do", "kill"}, {"sig", "@SIGUSR1"}},
       {{"call", "signal"}, {"args", {"@SIGUSR1", {{"handler", "boom"}}}}},
       {{"do", "kill"}, {"sig", "@SIGUSR1"}},
       {{"do", "check"}}},
      {{"h", {{"record", true}}}, {"boom", {{"record", true}, {"raise", "ValueError"}}}}));
  std::vector<std::string> kinds;
  for (const json& r : run.records) kinds.push_back(r["ev"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"start", "step", "handler", "step", "step",
                                             "handler", "step", "step", "done"}));
  const json handler = Of(run, "handler")[0];
  EXPECT_EQ(handler["handler"], "h");
  EXPECT_EQ(handler["signum"], SIGUSR1);
  EXPECT_EQ(handler["signame"], "SIGUSR1");
  EXPECT_EQ(handler["thread"], "main");
  EXPECT_EQ(handler["frame"], "frame") << "a handler inside a step gets that step's frame";
  const std::vector<json> steps = Of(run, "step");
  EXPECT_EQ(steps[0]["value"], json({{"enum", "Handlers"}, {"name", "SIG_DFL"}, {"value", 0}}));
  EXPECT_EQ(steps[1]["ok"], true);
  EXPECT_EQ(steps[2]["value"], json({{"handler", "h"}}));
  EXPECT_EQ(steps[3]["ok"], false);
  EXPECT_EQ(steps[3]["exception"]["type"], "ValueError");
  EXPECT_EQ(steps[4]["ok"], true) << "the raising handler must not leak into the next step";
}

TEST(Driver, EncodesExceptionsWithMroAndErrno) {
  DriverRun run = RunDriver(Program({{{"call", "setitimer"}, {"args", {99, {{"float", 1.0}}}}},
                               {{"call", "getsignal"}, {"args", {"$unbound"}}},
                               {{"call", "getsignal"}, {"args", {"@SIGNOPE"}}},
                               {{"do", "no_such_action"}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0]["exception"],
            json({{"type", "ItimerError"},
                  {"mro", {"ItimerError", "OSError", "Exception", "BaseException"}},
                  {"errno", "EINVAL"},
                  {"message", "[Errno 22] Invalid argument"},
                  {"class", {{"module", "signal"}, {"name", "itimer_error"}}}}));
  EXPECT_EQ(steps[1]["exception"]["type"], "NameError");
  EXPECT_EQ(steps[1]["exception"]["class"], json({{"module", "builtins"}, {"name", "NameError"}}));
  EXPECT_EQ(steps[1]["exception"]["errno"], nullptr);
  EXPECT_EQ(steps[2]["exception"]["type"], "AttributeError");
  EXPECT_EQ(steps[3]["exception"]["type"], "NotImplementedError");
}

TEST(Driver, EncodesSetsTuplesAndBindings) {
  DriverRun run = RunDriver(Program(
      {{{"call", "pthread_sigmask"}, {"args", {"@SIG_BLOCK", {{"set", {"@SIGUSR2", "@SIGUSR1"}}}}}},
       {{"call", "pthread_sigmask"}, {"args", {"@SIG_SETMASK", json::array()}}, {"bind", "old"}},
       {{"call", "pthread_sigmask"}, {"args", {"@SIG_SETMASK", "$old"}}},
       {{"call", "getitimer"}, {"args", {"@ITIMER_REAL"}}},
       {{"do", "pipe"}, {"bind", {"r", "w"}}},
       {{"do", "write"}, {"fd", "$w"}, {"data", {{"bytes", "00ff"}}}},
       {{"do", "read"}, {"fd", "$r"}, {"size", 10}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 7u);
  const json both = {{"set",
                      {{{"enum", "Signals"}, {"name", "SIGUSR1"}, {"value", SIGUSR1}},
                       {{"enum", "Signals"}, {"name", "SIGUSR2"}, {"value", SIGUSR2}}}}};
  EXPECT_EQ(steps[1]["value"], both);
  EXPECT_EQ(steps[2]["value"], json({{"set", json::array()}}));
  EXPECT_EQ(steps[3]["value"], json({{"tuple", {{{"float", 0.0}}, {{"float", 0.0}}}}}));
  EXPECT_EQ(steps[5]["value"], 2);
  EXPECT_EQ(steps[6]["value"], json({{"bytes", "00ff"}}));
}

TEST(Driver, ThreadsRunStepsButNeverHandlers) {
  DriverRun run = RunDriver(Program(
      {{{"call", "signal"}, {"args", {"@SIGUSR1", {{"handler", "h"}}}}},
       {{"do", "thread"},
        {"name", "t"},
        {"steps",
         {{{"call", "signal"}, {"args", {"@SIGUSR1", "@SIG_IGN"}}},
          {{"call", "pthread_kill"}, {"args", {"$main_ident", "@SIGUSR1"}}}}}},
       {{"do", "join"}, {"name", "t"}, {"timeout", 30}},
       {{"do", "wait"}, {"events", 1}, {"timeout", 0.2}}},
      {{"h", {{"record", true}}}}));
  // $main_ident is unbound: the thread's second step must fail with NameError in the thread.
  const std::vector<json> steps = Of(run, "step");
  bool saw_thread_steps = false;
  for (const json& s : steps) {
    if (s["path"] == "1.0") {
      saw_thread_steps = true;
      EXPECT_EQ(s["thread"], "t");
      EXPECT_EQ(s["exception"]["type"], "ValueError");
    }
    if (s["path"] == "1.1") {
      EXPECT_EQ(s["exception"]["type"], "NameError");
    }
    if (s["path"] == "2") {
      EXPECT_EQ(s["value"], true);
    }
    if (s["path"] == "3") {
      EXPECT_EQ(s["value"], 0);
    }
  }
  EXPECT_TRUE(saw_thread_steps);
}

TEST(Driver, SignalFromAThreadIsHandledInTheMainThread) {
  DriverRun run = RunDriver(Program(
      {{{"call", "signal"}, {"args", {"@SIGUSR1", {{"handler", "h"}}}}},
       {{"do", "ident"}, {"thread", "main"}, {"bind", "main"}},
       {{"do", "thread"},
        {"name", "t"},
        {"steps", {{{"call", "pthread_kill"}, {"args", {"$main", "@SIGUSR1"}}}}}},
       {{"do", "wait"}, {"events", 1}, {"timeout", 30}},
       {{"do", "join"}, {"name", "t"}, {"timeout", 30}}},
      {{"h", {{"record", true}}}}));
  const std::vector<json> handlers = Of(run, "handler");
  ASSERT_EQ(handlers.size(), 1u);
  EXPECT_EQ(handlers[0]["thread"], "main");
  for (const json& s : Of(run, "step")) {
    if (s["path"] == "3") {
      EXPECT_EQ(s["value"], 1);
    }
  }
}

TEST(Driver, ExitWithUnflushableStdoutEndsWith120) {
  Parent parent;
  parent.broken_stdout = true;
  DriverRun run = RunDriver(Program({{{"do", "write_stdout"}, {"text", "x"}, {"flush", false}},
                               {{"do", "exit"}, {"code", 3}}}),
                      parent);
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1]["ok"], true);
  EXPECT_TRUE(Of(run, "done").empty());
  ASSERT_TRUE(WIFEXITED(run.status));
  EXPECT_EQ(WEXITSTATUS(run.status), 120);
  EXPECT_NE(run.stderr_text.find("BrokenPipeError"), std::string::npos) << run.stderr_text;
}

TEST(Driver, FlushToABrokenPipeIsBrokenPipeError) {
  Parent parent;
  parent.broken_stdout = true;
  DriverRun run = RunDriver(Program({{{"do", "write_stdout"}, {"text", "x"}},
                               {{"do", "exit"}, {"code", 3}}}),
                      parent);
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0]["exception"]["type"], "BrokenPipeError");
  EXPECT_EQ(steps[0]["exception"]["errno"], "EPIPE");
  // The failed bytes stay buffered, so the exit-time flush fails too (as in CPython).
  ASSERT_TRUE(WIFEXITED(run.status));
  EXPECT_EQ(WEXITSTATUS(run.status), 120);
}

TEST(Driver, UnbufferedStdoutDropsWhatItCouldNotWrite) {
  Parent parent;
  parent.broken_stdout = true;
  parent.env = {"PYTHONUNBUFFERED=1"};
  DriverRun run = RunDriver(Program({{{"do", "write_stdout"}, {"text", "x"}, {"flush", false}},
                               {{"do", "exit"}, {"code", 3}}}),
                      parent);
  EXPECT_EQ(Of(run, "step")[0]["exception"]["type"], "BrokenPipeError");
  ASSERT_TRUE(WIFEXITED(run.status));
  EXPECT_EQ(WEXITSTATUS(run.status), 3);
}

// The documentation's HTTP-server pattern: a handler writes to a socket pair and the select
// the signal interrupted returns that end as readable.
TEST(Driver, SelectWakesOnTheByteAHandlerWrote) {
  DriverRun run = RunDriver(Program(
      {{{"do", "socketpair"}, {"bind", {"r", "w"}}},
       {{"do", "pipe"}, {"bind", {"idle", "idle_w"}}},
       {{"call", "signal"}, {"args", {"@SIGALRM", {{"handler", "h"}}}}},
       {{"call", "setitimer"}, {"args", {"@ITIMER_REAL", {{"float", 0.05}}}}},
       {{"do", "select"}, {"fds", {"$idle", "$r"}}, {"timeout", 30}},
       {{"do", "select"}, {"fds", {"$idle"}}, {"timeout", 0.01}}},
      {{"h", {{"record", true}, {"write", {{"fd", "$w"}, {"data", {{"bytes", "00"}}}}}}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[4]["ok"], true) << steps[4].dump();
  EXPECT_EQ(steps[4]["value"], json::array({steps[0]["value"]["tuple"][0]}));
  EXPECT_EQ(steps[5]["value"], json::array());
}

TEST(Driver, FillLeavesTheDescriptorFull) {
  DriverRun run = RunDriver(Program(
      {{{"do", "pipe"}, {"bind", {"r", "w"}}},
       {{"do", "set_blocking"}, {"fd", "$w"}, {"blocking", false}},
       {{"do", "fill"}, {"fd", "$w"}},
       {{"do", "write"}, {"fd", "$w"}, {"data", {{"bytes", "00"}}}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 4u);
  ASSERT_TRUE(steps[2]["value"].is_number_integer()) << steps[2].dump();
  EXPECT_GT(steps[2]["value"].get<long long>(), 0);
  EXPECT_EQ(steps[3]["exception"]["type"], "BlockingIOError") << steps[3].dump();
}

// /dev/null takes every write: fill stops at its bound and the step says so.
TEST(Driver, FillStopsAtItsBoundOnADescriptorThatNeverFills) {
  DriverRun run = RunDriver(Program(
      {{{"do", "stdout_to_devnull"}},
       {{"do", "set_blocking"}, {"fd", 1}, {"blocking", false}},
       {{"do", "fill"}, {"fd", 1}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[2]["ok"], false) << steps[2].dump();
  EXPECT_EQ(steps[2]["exception"]["type"], "FillLimitExceeded") << steps[2].dump();
  EXPECT_NE(steps[2]["exception"]["message"].get<std::string>().find("16777216 bytes"),
            std::string::npos);
  EXPECT_EQ(Of(run, "done").size(), 1u);
}

TEST(Driver, AttributeAndMembersInspectTheModule) {
  DriverRun run = RunDriver(Program({{{"do", "attribute"}, {"name", "SIGCLD"}},
                                     {{"do", "attribute"}, {"name", "SIGBREAK"}},
                                     {{"do", "members"}, {"enum", "Sigmasks"}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0]["value"],
            (json{{"enum", "Signals"}, {"name", "SIGCHLD"}, {"value", SIGCHLD}}));
  EXPECT_EQ(steps[1]["exception"]["type"], "AttributeError");
  ASSERT_EQ(steps[2]["value"].size(), 3u) << steps[2].dump();
  EXPECT_EQ(steps[2]["value"][0]["name"], "SIG_BLOCK");
}

TEST(Driver, NativeBusyRunsTheHandlerOnlyWhenItReturns) {
  DriverRun run = RunDriver(Program(
      {{{"call", "signal"}, {"args", {"@SIGPROF", {{"handler", "boom"}}}}},
       {{"call", "setitimer"}, {"args", {"@ITIMER_PROF", {{"float", 0.05}}}}},
       {{"do", "native_busy"}, {"seconds", 0.3}}},
      {{"boom", {{"record", true}, {"raise", "RuntimeError"}}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[2]["ok"], false);
  EXPECT_EQ(steps[2]["exception"]["type"], "RuntimeError");
  // The signal came 0.05 s of CPU into the work; the exception only after all 0.3 s of it.
  EXPECT_GE(steps[2]["t1"].get<double>() - steps[2]["t0"].get<double>(), 0.3);
  ASSERT_EQ(Of(run, "handler").size(), 1u);
}

// Burns 0.3 s of CPU with ITIMER_VIRTUAL and ITIMER_PROF armed at 10 s, and returns how far
// each fell: {user time, user plus system time}.
std::pair<double, double> BurnAndReadCpuTimers(bool kernel) {
  json burn = {{"do", "burn_cpu"}, {"seconds", 0.3}};
  if (kernel) burn["kernel"] = true;
  DriverRun run = RunDriver(Program(
      {{{"call", "setitimer"}, {"args", {"@ITIMER_VIRTUAL", {{"float", 10.0}}}}},
       {{"call", "setitimer"}, {"args", {"@ITIMER_PROF", {{"float", 10.0}}}}},
       burn,
       {{"call", "getitimer"}, {"args", {"@ITIMER_VIRTUAL"}}},
       {{"call", "getitimer"}, {"args", {"@ITIMER_PROF"}}}}));
  const std::vector<json> steps = Of(run, "step");
  EXPECT_EQ(steps.size(), 5u);
  if (steps.size() != 5u) return {0.0, 0.0};
  return {10.0 - steps[3]["value"]["tuple"][0]["float"].get<double>(),
          10.0 - steps[4]["value"]["tuple"][0]["float"].get<double>()};
}

TEST(Driver, BurnCpuSpendsUserTime) {
  const auto [user, total] = BurnAndReadCpuTimers(false);
  EXPECT_GE(total, 0.25);
  EXPECT_GE(user, 0.2);
}

TEST(Driver, BurnCpuInTheKernelSpendsSystemTime) {
  const auto [user, total] = BurnAndReadCpuTimers(true);
  EXPECT_GE(total, 0.25);
  EXPECT_LE(user, 0.1);
}

TEST(Driver, ProcessActionsAuditHookAndQueuedRequest) {
  DriverRun run = RunDriver(Program(
      {{{"do", "process_info"}},
       {{"do", "audit_hook"}, {"events", {"signal.pthread_kill"}}},
       {{"do", "ident"}, {"thread", "main"}, {"bind", "me"}},
       {{"call", "pthread_kill"}, {"args", {"$me", 0}}},
       {{"do", "spawn"}, {"argv", {"sleep", "30"}}, {"bind", "child"}},
       {{"do", "waitpid"}, {"pid", "$child"}, {"timeout", 0.01}},
       {{"do", "pidfd_open"}, {"pid", "$child"}, {"bind", "fd"}},
       {{"call", "pidfd_send_signal"}, {"args", {"$fd", "@SIGTERM"}}},
       {{"do", "waitpid"}, {"pid", "$child"}, {"timeout", 30}},
       {{"do", "parent_kill"}, {"sig", "SIGUSR2"}, {"queue", true}},
       {{"do", "parent_kill"}, {"sig", "SIGUSR1"}, {"once_blocked", true}}}));
  const std::vector<json> steps = Of(run, "step");
  ASSERT_EQ(steps.size(), 11u);
  const json info = steps[0]["value"]["tuple"];
  ASSERT_EQ(info.size(), 3u);
  EXPECT_EQ(info[1], static_cast<long long>(getuid()));
  EXPECT_EQ(info[2], static_cast<long long>(getpid()));  // this test started the driver
  const std::vector<json> audits = Of(run, "audit");
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0]["event"], "signal.pthread_kill");
  EXPECT_EQ(audits[0]["args"], json({{"tuple", {steps[2]["value"], 0}}}));
  EXPECT_EQ(audits[0]["thread"], "main");
  EXPECT_TRUE(steps[4]["value"].is_number_integer());
  EXPECT_TRUE(steps[5]["value"].is_null());  // still running
  EXPECT_EQ(steps[8]["value"],
            json({{"tuple", {"signaled", {{"enum", "Signals"}, {"name", "SIGTERM"}, {"value", SIGTERM}}}}}));
  const std::vector<json> requests = Of(run, "request");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["queue"], true);
  EXPECT_FALSE(requests[0].contains("once_blocked"));
  EXPECT_EQ(requests[1]["once_blocked"], true);
  EXPECT_FALSE(requests[1].contains("queue"));
}

// The record of the step at `path`.
json StepAt(const DriverRun& run, const std::string& path) {
  for (const json& r : Of(run, "step")) {
    if (r["path"] == path) return r;
  }
  ADD_FAILURE() << "no record for step " << path;
  return json::object();
}

TEST(Driver, UncaughtKeyboardInterruptDiesBySigint) {
  DriverRun run = RunDriver(
      Program({{{"do", "kill"}, {"sig", "@SIGINT"}, {"uncaught", true}}}));
  EXPECT_EQ(StepAt(run, "0")["exception"]["type"], "KeyboardInterrupt");
  EXPECT_TRUE(Of(run, "done").empty());
  ASSERT_TRUE(WIFSIGNALED(run.status));
  EXPECT_EQ(WTERMSIG(run.status), SIGINT);
  EXPECT_NE(run.stderr_text.find("KeyboardInterrupt"), std::string::npos);
}

TEST(Driver, UncaughtExceptionExitsOneAndAReturningStepGoesOn) {
  DriverRun run = RunDriver(Program(
      {{{"call", "signal"}, {"args", {4242, "@SIG_IGN"}}, {"uncaught", true}}}));
  EXPECT_EQ(StepAt(run, "0")["exception"]["type"], "ValueError");
  ASSERT_TRUE(WIFEXITED(run.status));
  EXPECT_EQ(WEXITSTATUS(run.status), 1);
  EXPECT_NE(run.stderr_text.find("ValueError"), std::string::npos);
  run = RunDriver(Program({{{"call", "getsignal"}, {"args", {"@SIGUSR1"}}, {"uncaught", true}}}));
  EXPECT_EQ(WEXITSTATUS(run.status), 0);
  EXPECT_EQ(Of(run, "done").size(), 1u);
}

TEST(Driver, ForkedChildKeepsHandlerAndMaskAndReportsUnderItsName) {
  DriverRun run = RunDriver(Program(
      json::parse(R"([
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", ["@SIGUSR2"]]},
        {"do": "kill", "sig": "@SIGUSR2"},
        {"do": "fork", "name": "kid", "bind": "pid", "steps": [
          {"call": "getsignal", "args": ["@SIGUSR1"]},
          {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", []]},
          {"call": "sigpending"},
          {"do": "kill", "sig": "@SIGUSR1"},
          {"do": "exit", "code": 7}]},
        {"do": "waitpid", "pid": "$pid", "timeout": 60},
        {"call": "sigpending"}])"),
      {{"h", json::object()}}));
  EXPECT_EQ(StepAt(run, "3.0")["thread"], "kid");
  EXPECT_EQ(StepAt(run, "3.0")["value"], json({{"handler", "h"}}));
  EXPECT_EQ(StepAt(run, "3.1")["value"]["set"].size(), 1u);
  EXPECT_EQ(StepAt(run, "3.2")["value"], json({{"set", json::array()}}));  // pending is lost
  const std::vector<json> handlers = Of(run, "handler");
  ASSERT_EQ(handlers.size(), 1u);
  EXPECT_EQ(handlers[0]["thread"], "kid");
  EXPECT_EQ(StepAt(run, "4")["value"], json({{"tuple", {"exited", 7}}}));
  EXPECT_EQ(StepAt(run, "5")["value"]["set"].size(), 1u);  // the parent's stays pending
  EXPECT_EQ(WEXITSTATUS(run.status), 0);
}

TEST(Driver, TempFilePastTheSizeLimitFailsWithEfbig) {
  Parent parent;
  parent.file_size_limit = 2048;
  DriverRun run = RunDriver(
      Program(json::parse(R"([
        {"do": "temp_file", "bind": "fd"},
        {"do": "write", "fd": "$fd", "data": {"bytes": ")" + std::string(6000, '0') + R"("}},
        {"do": "write", "fd": "$fd", "data": {"bytes": "00"}},
        {"do": "file_size", "fd": "$fd"}])")),
      parent);
  EXPECT_EQ(StepAt(run, "1")["value"], 2048);
  EXPECT_EQ(StepAt(run, "2")["exception"]["errno"], "EFBIG");
  EXPECT_EQ(StepAt(run, "3")["value"], 2048);
}

TEST(Driver, TextFormsRawNamesAndExceptionClass) {
  DriverRun run = RunDriver(Program(json::parse(R"([
      {"do": "text", "of": "@SIGINT", "form": "repr"},
      {"do": "text", "of": "@SIGINT", "form": "str"},
      {"do": "text", "of": {"float": 100.0}, "form": "repr"},
      {"do": "text", "of": "it's", "form": "repr"},
      {"do": "names_of", "of": "@ItimerError"},
      {"do": "names_of", "of": "@SIGINT"},
      {"do": "names_of", "of": "@alarm"},
      {"call": "setitimer", "args": [-5, {"float": 1.0}]}])")));
  EXPECT_EQ(StepAt(run, "0")["value"], "<Signals.SIGINT: 2>");
  EXPECT_EQ(StepAt(run, "1")["value"], "2");
  EXPECT_EQ(StepAt(run, "2")["value"], "100.0");
  EXPECT_EQ(StepAt(run, "3")["value"], "\"it's\"");
  EXPECT_EQ(StepAt(run, "4")["value"], json({{"tuple", {"signal", "itimer_error"}}}));
  EXPECT_EQ(StepAt(run, "5")["exception"]["type"], "AttributeError");
  EXPECT_EQ(StepAt(run, "6")["value"], json({{"tuple", {"_signal", "alarm"}}}));
  EXPECT_EQ(StepAt(run, "7")["exception"]["class"],
            json({{"module", "signal"}, {"name", "itimer_error"}}));
}

TEST(Driver, HandlerOfTheWrongArityRaisesTypeErrorWhereItRuns) {
  DriverRun run = RunDriver(Program(
      json::parse(R"([
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"call": "getsignal", "args": ["@SIGUSR1"]},
        {"do": "kill", "sig": "@SIGUSR1"}])"),
      {{"h", {{"kind", "method"}, {"arity", 1}}}}));
  EXPECT_EQ(StepAt(run, "1")["value"], json({{"handler", "h"}}));
  EXPECT_EQ(StepAt(run, "2")["exception"]["type"], "TypeError");
  EXPECT_TRUE(Of(run, "handler").empty());
}

// Main keeps busy for 0.5 s of CPU time (running safe points) before a read; a thread sends
// SIGUSR1 to it after `waiting` (null: at once), then writes a byte. The handler raises, so the
// step it ran in is the one that raises.
json SignalBeforeASlowRead(const json& waiting) {
  json sender = json::array();
  if (!waiting.is_null()) sender.push_back(waiting);
  sender.push_back({{"call", "pthread_kill"}, {"args", {"$main", "@SIGUSR1"}}});
  sender.push_back({{"do", "write"}, {"fd", "$w"}, {"data", {{"bytes", "2e"}}}});
  return Program({{{"do", "pipe"}, {"bind", {"r", "w"}}},                            // 0
                  {{"call", "signal"}, {"args", {"@SIGUSR1", {{"handler", "boom"}}}}},  // 1
                  {{"do", "ident"}, {"thread", "main"}, {"bind", "main"}},              // 2
                  {{"do", "thread"}, {"name", "sender"}, {"steps", sender}},            // 3
                  {{"do", "burn_cpu"}, {"seconds", 0.5}},                               // 4
                  {{"do", "read"}, {"fd", "$r"}, {"size", 1}},                          // 5
                  {{"do", "join"}, {"name", "sender"}, {"timeout", 60}}},               // 6
                 {{"boom", {{"raise", "ValueError"}}}});
}

TEST(Driver, WaitBlockedSendsOnlyOnceTheMainThreadBlocksInItsCall) {
  const DriverRun run = RunDriver(SignalBeforeASlowRead(
      {{"do", "wait_blocked"}, {"thread", "main"}, {"timeout", 60}}));
  EXPECT_EQ(StepAt(run, "3.0")["ok"], true) << StepAt(run, "3.0");
  EXPECT_EQ(StepAt(run, "4")["ok"], true) << StepAt(run, "4");
  EXPECT_EQ(StepAt(run, "5")["exception"]["type"], "ValueError") << StepAt(run, "5");
  const std::vector<json> handlers = Of(run, "handler");
  ASSERT_EQ(handlers.size(), 1u);
  EXPECT_GE(handlers[0]["t"].get<double>(), StepAt(run, "5")["t0"].get<double>());
}

TEST(Driver, WithoutWaitBlockedTheSignalComesBeforeTheCall) {
  // The same program with no wait: the proof that the test above can fail.
  const DriverRun run = RunDriver(SignalBeforeASlowRead(nullptr));
  const std::vector<json> handlers = Of(run, "handler");
  ASSERT_EQ(handlers.size(), 1u);
  EXPECT_LT(handlers[0]["t"].get<double>(), StepAt(run, "5")["t0"].get<double>());
  EXPECT_EQ(StepAt(run, "5")["value"], json({{"bytes", "2e"}}));
}

TEST(Driver, WaitBlockedForANamedThreadInARead) {
  const DriverRun run = RunDriver(Program(
      {{{"do", "pipe"}, {"bind", {"r", "w"}}},
       {{"do", "thread"}, {"name", "reader"},
        {"steps", {{{"do", "read"}, {"fd", "$r"}, {"size", 1}}}}},
       {{"do", "wait_blocked"}, {"thread", "reader"}, {"timeout", 60}},
       {{"do", "write"}, {"fd", "$w"}, {"data", {{"bytes", "2e"}}}},
       {{"do", "join"}, {"name", "reader"}, {"timeout", 60}}}));
  EXPECT_EQ(StepAt(run, "2")["ok"], true) << StepAt(run, "2");
  EXPECT_EQ(StepAt(run, "1.0")["value"], json({{"bytes", "2e"}}));
  EXPECT_EQ(StepAt(run, "4")["value"], true);
}

TEST(Driver, WaitBlockedIsNotFooledByALockWaitAndSaysSoWhenItGivesUp) {
  // Joining the watcher, the main thread waits for a lock: asleep, but not in a call of the case.
  const DriverRun run = RunDriver(Program(
      {{{"do", "thread"}, {"name", "watcher"},
        {"steps", {{{"do", "wait_blocked"}, {"thread", "main"}, {"timeout", 0.5}}}}},
       {{"do", "join"}, {"name", "watcher"}, {"timeout", 60}}}));
  const json exception = StepAt(run, "0.0")["exception"];
  EXPECT_EQ(exception["type"], "NotBlocked") << exception;
  EXPECT_EQ(exception["mro"], json({"NotBlocked", "Exception", "BaseException"}));
  EXPECT_NE(exception["message"].get<std::string>().find(
                "wait_blocked: thread 'main' was not seen asleep in a blocking system call "
                "within 0.5 s; last seen: state"),
            std::string::npos) << exception;
  EXPECT_EQ(StepAt(run, "1")["value"], true);
}

TEST(Driver, WaitBlockedOnAThreadThatEnded) {
  const DriverRun run = RunDriver(Program(
      {{{"do", "thread"}, {"name", "quick"}, {"steps", {{{"do", "check"}}}}},
       {{"do", "join"}, {"name", "quick"}, {"timeout", 60}},
       {{"do", "wait_blocked"}, {"thread", "quick"}, {"timeout", 60}}}));
  EXPECT_EQ(StepAt(run, "2")["exception"]["message"],
            "wait_blocked: thread 'quick' ended without blocking");
}

TEST(Driver, DescribeListsNamesAndOperations) {
  int obs[2];
  ASSERT_EQ(pipe(obs), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(obs[1], 3);
    setenv("SIGCONFORM_OBS_FD", "3", 1);
    execl(SIGREF_DRIVER_PATH, SIGREF_DRIVER_PATH, "describe", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(obs[1]);
  const std::string text = ReadAll(obs[0]);
  close(obs[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const json d = json::parse(text);
  EXPECT_EQ(d["ev"], "describe");
  EXPECT_EQ(d["implementation"], "sigref");
  EXPECT_EQ(d["language_version"], "3.12");
  EXPECT_EQ(d["platform"], "linux");
  EXPECT_TRUE(d["kernel"].is_string());
  const auto names = d["names"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(names.begin(), names.end(), "pidfd_send_signal"), names.end());
  const auto ops = d["operations"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "burn_cpu"), ops.end());
  for (const char* feature : {"fork", "uncaught", "handler_method", "handler_object",
                              "handler_arity", "parent_kill_once_blocked", "text", "names_of",
                              "temp_file", "wait_blocked"}) {
    EXPECT_NE(std::find(ops.begin(), ops.end(), feature), ops.end()) << feature;
  }
}

}  // namespace
