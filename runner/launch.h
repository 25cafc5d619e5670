// Starting one driver process with the parent state its case asks for
// (spec/case-format.md, "Parent state"; DESIGN.md, step 4).
#ifndef SIGCONFORM_RUNNER_LAUNCH_H_
#define SIGCONFORM_RUNNER_LAUNCH_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "case.h"
#include "containment.h"
#include "run_record.h"
#include "unique_fd.h"

namespace sigconform {

class ForkServer;

// Everything needed to start one driver process.
struct LaunchSpec {
  // The whole command line, "describe"/"run" included. argv[0] must be an absolute path
  // (ResolveProgram): it is executed as it is, never searched on PATH.
  std::vector<std::string> argv;
  // The exact environment, "NAME=value" (CaseEnvironment). Nothing else is passed.
  std::vector<std::string> env;
  // Signals ignored/blocked/pending at exec, what stdout is, resource limits. Its `env` is not
  // used here: it is already part of `env` above.
  ParentState parent;
  // The case program, a JSON document, given on descriptor 4. Empty: descriptor 4 stays
  // closed (the "describe" command).
  std::string program;
  // Seconds from the driver's first record until the runner ends the process group (SIGTERM);
  // the start-up before that record gets as long again. <= 0: never.
  double timeout_seconds = 10.0;
  // Seconds between that SIGTERM and the SIGKILL that follows it. Also how long the pipes are
  // read after the driver is reaped before the runner stops waiting for their end-of-file.
  double kill_grace_seconds = 1.0;
  // How long a `once_blocked` kill request waits for the driver's main thread to sleep in the
  // kernel before the signal is sent anyway (supervisor.h). Generous: a loaded machine may
  // take seconds to bring the program from its request to its blocking call.
  double once_blocked_wait_seconds = 15.0;
  size_t capture_limit = 1 << 20;      // bytes kept of stdout and of stderr, each
  size_t observation_limit = 8 << 20;  // bytes accepted on the observation stream
  // Memory and processes the driver and everything it starts may use together, enforced by
  // the supervisor's containment (containment.h) where the host allows.
  CaseLimits limits;
  // Run the driver as an unprivileged user of its own when the runner is root (containment.h).
  // False for an implementation that cannot run so (its files are not readable by others).
  bool unprivileged = true;
  // The case burns CPU on purpose (schedule.h): the supervisor runs at most its cpu_slots of
  // these at once, so that each keeps a core and its timing windows hold.
  bool cpu_bound = false;
  // When >= 0, this descriptor (a fork-server's socket, fork_server.h) becomes the driver's
  // descriptor 3 instead of an observation pipe; the LaunchedChild then has no obs_fd.
  int channel_fd = -1;
  // When set and alive, the supervisor starts the case through this fork-server
  // (ForkServer::Spawn) instead of Launch; it must outlive the run. Not owned.
  ForkServer* fork_server = nullptr;
};

// The parent's side of a started driver. Every descriptor is close-on-exec and non-blocking.
struct LaunchedChild {
  pid_t pid = -1;      // the driver's pid, which is also its process group id; -1 once reaped
  UniqueFd pidfd;      // a pidfd of the driver: readable once it has ended
  UniqueFd stdout_fd;  // read end of its standard output; empty unless parent.stdout is capture
  UniqueFd stderr_fd;  // read end of its standard error
  UniqueFd obs_fd;     // read end of its observation stream (its descriptor 3)
};

// Starts the driver of `spec`: a child in its own process group (pgid = pid), every signal at
// SIG_DFL except parent.ignore (SIG_IGN), the mask exactly parent.block, parent.pending sent to
// itself while blocked so that they are pending at exec, stdin /dev/null, stdout a pipe / a
// pipe without reader / /dev/null, stderr a pipe, descriptor 3 the observation stream,
// descriptor 4 the program (a sealed memfd, read from offset 0), every other descriptor
// closed, RLIMIT_CORE 0 and then parent.rlimits (soft = hard), the environment exactly
// spec.env. Returns once the exec has succeeded or failed.
//
// With `containment` (containment.h), the child also joins the case's cgroups before anything
// else (writing "0" to each cgroup.procs), adds RLIMIT_NPROC to its limits, and changes to the
// given user and group (no supplementary groups) after setting its limits and before making
// parent.pending pending (so that their sender is the driver's own user).
//
// On success fills *child and returns true. On failure returns false with *error set, e.g.
// "cannot execute /x/y: No such file or directory", "cannot set up the driver's process
// (changing to the driver's user): Operation not permitted"; no process and no descriptor is
// left behind. Not reentrant across threads with respect to the child's inherited descriptors:
// all descriptors it creates are close-on-exec, so a concurrent fork+exec elsewhere does not
// keep them, but between that fork and its exec it briefly holds copies.
bool Launch(const LaunchSpec& spec, LaunchedChild* child, std::string* error,
            const ChildContainment* containment = nullptr);

// The descriptors a driver gets as 0-4, as Launch describes them (close-on-exec here: the
// child installs them), and the runner's read ends of its pipes. Shared by Launch and the
// fork-server (fork_server.h), which hands `child` to the server's process for the case.
struct DriverDescriptors {
  UniqueFd child[5];  // stdin, stdout, stderr, observations (or spec.channel_fd), program
  UniqueFd stdout_read;  // empty unless parent.stdout is capture
  UniqueFd stderr_read;
  UniqueFd obs_read;     // empty with a channel_fd
};

// Makes them for `spec`. On failure returns false with *error set ("cannot create a pipe:
// Too many open files"); whatever was made is closed by the destructor.
bool MakeDriverDescriptors(const LaunchSpec& spec, DriverDescriptors* fds, std::string* error);

// Takes over a driver process just started as the runner's child and leader of its own
// process group (by Launch, or adopted from a fork-server): opens a pidfd for it, which must
// happen before anything could reap it so that the pidfd refers to this process, and moves the
// runner's read ends of `fds` into *child. On failure the driver's group is killed and the
// driver reaped, and false is returned with *error naming pidfd_open's own error ("cannot open
// a pidfd for the driver: Too many open files").
bool AdoptDriver(pid_t pid, DriverDescriptors* fds, LaunchedChild* child, std::string* error);

// Waits until the child `pid` has ended and reaps it (retrying on EINTR). Only for a child
// known to be ending or killed: it blocks.
void ReapBlocking(pid_t pid);

// Parses a status from waitpid() into a WaitStatus. A stopped or continued status (never
// asked for) reads as exited with code 0 — callers wait only for terminations.
WaitStatus ParseWaitStatus(int status);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_LAUNCH_H_
