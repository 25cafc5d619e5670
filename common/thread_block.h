// Whether a thread sleeps in the kernel inside a blocking system call, as /proc shows it.
// The one definition of "blocked" that the runner (a `parent_kill` with `once_blocked`) and the
// reference driver (the `wait_blocked` step) act on; spec/case-format.md, "Waiting until a
// thread blocks", says why it is this one.
#ifndef SIGCONFORM_COMMON_THREAD_BLOCK_H_
#define SIGCONFORM_COMMON_THREAD_BLOCK_H_

#include <sys/types.h>

#include <string>

namespace sigconform {

// What /proc/PID/task/TID says about one thread at one moment.
struct ThreadBlockState {
  // The state letter of `stat` ('R' running, 'S' interruptible sleep, 'D', 'T', ...); '?' when
  // the file could not be read (the thread is gone).
  char state = '?';
  // The system call the thread is inside while it is off the CPU, from `syscall`; -1 when it
  // is running or in none.
  long syscall = -1;
  // False when `syscall` could not be read at all (a kernel without it, or no permission):
  // then only `state` is known.
  bool syscall_known = false;
};

// Reads the thread's state: `syscall`, then `stat`, then `syscall` again, so that a thread that
// changed between the reads shows as running (syscall -1) rather than as a mix of two moments.
// Never throws; safe to call from any thread, for any process the caller may trace.
ThreadBlockState ReadThreadBlockState(pid_t pid, pid_t tid);

// True for the system calls a thread waits for a lock in (futex on Linux, from <sys/syscall.h>):
// a thread waiting there waits for another thread of its process, not in a call of the case
// (CPython's main thread sleeps in one while another thread holds the interpreter lock).
bool IsLockSyscall(long number);

// The thread sleeps in the kernel (state S) inside a system call that is not a lock wait: a
// blocking call has begun, and a signal now interrupts it (EINTR). Where `syscall` cannot be
// read, state S alone decides.
bool SleepsInBlockingCall(const ThreadBlockState& s);
bool SleepsInBlockingCall(pid_t pid, pid_t tid);

// The state for a message: "state R", "state S in system call 0", "state S in system call 202
// (a lock wait)", "gone".
std::string DescribeThreadBlockState(const ThreadBlockState& s);

}  // namespace sigconform

#endif  // SIGCONFORM_COMMON_THREAD_BLOCK_H_
