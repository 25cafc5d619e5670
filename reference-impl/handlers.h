// signal(), getsignal(), siginterrupt(), strsignal() and default_int_handler: the functions
// that read or change a signal's disposition.
#ifndef SIGREF_HANDLERS_H_
#define SIGREF_HANDLERS_H_

#include <memory>

#include "value.h"

namespace sigref {

// The builtin default_int_handler: raises KeyboardInterrupt when called. One shared object, so
// that getsignal(SIGINT) is the same callable the module installed.
std::shared_ptr<const Callable> DefaultIntHandler();

// signal.signal(signum, handler). Returns the previous handler (getsignal's value).
// `handler` is a callable, or an int-like equal to SIG_DFL (0) or SIG_IGN (1).
// Errors, in CPython's order: ValueError outside the main thread; ValueError "signal number
// out of range" outside 1..NSIG-1; TypeError for any other handler value; then, after a safe
// point (handlers of signals already pending run first), OSError with sigaction's errno
// (EINVAL for SIGKILL, SIGSTOP and the signals glibc reserves).
// Installing any handler makes the signal interrupt system calls (no SA_RESTART).
Value Signal(int signum, const Value& handler);

// signal.getsignal(signum): SIG_DFL/SIG_IGN member, callable, or None. ValueError outside
// 1..NSIG-1. Any thread may ask.
Value GetSignal(int signum);

// signal.siginterrupt(signum, flag): flag true makes system calls interrupted by `signum` fail
// with EINTR (no SA_RESTART); false restarts them. ValueError outside 1..NSIG-1, OSError from
// sigaction (EINVAL for SIGKILL/SIGSTOP).
void Siginterrupt(int signum, bool flag);

// signal.strsignal(signum): the platform's description, or None where it has none ("Unknown
// signal ..."). ValueError "signal number out of range" outside 1..NSIG-1.
Value Strsignal(int signum);

// Installs the OS disposition matching a module handler value (SIG_DFL, SIG_IGN, or the trip
// function for a callable) with no SA_RESTART. Returns 0 or -1 with errno set, like sigaction.
int InstallDisposition(int signum, const Value& handler);

}  // namespace sigref

#endif  // SIGREF_HANDLERS_H_
