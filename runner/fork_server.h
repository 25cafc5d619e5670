// A driver started once that forks a fresh process per case (DESIGN.md, step 6; issue 14):
// the interpreter's start-up is paid once, isolation stays one process per case.
#ifndef SIGCONFORM_RUNNER_FORK_SERVER_H_
#define SIGCONFORM_RUNNER_FORK_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "case.h"
#include "containment.h"
#include "launch.h"
#include "unique_fd.h"

namespace sigconform {

// Whether a case may run in a fork-server: it asks for no parent state that must exist
// before exec (ignored, blocked or pending signals, a stdout other than the captured pipe,
// environment variables, resource limits). A forked child inherits the server's state, which
// is a fresh interpreter's; such a case needs its own fork+exec (spec/driver-protocol.md,
// "Fork-server").
bool FitsForkServer(const ParentState& parent);

// The keys of `parent` that keep a case out of a fork-server, comma-separated
// ("parent.block, parent.env"); "" when it fits.
std::string ParentStateBeforeExec(const ParentState& parent);

// One running server: `ARGV... serve` with descriptor 3 a SOCK_SEQPACKET socket to the runner
// (spec/driver-protocol.md, "Fork-server"). Once started (its interpreter up, the driver
// imported) the server may say {"serving": true}. For each Spawn the server forks a process for
// the case that is the runner's own child, at birth (clone with CLONE_PARENT) or through an
// intermediate process that exits at once (the runner must be a child subreaper:
// RunContainment): its getppid(), its parent's signals and its wait status are the runner's,
// exactly as after fork+exec. The server's answer (the pid) and the process's (ready) may
// come in either order.
//
// The server is the implementation under test and is not trusted: every answer is checked
// (the pid it names must be the runner's child and lead a process group of its own). Until its
// first message the server is starting, and may take start_seconds from Start; after it, each
// answer must come within answer_seconds. The start-up has a limit of its own because an
// interpreter's start on a loaded machine takes many times a fork's time: one limit for the
// start-up and the first answer together stopped servers that were only slow to start (issue
// 14). A server that does not start or answer in time, answers what does not parse or ends is
// killed: from then on alive() is false, stop_reason() says why, and the caller uses Launch
// instead. Bounds: answers are read into a 4 KiB buffer; at most one request is in flight.
class ForkServer {
 public:
  // The default limits: a driver started by fork+exec gets its case's timeout (10 s by
  // default) for its start-up alone; a server's start-up imports more and is waited for once.
  static constexpr double kStartSeconds = 60.0;
  static constexpr double kAnswerSeconds = 10.0;

  // Starts the server with `env` (the environment every case it serves gets: CaseEnvironment
  // of an empty parent state) as the runner's user, in a process group of its own. Returns
  // null with *error set when it cannot start. The server's start-up is not awaited: the
  // first Spawn waits for it.
  static std::unique_ptr<ForkServer> Start(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env,
                                           std::string* error, double start_seconds = kStartSeconds,
                                           double answer_seconds = kAnswerSeconds);

  // Closes the socket (the server ends at end-of-file), kills the server's process group and
  // reaps it.
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  // Starts `spec`'s case in a process forked by the server, with the descriptors 0-4 Launch
  // gives (spec.parent must satisfy FitsForkServer; spec.argv and spec.env are the server's),
  // in a process group of its own, in `containment`'s cgroups, with its limits and user; the
  // case's start record says "isolation": "fork-server". Returns once the process says it is
  // ready or has failed, like Launch. On failure returns false with *error set; when the
  // failure puts the server in doubt, alive() turns false. Must be called from the thread
  // that runs the Supervisor, while the runner is a child subreaper.
  bool Spawn(const LaunchSpec& spec, LaunchedChild* child, std::string* error,
             const ChildContainment* containment);

  bool alive() const { return alive_; }
  pid_t pid() const { return server_.pid; }
  // Why the server stopped, a sentence ("the fork-server did not answer within 10 s"); ""
  // while it is alive or when it was only closed at the end.
  const std::string& stop_reason() const { return stop_reason_; }
  // How many processes it forked that said they were ready.
  size_t served() const { return served_; }

 private:
  ForkServer() = default;
  // Reads one answer from the server within answer_seconds, or, while it has said nothing
  // yet, within start_seconds of its start (a {"serving": true} first is taken and skipped);
  // false otherwise (server killed, *error and stop_reason() set).
  bool Answer(nlohmann::json* answer, std::string* error);
  // "the fork-server has ended" (", before it started"), with its exit status when known.
  std::string Ended() const;
  // Kills and reaps the server; `reason` becomes stop_reason() unless one is already set.
  void Kill(const std::string& reason);

  LaunchedChild server_;
  UniqueFd socket_;
  bool alive_ = true;
  bool started_ = false;      // a first message has come from it
  double started_at_ = 0;     // CLOCK_MONOTONIC seconds at Start
  double start_seconds_ = kStartSeconds;
  double answer_seconds_ = kAnswerSeconds;
  std::string stop_reason_;
  size_t served_ = 0;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_FORK_SERVER_H_
