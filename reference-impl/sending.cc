#include "sending.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "audit.h"
#include "errors.h"
#include "safe_point.h"

namespace sigref {

void RaiseSignal(int signum) {
  if (raise(signum) != 0) ThrowOSError(errno);
  CheckSignals();
}

void PthreadKill(unsigned long thread_id, int signum) {
  // The documentation: pthread_kill raises the audit event signal.pthread_kill with
  // (thread_id, signalnum), before anything is sent.
  Audit("signal.pthread_kill",
        Value::Tuple({Value::Int(static_cast<long long>(thread_id)), Value::Int(signum)}));
  const int err = pthread_kill(static_cast<pthread_t>(thread_id), signum);
  if (err != 0) ThrowOSError(err);
  CheckSignals();
}

void PidfdSendSignal(int pidfd, int signum, const Value& siginfo, unsigned int flags) {
  if (!siginfo.IsNone()) throw TypeError("siginfo must be None");
#ifdef SYS_pidfd_send_signal
  if (syscall(SYS_pidfd_send_signal, pidfd, signum, nullptr, flags) != 0) ThrowOSError(errno);
#else
  (void)pidfd;
  (void)signum;
  (void)flags;
  ThrowOSError(ENOSYS);
#endif
}

void KillProcess(int signum) {
  if (kill(getpid(), signum) != 0) ThrowOSError(errno);
}

}  // namespace sigref
