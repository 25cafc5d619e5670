#include "processes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "blocking.h"
#include "errors.h"
#include "names.h"
#include "safe_point.h"

extern char** environ;

namespace sigref_driver {

using sigref::Value;

Value ProcessInfo() {
  return Value::Tuple({Value::Int(getpid()), Value::Int(static_cast<long long>(getuid())),
                       Value::Int(getppid())});
}

Value PidfdOpen(int pid) {
#ifdef SYS_pidfd_open
  const long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) sigref::ThrowOSError(errno);
  return Value::Int(fd);
#else
  (void)pid;
  sigref::ThrowOSError(ENOSYS);
#endif
}

Value Spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) throw sigref::ValueError("argv must not be empty");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int err = posix_spawn_file_actions_init(&actions);
  if (err != 0) sigref::ThrowOSError(err);
  err = posix_spawnattr_init(&attr);
  if (err != 0) {
    posix_spawn_file_actions_destroy(&actions);
    sigref::ThrowOSError(err);
  }
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  if (err == 0) err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (err == 0) err = posix_spawnattr_setsigdefault(&attr, &defaults);
  if (err == 0) err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  if (err == 0) err = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) sigref::ThrowOSError(err);
  return Value::Int(pid);
}

Value WaitPid(int pid, double timeout) {
  const double deadline = sigref::MonotonicNow() + timeout;
  for (;;) {
    sigref::CheckSignals();
    int status = 0;
    const pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == -1 && errno != EINTR) sigref::ThrowOSError(errno);
    if (got == pid) {
      if (WIFSIGNALED(status)) {
        return Value::Tuple({Value::Str("signaled"), sigref::SignalValue(WTERMSIG(status))});
      }
      return Value::Tuple({Value::Str("exited"), Value::Int(WEXITSTATUS(status))});
    }
    if (sigref::MonotonicNow() >= deadline) return Value::None();
    const struct timespec slice = {0, 1000000};
    (void)nanosleep(&slice, nullptr);
  }
}

}  // namespace sigref_driver
