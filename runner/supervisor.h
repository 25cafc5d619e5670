// Running many driver processes at once and collecting what each produced
// (DESIGN.md, step 6: timeouts, TERM then KILL of the process group, wait status).
#ifndef SIGCONFORM_RUNNER_SUPERVISOR_H_
#define SIGCONFORM_RUNNER_SUPERVISOR_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "containment.h"
#include "launch.h"
#include "run_record.h"

namespace sigconform {

// Runs LaunchSpecs, at most `parallel` at a time (more while some of them wait:
// set_wait_slots), starting them in submission order as slots free up (a slot is refilled as
// soon as its driver has finished, before the loop waits again), and returns one RunRecord
// per spec. A spec marked cpu_bound waits while cpu_slots
// cpu-bound specs work, and later specs go past it meanwhile; it starts before them as soon as
// one of those ends (or waits: set_cpu_slots). One thread, one poll() loop over every child's
// stdout, stderr and observation pipe plus a pidfd per child; no SIGCHLD handler.
//
// Containment (containment.h, for the whole Run()): the runner is a child subreaper, so the
// orphans of every case come back to it; each case gets a cgroup of its own where the host
// allows (with spec.limits on memory and processes), and runs as an unprivileged user of its
// own when the runner is root and spec.unprivileged. What contained the drivers is in
// containment() afterwards.
//
// For each child it:
//  - reads the pipes until end-of-file, also after the driver has exited; when the driver is
//    reaped every process of the case is killed (SIGKILL): its process group, and everything
//    in its cgroup, also processes that left the group or the session (counted in
//    `leftover_processes`). Without a cgroup, orphans handed to the runner are killed as soon
//    as a case ends. A pipe still open kill_grace_seconds after the reap (held by a process
//    none of this could find) is abandoned, with a protocol error saying so;
//  - after the case, records in `limit_reached` whether it ran into its memory or process
//    limit;
//  - keeps at most capture_limit bytes of stdout and of stderr and observation_limit bytes of
//    observations; the excess is read and dropped (`*_truncated`), so a flooding driver never
//    blocks and never exhausts the runner. The run as a whole keeps at most 48 MiB of records
//    and 32 MiB of captured output: with many drivers at once each gets its share of those
//    (at least 1 MiB of records and 64 KiB of each stream), so -j does not multiply the bound;
//  - ends the case at timeout_seconds after the driver's first complete record (its start-up
//    before that record gets timeout_seconds of its own): SIGTERM to its group, its driver and
//    its cgroup, then SIGKILL after kill_grace_seconds; `timed_out` is set;
//  - carries out `request` records: {"ev":"request","op":"kill","sig":"SIGUSR1"} sends that
//    signal to the driver's process (with sigqueue when it has "queue": true), at once; with
//    "once_blocked": true only once the driver's main thread sleeps in a blocking system call,
//    not a lock wait (common/thread_block.h; looked at every millisecond in /proc, for at most spec.once_blocked_wait_seconds; then it is sent
//    anyway and the record's runner_notes say so), and requests read after such a one wait for their turn. At most 64
//    requests wait at once; a malformed request, or one more, is a protocol error;
//  - reaps it and parses the wait status once; records argv, env, when it started (from the
//    start of Run()) and the wall seconds.
//
// A spec with a fork_server is spawned by it while the server is alive (and the runner is a
// subreaper); otherwise, or when the server fails on it, it is launched by fork+exec and its
// record's isolation_note says why.
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

  // `parallel`: how many drivers may run at once (-j N); 0 counts as 1. The containment
  // policy is ContainmentPolicy::FromEnvironment() unless set.
  explicit Supervisor(size_t parallel)
      : parallel_(parallel == 0 ? 1 : parallel), policy_(ContainmentPolicy::FromEnvironment()) {}

  // At most `slots` specs marked cpu_bound work at once (the cores); 0: no such bound. With
  // set_wait_slots, one that waits lends its slot to the next cpu-bound spec and takes it back
  // when it works again (until then no other cpu-bound spec starts), so a timer's delay after
  // a burn keeps no core idle while a driver that burns always has its core.
  void set_cpu_slots(size_t slots) { cpu_slots_ = slots; }

  // Drivers that wait do not hold a slot (issue 14: cases that sleep, pause or wait for a
  // timer held the slots while the cores idled): up to `extra` drivers beyond `parallel` may
  // run while at most `parallel` of all of them work. A driver waits when its main thread
  // sleeps in the kernel and it used under a quarter of a core since it was last looked at
  // (/proc/PID/stat, every 0.05 s; from its launch, when it had used none); a driver that is runnable but gets no CPU works, so that a
  // loaded machine gets no more drivers. 0 (the default): `parallel` bounds every driver, and
  // a cpu-bound one holds its CPU slot to the end. The per-driver shares of the run's record
  // and capture budgets are taken over `parallel` + `extra`.
  void set_wait_slots(size_t extra) { wait_slots_ = extra; }

  void set_containment_policy(const ContainmentPolicy& policy) { policy_ = policy; }
  // What contained the drivers of the last Run() (RunContainment::Describe()); null before.
  const nlohmann::json& containment() const { return containment_; }

  void set_progress(Progress progress) { progress_ = std::move(progress); }

  // With true, a record's observations, protocol errors, captured output, argv and env are
  // freed right after the progress callback has seen it (the returned record keeps its other
  // fields), so that a run holds the data of at most `parallel` drivers at a time.
  void set_release_records(bool release) { release_records_ = release; }
  // Called on the thread running Run() right after spec `index` was launched (also when the
  // launch failed, just before its progress call). Must not throw.
  using Started = std::function<void(size_t index)>;
  void set_started(Started started) { started_ = std::move(started); }

  // From now on Run() starts no new spec (`-x`): the running ones finish as usual, and the
  // records of those never started stay empty (no status, not `interrupted`). May be called
  // from the progress callback.
  void StopStarting() { stop_starting_ = true; }

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
  size_t cpu_slots_ = 0;
  size_t wait_slots_ = 0;
  ContainmentPolicy policy_;
  nlohmann::json containment_;
  bool release_records_ = false;
  Progress progress_;
  Started started_;
  bool stop_starting_ = false;
  int interrupt_signal_ = 0;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_SUPERVISOR_H_
