// Signal masks and synchronous waiting: pthread_sigmask, sigpending, sigwait, sigwaitinfo,
// sigtimedwait, valid_signals.
#ifndef SIGREF_MASK_H_
#define SIGREF_MASK_H_

#include <signal.h>

#include <optional>
#include <vector>

#include "value.h"

namespace sigref {

// Builds a sigset from signal numbers. ValueError "signal number N out of range [1; NSIG-1]"
// for a number outside 1..NSIG-1. A number in range that the C library refuses (glibc keeps
// 32 and 33) is left out with a RuntimeWarning on stderr, as CPython does.
sigset_t MakeSigset(const std::vector<int>& signals);

// A sigset as the module returns it: a set of Signals members, plain ints for numbers that
// are not members (real-time signals between SIGRTMIN and SIGRTMAX).
Value SigsetValue(const sigset_t& set);

// signal.pthread_sigmask(how, mask): changes the calling thread's mask and returns the old one.
// OSError EINVAL for an invalid `how`. SIGKILL and SIGSTOP in `mask` are accepted and stay
// unblocked (the kernel's rule). Runs a safe point afterwards: signals the call unblocked
// have been delivered, and their handlers run before it returns.
Value PthreadSigmask(int how, const std::vector<int>& signals);

// signal.sigpending(): the signals pending for the calling thread or the process.
Value Sigpending();

// signal.sigwait(sigset): waits for and accepts one of the signals; returns it (Signals member
// or int). OSError with the error number sigwait reports.
Value Sigwait(const std::vector<int>& signals);

// signal.sigwaitinfo(sigset): like sigwait but returns struct_siginfo (si_signo, si_code,
// si_errno, si_pid, si_uid, si_status, si_band, all plain ints). When a signal outside the set
// interrupts it, runs a safe point and retries unless a handler raised.
Value Sigwaitinfo(const std::vector<int>& signals);

// signal.sigtimedwait(sigset, timeout): like sigwaitinfo with a timeout in seconds (0 polls).
// Returns None on timeout; retries with the remaining time after a non-raising handler.
// ValueError "timeout must be non-negative" for a negative timeout; the timeout comes through
// ToSeconds, which refuses NaN and timeouts too large.
Value Sigtimedwait(const std::vector<int>& signals, double timeout);

// signal.valid_signals(): every number 1..NSIG-1 the platform accepts in a sigset.
Value ValidSignals();

}  // namespace sigref

#endif  // SIGREF_MASK_H_
