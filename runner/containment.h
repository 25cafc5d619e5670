// Keeping every process of a case together, limited, and gone when the case ends, with what
// the host offers (issue 12): the runner as child subreaper, a cgroup per case (v2, v1 or
// both), an unprivileged user per running case when the runner is root, and resource limits.
#ifndef SIGCONFORM_RUNNER_CONTAINMENT_H_
#define SIGCONFORM_RUNNER_CONTAINMENT_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"
#include "cgroup.h"

namespace sigconform {

// What to use. The default is everything that works here; SIGCONFORM_CONTAINMENT in the
// runner's environment narrows it (for testing the fallbacks): "process-group" uses neither
// cgroups nor another user, "no-cgroups" uses no cgroup, "same-user" runs drivers as the
// runner's own user.
struct ContainmentPolicy {
  bool cgroups = true;       // a cgroup per case where the host allows it
  bool other_users = true;   // drivers as unprivileged users when the runner is root

  // The policy SIGCONFORM_CONTAINMENT asks for (everything when it is unset or unknown).
  static ContainmentPolicy FromEnvironment();
};

// The user ids given to drivers when the runner is root. Each run has a block of its own,
// kDriverUidsPerRun ids from kDriverUidBase + (runner pid) * kDriverUidsPerRun, and running case
// k takes id k of its run's block, group id the same: ids no account uses, never shared by two
// runners at once (pids are unique and at most 2^22), so that a driver can signal nothing but
// its own case's processes, and RLIMIT_NPROC counts one case's processes only. A case past the
// block's end (more than kDriverUidsPerRun at once) runs as the runner's user.
constexpr uid_t kDriverUidBase = 2000000000;
constexpr uid_t kDriverUidsPerRun = 512;

// The first id of the block of the run whose runner has process id `pid`.
uid_t DriverUidBlock(pid_t pid);

// What the forked child applies before exec (launch.h): groups to join, a user to become,
// RLIMIT_NPROC. Plain values and descriptors, so that the child only reads them.
struct ChildContainment {
  std::vector<int> join_fds;  // cgroup.procs of the case's groups: the child writes "0" to each
  bool change_user = false;   // become `uid`/`gid` (and no supplementary groups)
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t nproc = 0;  // RLIMIT_NPROC, when > 0 (binds only for a user that is not root)
};

class RunContainment;

// One running case's containment. Lives from just before its driver is started until every
// process of the case is gone.
class CaseContainment {
 public:
  ~CaseContainment();
  CaseContainment(const CaseContainment&) = delete;
  CaseContainment& operator=(const CaseContainment&) = delete;

  const ChildContainment& child() const { return child_; }

  // Sends `sig` to every process in the case's cgroup (none without one). SIGKILL goes
  // through CaseCgroup::KillAll, which also catches processes forked meanwhile.
  void Signal(int sig);

  // Whether the case's cgroup holds no process any more (true without a cgroup).
  bool Empty() const;
  // Processes in the case's cgroup other than `driver` right now (0 without a cgroup).
  size_t Others(pid_t driver) const;

  // A sentence when the case ran into one of its limits ("the case reached its memory limit
  // of 512 MiB: the kernel killed 1 process"), else "". Read after the case ended.
  std::string LimitReached() const;

 private:
  friend class RunContainment;
  CaseContainment() = default;
  RunContainment* run_ = nullptr;
  std::unique_ptr<CaseCgroup> cgroup_;
  CaseLimits limits_;
  ChildContainment child_;
  size_t user_slot_ = SIZE_MAX;  // index of the user id taken from the run, SIZE_MAX if none
};

// The containment of one Supervisor::Run: makes the runner a child subreaper (restored
// afterwards), the run's cgroups, and hands out user ids. Process-wide state: one at a time.
class RunContainment {
 public:
  explicit RunContainment(const ContainmentPolicy& policy);
  ~RunContainment();
  RunContainment(const RunContainment&) = delete;
  RunContainment& operator=(const RunContainment&) = delete;

  // Prepares the containment of a case about to start. `unprivileged`: run it as another
  // user if the runner is root and the policy allows. Never fails: what cannot be set up is
  // left out, and *note (when not null) says so.
  std::unique_ptr<CaseContainment> ForCase(const CaseLimits& limits, bool unprivileged,
                                           std::string* note);

  // Whether cases get a cgroup of their own (then every process they leave is found).
  bool has_cgroups() const { return cgroups_ != nullptr; }
  bool subreaper() const { return subreaper_; }

  // Kills the runner's children that are not in `drivers` and were started after this
  // RunContainment: processes of cases whose parent died and that the kernel handed to the
  // runner as their subreaper (a double fork, a setsid daemon). Reaps them. Returns how
  // many it killed.
  size_t KillOrphans(const std::vector<pid_t>& drivers);

  // Reaps every child of the runner that has ended and is not in `drivers` (orphans that
  // died). Never blocks.
  void ReapOrphans(const std::vector<pid_t>& drivers);

  // For the report: {"subreaper": true, "cgroups": "cgroup v2 (cgroup.kill) + cgroup v1
  // memory, pids", "memory_limit": true, "process_limit": true, "driver_users": "...",
  // "notes": [...]}.
  nlohmann::json Describe() const;

 private:
  friend class CaseContainment;
  void ReleaseUser(size_t slot);

  ContainmentPolicy policy_;
  bool subreaper_ = false;
  int old_subreaper_ = 0;
  bool root_ = false;
  std::unique_ptr<CgroupRun> cgroups_;
  uid_t uid_block_ = 0;  // DriverUidBlock(the runner's pid)
  std::vector<bool> users_in_use_;
  unsigned long long start_ticks_ = 0;  // when this began, in the clock ticks of /proc stat
  std::vector<std::string> notes_;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CONTAINMENT_H_
