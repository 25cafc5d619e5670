// Running many driver processes at once and collecting what each produced
// (DESIGN.md, step 6: timeouts, TERM then KILL of the process group, wait status).
#ifndef SIGCONFORM_RUNNER_SUPERVISOR_H_
#define SIGCONFORM_RUNNER_SUPERVISOR_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "launch.h"
#include "run_record.h"

namespace sigconform {

// Runs LaunchSpecs, at most `parallel` at a time, starting them in submission order as slots
// free up, and returns one RunRecord per spec. One thread, one poll() loop over every child's
// stdout, stderr and observation pipe plus a pidfd per child; no SIGCHLD handler.
//
// For each child it:
//  - reads the pipes until end-of-file, also after the driver has exited; when the driver is
//    reaped its whole process group is killed (SIGKILL), so that nothing it started outlives
//    the case and holds a pipe; a pipe still open kill_grace_seconds after that (held by a
//    process that left the group) is abandoned, with a protocol error saying so;
//  - keeps at most capture_limit bytes of stdout and of stderr and observation_limit bytes of
//    observations; the excess is read and dropped (`*_truncated`), so a flooding driver never
//    blocks and never exhausts the runner;
//  - ends the group at timeout_seconds after the start: SIGTERM, then SIGKILL after
//    kill_grace_seconds; `timed_out` is set;
//  - carries out `request` records at once: {"ev":"request","op":"kill","sig":"SIGUSR1"}
//    sends that signal to the driver's process (with sigqueue when it has "queue": true); a
//    malformed request is a protocol error;
//  - reaps it and parses the wait status once; records argv, env and the wall seconds.
//
// Interruption: while Run() runs, SIGINT, SIGTERM and SIGHUP are caught by a handler that only
// sets a flag and writes a byte to a self-pipe (a signal whose disposition was SIG_IGN when
// Run() started stays ignored, so that `nohup` keeps working). When one arrives, nothing new
// starts, every running group gets SIGTERM and then SIGKILL after its grace time, the running
// and never-started records are marked `interrupted`, and Run() returns normally so that the
// caller can still write its reports. A second interruption sends SIGKILL at once. The
// previous actions and mask are restored on return.
// While Run() runs SIGCHLD is also set to SIG_DFL if it was ignored (an ignored SIGCHLD would
// make the kernel reap the drivers and lose their status).
//
// SIGPIPE is left alone: the runner never writes to a pipe whose reader could be gone (the
// program reaches the driver through a memfd, and the self-pipe's read end is the runner's).
//
// Run() must not be called from two threads at once (the signal state is process-wide).
class Supervisor {
 public:
  // Called on the thread running Run() as each launched spec finishes (its record complete),
  // also for a spec whose launch failed; not for specs never started because of an
  // interruption. Must not throw.
  using Progress = std::function<void(size_t index, const RunRecord& record)>;

  // `parallel`: how many drivers may run at once (-j N); 0 counts as 1.
  explicit Supervisor(size_t parallel) : parallel_(parallel == 0 ? 1 : parallel) {}

  void set_progress(Progress progress) { progress_ = std::move(progress); }

  // Runs every spec and returns their records, record i for specs[i]. Returns normally also
  // when interrupted (see above). If an exception escapes (out of memory), every running
  // group is killed and reaped first.
  std::vector<RunRecord> Run(const std::vector<LaunchSpec>& specs);

  // True when the last Run() was interrupted by SIGINT, SIGTERM or SIGHUP.
  bool interrupted() const { return interrupt_signal_ != 0; }
  // The signal that interrupted the last Run(), 0 when it was not interrupted. A CLI may
  // re-raise it (or exit with 128 + it) after writing its reports.
  int interrupt_signal() const { return interrupt_signal_; }

 private:
  size_t parallel_;
  Progress progress_;
  int interrupt_signal_ = 0;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_SUPERVISOR_H_
