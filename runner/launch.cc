#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "signal_names.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace sigconform {
namespace {

// Descriptors 0..4 are the driver's (stdin, stdout, stderr, observations, program); every
// other one is closed at exec.
constexpr int kFirstPrivateFd = 5;

// The stack of the child between clone and exec, a buffer on the runner's own stack (Launch).
// RunChild's frames are small (a sigaction structure, a few ints); sanitizer builds need more.
constexpr size_t kChildStackBytes = 64 * 1024;

// Where the child's setup failed, reported to the parent with the errno.
enum ChildStage : int {
  kStageSetpgid = 1,
  kStageSigaction,
  kStageDescriptors,
  kStageRlimit,
  kStageKill,
  kStageMask,
  kStageExec,
  kStageCgroup,
  kStageUser,
};

const char* StageName(int stage) {
  switch (stage) {
    case kStageSetpgid: return "setpgid";
    case kStageSigaction: return "resetting signal dispositions";
    case kStageDescriptors: return "setting up descriptors";
    case kStageRlimit: return "setrlimit";
    case kStageKill: return "making signals pending";
    case kStageMask: return "setting the signal mask";
    case kStageExec: return "exec";
    case kStageCgroup: return "joining the case's cgroup";
    case kStageUser: return "changing to the driver's user";
  }
  return "unknown step";
}

// What the child does between clone and exec, prepared entirely by the parent: the child only
// reads this structure, so it never allocates.
struct ChildPlan {
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  bool ignore[NSIG] = {};   // signal numbers to leave at SIG_IGN
  sigset_t block;           // the mask at exec
  const int* pending = nullptr;
  size_t pending_count = 0;
  const int* rlimit_resources = nullptr;
  const rlim_t* rlimit_values = nullptr;
  size_t rlimit_count = 0;
  int sources[kFirstPrivateFd] = {-1, -1, -1, -1, -1};  // what becomes descriptor 0..4
  int error_fd = -1;  // write end of the exec-error pipe (close-on-exec)
  int max_fd = 0;     // for the close loop when close_range is unavailable
  const int* join_fds = nullptr;  // cgroup.procs of the case's groups, each written "0"
  size_t join_fd_count = 0;
  bool change_user = false;  // become uid/gid, without supplementary groups
  uid_t uid = 0;
  gid_t gid = 0;
};

// Runs in the child between clone and exec: async-signal-safe calls only (write, _exit).
// Reports the failed step and errno in one write of 8 bytes (atomic: below PIPE_BUF), then
// exits with 127.
[[noreturn]] void ChildFail(int error_fd, int stage, int err) {
  int message[2] = {stage, err};
  ssize_t ignored = write(error_fd, message, sizeof message);
  (void)ignored;  // nothing more can be done from here; the parent then sees a 127 exit
  _exit(127);
}

// Runs in the child between clone and exec, in the runner's memory (CLONE_VM, see Launch).
// Only async-signal-safe functions are called, and nothing outside this function's own frame
// is written: the runner may have other threads whose locks (malloc's among them) are held,
// and every byte the child changed would be changed in the runner. All signals are blocked on
// entry (the parent blocked them around clone), so no handler the runner installed can run
// here before the dispositions are reset.
[[noreturn]] void RunChild(const ChildPlan& plan) {
  int error_fd = plan.error_fd;

  // The parent does the same; whichever runs first closes the race in which the runner
  // signals the group before it exists.
  if (setpgid(0, 0) != 0) ChildFail(error_fd, kStageSetpgid, errno);

  // Into the case's cgroups first ("0" is this process): everything the driver starts is
  // then born inside them, and no moment passes in which it runs outside. Before the change
  // of user, which would take away the right to move.
  for (size_t i = 0; i < plan.join_fd_count; ++i) {
    if (write(plan.join_fds[i], "0", 1) != 1) ChildFail(error_fd, kStageCgroup, errno);
  }

  // Every disposition back to SIG_DFL (handlers of the runner make no sense in the driver,
  // and ignored dispositions of the runner's own parent must not leak in), except the ignores
  // the case asks for: SIG_IGN survives exec, which is what those cases check.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = plan.ignore[sig] ? SIG_IGN : SIG_DFL;
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, nullptr) != 0 && errno != EINVAL) {
      // EINVAL: a signal number the C library reserves for itself (glibc's 32 and 33).
      ChildFail(error_fd, kStageSigaction, errno);
    }
  }

  // Descriptors. Move the error pipe and every source above 4 first, so that installing
  // descriptor N can never overwrite a source still needed for another one.
  if (error_fd < kFirstPrivateFd) {
    int moved = fcntl(error_fd, F_DUPFD_CLOEXEC, kFirstPrivateFd);
    if (moved < 0) _exit(126);  // nowhere to report it; the parent sees exit status 126
    error_fd = moved;
  }
  int moved[kFirstPrivateFd];
  for (int target = 0; target < kFirstPrivateFd; ++target) {
    moved[target] = -1;
    if (plan.sources[target] < 0) continue;
    moved[target] = fcntl(plan.sources[target], F_DUPFD_CLOEXEC, kFirstPrivateFd);
    if (moved[target] < 0) ChildFail(error_fd, kStageDescriptors, errno);
  }
  for (int target = 0; target < kFirstPrivateFd; ++target) {
    if (moved[target] < 0) {
      close(target);  // EBADF when it was not open: fine, closed is what we want
      continue;
    }
    // dup2 clears close-on-exec on the new descriptor. It is retried on EBUSY, a transient
    // race with open() in another thread that cannot happen here but is cheap to honour.
    int rc;
    do {
      rc = dup2(moved[target], target);
    } while (rc < 0 && (errno == EINTR || errno == EBUSY));
    if (rc < 0) ChildFail(error_fd, kStageDescriptors, errno);
  }
  // Everything from 5 up closes at exec: the runner's other pipes, the error pipe (whose
  // closing tells the parent the exec worked), descriptors the runner inherited.
  if (close_range(kFirstPrivateFd, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = kFirstPrivateFd; fd <= plan.max_fd; ++fd) {
      if (fd != error_fd) close(fd);
    }
  }

  for (size_t i = 0; i < plan.rlimit_count; ++i) {
    struct rlimit limit;
    limit.rlim_cur = plan.rlimit_values[i];
    limit.rlim_max = plan.rlimit_values[i];
    if (setrlimit(plan.rlimit_resources[i], &limit) != 0) {
      ChildFail(error_fd, kStageRlimit, errno);
    }
  }

  // Another user, when the runner is root: then the driver can neither signal nor move
  // anything outside its own case. Raw system calls: glibc's wrappers synchronise threads,
  // which must not be relied on between clone and exec. Before the pending signals, so that
  // their sender is the driver's own user, as in a normal process tree.
  if (plan.change_user) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0 ||
        syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) {
      ChildFail(error_fd, kStageUser, errno);
    }
  }

  // Everything is still blocked, so these stay pending; being process-directed (kill, not
  // raise) they survive exec the way a signal from outside would.
  pid_t self = getpid();
  for (size_t i = 0; i < plan.pending_count; ++i) {
    if (kill(self, plan.pending[i]) != 0) ChildFail(error_fd, kStageKill, errno);
  }

  // Exactly the case's mask. A signal sent to the group since clone (a timeout, an interrupt
  // of the runner) is delivered now, with its default action.
  if (sigprocmask(SIG_SETMASK, &plan.block, nullptr) != 0) {
    ChildFail(error_fd, kStageMask, errno);
  }

  execve(plan.argv[0], plan.argv, plan.envp);
  ChildFail(error_fd, kStageExec, errno);
}

std::string Errno(int err) { return std::strerror(err); }

// Makes a pipe whose both ends are close-on-exec, the read end also non-blocking.
bool MakePipe(UniqueFd* read_end, UniqueFd* write_end, bool nonblocking_read,
              std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = "cannot create a pipe: " + Errno(errno);
    return false;
  }
  read_end->reset(fds[0]);
  write_end->reset(fds[1]);
  if (nonblocking_read) {
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) {
      *error = "cannot make a pipe non-blocking: " + Errno(errno);
      return false;
    }
  }
  return true;
}

bool OpenDevNull(int flags, UniqueFd* fd, std::string* error) {
  int raw;
  do {
    raw = open("/dev/null", flags | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) {
    *error = "cannot open /dev/null: " + Errno(errno);
    return false;
  }
  fd->reset(raw);
  return true;
}

bool WriteAll(int fd, const std::string& data, std::string* error) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = "cannot write the case program: " + Errno(errno);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// The program as a descriptor positioned at its start: a sealed memfd (the driver can neither
// change nor grow it), or, where memfd_create is missing, a pipe holding the whole program
// when it fits in PIPE_BUF (so that writing it cannot block).
bool MakeProgramFd(const std::string& program, UniqueFd* fd, std::string* error) {
  int raw = memfd_create("sigconform-case", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (raw >= 0) {
    fd->reset(raw);
    if (!WriteAll(raw, program, error)) return false;
    if (fcntl(raw, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
      *error = "cannot seal the case program: " + Errno(errno);
      return false;
    }
    if (lseek(raw, 0, SEEK_SET) != 0) {
      *error = "cannot rewind the case program: " + Errno(errno);
      return false;
    }
    return true;
  }
  if (errno != ENOSYS || program.size() > PIPE_BUF) {
    *error = "cannot create a memfd for the case program: " + Errno(errno);
    return false;
  }
  UniqueFd write_end;
  if (!MakePipe(fd, &write_end, /*nonblocking_read=*/false, error)) return false;
  return WriteAll(write_end.get(), program, error);
}

std::optional<int> RlimitResource(const std::string& name) {
  if (name == "FSIZE") return RLIMIT_FSIZE;
  if (name == "NOFILE") return RLIMIT_NOFILE;
  if (name == "CPU") return RLIMIT_CPU;
  if (name == "CORE") return RLIMIT_CORE;
  return std::nullopt;
}

// A signal name of the parent state as a number that can be ignored/blocked/sent.
bool ParentSignal(const std::string& name, const char* list, int* number, std::string* error) {
  std::optional<int> sig = SignalNumber(name);
  if (!sig) {
    *error = std::string("parent.") + list + ": unknown signal " + name;
    return false;
  }
  if (*sig == SIGKILL || *sig == SIGSTOP) {
    *error = std::string("parent.") + list + ": " + name + " cannot be caught, blocked or ignored";
    return false;
  }
  *number = *sig;
  return true;
}

std::vector<char*> CStringArray(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reads the exec-error pipe to its end. Returns true with *stage/*err set when the child
// reported a failure, false on end-of-file (the exec worked).
// The entry point clone() calls in the child.
int ChildEntry(void* plan) { RunChild(*static_cast<const ChildPlan*>(plan)); }

bool ReadChildReport(int fd, int* stage, int* err) {
  int message[2];
  size_t got = 0;
  while (got < sizeof message) {
    ssize_t n = read(fd, reinterpret_cast<char*>(message) + got, sizeof message - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  if (got < sizeof message) return false;
  *stage = message[0];
  *err = message[1];
  return true;
}

}  // namespace

void ReapBlocking(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

bool AdoptDriver(pid_t pid, DriverDescriptors* fds, LaunchedChild* child, std::string* error) {
  // A pidfd lets the supervisor poll for the exit like any descriptor, without a SIGCHLD
  // handler. It is taken before anyone could reap the child, so it refers to this process.
  // pidfd_open always makes the descriptor close-on-exec.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int pidfd_errno = errno;  // kill and waitpid below may change errno
    kill(-pid, SIGKILL);      // unchecked: the group exists, its leader being unreaped
    ReapBlocking(pid);
    *error = "cannot open a pidfd for the driver: " + Errno(pidfd_errno);
    return false;
  }
  child->pid = pid;
  child->pidfd.reset(pidfd);
  child->stdout_fd = std::move(fds->stdout_read);
  child->stderr_fd = std::move(fds->stderr_read);
  child->obs_fd = std::move(fds->obs_read);
  return true;
}

bool MakeDriverDescriptors(const LaunchSpec& spec, DriverDescriptors* fds, std::string* error) {
  if (!OpenDevNull(O_RDONLY, &fds->child[0], error)) return false;
  switch (spec.parent.stdout_mode) {
    case ParentState::Stdout::kCapture:
      if (!MakePipe(&fds->stdout_read, &fds->child[1], true, error)) return false;
      break;
    case ParentState::Stdout::kBroken:
      // The read end is closed at once: no process ever holds it, so from its first write
      // the driver meets a pipe without reader (EPIPE / SIGPIPE).
      if (!MakePipe(&fds->stdout_read, &fds->child[1], false, error)) return false;
      fds->stdout_read.reset();
      break;
    case ParentState::Stdout::kDevNull:
      if (!OpenDevNull(O_WRONLY, &fds->child[1], error)) return false;
      break;
  }
  if (!MakePipe(&fds->stderr_read, &fds->child[2], true, error)) return false;
  if (spec.channel_fd >= 0) {
    int raw = fcntl(spec.channel_fd, F_DUPFD_CLOEXEC, 0);
    if (raw < 0) {
      *error = "cannot duplicate the fork-server's socket: " + Errno(errno);
      return false;
    }
    fds->child[3].reset(raw);
  } else if (!MakePipe(&fds->obs_read, &fds->child[3], true, error)) {
    return false;
  }
  if (!spec.program.empty() && !MakeProgramFd(spec.program, &fds->child[4], error)) return false;
  return true;
}

WaitStatus ParseWaitStatus(int status) {
  WaitStatus out;
  if (WIFEXITED(status)) {
    out.exited = true;
    out.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.exited = false;
    out.signal = WTERMSIG(status);
    out.core_dumped = WCOREDUMP(status);
  } else {
    out.exited = true;
    out.code = 0;
  }
  return out;
}

bool Launch(const LaunchSpec& spec, LaunchedChild* child, std::string* error,
            const ChildContainment* containment) {
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
    *error = "the program to execute must be an absolute path: '" +
             (spec.argv.empty() ? std::string() : spec.argv[0]) + "'";
    return false;
  }

  // Everything the child needs is prepared here, before clone (see RunChild).
  ChildPlan plan;
  for (const std::string& name : spec.parent.ignore) {
    int sig;
    if (!ParentSignal(name, "ignore", &sig, error)) return false;
    plan.ignore[sig] = true;
  }
  sigemptyset(&plan.block);
  for (const std::string& name : spec.parent.block) {
    int sig;
    if (!ParentSignal(name, "block", &sig, error)) return false;
    sigaddset(&plan.block, sig);
  }
  std::vector<int> pending;
  for (const std::string& name : spec.parent.pending) {
    int sig;
    if (!ParentSignal(name, "pending", &sig, error)) return false;
    if (!sigismember(&plan.block, sig)) {
      // Unblocked, it would be delivered before exec and most likely kill the child.
      *error = "parent.pending: " + name + " is not in parent.block";
      return false;
    }
    pending.push_back(sig);
  }
  plan.pending = pending.data();
  plan.pending_count = pending.size();

  // No core files by default: a case that crashes on purpose must not litter the disk.
  std::vector<int> rlimit_resources{RLIMIT_CORE};
  std::vector<rlim_t> rlimit_values{0};
  for (const auto& [name, value] : spec.parent.rlimits) {
    std::optional<int> resource = RlimitResource(name);
    if (!resource) {
      *error = "parent.rlimits: unknown limit " + name;
      return false;
    }
    if (value < 0) {
      *error = "parent.rlimits: " + name + " must not be negative";
      return false;
    }
    rlimit_resources.push_back(*resource);
    rlimit_values.push_back(static_cast<rlim_t>(value));
  }
  if (containment != nullptr && containment->nproc > 0) {
    rlimit_resources.push_back(RLIMIT_NPROC);
    rlimit_values.push_back(static_cast<rlim_t>(containment->nproc));
  }
  if (containment != nullptr) {
    plan.join_fds = containment->join_fds.data();
    plan.join_fd_count = containment->join_fds.size();
    plan.change_user = containment->change_user;
    plan.uid = containment->uid;
    plan.gid = containment->gid;
  }
  plan.rlimit_resources = rlimit_resources.data();
  plan.rlimit_values = rlimit_values.data();
  plan.rlimit_count = rlimit_resources.size();

  std::vector<char*> argv = CStringArray(spec.argv);
  std::vector<char*> envp = CStringArray(spec.env);
  plan.argv = argv.data();
  plan.envp = envp.data();

  struct rlimit nofile;
  plan.max_fd = 65535;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY) {
    plan.max_fd = static_cast<int>(nofile.rlim_cur > INT_MAX ? INT_MAX : nofile.rlim_cur);
  }

  // Descriptors. The child-side ends are close-on-exec too, so that no other child started
  // concurrently keeps them; the child clears the flag as it installs them as 0..4.
  DriverDescriptors fds;
  if (!MakeDriverDescriptors(spec, &fds, error)) return false;
  UniqueFd report_read, report_write;
  if (!MakePipe(&report_read, &report_write, false, error)) return false;

  for (int target = 0; target < kFirstPrivateFd; ++target) {
    plan.sources[target] = fds.child[target].get();
  }
  plan.error_fd = report_write.get();

  // All signals are blocked around clone: the child must not run a handler of the runner
  // before it has reset the dispositions (the handler would act on the runner's state, e.g.
  // write to its self-pipe), and the runner's own signals must not interrupt the window.
  sigset_t all, old_mask;
  sigfillset(&all);
  int rc = pthread_sigmask(SIG_SETMASK, &all, &old_mask);
  if (rc != 0) {
    *error = "cannot block signals: " + Errno(rc);
    return false;
  }
  // The child is started as posix_spawn starts one: it borrows the runner's memory
  // (CLONE_VM), running on `child_stack` below, and the runner is suspended until the child
  // has exec'd or exited (CLONE_VFORK), so nothing else uses that buffer meanwhile. fork()
  // would copy the runner's page tables and make each later write of the runner fault and copy
  // a page: a cost that grows with the runner's memory, that is, with the catalog (it was
  // half of the runner's CPU for 1,000 trivial cases). Sharing is safe: RunChild only reads
  // `plan` and writes its own locals; its errno lands in this thread's, which is read below
  // only when clone() itself failed. Without CLONE_SIGHAND the child resets a copy of the
  // dispositions, never the runner's.
  alignas(64) char child_stack[kChildStackBytes];
  pid_t pid = clone(ChildEntry, child_stack + sizeof child_stack,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  int fork_errno = errno;
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer cannot know that the child ran on `child_stack`: the redzones its frames
  // poisoned there stay in the shared shadow memory, and a later frame of the runner at those
  // addresses would be reported as a use after scope (scripts/sanitize). The child is gone from
  // this memory now (exec'd or exited: CLONE_VFORK), so the buffer is plain bytes again.
  ASAN_UNPOISON_MEMORY_REGION(child_stack, sizeof child_stack);
#endif
  if (pid > 0) {
    // The child does the same; doing it here too means the group exists when Launch returns,
    // whoever ran first. The result is deliberately unused: EACCES means the child has
    // already exec'd (so its own setpgid succeeded), and any other failure is reported by the
    // child's own call through the exec-error pipe.
    (void)setpgid(pid, pid);
  }
  // Restoring the mask the same call returned cannot fail (only an invalid `how` can).
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) {
    *error = "cannot fork: " + Errno(fork_errno);
    return false;
  }

  // The parent's copies of the child's ends must go now: the exec-error pipe reaches EOF only
  // when no process holds its write end, and a captured pipe only when the driver's copies
  // are the last ones.
  for (UniqueFd& fd : fds.child) fd.reset();
  report_write.reset();

  int stage = 0, err = 0;
  if (ReadChildReport(report_read.get(), &stage, &err)) {
    ReapBlocking(pid);
    if (stage == kStageExec) {
      *error = "cannot execute " + spec.argv[0] + ": " + Errno(err);
    } else {
      *error = std::string("cannot set up the driver's process (") + StageName(stage) +
               "): " + Errno(err);
    }
    return false;
  }

  return AdoptDriver(pid, &fds, child, error);
}

}  // namespace sigconform
