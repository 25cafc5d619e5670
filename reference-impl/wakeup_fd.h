// The wakeup descriptor: set_wakeup_fd() and the byte the low-level handler writes to it.
#ifndef SIGREF_WAKEUP_FD_H_
#define SIGREF_WAKEUP_FD_H_

#include <sys/types.h>

namespace sigref {

// signal.set_wakeup_fd(fd, warn_on_full_buffer=True). Returns the previous descriptor (-1 when
// none was set). -1 disables the wakeup. Errors, as CPython: ValueError outside the main
// thread; OSError (EBADF) for a descriptor that is not open (including -2 and below);
// ValueError "the fd N must be in non-blocking mode" for a blocking one.
int SetWakeupFd(int fd, bool warn_on_full_buffer);

// Writes `signum` as one byte to the wakeup descriptor, if one is set. Runs in a signal
// handler: async-signal-safe only, does not preserve errno (TripSignal does). A failed write
// (EAGAIN on a full buffer when warnings are on, or any other error) is not reported here: it
// is remembered and reported on stderr by the next safe point (ReportWakeupFailure).
void WriteWakeupByte(int signum);

// Writes the pending "wakeup byte was lost" warning to stderr, if any. Safe-point code only.
void ReportWakeupFailure();

// Test seam: the function used to write the byte (write(2) by default). It is called in a
// signal handler, so a replacement must be async-signal-safe too. nullptr restores write(2).
using WakeupWriter = ssize_t (*)(int fd, const void* data, size_t size);
void SetWakeupWriterForTest(WakeupWriter writer);

}  // namespace sigref

#endif  // SIGREF_WAKEUP_FD_H_
