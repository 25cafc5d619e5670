#include "mask.h"

#include <pthread.h>

#include <cerrno>
#include <cmath>
#include <string>

#include "blocking.h"
#include "errors.h"
#include "names.h"
#include "safe_point.h"
#include "stderr_note.h"

namespace sigref {
namespace {

Value SiginfoValue(const siginfo_t& info) {
  return Value::Struct("struct_siginfo", {
      {"si_signo", Value::Int(info.si_signo)},
      {"si_code", Value::Int(info.si_code)},
      {"si_errno", Value::Int(info.si_errno)},
      {"si_pid", Value::Int(info.si_pid)},
      {"si_uid", Value::Int(info.si_uid)},
      {"si_status", Value::Int(info.si_status)},
      {"si_band", Value::Int(info.si_band)},
  });
}

struct timespec ToTimespec(double seconds) {
  struct timespec ts;
  const double whole = std::floor(seconds);
  ts.tv_sec = static_cast<time_t>(whole);
  // Round up, so a wait never ends before its timeout.
  ts.tv_nsec = static_cast<long>(std::ceil((seconds - whole) * 1e9));
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

}  // namespace

sigset_t MakeSigset(const std::vector<int>& signals) {
  sigset_t set;
  if (sigemptyset(&set) != 0) ThrowOSError(errno);
  for (int signum : signals) {
    if (!InSignalRange(signum)) {
      throw ValueError("signal number " + std::to_string(signum) + " out of range [1; " +
                       std::to_string(Nsig() - 1) + "]");
    }
    if (sigaddset(&set, signum) != 0) {
      WriteStderr("RuntimeWarning: signal number " + std::to_string(signum) +
                  " is not valid on this platform and was left out; see valid_signals()\n");
    }
  }
  return set;
}

Value SigsetValue(const sigset_t& set) {
  std::vector<Value> items;
  for (int signum = 1; signum < Nsig(); ++signum) {
    if (sigismember(&set, signum) == 1) items.push_back(SignalValue(signum));
  }
  return Value::Set(std::move(items));
}

Value PthreadSigmask(int how, const std::vector<int>& signals) {
  const sigset_t set = MakeSigset(signals);
  sigset_t old;
  // pthread_sigmask returns the error number.
  const int err = pthread_sigmask(how, &set, &old);
  if (err != 0) ThrowOSError(err);
  CheckSignals();
  return SigsetValue(old);
}

Value Sigpending() {
  sigset_t set;
  if (sigpending(&set) != 0) ThrowOSError(errno);
  return SigsetValue(set);
}

Value Sigwait(const std::vector<int>& signals) {
  const sigset_t set = MakeSigset(signals);
  int signum = 0;
  const int err = sigwait(&set, &signum);
  if (err != 0) ThrowOSError(err);
  return SignalValue(signum);
}

Value Sigwaitinfo(const std::vector<int>& signals) {
  const sigset_t set = MakeSigset(signals);
  siginfo_t info;
  for (;;) {
    if (sigwaitinfo(&set, &info) >= 0) return SiginfoValue(info);
    if (errno != EINTR) ThrowOSError(errno);
    CheckSignals();
  }
}

Value Sigtimedwait(const std::vector<int>& signals, double timeout) {
  if (timeout < 0) throw ValueError("timeout must be non-negative");
  const sigset_t set = MakeSigset(signals);
  const double deadline = MonotonicNow() + timeout;
  double left = timeout;
  siginfo_t info;
  for (;;) {
    const struct timespec ts = ToTimespec(left);
    if (sigtimedwait(&set, &info, &ts) >= 0) return SiginfoValue(info);
    if (errno == EAGAIN) return Value::None();
    if (errno != EINTR) ThrowOSError(errno);
    CheckSignals();
    left = deadline - MonotonicNow();
    if (left < 0) left = 0;  // One last poll: a signal may have become pending meanwhile.
  }
}

Value ValidSignals() {
  sigset_t all;
  if (sigfillset(&all) != 0) ThrowOSError(errno);
  return SigsetValue(all);
}

}  // namespace sigref
