// Control groups for the processes of each case: one group per running case, below the
// runner's own group, so that every descendant of a driver can be found and killed (also one
// that left its process group or session) and so that its memory and number of processes
// can be limited. Works with cgroup v2, with cgroup v1 controllers, and with a mix of both (a
// "hybrid" host); uses what the host offers and says what that was.
#ifndef SIGCONFORM_RUNNER_CGROUP_H_
#define SIGCONFORM_RUNNER_CGROUP_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace sigconform {

// The directories of the runner's own groups, read from /proc/self/cgroup and
// /proc/self/mountinfo. An empty string: that hierarchy is absent or not writable here.
struct CgroupHost {
  std::string v2;            // the runner's cgroup in the unified (v2) hierarchy
  bool v2_kill = false;      // it offers cgroup.kill (Linux 5.14)
  bool v2_freeze = false;    // it offers cgroup.freeze (Linux 5.2)
  bool v2_memory = false;    // the memory controller can be enabled below it
  bool v2_pids = false;      // the pids controller can be enabled below it
  std::string v1_memory;     // the runner's group in a v1 hierarchy with that controller
  std::string v1_pids;
  std::string v1_freezer;
  // Why a hierarchy was passed over, for the report ("v2: the memory controller cannot be
  // enabled in /sys/fs/cgroup/user.slice: Device or resource busy").
  std::vector<std::string> notes;
};

// Looks at what this host offers. Creates and removes a probe group in each hierarchy to
// check that groups can be made there; enables the memory and pids controllers in the v2
// group's cgroup.subtree_control when it can (cgroup v2 allows that only in a group without
// processes of its own, or the root). Never throws; on any trouble that hierarchy is left out
// and a note says why.
CgroupHost DetectCgroups();

// Limits for one case's group.
struct CgroupLimits {
  uint64_t memory_bytes = 0;  // 0: no memory limit
  uint64_t processes = 0;     // tasks (processes and threads) at once; 0: no limit
};

// What a case's group saw happen, read once the case has ended.
struct CgroupEvents {
  uint64_t oom_kills = 0;         // processes the kernel killed at the memory limit
  uint64_t memory_limit_hits = 0; // times the memory limit was reached (v1 failcnt, v2 max)
  uint64_t fork_refusals = 0;     // forks refused at the process limit
  uint64_t memory_peak = 0;       // bytes, 0 when the host does not say
};

// The parent of every case's group for one run: "<own group>/sigconform-<pid>-<n>" in each
// hierarchy in use. Removed (with whatever case groups are left, once empty) on destruction.
// Creating one also removes the groups that runners no longer running left behind (killed
// before they could), killing what those still hold.
class CgroupRun {
 public:
  // Makes the run's groups. nullptr when no hierarchy is usable; *error then says why.
  static std::unique_ptr<CgroupRun> Create(const CgroupHost& host, std::string* error);
  ~CgroupRun();
  CgroupRun(const CgroupRun&) = delete;
  CgroupRun& operator=(const CgroupRun&) = delete;

  const CgroupHost& host() const { return host_; }
  // The run's directory in each hierarchy in use (v2 first).
  const std::vector<std::string>& dirs() const { return dirs_; }
  // For the report: "cgroup v2 (cgroup.kill) + cgroup v1 memory, pids, freezer".
  std::string Describe() const;
  bool limits_memory() const { return host_.v2_memory || !host_.v1_memory.empty(); }
  bool limits_processes() const { return host_.v2_pids || !host_.v1_pids.empty(); }

 private:
  friend class CaseCgroup;
  explicit CgroupRun(CgroupHost host) : host_(std::move(host)) {}
  CgroupHost host_;
  std::string v2_, v1_memory_, v1_pids_, v1_freezer_;  // this run's directories, "" if unused
  std::vector<std::string> dirs_;
  unsigned next_case_ = 0;
};

// One case's group in every hierarchy of the run.
class CaseCgroup {
 public:
  // Makes "case-<k>" in each of the run's hierarchies and sets `limits` where a controller
  // offers them. nullptr with *error set when a group cannot be made.
  static std::unique_ptr<CaseCgroup> Create(CgroupRun* run, const CgroupLimits& limits,
                                            std::string* error);
  // Kills what is left and removes the groups (see Remove()).
  ~CaseCgroup();
  CaseCgroup(const CaseCgroup&) = delete;
  CaseCgroup& operator=(const CaseCgroup&) = delete;

  // Descriptors of each group's cgroup.procs, open for writing, close-on-exec. The forked
  // child writes "0" to each before exec, which moves it (and so everything it starts) into
  // the groups; that is async-signal-safe and leaves no window in which it runs outside.
  const std::vector<int>& join_fds() const { return join_fd_numbers_; }

  // Sends SIGKILL to every process in the group, also to those that left the driver's process
  // group or session, and to those forked meanwhile: the group is frozen first where the host
  // allows (so nothing can fork while the list is read), or killed with cgroup.kill, or killed
  // round after round until no new process appears. Returns false when processes are still
  // listed afterwards (they may only be waiting to be reaped).
  bool KillAll();

  // Whether no process is left in the group (zombies that are not yet reaped may count).
  bool Empty() const;

  // The pids listed in the group now (at most `max`).
  std::vector<pid_t> Pids(size_t max = 4096) const;

  // What the group's controllers counted (limits reached, memory peak).
  CgroupEvents Events() const;

  // Removes the groups once empty; true when they are gone. Call after every process in
  // them has been reaped; the destructor tries again.
  bool Remove();

 private:
  explicit CaseCgroup(CgroupRun* run) : run_(run) {}
  // The group directories of this case: v2 (if any) first.
  std::vector<std::string> dirs_;
  std::string v2_, memory_, pids_, freezer_;
  std::vector<UniqueFd> join_fds_;
  std::vector<int> join_fd_numbers_;
  CgroupRun* run_;
  bool removed_ = false;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CGROUP_H_
