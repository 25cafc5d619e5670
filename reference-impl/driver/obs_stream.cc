#include "obs_stream.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <string>

namespace sigref_driver {
namespace {

double Monotonic() {
  struct timespec ts;
  // CLOCK_MONOTONIC cannot fail on Linux; a zero time is harmless if it somehow did.
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

ObsStream::ObsStream(int fd) : fd_(fd), start_(Monotonic()) {
  const int flags = fcntl(fd_, F_GETFD);
  // fd 1 (the hand-use fallback) must stay inheritable: it is also the case's stdout.
  if (flags != -1 && fd_ > 2) (void)fcntl(fd_, F_SETFD, flags | FD_CLOEXEC);
}

double ObsStream::Now() const { return Monotonic() - start_; }

void ObsStream::Emit(nlohmann::json record) {
  record["t"] = Now();
  std::string line =
      record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;  // A signal arrived mid-write: finish the line.
    if (n <= 0) return;                     // The reader is gone; nothing can be reported.
    data += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace sigref_driver

namespace sigref_driver {

void ObsStream::ResetAfterFork() {
  // The old mutex may be locked by a thread that does not exist in this process: it is
  // abandoned, never unlocked nor destroyed, and a fresh one takes its place.
  new (&mutex_) std::mutex();
}

}  // namespace sigref_driver
