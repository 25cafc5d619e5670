#include "selector.h"

#include <poll.h>

#include <cerrno>
#include <cmath>

#include "blocking.h"
#include "errors.h"
#include "safe_point.h"

namespace sigref {

std::vector<int> SelectReadable(const std::vector<int>& fds, double timeout) {
  if (std::isnan(timeout)) throw ValueError("Invalid value NaN (not a number)");
  if (timeout < 0) throw ValueError("timeout must be non-negative");
  std::vector<struct pollfd> polled;
  for (int fd : fds) polled.push_back({fd, POLLIN, 0});
  const double deadline = MonotonicNow() + timeout;
  for (;;) {
    const double left = deadline - MonotonicNow();
    // Rounded up: poll's milliseconds must not turn a short wait into a busy loop.
    const int ms = left <= 0 ? 0 : static_cast<int>(std::ceil(left * 1000.0));
    const int n = poll(polled.data(), polled.size(), ms);
    if (n >= 0) break;
    if (errno != EINTR) ThrowOSError(errno);
    CheckSignals();  // a handler's exception ends the wait here
  }
  std::vector<int> ready;
  for (const struct pollfd& p : polled) {
    if ((p.revents & POLLNVAL) != 0) ThrowOSError(EBADF);
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) ready.push_back(p.fd);
  }
  return ready;
}

}  // namespace sigref
