#include "thread_block.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace sigconform {
namespace {

// The contents of a small /proc file, or false when it cannot be read.
bool ReadSmallFile(const std::string& path, std::string* out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[512];
  ssize_t n;
  do {
    n = read(fd, buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  (void)close(fd);
  if (n < 0) return false;
  out->assign(buffer, static_cast<size_t>(n));
  return true;
}

// `syscall` holds "running", or "NR arg... sp pc" while the thread is off the CPU ("-1 sp pc"
// outside any call). Returns false when unreadable; *number is -1 unless a call is named.
bool ReadSyscall(const std::string& dir, long* number) {
  *number = -1;
  std::string text;
  if (!ReadSmallFile(dir + "/syscall", &text) || text.empty()) return false;
  if (text[0] >= '0' && text[0] <= '9') *number = std::strtol(text.c_str(), nullptr, 10);
  return true;
}

}  // namespace

ThreadBlockState ReadThreadBlockState(pid_t pid, pid_t tid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid);
  ThreadBlockState s;
  long first = -1, second = -1;
  const bool known = ReadSyscall(dir, &first);
  std::string stat;
  if (!ReadSmallFile(dir + "/stat", &stat)) return s;
  // "TID (COMM) STATE ...": COMM may hold spaces and parentheses; the state follows the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return s;
  s.state = stat[close + 2];
  s.syscall_known = known && ReadSyscall(dir, &second);
  s.syscall = s.syscall_known && first == second ? first : -1;
  return s;
}

bool IsLockSyscall(long number) {
#ifdef SYS_futex
  if (number == SYS_futex) return true;
#endif
#ifdef SYS_futex_time64
  if (number == SYS_futex_time64) return true;
#endif
#ifdef SYS_futex_waitv
  if (number == SYS_futex_waitv) return true;
#endif
#ifdef SYS_futex_wait
  if (number == SYS_futex_wait) return true;
#endif
  return false;
}

bool SleepsInBlockingCall(const ThreadBlockState& s) {
  if (s.state != 'S') return false;
  if (!s.syscall_known) return true;
  return s.syscall >= 0 && !IsLockSyscall(s.syscall);
}

bool SleepsInBlockingCall(pid_t pid, pid_t tid) {
  return SleepsInBlockingCall(ReadThreadBlockState(pid, tid));
}

std::string DescribeThreadBlockState(const ThreadBlockState& s) {
  if (s.state == '?') return "gone";
  std::string out = std::string("state ") + s.state;
  if (s.syscall >= 0) {
    out += " in system call " + std::to_string(s.syscall);
    if (IsLockSyscall(s.syscall)) out += " (a lock wait)";
  }
  return out;
}

}  // namespace sigconform
