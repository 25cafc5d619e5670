#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace sigconform {
namespace {

// Files under /proc and /sys/fs/cgroup are small; this bounds what one read may hold.
constexpr size_t kMaxControlFileBytes = 1 << 20;

std::string Errno(int err) { return std::strerror(err); }

// Reads a /proc or cgroup file whole (they report size 0, so it is read to its end).
bool ReadControlFile(const std::string& path, std::string* out) {
  out->clear();
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return false;
  UniqueFd owner(fd);
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    if (out->size() + static_cast<size_t>(n) > kMaxControlFileBytes) return true;
    out->append(buffer, static_cast<size_t>(n));
  }
}

// Writes `value` to a cgroup control file in one write, as the kernel wants. 0 or an errno.
int WriteControlFile(const std::string& path, const std::string& value) {
  int fd;
  do {
    fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  UniqueFd owner(fd);
  ssize_t n;
  do {
    n = write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  return 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// mountinfo escapes ' ', '\t', '\n' and '\\' in paths as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int value = 0;
      bool octal = true;
      for (size_t k = 1; k <= 3; ++k) {
        if (s[i + k] < '0' || s[i + k] > '7') octal = false;
        value = value * 8 + (s[i + k] - '0');
      }
      if (octal) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

// One cgroup file system mounted here: its type ("cgroup2" or "cgroup"), the group path it
// shows at its mount point, where it is mounted, and (v1) its controllers.
struct CgroupMount {
  bool v2;
  std::string root;
  std::string mount_point;
  std::vector<std::string> controllers;
};

std::vector<CgroupMount> CgroupMounts() {
  std::vector<CgroupMount> mounts;
  std::string text;
  if (!ReadControlFile("/proc/self/mountinfo", &text)) return mounts;
  for (const std::string& line : Split(text, '\n')) {
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    const std::vector<std::string> before = Split(line.substr(0, dash), ' ');
    const std::vector<std::string> after = Split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    CgroupMount m;
    if (after[0] == "cgroup2") {
      m.v2 = true;
    } else if (after[0] == "cgroup") {
      m.v2 = false;
      m.controllers = Split(after[2], ',');
    } else {
      continue;
    }
    m.root = Unescape(before[3]);
    m.mount_point = Unescape(before[4]);
    mounts.push_back(std::move(m));
  }
  return mounts;
}

// The directory of group `path` under a mount, or "" when the mount does not show it.
std::string GroupDir(const CgroupMount& m, const std::string& path) {
  std::string relative = path;
  if (m.root != "/") {
    if (path.compare(0, m.root.size(), m.root) != 0) return "";
    relative = path.substr(m.root.size());
  }
  if (relative == "/") relative.clear();
  return m.mount_point + relative;
}

bool HasWord(const std::string& text, const std::string& word) {
  for (const std::string& w : Split(text, ' ')) {
    std::string t = w;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    if (t == word) return true;
  }
  return false;
}

// The number after `key` in a flat keyed file ("oom_kill 3\n"), 0 when absent.
uint64_t KeyedValue(const std::string& dir, const std::string& file, const std::string& key) {
  std::string text;
  if (!ReadControlFile(dir + "/" + file, &text)) return 0;
  for (const std::string& line : Split(text, '\n')) {
    const size_t space = line.find(' ');
    if (space == std::string::npos || line.compare(0, space, key) != 0 || space != key.size()) {
      continue;
    }
    return std::strtoull(line.c_str() + space + 1, nullptr, 10);
  }
  return 0;
}

uint64_t NumberIn(const std::string& path) {
  std::string text;
  if (!ReadControlFile(path, &text)) return 0;
  return std::strtoull(text.c_str(), nullptr, 10);
}

void SleepMs(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

std::vector<pid_t> ReadPids(const std::string& dir, size_t max) {
  std::vector<pid_t> pids;
  std::string text;
  if (dir.empty() || !ReadControlFile(dir + "/cgroup.procs", &text)) return pids;
  for (const std::string& line : Split(text, '\n')) {
    if (line.empty()) continue;
    const long pid = std::strtol(line.c_str(), nullptr, 10);
    if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
    if (pids.size() >= max) break;
  }
  return pids;
}

// Waits (a few milliseconds at a time, at most `ms`) until `file` in `dir` reads as holding
// `want`.
bool WaitFor(const std::string& path, const std::string& want, long ms) {
  for (long waited = 0;; waited += 1) {
    std::string text;
    if (ReadControlFile(path, &text) && text.find(want) != std::string::npos) return true;
    if (waited >= ms) return false;
    SleepMs(1);
  }
}

// Removes the groups a runner that no longer exists left in `parent` (it was killed before it
// could clean up): kills what they still hold, then removes them. A group whose runner's pid
// is in use again, by anything, is left alone.
void RemoveStaleGroups(const std::string& parent) {
  DIR* dir = opendir(parent.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> stale;
  while (struct dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind("sigconform-", 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + 11, nullptr, 10);
    if (pid <= 0 || kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    stale.push_back(parent + "/" + name);
  }
  closedir(dir);
  for (const std::string& run : stale) {
    DIR* cases = opendir(run.c_str());
    if (cases == nullptr) continue;
    std::vector<std::string> groups;
    while (struct dirent* entry = readdir(cases)) {
      if (std::string(entry->d_name).rfind("case-", 0) == 0) groups.push_back(run + "/" + entry->d_name);
    }
    closedir(cases);
    for (const std::string& group : groups) {
      for (int round = 0; round < 10; ++round) {
        const std::vector<pid_t> pids = ReadPids(group, 1u << 16);
        if (pids.empty()) break;
        for (pid_t pid : pids) kill(pid, SIGKILL);
        SleepMs(1);
      }
      rmdir(group.c_str());
    }
    rmdir(run.c_str());
  }
}

}  // namespace

CgroupHost DetectCgroups() {
  CgroupHost host;
  std::string self;
  if (!ReadControlFile("/proc/self/cgroup", &self)) {
    host.notes.push_back("cannot read /proc/self/cgroup");
    return host;
  }
  const std::vector<CgroupMount> mounts = CgroupMounts();
  for (const std::string& line : Split(self, '\n')) {
    // "hierarchy-id:controllers:path"; the v2 line is "0::/path".
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      for (const CgroupMount& m : mounts) {
        if (!m.v2) continue;
        const std::string dir = GroupDir(m, path);
        if (!dir.empty() && Exists(dir + "/cgroup.procs")) {
          host.v2 = dir;
          break;
        }
      }
      continue;
    }
    for (const std::string& c : Split(controllers, ',')) {
      std::string* slot = c == "memory" ? &host.v1_memory
                          : c == "pids"  ? &host.v1_pids
                          : c == "freezer" ? &host.v1_freezer
                                           : nullptr;
      if (slot == nullptr) continue;
      for (const CgroupMount& m : mounts) {
        if (m.v2 || std::find(m.controllers.begin(), m.controllers.end(), c) == m.controllers.end()) {
          continue;
        }
        const std::string dir = GroupDir(m, path);
        if (!dir.empty() && Exists(dir + "/cgroup.procs")) *slot = dir;
      }
    }
  }
  if (!host.v2.empty()) {
    std::string available;
    ReadControlFile(host.v2 + "/cgroup.controllers", &available);
    for (const char* c : {"memory", "pids"}) {
      if (!HasWord(available, c)) continue;
      std::string enabled;
      ReadControlFile(host.v2 + "/cgroup.subtree_control", &enabled);
      int err = HasWord(enabled, c) ? 0 : WriteControlFile(host.v2 + "/cgroup.subtree_control",
                                                           std::string("+") + c);
      if (err == 0) {
        (std::string(c) == "memory" ? host.v2_memory : host.v2_pids) = true;
      } else {
        // cgroup v2 enables a controller below a group only when the group holds no process
        // itself (the root excepted): the runner's own group usually does.
        host.notes.push_back(std::string("v2: cannot enable the ") + c + " controller below " +
                             host.v2 + ": " + Errno(err));
      }
    }
  }
  return host;
}

std::unique_ptr<CgroupRun> CgroupRun::Create(const CgroupHost& detected, std::string* error) {
  static unsigned counter = 0;
  const std::string name = "sigconform-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::unique_ptr<CgroupRun> run(new CgroupRun(detected));
  CgroupHost& host = run->host_;
  auto make = [&](const std::string& parent, const char* what, std::string* dir) {
    if (parent.empty()) return false;
    RemoveStaleGroups(parent);
    const std::string path = parent + "/" + name;
    if (mkdir(path.c_str(), 0755) != 0) {
      host.notes.push_back(std::string(what) + ": cannot create a group in " + parent + ": " +
                           Errno(errno));
      return false;
    }
    *dir = path;
    run->dirs_.push_back(path);
    return true;
  };
  if (make(host.v2, "v2", &run->v2_)) {
    host.v2_kill = Exists(run->v2_ + "/cgroup.kill");
    host.v2_freeze = Exists(run->v2_ + "/cgroup.freeze");
    std::string controls;
    if (host.v2_memory) controls += "+memory ";
    if (host.v2_pids) controls += "+pids ";
    if (!controls.empty()) {
      controls.pop_back();
      if (int err = WriteControlFile(run->v2_ + "/cgroup.subtree_control", controls); err != 0) {
        host.notes.push_back("v2: cannot enable " + controls + " in " + run->v2_ + ": " + Errno(err));
        host.v2_memory = host.v2_pids = false;
      }
    }
  } else {
    host.v2.clear();
    host.v2_kill = host.v2_freeze = host.v2_memory = host.v2_pids = false;
  }
  // v1 controllers only for what v2 does not already give.
  if (host.v2_memory || !make(host.v1_memory, "v1 memory", &run->v1_memory_)) host.v1_memory.clear();
  if (host.v2_pids || !make(host.v1_pids, "v1 pids", &run->v1_pids_)) host.v1_pids.clear();
  const bool v2_stops_forks = host.v2_kill || host.v2_freeze;
  if (v2_stops_forks || !make(host.v1_freezer, "v1 freezer", &run->v1_freezer_)) {
    host.v1_freezer.clear();
  }
  if (run->dirs_.empty()) {
    *error = "no cgroup hierarchy is usable here";
    for (const std::string& note : host.notes) *error += "; " + note;
    return nullptr;
  }
  return run;
}

CgroupRun::~CgroupRun() {
  // Case groups are removed by their owners; a run directory that is still busy (a process
  // that could not be killed) is left rather than waited for.
  for (const std::string& dir : dirs_) rmdir(dir.c_str());
}

std::string CgroupRun::Describe() const {
  std::string out;
  if (!v2_.empty()) {
    out = "cgroup v2";
    std::vector<std::string> parts;
    if (host_.v2_kill) parts.push_back("cgroup.kill");
    else if (host_.v2_freeze) parts.push_back("cgroup.freeze");
    if (host_.v2_memory) parts.push_back("memory");
    if (host_.v2_pids) parts.push_back("pids");
    if (!parts.empty()) {
      out += " (";
      for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
      out += ")";
    }
  }
  std::vector<std::string> v1;
  if (!v1_memory_.empty()) v1.push_back("memory");
  if (!v1_pids_.empty()) v1.push_back("pids");
  if (!v1_freezer_.empty()) v1.push_back("freezer");
  if (!v1.empty()) {
    if (!out.empty()) out += " + ";
    out += "cgroup v1 ";
    for (size_t i = 0; i < v1.size(); ++i) out += (i ? ", " : "") + v1[i];
  }
  return out;
}

std::unique_ptr<CaseCgroup> CaseCgroup::Create(CgroupRun* run, const CgroupLimits& limits,
                                               std::string* error) {
  std::unique_ptr<CaseCgroup> group(new CaseCgroup(run));
  const std::string name = "case-" + std::to_string(run->next_case_++);
  auto make = [&](const std::string& parent, std::string* dir) {
    if (parent.empty()) return true;
    const std::string path = parent + "/" + name;
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      *error = "cannot create the case's cgroup " + path + ": " + Errno(errno);
      return false;
    }
    *dir = path;
    group->dirs_.push_back(path);
    return true;
  };
  if (!make(run->v2_, &group->v2_) || !make(run->v1_memory_, &group->memory_) ||
      !make(run->v1_pids_, &group->pids_) || !make(run->v1_freezer_, &group->freezer_)) {
    return nullptr;  // the destructor removes what was made
  }
  auto set = [&](const std::string& dir, const char* file, uint64_t value) {
    if (int err = WriteControlFile(dir + "/" + file, std::to_string(value)); err != 0) {
      *error = "cannot set " + dir + "/" + file + ": " + Errno(err);
      return false;
    }
    return true;
  };
  if (limits.memory_bytes > 0) {
    if (run->host_.v2_memory) {
      if (!set(group->v2_, "memory.max", limits.memory_bytes)) return nullptr;
      // Swap would let a case exceed its limit unseen; not every kernel has swap accounting.
      if (Exists(group->v2_ + "/memory.swap.max")) set(group->v2_, "memory.swap.max", 0);
    } else if (!group->memory_.empty()) {
      if (!set(group->memory_, "memory.limit_in_bytes", limits.memory_bytes)) return nullptr;
      if (Exists(group->memory_ + "/memory.memsw.limit_in_bytes")) {
        set(group->memory_, "memory.memsw.limit_in_bytes", limits.memory_bytes);
      }
    }
  }
  if (limits.processes > 0) {
    const std::string& dir = run->host_.v2_pids ? group->v2_ : group->pids_;
    if (!dir.empty() && !set(dir, "pids.max", limits.processes)) return nullptr;
  }
  for (const std::string& dir : group->dirs_) {
    int fd;
    do {
      fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      *error = "cannot open " + dir + "/cgroup.procs: " + Errno(errno);
      return nullptr;
    }
    group->join_fds_.emplace_back(fd);
    group->join_fd_numbers_.push_back(fd);
  }
  error->clear();
  return group;
}

CaseCgroup::~CaseCgroup() {
  if (removed_) return;
  KillAll();
  // The killed processes may still need reaping by their parents (the supervisor reaps the
  // orphans, being their subreaper): a short wait, then the groups are left if still busy.
  for (int i = 0; i < 100 && !Remove(); ++i) SleepMs(1);
}

std::vector<pid_t> CaseCgroup::Pids(size_t max) const {
  return ReadPids(dirs_.empty() ? std::string() : dirs_.front(), max);
}

bool CaseCgroup::Empty() const { return Pids(1).empty(); }

bool CaseCgroup::KillAll() {
  if (dirs_.empty()) return true;
  if (run_->host_.v2_kill && !v2_.empty()) {
    // The kernel kills every process of the group, also those forked while it does.
    if (WriteControlFile(v2_ + "/cgroup.kill", "1") == 0) return true;
  }
  // Freeze, kill what is listed, thaw: frozen processes cannot fork in between, and die as
  // soon as they are thawed.
  std::string freeze_file, frozen_file, frozen_word, thaw_word, freeze_word;
  if (run_->host_.v2_freeze && !v2_.empty()) {
    freeze_file = v2_ + "/cgroup.freeze";
    frozen_file = v2_ + "/cgroup.events";
    freeze_word = "1";
    frozen_word = "frozen 1";
    thaw_word = "0";
  } else if (!freezer_.empty()) {
    freeze_file = freezer_ + "/freezer.state";
    frozen_file = freeze_file;
    freeze_word = "FROZEN";
    frozen_word = "FROZEN";
    thaw_word = "THAWED";
  }
  const std::string list_dir = !freezer_.empty() && v2_.empty() ? freezer_ : dirs_.front();
  // Without a freezer, rounds of kill: each round kills what is listed; a fork bomb cannot
  // outrun it for long, since the process limit bounds it and every round kills all of it.
  for (int round = 0; round < 50; ++round) {
    const bool frozen = !freeze_file.empty() && WriteControlFile(freeze_file, freeze_word) == 0 &&
                        WaitFor(frozen_file, frozen_word, 1000);
    const std::vector<pid_t> pids = ReadPids(list_dir, 1u << 20);
    for (pid_t pid : pids) kill(pid, SIGKILL);  // ESRCH: already gone
    if (!freeze_file.empty()) WriteControlFile(freeze_file, thaw_word);
    if (pids.empty()) return true;
    if (frozen) {
      // Everything listed is dead or dying; give the kernel a moment to take it off the list.
      for (int i = 0; i < 20 && !Empty(); ++i) SleepMs(1);
      if (Empty()) return true;
    }
  }
  return Empty();
}

CgroupEvents CaseCgroup::Events() const {
  CgroupEvents events;
  if (run_->host_.v2_memory && !v2_.empty()) {
    events.oom_kills = KeyedValue(v2_, "memory.events", "oom_kill");
    events.memory_limit_hits = KeyedValue(v2_, "memory.events", "max");
    events.memory_peak = NumberIn(v2_ + "/memory.peak");
  } else if (!memory_.empty()) {
    events.oom_kills = KeyedValue(memory_, "memory.oom_control", "oom_kill");
    events.memory_limit_hits = NumberIn(memory_ + "/memory.failcnt");
    events.memory_peak = NumberIn(memory_ + "/memory.max_usage_in_bytes");
  }
  if (run_->host_.v2_pids && !v2_.empty()) {
    events.fork_refusals = KeyedValue(v2_, "pids.events", "max");
  } else if (!pids_.empty()) {
    events.fork_refusals = KeyedValue(pids_, "pids.events", "max");
  }
  return events;
}

bool CaseCgroup::Remove() {
  if (removed_) return true;
  join_fds_.clear();
  join_fd_numbers_.clear();
  bool all = true;
  for (const std::string& dir : dirs_) {
    if (rmdir(dir.c_str()) != 0 && errno != ENOENT) all = false;
  }
  removed_ = all;
  return all;
}

}  // namespace sigconform
