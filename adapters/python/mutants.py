"""Deliberately wrong variants of Python's signal module, for measuring how strong the catalog is.

    python3 mutants.py list
    python3 mutants.py VARIANT describe | run [FILE]

Each variant patches ONE behaviour of the `signal` module at start-up, then hands over to the
Python driver (driver.py, beside this file) exactly as if the module had been written that way.
`scripts/mutants` runs the catalog against every variant and prints the share the catalog
catches: a variant nobody catches is a behaviour no case pins down.

A variant keeps the names and identities a case does not look at: wrappers carry the wrapped
function's __module__, __name__ and __qualname__, so that a variant is caught for the
behaviour it changes, not for an accident of patching. The variant `none` patches nothing: the
control that shows the wrapper itself changes no verdict.

Standard library only, Python 3.6 syntax, like the driver.
"""

import errno
import functools
import inspect
import os
import signal
import sys
import threading

_ORIGINAL = dict((name, getattr(signal, name)) for name in dir(signal))


def _wrap(name, replacement):
    """Replaces signal.NAME by replacement(original, *args, **kwargs), keeping its names."""
    original = _ORIGINAL[name]
    try:
        shape = inspect.signature(original)
    except (TypeError, ValueError):
        shape = None

    @functools.wraps(original)
    def patched(*args, **kwargs):
        if shape is not None:
            shape.bind(*args, **kwargs)  # the original's TypeError for a call of the wrong shape
        return replacement(original, *args, **kwargs)

    setattr(signal, name, patched)


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


# --- handlers: what signal() and getsignal() keep and give back -----------------------------

def _handlers_wrapped_by(make_wrapper):
    """Installs every callable handler through make_wrapper(handler) while signal() and
    getsignal() keep answering with the object the program installed."""
    installed = {}  # wrapper -> the handler it stands for

    def unwrap(h):
        return installed.get(h, h) if callable(h) else h

    def patched_signal(original, signalnum, handler):
        if callable(handler) and handler is not _ORIGINAL["default_int_handler"]:
            wrapper = make_wrapper(handler)
            installed[wrapper] = handler
            handler = wrapper
        return unwrap(original(signalnum, handler))

    _wrap("signal", patched_signal)
    _wrap("getsignal", lambda original, signalnum: unwrap(original(signalnum)))


def handler_exception_swallowed():
    """An exception a handler raises never reaches the code it interrupted."""
    def make(handler):
        def wrapper(signum, frame):
            try:
                handler(signum, frame)
            except Exception:
                pass
        return wrapper
    _handlers_wrapped_by(make)


def handler_frame_none():
    """Handlers always receive None as their frame."""
    _handlers_wrapped_by(lambda handler: (lambda signum, frame: handler(signum, None)))


def handler_runs_twice():
    """Every delivery runs the handler twice."""
    def make(handler):
        def wrapper(signum, frame):
            handler(signum, frame)
            handler(signum, frame)
        return wrapper
    _handlers_wrapped_by(make)


def handler_signum_off_by_one():
    """Handlers receive the number of the next signal."""
    _handlers_wrapped_by(lambda handler: (lambda signum, frame: handler(signum + 1, frame)))


def signal_returns_none():
    """signal() returns None instead of the previous handler."""
    def patched(original, *args, **kwargs):
        original(*args, **kwargs)
    _wrap("signal", patched)


def getsignal_returns_plain_ints():
    """getsignal() gives SIG_DFL and SIG_IGN as plain ints, not Handlers members."""
    def patched(original, signalnum):
        h = original(signalnum)
        return int(h) if isinstance(h, signal.Handlers) else h
    _wrap("getsignal", patched)


def signal_ign_installs_dfl():
    """signal(sig, SIG_IGN) installs the default action instead (and reports SIG_IGN after)."""
    ignored = set()

    def patched_signal(original, signalnum, handler):
        was_ignored = int(signalnum) in ignored
        if handler is signal.SIG_IGN or (isinstance(handler, int) and handler == 1):
            previous = original(signalnum, signal.SIG_DFL)
            ignored.add(int(signalnum))
        else:
            previous = original(signalnum, handler)
            ignored.discard(int(signalnum))
        return signal.SIG_IGN if was_ignored else previous

    def patched_getsignal(original, signalnum):
        return signal.SIG_IGN if int(signalnum) in ignored else original(signalnum)

    _wrap("signal", patched_signal)
    _wrap("getsignal", patched_getsignal)


def signal_out_of_range_is_oserror():
    """signal() with a number outside 1..NSIG-1 raises OSError(EINVAL), not ValueError."""
    def patched(original, signalnum, handler):
        if isinstance(signalnum, int) and not 0 < signalnum < signal.NSIG:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        return original(signalnum, handler)
    _wrap("signal", patched)


def signal_from_thread_allowed():
    """signal() in a thread other than the main one returns the handler without raising."""
    def patched(original, signalnum, handler):
        if not _in_main_thread():
            return _ORIGINAL["getsignal"](signalnum)
        return original(signalnum, handler)
    _wrap("signal", patched)


def signal_accepts_non_callable():
    """signal() with a handler that is not callable installs nothing and raises nothing."""
    def patched(original, signalnum, handler):
        if not callable(handler) and not isinstance(handler, int):
            return _ORIGINAL["getsignal"](signalnum)
        return original(signalnum, handler)
    _wrap("signal", patched)


def uncatchable_refusal_swallowed():
    """signal() for SIGKILL or SIGSTOP raises nothing (and changes nothing)."""
    def patched(original, signalnum, handler):
        if signalnum in (signal.SIGKILL, signal.SIGSTOP):
            return signal.SIG_DFL
        return original(signalnum, handler)
    _wrap("signal", patched)


def getsignal_out_of_range_none():
    """getsignal() of a number outside 1..NSIG-1 returns None instead of raising ValueError."""
    def patched(original, signalnum):
        if isinstance(signalnum, int) and not 0 < signalnum < signal.NSIG:
            return None
        return original(signalnum)
    _wrap("getsignal", patched)


def default_int_handler_raises_runtime_error():
    """The handler installed for SIGINT at start-up raises RuntimeError, not KeyboardInterrupt."""
    @functools.wraps(_ORIGINAL["default_int_handler"])
    def wrong(signum, frame):
        raise RuntimeError("interrupted")
    signal.default_int_handler = wrong
    if _ORIGINAL["getsignal"](signal.SIGINT) is _ORIGINAL["default_int_handler"]:
        _ORIGINAL["signal"](signal.SIGINT, wrong)


# --- sending ------------------------------------------------------------------------------------

def raise_signal_enotty():
    """raise_signal() with an invalid number raises OSError(ENOTTY), not ValueError (PyPy 7.3.11)."""
    def patched(original, signalnum):
        if isinstance(signalnum, int) and not 0 < signalnum < signal.NSIG:
            raise OSError(errno.ENOTTY, os.strerror(errno.ENOTTY))
        return original(signalnum)
    _wrap("raise_signal", patched)


def raise_signal_does_nothing():
    """raise_signal() returns without sending anything."""
    _wrap("raise_signal", lambda original, signalnum: None)


def pthread_kill_bad_signal_returns():
    """pthread_kill() with an invalid signal number returns None (PyPy 7.3.11)."""
    def patched(original, thread_id, signalnum):
        if isinstance(signalnum, int) and not 0 <= signalnum < signal.NSIG:
            return None
        return original(thread_id, signalnum)
    _wrap("pthread_kill", patched)


def pthread_kill_zero_sends_sigkill_check_skipped():
    """pthread_kill(tid, 0) raises nothing even for a thread that has ended."""
    def patched(original, thread_id, signalnum):
        if signalnum == 0:
            return None
        return original(thread_id, signalnum)
    _wrap("pthread_kill", patched)


def pidfd_send_signal_ignores_siginfo():
    """pidfd_send_signal() accepts a siginfo other than None."""
    def patched(original, pidfd, sig, siginfo=None, flags=0):
        return original(pidfd, sig, None, flags)
    _wrap("pidfd_send_signal", patched)


# --- masks and pending -----------------------------------------------------------------------

def pthread_sigmask_returns_list():
    """pthread_sigmask() returns the old mask as a sorted list, not a set."""
    _wrap("pthread_sigmask", lambda original, how, mask: sorted(original(how, mask)))


def pthread_sigmask_block_is_setmask():
    """SIG_BLOCK replaces the mask instead of adding to it."""
    def patched(original, how, mask):
        if how == signal.SIG_BLOCK:
            how = signal.SIG_SETMASK
        return original(how, mask)
    _wrap("pthread_sigmask", patched)


def pthread_sigmask_old_mask_empty():
    """pthread_sigmask() reports an empty old mask."""
    def patched(original, how, mask):
        original(how, mask)
        return set()
    _wrap("pthread_sigmask", patched)


def sigpending_empty():
    """sigpending() always reports nothing pending."""
    _wrap("sigpending", lambda original: set())


def sigpending_ints():
    """sigpending() gives plain ints, not Signals members."""
    _wrap("sigpending", lambda original: set(int(s) for s in original()))


def valid_signals_with_reserved():
    """valid_signals() also lists the numbers the C library keeps for itself (32, 33)."""
    _wrap("valid_signals", lambda original: original() | {32, 33})


def valid_signals_list():
    """valid_signals() returns a list, not a set."""
    _wrap("valid_signals", lambda original: sorted(original()))


# --- the sigwait family ----------------------------------------------------------------------

def sigwait_returns_int():
    """sigwait() returns a plain int, not a Signals member."""
    _wrap("sigwait", lambda original, sigset: int(original(sigset)))


def sigwaitinfo_pid_zero():
    """sigwaitinfo() reports si_pid 0."""
    def patched(original, sigset):
        info = original(sigset)
        fields = list(info)
        fields[3] = 0  # si_pid
        return signal.struct_siginfo(fields)
    _wrap("sigwaitinfo", patched)


def sigtimedwait_negative_accepted():
    """sigtimedwait() takes a negative timeout as zero instead of raising ValueError."""
    def patched(original, sigset, timeout):
        return original(sigset, max(timeout, 0))
    _wrap("sigtimedwait", patched)


def sigtimedwait_timeout_raises():
    """sigtimedwait() raises InterruptedError when the timeout passes, instead of returning None."""
    def patched(original, sigset, timeout):
        info = original(sigset, timeout)
        if info is None:
            raise InterruptedError(errno.EINTR, os.strerror(errno.EINTR))
        return info
    _wrap("sigtimedwait", patched)


# --- timers ----------------------------------------------------------------------------------

def alarm_returns_zero():
    """alarm() always reports 0 seconds left of the previous alarm."""
    def patched(original, seconds):
        original(seconds)
        return 0
    _wrap("alarm", patched)


def setitimer_nan_is_itimer_error():
    """setitimer() with a NaN delay raises ItimerError, not ValueError (PyPy 7.3.11)."""
    def patched(original, which, seconds, interval=0.0):
        if seconds != seconds or interval != interval:
            raise signal.ItimerError(errno.EINVAL, os.strerror(errno.EINVAL))
        return original(which, seconds, interval)
    _wrap("setitimer", patched)


def setitimer_returns_zeros():
    """setitimer() reports (0.0, 0.0) instead of the timer it replaced."""
    def patched(original, which, seconds, interval=0.0):
        original(which, seconds, interval)
        return (0.0, 0.0)
    _wrap("setitimer", patched)


def getitimer_drops_interval():
    """getitimer() reports the interval as 0.0."""
    _wrap("getitimer", lambda original, which: (original(which)[0], 0.0))


def itimer_error_not_oserror():
    """ItimerError is a plain Exception, not a subclass of OSError."""
    class ItimerError(Exception):
        pass
    ItimerError.__module__ = _ORIGINAL["ItimerError"].__module__
    ItimerError.__name__ = _ORIGINAL["ItimerError"].__name__
    ItimerError.__qualname__ = _ORIGINAL["ItimerError"].__qualname__

    def translate(function):
        def patched(original, *args):
            try:
                return original(*args)
            except _ORIGINAL["ItimerError"] as exc:
                raise ItimerError(*exc.args)
        _wrap(function, patched)

    signal.ItimerError = ItimerError
    translate("setitimer")
    translate("getitimer")


# --- the wakeup descriptor and siginterrupt ------------------------------------------------

def set_wakeup_fd_returns_minus_one():
    """set_wakeup_fd() always reports -1 as the previous descriptor."""
    def patched(original, fd, **kwargs):
        original(fd, **kwargs)
        return -1
    _wrap("set_wakeup_fd", patched)


def set_wakeup_fd_from_thread_allowed():
    """set_wakeup_fd() in a thread other than the main one returns -1 without raising."""
    def patched(original, fd, **kwargs):
        if not _in_main_thread():
            return -1
        return original(fd, **kwargs)
    _wrap("set_wakeup_fd", patched)


def set_wakeup_fd_bad_fd_accepted():
    """set_wakeup_fd() with a descriptor that is not open raises nothing (and sets nothing)."""
    def patched(original, fd, **kwargs):
        if isinstance(fd, int) and fd >= 0:
            try:
                os.fstat(fd)
            except OSError:
                return -1
        return original(fd, **kwargs)
    _wrap("set_wakeup_fd", patched)


def siginterrupt_ignored():
    """siginterrupt() changes nothing."""
    _wrap("siginterrupt", lambda original, signalnum, flag: None)


# --- names -----------------------------------------------------------------------------------

def strsignal_out_of_range_none():
    """strsignal() of a number outside 1..NSIG-1 returns None instead of raising ValueError."""
    def patched(original, signalnum):
        if isinstance(signalnum, int) and not 0 < signalnum < signal.NSIG:
            return None
        return original(signalnum)
    _wrap("strsignal", patched)


def strsignal_upper_case():
    """strsignal() gives its description in upper case."""
    def patched(original, signalnum):
        text = original(signalnum)
        return text.upper() if isinstance(text, str) else text
    _wrap("strsignal", patched)


def nsig_too_small():
    """NSIG is 32, below the real-time signals."""
    signal.NSIG = 32


def sigrtmin_off_by_one():
    """SIGRTMIN names the number after the first real-time signal."""
    # A plain int: Signals(SIGRTMIN + 1) is no member and would end the driver at start-up,
    # so the variant would come out as `error`, never caught.
    signal.SIGRTMIN = int(signal.SIGRTMIN) + 1


def sig_block_and_unblock_swapped():
    """SIG_BLOCK and SIG_UNBLOCK have each other's value."""
    signal.SIG_BLOCK, signal.SIG_UNBLOCK = _ORIGINAL["SIG_UNBLOCK"], _ORIGINAL["SIG_BLOCK"]


def sigusr1_missing():
    """The module has no SIGUSR1 constant."""
    del signal.SIGUSR1


def none():
    """Patches nothing: the control."""


VARIANTS = dict((fn.__name__, fn) for fn in [
    none,
    handler_exception_swallowed, handler_frame_none, handler_runs_twice,
    handler_signum_off_by_one, signal_returns_none, getsignal_returns_plain_ints,
    signal_ign_installs_dfl, signal_out_of_range_is_oserror, signal_from_thread_allowed,
    signal_accepts_non_callable, uncatchable_refusal_swallowed, getsignal_out_of_range_none,
    default_int_handler_raises_runtime_error,
    raise_signal_enotty, raise_signal_does_nothing, pthread_kill_bad_signal_returns,
    pthread_kill_zero_sends_sigkill_check_skipped, pidfd_send_signal_ignores_siginfo,
    pthread_sigmask_returns_list, pthread_sigmask_block_is_setmask,
    pthread_sigmask_old_mask_empty, sigpending_empty, sigpending_ints,
    valid_signals_with_reserved, valid_signals_list,
    sigwait_returns_int, sigwaitinfo_pid_zero, sigtimedwait_negative_accepted,
    sigtimedwait_timeout_raises,
    alarm_returns_zero, setitimer_nan_is_itimer_error, setitimer_returns_zeros,
    getitimer_drops_interval, itimer_error_not_oserror,
    set_wakeup_fd_returns_minus_one, set_wakeup_fd_from_thread_allowed,
    set_wakeup_fd_bad_fd_accepted, siginterrupt_ignored,
    strsignal_out_of_range_none, strsignal_upper_case, nsig_too_small, sigrtmin_off_by_one,
    sig_block_and_unblock_swapped, sigusr1_missing,
])


# Where in the catalog each variant is most likely caught (globs over case ids): scripts/mutants
# runs that slice first and the whole catalog only for a variant the slice does not catch, so
# a hint changes how long the run takes, never whether a variant counts as caught.
HINTS = {
    "handler_exception_swallowed": ["handlers/*"],
    "handler_frame_none": ["handlers/*"],
    "handler_runs_twice": ["handlers/*", "pending/*"],
    "handler_signum_off_by_one": ["handlers/*"],
    "signal_returns_none": ["handlers/*"],
    "getsignal_returns_plain_ints": ["handlers/*", "inherited/*"],
    "signal_ign_installs_dfl": ["handlers/*", "sigpipe/*"],
    "signal_out_of_range_is_oserror": ["handlers/*"],
    "signal_from_thread_allowed": ["handlers/*"],
    "signal_accepts_non_callable": ["handlers/*"],
    "uncatchable_refusal_swallowed": ["handlers/*"],
    "getsignal_out_of_range_none": ["handlers/*"],
    "default_int_handler_raises_runtime_error": ["handlers/*", "inherited/*"],
    "raise_signal_enotty": ["sending/*", "handlers/*"],
    "raise_signal_does_nothing": ["sending/*", "handlers/*"],
    "pthread_kill_bad_signal_returns": ["sending/*"],
    "pthread_kill_zero_sends_sigkill_check_skipped": ["sending/*"],
    "pidfd_send_signal_ignores_siginfo": ["sending/*"],
    "pthread_sigmask_returns_list": ["masks/*"],
    "pthread_sigmask_block_is_setmask": ["masks/*"],
    "pthread_sigmask_old_mask_empty": ["masks/*"],
    "sigpending_empty": ["pending/*", "masks/*"],
    "sigpending_ints": ["pending/*", "masks/*"],
    "valid_signals_with_reserved": ["names/*", "handlers/*"],
    "valid_signals_list": ["names/*", "handlers/*"],
    "sigwait_returns_int": ["waiting/*", "pending/*"],
    "sigwaitinfo_pid_zero": ["waiting/*"],
    "sigtimedwait_negative_accepted": ["waiting/*"],
    "sigtimedwait_timeout_raises": ["waiting/*"],
    "alarm_returns_zero": ["alarm/*"],
    "setitimer_nan_is_itimer_error": ["itimer/*"],
    "setitimer_returns_zeros": ["itimer/*"],
    "getitimer_drops_interval": ["itimer/*"],
    "itimer_error_not_oserror": ["itimer/*"],
    "set_wakeup_fd_returns_minus_one": ["wakeup/*"],
    "set_wakeup_fd_from_thread_allowed": ["wakeup/*"],
    "set_wakeup_fd_bad_fd_accepted": ["wakeup/*"],
    "siginterrupt_ignored": ["interrupt/*"],
    "strsignal_out_of_range_none": ["names/*"],
    "strsignal_upper_case": ["names/*"],
    "nsig_too_small": ["names/*"],
    "sigrtmin_off_by_one": ["names/*"],
    "sig_block_and_unblock_swapped": ["masks/*", "names/*"],
    "sigusr1_missing": ["names/*", "handlers/*"],
}


def main(argv):
    if len(argv) == 2 and argv[1] == "list":
        for name, fn in VARIANTS.items():
            print("%s\t%s\t%s" % (name, " ".join(HINTS.get(name, [])),
                                   fn.__doc__.strip().splitlines()[0]))
        return
    if len(argv) < 3 or argv[1] not in VARIANTS:
        raise SystemExit("usage: mutants.py list | mutants.py VARIANT describe | run [FILE]")
    VARIANTS[argv[1]]()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import driver
    driver.main([driver.__file__] + argv[2:])


if __name__ == "__main__":
    main(sys.argv)
