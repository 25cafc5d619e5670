// Executes a case program (spec/driver-protocol.md, "run") against the sigref library and
// streams what it observes. It never judges: expectations were stripped by the runner.
#ifndef SIGREF_DRIVER_PROGRAM_H_
#define SIGREF_DRIVER_PROGRAM_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "obs_stream.h"
#include "py_stdout.h"
#include "value.h"

namespace sigref_driver {

// The step actions this driver supports (`call` and every `do`), for `describe`.
const std::vector<std::string>& SupportedOperations();

// One case run. Built and run in the main thread, after sigref::Initialize().
class Program {
 public:
  Program(ObsStream& obs, PyStdout& out, nlohmann::json program);

  // Emits `start`, runs the steps, a last safe point (an exception there is a `stray`), `done`,
  // then flushes stdout and ends the process: status 0, or 120 if that flush failed. An `exit`
  // step ends the process earlier the same way with its own code.
  [[noreturn]] void Run();

 private:
  // A thread started by a `thread` step.
  struct ThreadState {
    std::thread thread;          // Joined by `join` once `done`; never destroyed while running.
    unsigned long ident = 0;     // threading.get_ident() of the thread.
    std::atomic<pid_t> tid{0};   // Its kernel thread id, set by the thread itself; 0 before.
    std::mutex mutex;            // Guards `done`.
    std::condition_variable cv;  // Signalled when `done` turns true.
    bool done = false;           // The thread ran its last step.
  };

  // Runs `steps`; a step's path is prefix + index. Returns false when an `exit` step ended
  // this sequence (the process, in the main thread; the thread only, elsewhere).
  bool RunSteps(const nlohmann::json& steps, const std::string& prefix);
  // Runs one step and emits its record; false after an `exit` step.
  bool RunStep(const nlohmann::json& step, const std::string& path);
  // The action of a step; its value.
  sigref::Value Act(const nlohmann::json& step, const std::string& path);
  // The `do` actions, one function each where they need more than a line.
  sigref::Value DoWait(const nlohmann::json& step);
  // The `fill` action: writes to a non-blocking descriptor until it would block.
  sigref::Value DoFill(int fd);
  sigref::Value DoBurnCpu(const nlohmann::json& step);
  sigref::Value DoThread(const nlohmann::json& step, const std::string& path);
  // Forks; the child runs the step's steps under the step's name, then ends with _exit(0).
  // Returns the child's pid in the parent.
  sigref::Value DoFork(const nlohmann::json& step, const std::string& path);
  // A new, empty, already unlinked regular file open for reading and writing.
  sigref::Value DoTempFile();
  sigref::Value DoJoin(const nlohmann::json& step);
  sigref::Value DoIdent(const nlohmann::json& step);
  // The `wait_blocked` action: returns once the named thread sleeps in a blocking system call
  // (common/thread_block.h); NotBlocked when it has not by the step's timeout, or has ended.
  sigref::Value DoWaitBlocked(const nlohmann::json& step);
  // Installs an audit hook that emits an `audit` record for the events the step names.
  sigref::Value DoAuditHook(const nlohmann::json& step);
  // Applies a step's `bind` (a name, or names to unpack a tuple or list into).
  void Bind(const nlohmann::json& bind, const sigref::Value& value);

  // ARG of the case language to a value.
  sigref::Value Resolve(const nlohmann::json& arg);
  // The callable for a declared handler (built once per name).
  sigref::Value DeclaredHandler(const std::string& name);
  void RunDeclaredHandler(const std::string& name, const nlohmann::json& declaration,
                          int signum, const sigref::Value& frame);

  // Flushes stdout and ends the process with `code` (120 if the flush fails). In a forked
  // child: ends it at once with `code`, flushing nothing (os._exit).
  [[noreturn]] void Finish(int code);
  // A step marked `uncaught` raised `exception` (its encoding): ends the program the way an
  // uncaught exception ends CPython 3.12: a traceback on stderr, stdout flushed, then death by
  // SIGINT for KeyboardInterrupt, exit status 1 for anything else.
  [[noreturn]] void EscapeUncaught(const nlohmann::json& exception);

  ObsStream& obs_;
  PyStdout& out_;
  nlohmann::json program_;

  std::mutex bindings_mutex_;                       // Steps of all threads share bindings.
  std::map<std::string, sigref::Value> bindings_;   // `bind` results by name.
  std::map<std::string, sigref::Value> handlers_;   // Declared handlers, built on first use.
  std::atomic<int> events_{0};                      // `handler` records emitted so far.
  std::mutex threads_mutex_;                        // Guards threads_.
  std::map<std::string, std::shared_ptr<ThreadState>> threads_;  // By the case's name.
  bool forked_child_ = false;  // This process is a child a `fork` step made.
};

}  // namespace sigref_driver

#endif  // SIGREF_DRIVER_PROGRAM_H_
