// Sending signals: raise_signal(), pthread_kill(), pidfd_send_signal(), and the
// process-directed kill the driver's `kill` action uses.
#ifndef SIGREF_SENDING_H_
#define SIGREF_SENDING_H_

#include "value.h"

namespace sigref {

// signal.raise_signal(signum): raise(3), then a safe point so that the handler has run when
// it returns. Numbers the OS refuses (0 is accepted as "no signal") give OSError EINVAL, as
// CPython passes them through unchecked.
void RaiseSignal(int signum);

// signal.pthread_kill(thread_id, signum): raises the audit event "signal.pthread_kill" with
// (thread_id, signum) (audit.h), then pthread_kill(3) to a thread of this process; 0 only
// checks. OSError with the returned error number. Then a safe point (the signal may have gone
// to the calling thread). `thread_id` must name a thread that has not been joined.
void PthreadKill(unsigned long thread_id, int signum);

// signal.pidfd_send_signal(pidfd, sig, siginfo=None, flags=0) through the raw system call.
// TypeError "siginfo must be None" for any other siginfo; OSError with the kernel's errno.
void PidfdSendSignal(int pidfd, int signum, const Value& siginfo, unsigned int flags);

// kill(getpid(), signum): to the whole process. OSError on failure.
void KillProcess(int signum);

}  // namespace sigref

#endif  // SIGREF_SENDING_H_
