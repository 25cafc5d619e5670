// Blocking calls with PEP 475 semantics: when a signal interrupts them (EINTR) they run a safe
// point; if a handler raised, its exception comes out of the call, otherwise the call is
// retried (with the remaining time, for timed ones). These are the time.sleep, os.read,
// os.write and signal.pause of the reference.
#ifndef SIGREF_BLOCKING_H_
#define SIGREF_BLOCKING_H_

#include <cstddef>
#include <string>

namespace sigref {

// Sleeps `seconds` of monotonic time in total, however many signals arrive. ValueError for a
// negative or NaN duration.
void Sleep(double seconds);

// One read(2) of up to `size` bytes; "" at end of file. OSError subclass on failure.
std::string Read(int fd, size_t size);

// One write(2) of `data`; returns the count written (maybe short). OSError subclass on failure
// (BrokenPipeError when the reader is gone and SIGPIPE is ignored).
size_t Write(int fd, const std::string& data);

// signal.pause(): waits for a signal, then runs the handlers (a safe point) and returns. A
// handler's exception comes out of it.
void Pause();

// Seconds on the monotonic clock (CLOCK_MONOTONIC). Shared by the timed calls.
double MonotonicNow();

}  // namespace sigref

#endif  // SIGREF_BLOCKING_H_
