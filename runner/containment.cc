#include "containment.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "unique_fd.h"

namespace sigconform {
namespace {

// Detected once per runner process: detection may enable controllers, and the answer does
// not change while the runner runs.
const CgroupHost& Host() {
  static const CgroupHost host = DetectCgroups();
  return host;
}

unsigned long long BootTicksNow() {
  struct timespec ts;
  if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return 0;
  const long hz = sysconf(_SC_CLK_TCK);
  return static_cast<unsigned long long>(ts.tv_sec) * static_cast<unsigned long long>(hz) +
         static_cast<unsigned long long>(ts.tv_nsec) / (1000000000ULL / static_cast<unsigned long long>(hz));
}

// The parent pid and start time (clock ticks since boot) of `pid`, from /proc/<pid>/stat.
bool ParentAndStart(pid_t pid, pid_t* ppid, unsigned long long* start) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  UniqueFd owner(fd);
  char buffer[1024];
  ssize_t n;
  do {
    n = read(fd, buffer, sizeof buffer - 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  buffer[n] = '\0';
  // The command name (field 2) is in parentheses and may hold anything: parse after the last
  // ')'. Then: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice num_threads itrealvalue starttime.
  const char* p = std::strrchr(buffer, ')');
  if (p == nullptr) return false;
  char state;
  int parent;
  if (std::sscanf(p + 1, " %c %d", &state, &parent) != 2) return false;
  // Field 22 (starttime): count the spaces that start fields 3 to 22.
  const char* cursor = p + 1;
  int field = 2;
  while (*cursor != '\0' && field < 22) {
    if (*cursor == ' ') ++field;
    ++cursor;
  }
  if (std::sscanf(cursor, "%llu", start) != 1) return false;
  *ppid = parent;
  return true;
}

bool Contains(const std::vector<pid_t>& pids, pid_t pid) {
  for (pid_t p : pids) {
    if (p == pid) return true;
  }
  return false;
}

}  // namespace

ContainmentPolicy ContainmentPolicy::FromEnvironment() {
  ContainmentPolicy policy;
  const char* value = std::getenv("SIGCONFORM_CONTAINMENT");
  if (value == nullptr) return policy;
  const std::string v = value;
  if (v == "process-group") {
    policy.cgroups = false;
    policy.other_users = false;
  } else if (v == "no-cgroups") {
    policy.cgroups = false;
  } else if (v == "same-user") {
    policy.other_users = false;
  }
  return policy;
}

uid_t DriverUidBlock(pid_t pid) {
  // pid_max is at most 2^22 (PID_MAX_LIMIT): 2e9 + 2^22 * 512 stays below 2^32 - 1, the id
  // that means "no user".
  const uint64_t slot = static_cast<uint64_t>(pid) % (1u << 22);
  const uint64_t block = kDriverUidBase + slot * kDriverUidsPerRun;
  return static_cast<uid_t>(block);
}

RunContainment::RunContainment(const ContainmentPolicy& policy) : policy_(policy) {
  start_ticks_ = BootTicksNow();
  root_ = geteuid() == 0;
  uid_block_ = DriverUidBlock(getpid());
  if (prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper_) != 0) old_subreaper_ = 0;
  // A child subreaper receives the orphans of its descendants instead of init: a process a
  // driver double-forked or moved to a new session stays the runner's to find and kill.
  subreaper_ = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  if (!subreaper_) notes_.push_back(std::string("cannot become a child subreaper: ") + std::strerror(errno));
  if (policy_.cgroups) {
    std::string error;
    cgroups_ = CgroupRun::Create(Host(), &error);
    if (!cgroups_) notes_.push_back("no cgroup per case: " + error);
  } else {
    notes_.push_back("cgroups not used (SIGCONFORM_CONTAINMENT)");
  }
  if (cgroups_) {
    for (const std::string& note : cgroups_->host().notes) notes_.push_back(note);
  }
}

RunContainment::~RunContainment() {
  cgroups_.reset();
  if (subreaper_ && old_subreaper_ == 0) prctl(PR_SET_CHILD_SUBREAPER, 0);
}

std::unique_ptr<CaseContainment> RunContainment::ForCase(const CaseLimits& limits,
                                                         bool unprivileged, std::string* note) {
  std::unique_ptr<CaseContainment> c(new CaseContainment());
  c->run_ = this;
  c->limits_ = limits;
  if (cgroups_) {
    std::string error;
    CgroupLimits cl;
    cl.memory_bytes = limits.memory_bytes;
    cl.processes = limits.processes;
    c->cgroup_ = CaseCgroup::Create(cgroups_.get(), cl, &error);
    if (!c->cgroup_ && note != nullptr) *note = "the case ran without its cgroup: " + error;
    if (c->cgroup_) c->child_.join_fds = c->cgroup_->join_fds();
  }
  if (unprivileged && policy_.other_users && root_) {
    size_t slot = 0;
    while (slot < users_in_use_.size() && users_in_use_[slot]) ++slot;
    if (slot < kDriverUidsPerRun) {
      if (slot == users_in_use_.size()) users_in_use_.push_back(false);
      users_in_use_[slot] = true;
      c->user_slot_ = slot;
      c->child_.change_user = true;
      c->child_.uid = static_cast<uid_t>(uid_block_ + slot);
      c->child_.gid = static_cast<gid_t>(uid_block_ + slot);
    } else if (note != nullptr) {
      *note = "the case ran as the runner's user: every user id of the run's block was taken";
    }
  }
  // Without a pids controller the process limit falls back to RLIMIT_NPROC, which counts the
  // processes of the user: it binds only when the case runs as a user of its own.
  if (limits.processes > 0 && c->child_.change_user &&
      !(cgroups_ && cgroups_->limits_processes())) {
    c->child_.nproc = limits.processes;
  }
  return c;
}

void RunContainment::ReleaseUser(size_t slot) {
  if (slot < users_in_use_.size()) users_in_use_[slot] = false;
}

size_t RunContainment::KillOrphans(const std::vector<pid_t>& drivers) {
  size_t killed = 0;
  const pid_t self = getpid();
  // Killing an orphan hands its own children to the runner in turn: a few rounds get a tree.
  for (int round = 0; round < 10; ++round) {
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return killed;
    std::vector<pid_t> found;
    while (struct dirent* entry = readdir(proc)) {
      char* end;
      const long pid = std::strtol(entry->d_name, &end, 10);
      if (*end != '\0' || pid <= 0 || pid == self) continue;
      pid_t ppid;
      unsigned long long start;
      if (!ParentAndStart(static_cast<pid_t>(pid), &ppid, &start)) continue;
      if (ppid != self || start < start_ticks_ || Contains(drivers, static_cast<pid_t>(pid))) continue;
      found.push_back(static_cast<pid_t>(pid));
    }
    closedir(proc);
    if (found.empty()) break;
    for (pid_t pid : found) {
      if (kill(pid, SIGKILL) == 0) ++killed;
    }
    // Reap them; a process stuck in the kernel is not waited for more than a second.
    for (int waited = 0; waited < 1000 && !found.empty(); ++waited) {
      for (size_t i = 0; i < found.size();) {
        int status;
        const pid_t rc = waitpid(found[i], &status, WNOHANG);
        if (rc == found[i] || (rc < 0 && errno == ECHILD)) {
          found.erase(found.begin() + static_cast<long>(i));
        } else {
          ++i;
        }
      }
      if (!found.empty()) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, nullptr);
      }
    }
  }
  return killed;
}

void RunContainment::ReapOrphans(const std::vector<pid_t>& drivers) {
  // waitid with WNOWAIT looks without reaping, so a driver's status is never taken here: it
  // is left for the supervisor, which reaps it through its pidfd.
  for (int i = 0; i < 100000; ++i) {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return;  // ECHILD: none
    if (info.si_pid == 0) return;  // children, but none ended
    if (Contains(drivers, info.si_pid)) return;  // a driver first: the supervisor reaps it
    int status;
    while (waitpid(info.si_pid, &status, WNOHANG) < 0 && errno == EINTR) {
    }
  }
}

nlohmann::json RunContainment::Describe() const {
  nlohmann::json out = nlohmann::json::object();
  out["subreaper"] = subreaper_;
  out["cgroups"] = cgroups_ ? cgroups_->Describe() : std::string("none");
  out["memory_limit"] = cgroups_ != nullptr && cgroups_->limits_memory();
  out["process_limit"] =
      (cgroups_ != nullptr && cgroups_->limits_processes()) || (root_ && policy_.other_users);
  if (root_ && policy_.other_users) {
    out["driver_users"] = "uid " + std::to_string(uid_block_) +
                          " + the slot of the running case, up to uid " +
                          std::to_string(uid_block_ + kDriverUidsPerRun - 1) +
                          " (implementations that cannot run as another user run as root)";
  } else if (root_) {
    out["driver_users"] = "root, as the runner (SIGCONFORM_CONTAINMENT)";
  } else {
    out["driver_users"] = "the runner's own user";
  }
  out["notes"] = notes_;
  return out;
}

CaseContainment::~CaseContainment() {
  if (cgroup_) {
    cgroup_->KillAll();
    cgroup_.reset();
  }
  if (run_ != nullptr && user_slot_ != SIZE_MAX) run_->ReleaseUser(user_slot_);
}

void CaseContainment::Signal(int sig) {
  if (!cgroup_) return;
  if (sig == SIGKILL) {
    cgroup_->KillAll();
    return;
  }
  for (pid_t pid : cgroup_->Pids()) kill(pid, sig);
}

bool CaseContainment::Empty() const { return !cgroup_ || cgroup_->Empty(); }

size_t CaseContainment::Others(pid_t driver) const {
  if (!cgroup_) return 0;
  size_t n = 0;
  for (pid_t pid : cgroup_->Pids()) {
    if (pid != driver) ++n;
  }
  return n;
}

std::string CaseContainment::LimitReached() const {
  if (!cgroup_) return "";
  const CgroupEvents events = cgroup_->Events();
  if (events.oom_kills > 0) {
    return "the case reached its memory limit of " +
           std::to_string(limits_.memory_bytes >> 20) + " MiB: the kernel killed " +
           std::to_string(events.oom_kills) + " of its processes (raise it with the case's "
           "\"limits\": {\"memory_mb\": N})";
  }
  if (events.fork_refusals > 0) {
    return "the case reached its limit of " + std::to_string(limits_.processes) +
           " processes and threads: " + std::to_string(events.fork_refusals) +
           " forks were refused (raise it with the case's \"limits\": {\"processes\": N})";
  }
  return "";
}

}  // namespace sigconform
