#include "timers.h"

#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include "errors.h"

namespace sigref {
namespace {

// Ceiling to whole microseconds, then split so that tv_usec is in [0, 1e6): a negative time
// gives a negative tv_sec, which the kernel refuses with EINVAL, so negative times fail the
// same way an invalid `which` does (CPython 3.11 behaves so too). `seconds` has been through
// ToSeconds, so it is a number of at most 2**63 nanoseconds and its microseconds fit.
struct timeval ToTimeval(double seconds) {
  const double micros = std::ceil(seconds * 1e6);
  const long long total = static_cast<long long>(micros);
  long long sec = total / 1000000;
  long long usec = total % 1000000;
  if (usec < 0) {
    usec += 1000000;
    sec -= 1;
  }
  struct timeval tv;
  tv.tv_sec = static_cast<time_t>(sec);
  tv.tv_usec = static_cast<suseconds_t>(usec);
  return tv;
}

// Divides the microseconds by 1e6 (multiplying by 1e-6 is not the same in binary floating
// point: 100000 * 1e-6 is 0.09999999999999999), so that an interval of 0.1 reads back as 0.1,
// the float a Python program compares against (itimer.float-seconds).
double ToSeconds(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

Value TimerValue(const struct itimerval& timer) {
  return Value::Tuple(
      {Value::Float(ToSeconds(timer.it_value)), Value::Float(ToSeconds(timer.it_interval))});
}

}  // namespace

long Alarm(int seconds) {
  // alarm(2) cannot fail.
  return static_cast<long>(alarm(static_cast<unsigned int>(seconds)));
}

Value Setitimer(int which, double seconds, double interval) {
  struct itimerval timer;
  timer.it_value = ToTimeval(seconds);
  timer.it_interval = ToTimeval(interval);
  struct itimerval old;
  // The __itimer_which_t cast: glibc types `which` as an enum in C++.
  if (setitimer(static_cast<__itimer_which_t>(which), &timer, &old) != 0) {
    throw ItimerError(errno);
  }
  return TimerValue(old);
}

Value Getitimer(int which) {
  struct itimerval timer;
  if (getitimer(static_cast<__itimer_which_t>(which), &timer) != 0) throw ItimerError(errno);
  return TimerValue(timer);
}

}  // namespace sigref
