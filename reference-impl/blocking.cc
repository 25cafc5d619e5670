#include "blocking.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include "errors.h"
#include "safe_point.h"

namespace sigref {
namespace {

struct timespec ToTimespec(double seconds) {
  struct timespec ts;
  double whole = std::floor(seconds);
  ts.tv_sec = static_cast<time_t>(whole);
  ts.tv_nsec = static_cast<long>((seconds - whole) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

}  // namespace

double MonotonicNow() {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) ThrowOSError(errno);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Sleep(double seconds) {
  if (std::isnan(seconds)) throw ValueError("Invalid value NaN (not a number)");
  if (seconds < 0) throw ValueError("sleep length must be non-negative");
  // An absolute deadline: each retry after a handler sleeps only what is left.
  struct timespec now;
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) ThrowOSError(errno);
  const double deadline_seconds =
      static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9 + seconds;
  const struct timespec deadline = ToTimespec(deadline_seconds);
  for (;;) {
    // clock_nanosleep returns the error number instead of setting errno.
    const int err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr);
    if (err == 0) return;
    if (err != EINTR) ThrowOSError(err);
    CheckSignals();
  }
}

std::string Read(int fd, size_t size) {
  std::string buffer(size, '\0');
  for (;;) {
    const ssize_t n = read(fd, buffer.data(), size);
    if (n >= 0) {
      buffer.resize(static_cast<size_t>(n));
      return buffer;
    }
    if (errno != EINTR) ThrowOSError(errno);
    CheckSignals();
  }
}

size_t Write(int fd, const std::string& data) {
  for (;;) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) ThrowOSError(errno);
    CheckSignals();
  }
}

void Pause() {
  // pause(2) only ever returns -1 with EINTR, after a handled signal.
  if (pause() != -1 || errno != EINTR) ThrowOSError(errno);
  CheckSignals();
}

}  // namespace sigref
