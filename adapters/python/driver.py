"""sigconform driver for Python implementations (CPython 3.6+, PyPy 3.9+).

Usage: INTERPRETER driver.py describe
       INTERPRETER driver.py run [FILE]

It implements spec/driver-protocol.md: it reads a case program, executes its steps against this
interpreter's own `signal` module and streams one JSON record per observation. It only observes;
the runner judges. Standard library only, and no syntax newer than Python 3.6.

A module that only some actions need (threading, socket, subprocess, selectors) is imported by
the action that needs it, when a case first uses it: a runtime that lacks one still runs every
case that does not. `describe` lists only the actions that work on this runtime (see PROBES).

Standard output and standard error belong to the case: this file never writes to them, except
for a usage error or a refused interpreter before any case has started.

An embedding host (adapters/pyodide/) imports this file as a module and calls main() itself.
"""

import sys

# Refuse an interpreter the driver cannot serve with a sentence, never a traceback. This part
# must stay valid Python 2 so that Python 2 reaches it: the rest of the file is Python 3.6.
if sys.version_info < (3, 6):
    sys.stderr.write("sigconform driver: Python %d.%d.%d is not supported: the driver needs "
                     "Python 3.6 or later (%s)\n" % (sys.version_info[:3] + (sys.executable,)))
    sys.exit(2)

import builtins
import enum
import errno
import json
import math
import os
import signal
import time

try:
    import _thread  # the low-level thread module; threading itself is imported when needed
except ImportError:  # a runtime built without threads
    _thread = None


def _ident():
    """The current thread's identity (0 on a runtime without threads: one thread only)."""
    return _thread.get_ident() if _thread is not None else 0


PROTOCOL = 1

# "t" in every record counts from here: the moment the driver was imported.
START = time.monotonic()

# The main thread: the driver is imported there (handlers run there, and "main" names it).
MAIN_IDENT = _thread.get_ident() if _thread is not None else None

# The field names of signal.struct_siginfo, used when the type does not list them itself
# (struct sequences gained __match_args__ only in 3.10).
SIGINFO_FIELDS = ("si_signo", "si_code", "si_errno", "si_pid", "si_uid", "si_status", "si_band")


def now():
    """Seconds since the driver started (monotonic)."""
    return time.monotonic() - START


def platform_word():
    """The case language's platform word for this interpreter's platform."""
    plat = sys.platform
    for word in ("linux", "darwin", "freebsd", "netbsd", "openbsd", "emscripten", "wasi"):
        if plat.startswith(word):
            return word
    if plat in ("win32", "cygwin"):
        return "windows"
    return plat


# --------------------------------------------------------------------------------------------
# Waiting until a thread blocks (spec/case-format.md, "wait_blocked")
# --------------------------------------------------------------------------------------------

def native_tid():
    """The calling thread's kernel thread id (the main thread's is the process id)."""
    get = getattr(_thread, "get_native_id", None)  # 3.8+
    if get is not None:
        return get()
    return int(os.readlink("/proc/thread-self").rsplit("/", 1)[1])  # "PID/task/TID"


def _read_task_file(tid, name):
    """/proc/self/task/TID/NAME as text, or None when it cannot be read (the thread is gone)."""
    try:
        fd = os.open("/proc/self/task/%d/%s" % (tid, name), os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 512).decode("ascii", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def _task_syscall(tid):
    """The system call thread `tid` is inside while off the CPU: its number, -1 for none (it
    runs, or sleeps outside any call), None when the file cannot be read."""
    text = _read_task_file(tid, "syscall")
    if text is None:
        return None
    word = text.split(" ", 1)[0].strip()
    return int(word) if word.isdigit() else -1


def thread_block_state(tid):
    """(state letter, system call number or -1, whether the call could be read) of thread
    `tid` of this process; the letter is "?" when the thread is gone. The call is read before
    and after the state, and counts only when both reads agree (common/thread_block.h does the
    same for the runner and the reference)."""
    first = _task_syscall(tid)
    stat = _read_task_file(tid, "stat")
    if stat is None or ")" not in stat:
        return ("?", -1, False)
    state = stat.rsplit(")", 1)[1].split()[0]
    second = _task_syscall(tid) if first is not None else None
    known = second is not None
    return (state, first if known and first == second else -1, known)


_LOCK_SYSCALLS = []  # the number learnt by lock_syscall(), once


def lock_syscall():
    """The system call a thread sleeps in while it waits for a lock (futex on Linux), or -1
    when it could not be seen. The standard library does not name system calls and their
    numbers differ between architectures, so it is learnt from the platform: a helper thread
    waits for a lock this thread holds, and its call is read from /proc. It is what the
    interpreter's own lock (the GIL) waits in too."""
    if _LOCK_SYSCALLS:
        return _LOCK_SYSCALLS[0]
    held = _thread.allocate_lock()
    held.acquire()
    tids = []

    def waiter():
        tids.append(native_tid())
        held.acquire()
        held.release()

    _thread.start_new_thread(waiter, ())
    number, same = -1, 0
    deadline = time.monotonic() + 10
    try:
        # Three equal readings in a row: the waiter is in its lock wait, not passing through
        # another call on the way there.
        while same < 3 and time.monotonic() < deadline:
            time.sleep(0.001)
            if not tids:
                continue
            state, call, known = thread_block_state(tids[0])
            if not known:
                break  # no syscall file here: state S alone decides (see below)
            if state == "S" and call >= 0:
                same = same + 1 if call == number else 1
                number = call
            else:
                same = 0
    finally:
        held.release()
    if same < 3:
        number = -1
    _LOCK_SYSCALLS.append(number)
    return number


def sleeps_in_blocking_call(state, lock_call):
    """Thread state (thread_block_state) -> it sleeps in the kernel (S) inside a system call
    that is not a lock wait: a blocking call has begun, and a signal now interrupts it. Where
    the call cannot be read, state S alone decides."""
    letter, call, known = state
    if letter != "S":
        return False
    if not known:
        return True
    return call >= 0 and call != lock_call


def describe_block_state(state, lock_call):
    letter, call, known = state
    if letter == "?":
        return "gone"
    text = "state %s" % letter
    if call >= 0:
        text += " in system call %d" % call
        if call == lock_call:
            text += " (a lock wait)"
    return text


# --------------------------------------------------------------------------------------------
# The observation stream
# --------------------------------------------------------------------------------------------

class _Uncaught(BaseException):
    """Raised once the record of a step marked `uncaught` is out: carries the step's exception
    to main(), which raises it again outside everything, as nobody catching it would."""

    def __init__(self, exc):
        BaseException.__init__(self)
        self.exc = exc


class _CaseExit(BaseException):
    """Raised by the `exit` action once its step record is out; only the step loop's caller
    turns it into sys.exit, so that no guard on the way mistakes it for a case exception."""

    def __init__(self, code):
        BaseException.__init__(self, code)
        self.code = code


# The most `fill` writes (spec/driver-protocol.md): far above any kernel buffer a case fills.
FILL_LIMIT = 16 << 20


class FillLimitExceeded(Exception):
    """Raised by `fill` when the descriptor took FILL_LIMIT bytes and never reported full."""


class NotBlocked(Exception):
    """Raised by `wait_blocked` when the thread was not seen blocked in a system call in time."""


class _NoLock(object):
    """The lock of a runtime without threads: there is nobody to exclude."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Plain(object):
    """Stands in for a thread-local object where there is only one thread."""


class Stream(object):
    """Writes records as JSON lines on one descriptor, one os.write per line.

    Python-level signal handlers run in the main thread between bytecodes, so one may run (and
    emit a record of its own, or raise) in the middle of emit(). Lines therefore go through a
    per-thread queue: a handler that emits while its thread is already writing only queues its
    line, and the outer emit writes it after the current one, so lines never interleave and the
    lock is never taken twice by one thread. An exception a handler raises while a line is being
    written is held until the line is complete, then re-raised.
    """

    def __init__(self, fd):
        self.fd = fd
        self.dead = False  # set when the descriptor itself fails (reader gone, closed by the case)
        # Without a thread module no second thread can exist: a plain object is enough.
        self._lock = _thread.allocate_lock() if _thread is not None else _NoLock()
        self._local = _thread._local() if _thread is not None else _Plain()

    def after_fork(self):
        """In a child right after fork: only the forking thread exists, and the lock may have
        been held by another thread of the parent at the fork. Start over with a fresh one."""
        self._lock = _thread.allocate_lock() if _thread is not None else _NoLock()
        self._local = _thread._local() if _thread is not None else _Plain()

    def _queue(self):
        local = self._local
        if not hasattr(local, "queue"):
            local.queue = []   # [encoded line, bytes already written] pairs, oldest first
            local.busy = False
        return local

    def emit(self, ev, **fields):
        record = {"ev": ev}
        record.update(fields)
        record["t"] = now()
        line = (json.dumps(record, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
        local = self._queue()
        local.queue.append([line, 0])
        if local.busy:
            return  # a handler interrupted this thread's own emit: that emit writes this line
        local.busy = True
        try:
            held = self._drain(local.queue)
        finally:
            local.busy = False
        if held:
            raise held[0]

    def _drain(self, queue):
        """Write the queued lines; return the exceptions handlers raised meanwhile."""
        held = []
        while queue and not self.dead:
            try:
                with self._lock:
                    while queue:
                        item = queue[0]
                        while item[1] < len(item[0]):
                            item[1] += os.write(self.fd, item[0][item[1]:])
                        queue.pop(0)
            except BaseException as exc:
                if isinstance(exc, OSError) and exc.errno is not None:
                    # The stream itself failed (EPIPE, EBADF): nobody can read records any more.
                    self.dead = True
                else:
                    held.append(exc)  # raised by a handler; finish the line first
        if self.dead:
            del queue[:]
        return held


# --------------------------------------------------------------------------------------------
# Value and exception encoding (the protocol's tables "Value encoding" and "Exceptions")
# --------------------------------------------------------------------------------------------

def encode_float(x):
    if math.isnan(x):
        return {"float": "nan"}
    if math.isinf(x):
        return {"float": "inf" if x > 0 else "-inf"}
    return {"float": x}


def struct_field_names(value):
    """Field names of a struct sequence or named tuple, or None when it is a plain tuple."""
    cls = type(value)
    names = getattr(value, "_fields", None)  # collections.namedtuple
    if names is not None:
        return list(names)
    if not hasattr(cls, "n_fields") and not hasattr(cls, "n_sequence_fields"):
        return None
    names = getattr(cls, "__match_args__", None)  # struct sequences since 3.10
    if names:
        return list(names)
    if cls.__name__ == "struct_siginfo":
        return [n for n in SIGINFO_FIELDS if hasattr(value, n)]
    # Older struct sequences: their visible fields are member descriptors, in definition order.
    return [n for n, d in vars(cls).items()
            if not n.startswith("_") and type(d).__name__ == "member_descriptor"]


def set_sort_key(encoded_and_raw):
    encoded, raw = encoded_and_raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return (0, float(raw), "")
    return (1, 0.0, json.dumps(encoded, sort_keys=True))


class Encoder(object):
    """Turns Python values into the protocol's JSON values; knows the declared handlers."""

    def __init__(self, handlers):
        self.handlers = handlers  # name -> function, for identity look-up

    def value(self, v):
        if v is None or isinstance(v, (bool, str)):
            return v
        # Enum members before int: Signals.SIGINT must not read as 2.
        if isinstance(v, enum.Enum) and isinstance(v, int):
            return {"enum": type(v).__name__, "name": v.name, "value": int(v)}
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            return encode_float(v)
        if isinstance(v, (bytes, bytearray)):
            return {"bytes": bytes(v).hex()}
        if isinstance(v, (set, frozenset)):
            pairs = sorted(((self.value(x), x) for x in v), key=set_sort_key)
            return {"set": [enc for enc, _ in pairs]}
        if isinstance(v, tuple):
            names = struct_field_names(v)
            if names is not None:
                return {"struct": type(v).__name__,
                        "fields": dict((n, self.value(getattr(v, n))) for n in names)}
            return {"tuple": [self.value(x) for x in v]}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if callable(v):
            for name, fn in self.handlers.items():
                if fn is v:
                    return {"handler": name}
            if v is signal.default_int_handler:
                return {"builtin": "default_int_handler"}
            return {"callable": repr(v)}
        return {"object": type(v).__name__, "repr": repr(v)}


def public_name(cls):
    """The name a class is reached by: its attribute in the signal module when it is one
    (CPython 3.10+ names signal.ItimerError's class 'itimer_error'), else its __name__."""
    if cls.__module__ == "signal":
        for name in dir(signal):
            if not name.startswith("_") and getattr(signal, name, None) is cls:
                return name
    return cls.__name__


def encode_exception(exc):
    number = getattr(exc, "errno", None)
    name = errno.errorcode.get(number) if isinstance(number, int) else None
    try:
        message = str(exc)
    except Exception as inner:  # a broken __str__ must not hide the exception itself
        # (Exception only: a KeyboardInterrupt here comes from a handler, not from __str__,
        # and must not be swallowed; run_step defers it.)
        message = "<str() failed: %s>" % type(inner).__name__
    return {"type": public_name(type(exc)),
            "mro": [public_name(c) for c in type(exc).__mro__ if c is not object],
            "errno": name,
            "message": message,
            "class": {"module": str(type(exc).__module__), "name": type(exc).__name__}}


# --------------------------------------------------------------------------------------------
# The case
# --------------------------------------------------------------------------------------------

class Case(object):
    """One case program being executed: its handlers, bindings, threads and event count."""

    def __init__(self, program, stream, start_fields=None):
        self.program = program
        self.stream = stream
        self.native_rate = None  # native_busy's items per CPU second, measured in run()
        self.start_fields = start_fields or {}  # extra fields of the start record
        self.bindings = {}
        self.threads = {}   # case thread name -> threading.Thread
        self.native_ids = {}  # case thread name -> its kernel thread id, set by the thread
        self.threading = None  # the threading module, once a `thread` step has imported it
        self.process_name = "main"  # the name records give this process's main thread
        self.children = {}  # pid -> subprocess.Popen, for `spawn` and `waitpid`
        # Handler events so far. list.append is atomic, so handlers (main thread) and `wait`
        # in any thread share it without a lock a handler could deadlock on.
        self.events = []
        # From the end of a step's action to the start of the next one's, a thread runs the
        # driver's code (the step's outcome and record, the loop): an exception a handler
        # raises there belongs to no step the case wrote. The handler defers it (`settling`
        # holds the idents of the threads in that stretch), and it comes out of the next step
        # instead, or as a stray after the last one (spec/driver-protocol.md, "Handlers that
        # raise between steps"). set.add and set.discard are atomic.
        self.settling = set()
        # What handlers did there, in the order they did it, each with the thread's ident:
        # ("record", fields) for a `handler` record, ("raise", exception). Records are written
        # after the step's record up to the first exception; that exception is the next step's
        # outcome, and what follows it comes after that step, and so on: one exception per step,
        # as one handler's exception per safe point.
        self.late = []
        self.handlers = {}
        for name, decl in sorted(program.get("handlers", {}).items()):
            self.handlers[name] = self.make_handler(name, decl)
        self.encoder = Encoder(self.handlers)

    # ---- threads -------------------------------------------------------------------------

    def thread_name(self):
        """The current thread as records name it: "main", its case name, or "other"."""
        ident = _thread.get_ident() if _thread is not None else None
        if ident == MAIN_IDENT:
            return self.process_name  # a forked child's main thread carries the child's name
        if self.threading is not None:  # compare thread objects: idents can be reused
            current = self.threading.current_thread()
            for name, th in list(self.threads.items()):
                if th is current:
                    return name
        return "other"

    # ---- handlers ------------------------------------------------------------------------

    def make_handler(self, name, decl):
        """The callable a declaration asks for (spec/case-format.md, "Handlers"), made once so
        that its identity holds: a function, a bound method taken once from an object made for
        it, or an object whose class defines __call__. With the usual two parameters it does
        what the declaration says; with any other arity, calling it as a handler raises
        TypeError before anything runs, as the language does."""
        body = self.make_handler_body(name, decl)
        arity = decl.get("arity", 2)
        kind = decl.get("kind", "function")
        params = ", ".join("p%d" % n for n in range(arity))
        # The callable's own parameters, so that a wrong count fails as Python fails it.
        namespace = {"body": body}
        if kind == "function":
            exec("def handler(%s):\n    return body(%s)" % (params, params), namespace)
            fn = namespace["handler"]
            fn.__name__ = "sigconform_handler_" + name
            return fn
        self_params = "self" + (", " + params if params else "")
        exec("def method(%s):\n    return body(%s)" % (self_params, params), namespace)
        if kind == "method":
            holder = type("SigconformHolder_" + name, (object,), {"handle": namespace["method"]})
            return holder().handle  # taken once: every later use is this very object
        cls = type("SigconformCallable_" + name, (object,), {"__call__": namespace["method"]})
        return cls()

    def make_handler_body(self, name, decl):
        """A function of (signum, frame) doing what the declaration says, in the spec's order:
        record, write, restore, raise."""
        record = decl.get("record", True)
        write = decl.get("write")
        restore = decl.get("restore")
        raise_name = decl.get("raise")

        def handler(signum, frame):
            late = self.writing_down_a_step()
            if record:
                try:
                    signame = signal.Signals(signum).name
                except (ValueError, AttributeError):
                    signame = None  # e.g. a real-time signal: not a Signals member
                fields = dict(handler=name, signum=signum, signame=signame,
                              thread=self.thread_name(),
                              frame="none" if frame is None else "frame")
                if late:  # after the record of the step being written down, as it ran after it
                    self.late.append((_ident(), "record", fields))
                else:
                    self.stream.emit("handler", **fields)
                self.events.append(signum)
            if write is not None:
                # Resolved now, not at declaration: the descriptor is usually bound later.
                os.write(self.arg(write["fd"]), self.arg(write["data"]))
            if restore is not None:
                signal.signal(signum, getattr(signal, restore))
            if raise_name is not None:
                exc = getattr(builtins, raise_name)("raised by handler %r" % name)
                if late:
                    self.late.append((_ident(), "raise", exc))
                    return
                raise exc

        return handler

    def writing_down_a_step(self):
        """Whether this thread is between two steps' actions: marked by run_step, or, before run_step could set it (up to 3.10 a handler may run at the very
        first instruction of an except clause), run_step is handling the exception the action
        raised, the one sys.exc_info() shows."""
        if _ident() in self.settling:
            return True
        tb = sys.exc_info()[2]
        return tb is not None and tb.tb_frame.f_code is _RUN_STEP_CODE

    # ---- arguments -----------------------------------------------------------------------

    def arg(self, a):
        """Resolve one ARG of spec/case-format.md into a Python value."""
        if isinstance(a, str):
            if a.startswith("@@") or a.startswith("$$"):
                return a[1:]
            if a.startswith("@"):
                return getattr(signal, a[1:])  # AttributeError is the step's observation
            if a.startswith("$"):
                if a[1:] not in self.bindings:
                    raise NameError("name %r is not bound" % a[1:])
                return self.bindings[a[1:]]
            return a
        if isinstance(a, list):
            return [self.arg(x) for x in a]
        if isinstance(a, dict):
            if "float" in a:
                return float(a["float"])  # also "inf", "-inf", "nan"
            if "bytes" in a:
                return bytes.fromhex(a["bytes"])
            if "set" in a:
                return set(self.arg(x) for x in a["set"])
            if "tuple" in a:
                return tuple(self.arg(x) for x in a["tuple"])
            if "handler" in a:
                if a["handler"] not in self.handlers:
                    raise NameError("no handler named %r" % a["handler"])
                return self.handlers[a["handler"]]
            raise ValueError("unknown argument form %r" % (a,))
        return a  # null, booleans, numbers

    def bind(self, names, value):
        if isinstance(names, str):
            self.bindings[names] = value
            return
        values = tuple(value)
        if len(values) != len(names):
            raise ValueError("cannot bind %d values to %d names" % (len(values), len(names)))
        for n, v in zip(names, values):
            self.bindings[n] = v

    # ---- actions: cmd_<do> (step, path, thread) -> value ----------------------------------

    def cmd_call(self, step, path, thread):
        fn = getattr(signal, step["call"])
        args = [self.arg(a) for a in step.get("args", [])]
        kwargs = dict((k, self.arg(v)) for k, v in step.get("kwargs", {}).items())
        return fn(*args, **kwargs)

    def cmd_kill(self, step, path, thread):
        # The whole process, as kill(2) does; which thread runs the handler is the point.
        os.kill(os.getpid(), self.arg(step["sig"]))

    def cmd_parent_kill(self, step, path, thread):
        # Only what the step asks for goes into the request; the runner sends the signal (with
        # once_blocked, when this process next sleeps in the kernel) while the program goes on.
        extra = {key: True for key in ("queue", "once_blocked") if step.get(key, False)}
        self.stream.emit("request", op="kill", sig=step["sig"], **extra)

    def cmd_wait(self, step, path, thread):
        deadline = time.monotonic() + step["timeout"]
        while len(self.events) < step["events"]:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            # Short slices: a signal either interrupts the sleep or is seen within 1 ms, and
            # each return to Python code is a safe point where handlers run.
            time.sleep(min(left, 0.001))
        return len(self.events)

    def cmd_burn_cpu(self, step, path, thread):
        want = step.get("events")
        zero = block = None
        if step.get("kernel"):
            # System time: the kernel spends it filling the buffer from /dev/zero. readinto()
            # reuses one buffer (a fresh one per read costs user time, on PyPy most of all).
            zero = open("/dev/zero", "rb", buffering=0)
            block = bytearray(1 << 20)
        try:
            begin = time.process_time()
            spent = 0.0
            # A Python loop, not a C one: the timers' handlers must get their safe points.
            # process_time() is a system call: asking it only every few thousand turns keeps
            # the default burn in user time, which is what ITIMER_VIRTUAL counts.
            while spent < step["seconds"]:
                if want is not None and len(self.events) >= want:
                    break
                if zero is not None:
                    zero.readinto(block)
                else:
                    for _ in range(20000):
                        pass
                spent = time.process_time() - begin
            return spent
        finally:
            if zero is not None:
                zero.close()

    def cmd_sleep(self, step, path, thread):
        time.sleep(step["seconds"])

    def cmd_pipe(self, step, path, thread):
        return os.pipe()

    def cmd_socketpair(self, step, path, thread):
        import socket
        a, b = socket.socketpair()
        # detach(): the descriptors outlive the socket objects and belong to the case now.
        return (a.detach(), b.detach())

    def cmd_close(self, step, path, thread):
        os.close(self.arg(step["fd"]))

    def cmd_read(self, step, path, thread):
        return os.read(self.arg(step["fd"]), step["size"])

    def cmd_write(self, step, path, thread):
        return os.write(self.arg(step["fd"]), self.arg(step["data"]))

    def cmd_set_blocking(self, step, path, thread):
        os.set_blocking(self.arg(step["fd"]), step["blocking"])

    def cmd_write_stdout(self, step, path, thread):
        # Python's own sys.stdout: its buffering and BrokenPipeError are what cases observe.
        sys.stdout.write(step["text"])
        if step.get("flush", True):
            sys.stdout.flush()

    def cmd_stdout_to_devnull(self, step, path, thread):
        # The documentation's SIGPIPE remedy: what is still buffered in sys.stdout goes to
        # /dev/null at exit instead of failing a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)

    def cmd_exit(self, step, path, thread):
        code = step["code"]
        if not isinstance(code, int):
            raise TypeError("exit code must be an integer")
        return _CaseExit(code)  # run_step emits the record, then raises it

    def cmd_thread(self, step, path, thread):
        import threading
        self.threading = threading
        name = step["name"]
        th = threading.Thread(target=self.thread_main, name=name,
                              args=(step["steps"], path + ".", name))
        # Daemon: a case thread stuck in a blocking call must not keep the process alive
        # after the main program has finished.
        th.daemon = True
        self.threads[name] = th
        th.start()

    def cmd_fork(self, step, path, thread):
        pid = os.fork()
        if pid:
            return pid
        # The child: it runs the steps under the child's name, then ends without running the
        # parent's clean-up or flushing the buffers it inherited (os._exit).
        code = 0
        try:
            self.stream.after_fork()
            self.process_name = step["name"]
            self.run_steps(step["steps"], path + ".", step["name"])
        except _CaseExit as request:
            code = request.code
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def cmd_temp_file(self, step, path, thread):
        import tempfile
        fd, name = tempfile.mkstemp(prefix="sigconform-")
        os.unlink(name)  # nothing is left behind, whatever happens to the case
        return fd

    def cmd_file_size(self, step, path, thread):
        return os.fstat(self.arg(step["fd"])).st_size

    def cmd_text(self, step, path, thread):
        of = self.arg(step["of"])
        return repr(of) if step["form"] == "repr" else str(of)

    def cmd_names_of(self, step, path, thread):
        of = self.arg(step["of"])
        return (of.__module__, of.__name__)

    def cmd_join(self, step, path, thread):
        th = self.threads[step["name"]]
        th.join(step["timeout"])
        return not th.is_alive()

    def cmd_ident(self, step, path, thread):
        if step["thread"] == "main":
            return MAIN_IDENT
        return self.threads[step["thread"]].ident

    def cmd_wait_blocked(self, step, path, thread):
        name = step["thread"]
        deadline = time.monotonic() + step["timeout"]
        lock_call = lock_syscall()
        state = None
        while True:
            # The main thread's id is the process's (in a forked child too).
            tid = os.getpid() if name == "main" else self.native_ids.get(name)
            if tid is not None:
                state = thread_block_state(tid)
                if sleeps_in_blocking_call(state, lock_call):
                    return None
                if state[0] == "?":
                    raise NotBlocked("wait_blocked: thread %r ended without blocking" % name)
            if time.monotonic() >= deadline:
                break
            time.sleep(0.001)  # releases the interpreter lock the watched thread may need
        raise NotBlocked("wait_blocked: thread %r was not seen asleep in a blocking system call "
                         "within %g s; last seen: %s"
                         % (name, step["timeout"], "not started" if state is None
                            else describe_block_state(state, lock_call)))

    def cmd_check(self, step, path, thread):
        return None

    def cmd_process_info(self, step, path, thread):
        return (os.getpid(), os.getuid(), os.getppid())

    def cmd_audit_hook(self, step, path, thread):
        wanted = frozenset(step["events"])
        stream, encoder, thread_name = self.stream, self.encoder, self.thread_name

        def hook(event, args):
            if event in wanted:
                stream.emit("audit", event=event, args=encoder.value(args),
                            thread=thread_name())

        sys.addaudithook(hook)  # AttributeError before 3.8: the step's observation

    def cmd_pidfd_open(self, step, path, thread):
        return os.pidfd_open(self.arg(step["pid"]))  # AttributeError before 3.9

    def cmd_spawn(self, step, path, thread):
        # subprocess restores SIGPIPE and SIGXFSZ to their default action in the child.
        import subprocess
        child = subprocess.Popen(self.arg(step["argv"]), stdin=subprocess.DEVNULL,
                                 close_fds=True)
        self.children[child.pid] = child
        return child.pid

    def cmd_waitpid(self, step, path, thread):
        pid = self.arg(step["pid"])
        child = self.children.get(pid)
        if child is None:
            return self.wait_forked(pid, step["timeout"])
        import subprocess  # imported by the spawn that made the child
        try:
            code = child.wait(step["timeout"])
        except subprocess.TimeoutExpired:
            return None
        if code < 0:
            return ("signaled", signal.Signals(-code))
        return ("exited", code)

    def wait_forked(self, pid, timeout):
        """waitpid for a child a `fork` step made: polls, so that handlers run meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)  # ChildProcessError for a stranger
            if done:
                if os.WIFSIGNALED(status):
                    return ("signaled", signal.Signals(os.WTERMSIG(status)))
                return ("exited", os.WEXITSTATUS(status))
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.001)

    def cmd_fill(self, step, path, thread):
        # Writes until the (non-blocking) descriptor would block; returns the bytes written.
        # A descriptor that takes FILL_LIMIT bytes and still accepts more never fills (an
        # emulated pipe can grow without end): the step stops there and raises, as the protocol
        # says, instead of eating memory until the case's timeout.
        fd = self.arg(step["fd"])
        total = 0
        for size in (65536, 4096, 1):  # large writes first, then single bytes to the brim
            chunk = b"\0" * size
            while True:
                if total >= FILL_LIMIT:
                    raise FillLimitExceeded("fill: the descriptor still accepts writes after "
                                            "%d bytes" % total)
                room = FILL_LIMIT - total
                try:
                    total += os.write(fd, chunk if room >= size else chunk[:room])
                except BlockingIOError:
                    break
        return total

    def cmd_attribute(self, step, path, thread):
        # getattr without the validator's "requires": AttributeError is an observation.
        return getattr(signal, step["name"])

    def cmd_members(self, step, path, thread):
        # The enum's canonical members in definition order (aliases are not listed).
        return list(getattr(signal, step["enum"]))

    def cmd_select(self, step, path, thread):
        # The selector of the documentation's HTTP-server example: it is interrupted by a
        # signal, runs the handler, and goes on waiting with the time left (PEP 475).
        import selectors
        fds = list(self.arg(step["fds"]))
        sel = selectors.DefaultSelector()
        try:
            for fd in fds:
                sel.register(fd, selectors.EVENT_READ)
            ready = set(key.fd for key, _ in sel.select(step["timeout"]))
        finally:
            sel.close()
        return [fd for fd in fds if fd in ready]

    def cmd_native_busy(self, step, path, thread):
        # One C call that runs for about `seconds` of CPU time without evaluating bytecode, so
        # that no Python handler can run before it returns. A deque with maxlen 0 consumes an
        # itertools.repeat entirely in C on CPython and PyPy. (`re` would not do: CPython's
        # matcher checks for signals as it goes.) Sized from the throughput measured before the
        # case started (run()), so that no Python code runs between the step's start and the call.
        import collections
        import itertools
        per_second = self.native_rate or _native_rate()
        # Sized for 1.5 times `seconds`: the rate was measured in a few milliseconds, and one
        # measured while the other hyperthread of the same core was busy can be half of what
        # the call gets later (a 0.3 s call once lasted 0.16 s in a loaded gate).
        total = int(per_second * step["seconds"] * NATIVE_BUSY_MARGIN) + 1
        collections.deque(itertools.repeat(None, total), maxlen=0)

    # ---- the step loop -------------------------------------------------------------------

    def action_of(self, step):
        return "call" if "call" in step else step.get("do")

    def run_step(self, step, path, thread):
        """Execute one step and emit its record. The action, the encoding of its value and
        the binding share one guard, so an exception a handler raises right after the action
        is observed in this step. Once the outcome is known and until the next step's action,
        exceptions handlers raise are deferred (see `settling`): one deferred earlier comes
        out of this step instead of its action."""
        exit_request = None
        me = _ident()  # taken now: a call in the except clause would be a safe point
        t0 = now()
        try:
            self.release_late(me)
            if self.late and self.late[0][0] == me:
                raise self.late.pop(0)[2]  # a handler raised between the steps
            self.settling.discard(me)  # from here a handler's exception is this step's
            fn = getattr(self, "cmd_" + str(self.action_of(step)), None)
            if fn is None:
                raise NotImplementedError("action %r is not supported by this driver"
                                          % self.action_of(step))
            value = fn(step, path, thread)
            if isinstance(value, _CaseExit):
                exit_request, value = value, None
            outcome = {"ok": True, "value": self.encoder.value(value)}
            if "bind" in step:
                self.bind(step["bind"], value)
            self.settling.add(me)
        except BaseException as exc:  # KeyboardInterrupt and SystemExit included
            self.settling.add(me)  # first: a handler still pending may run at any safe point now
            exit_request = None
            outcome = None
            while outcome is None:
                try:
                    outcome = {"ok": False, "exception": encode_exception(exc)}
                except BaseException as late:  # a handler the driver does not wrap raised
                    self.late.append((me, "raise", late))
            if step.get("uncaught"):
                exit_request = _Uncaught(exc)
        t1 = now()
        try:
            self.stream.emit("step", path=path, thread=thread, t0=t0, t1=t1, **outcome)
        except _CaseExit:
            raise
        except BaseException as late:  # raised while the line was written: it was written
            self.late.append((me, "raise", late))
        self.release_late(me)
        if exit_request is not None:
            raise exit_request

    def run_steps(self, steps, prefix, thread):
        for index, step in enumerate(steps):
            try:
                self.run_step(step, prefix + str(index), thread)
            except (_CaseExit, _Uncaught):
                raise
            except BaseException as exc:  # surfaced between steps
                self.stray(exc, thread)

    def strays_left(self, thread):
        # Exceptions deferred after the last step of the main thread: no step is left to
        # carry them. Handlers raise at once again from here (an exception then is a stray too).
        me = _ident()
        self.settling.discard(me)
        self.release_late(me)
        while self.late and self.late[0][0] == me:
            self.stray(self.late.pop(0)[2], thread)
            self.release_late(me)

    def release_late(self, me):
        """Writes the records of what handlers did between two steps' actions, in order, up
        to the first exception they raised (left first in `late` for the next step)."""
        while self.late and self.late[0][0] == me and self.late[0][1] == "record":
            fields = self.late.pop(0)[2]
            try:
                self.stream.emit("handler", **fields)
            except _CaseExit:
                raise
            except BaseException as late:  # written; a handler that does not defer raised
                self.late.append((me, "raise", late))

    def stray(self, exc, thread):
        # Emitting may itself be interrupted by another raising handler; keep reporting.
        while True:
            try:
                self.stream.emit("stray", exception=encode_exception(exc), thread=thread)
                return
            except _CaseExit:
                raise
            except BaseException as again:
                exc = again

    def thread_main(self, steps, prefix, name):
        try:
            self.native_ids[name] = native_tid()
            self.run_steps(steps, prefix, name)
        except _CaseExit as request:
            sys.exit(request.code)  # ends this thread only, as sys.exit does in a thread
        except BaseException as exc:
            self.stray(exc, name)

    def run(self):
        """Run the main program. Returns normally after `done`; raises _CaseExit for `exit`."""
        # native_busy is sized from a measurement that runs Python code: done before the case
        # starts, where no timer of the case can fire and run a handler in the middle of it.
        if '"native_busy"' in json.dumps(self.program.get("steps", [])):
            self.native_rate = _native_rate()
        self.stream.emit("start", protocol=PROTOCOL, case=self.program.get("case"),
                         **self.start_fields)
        self.run_steps(self.program["steps"], "", "main")
        self.strays_left("main")
        try:
            self.stream.emit("done")
        except _CaseExit:
            raise
        except BaseException as exc:  # raised by a handler once the line was out: not again
            self.stray(exc, "main")


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

# The code of Case.run_step, to recognise its frame in a traceback (writing_down_a_step).
_RUN_STEP_CODE = Case.run_step.__code__

# Every action this file implements: `call` and each cmd_<do>.
ACTIONS = ["call"] + sorted(n[len("cmd_"):] for n in dir(Case)
                            if n.startswith("cmd_") and n != "cmd_call")

# Features of the case language that are not actions (spec/driver-protocol.md, "describe"):
# listed in `operations` beside the actions; each works wherever the driver runs at all.
FEATURES = ["uncaught", "handler_method", "handler_object", "handler_arity",
            "parent_kill_once_blocked"]


# --------------------------------------------------------------------------------------------
# Which actions work on this runtime (describe's `operations`)
# --------------------------------------------------------------------------------------------

def _probe_threads():
    import threading
    th = threading.Thread(target=lambda: None)
    th.start()  # RuntimeError where threads cannot be started (WebAssembly without pthreads)
    th.join(10)
    return not th.is_alive()


def _probe_socketpair():
    import socket
    a, b = socket.socketpair()
    a.close()
    b.close()
    return True


def _probe_processes():
    import subprocess
    # WebAssembly runtimes cannot start processes, although Emscripten's os still has a fork
    # that fails; subprocess (3.12+) says so itself.
    if sys.platform in ("emscripten", "wasi") or not getattr(subprocess, "_can_fork_exec", True):
        return False
    # subprocess starts children with fork+exec or posix_spawn; without both it cannot.
    return (hasattr(os, "fork") or hasattr(os, "posix_spawn")) and hasattr(os, "waitpid")


def _probe_pipe():
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    return True


def _probe_select():
    import selectors
    r, w = os.pipe()
    sel = selectors.DefaultSelector()
    try:
        sel.register(r, selectors.EVENT_READ)
        sel.select(0)
    finally:
        sel.close()
        os.close(r)
        os.close(w)
    return True


def _probe_kill():
    os.kill(os.getpid(), 0)  # signal 0: checks that the process can signal itself
    return True


def _probe_stdout_to_devnull():
    fd = os.open(os.devnull, os.O_WRONLY)
    os.close(fd)
    return hasattr(os, "dup2")


NATIVE_BUSY_MARGIN = 1.5


def _native_rate():
    """Items per CPU second that native_busy's C call consumes: measured on small calls, in CPU
    time so that a loaded machine does not distort it; the fastest of three samples counts,
    since a first call warming up (or one sharing its caches with a busy neighbour) would size
    the real call too short."""
    import collections
    import itertools

    def sample(count):
        begin = time.process_time()
        collections.deque(itertools.repeat(None, count), maxlen=0)
        return time.process_time() - begin

    n = 1 << 14
    while True:
        spent = sample(n)
        if spent >= 0.005 or n >= 1 << 40:
            break
        n *= 4
    spent = min(spent, sample(n), sample(n))
    return n / max(spent, 1e-6)


def _probe_native_busy():
    import collections  # noqa: F401
    import itertools  # noqa: F401
    return True


# Action -> a check that it works here. Each check is cheap, leaves nothing behind, and may
# raise: an exception means "does not work". An action without a check needs only what every
# case needs (os, signal, time).
PROBES = {
    "thread": _probe_threads,
    "join": _probe_threads,
    "socketpair": _probe_socketpair,
    "spawn": _probe_processes,
    "waitpid": _probe_processes,
    "pidfd_open": lambda: hasattr(os, "pidfd_open"),
    "audit_hook": lambda: hasattr(sys, "addaudithook"),
    "pipe": _probe_pipe,
    "select": _probe_select,
    "kill": _probe_kill,
    "set_blocking": lambda: hasattr(os, "set_blocking"),
    "fill": lambda: hasattr(os, "set_blocking"),
    "process_info": lambda: all(hasattr(os, n) for n in ("getpid", "getuid", "getppid")),
    "burn_cpu": lambda: hasattr(time, "process_time"),
    "native_busy": _probe_native_busy,
    "stdout_to_devnull": _probe_stdout_to_devnull,
    "ident": lambda: _thread is not None,
    "wait_blocked": lambda: _probe_threads() and thread_block_state(os.getpid())[0] != "?",
    "fork": lambda: _probe_processes() and hasattr(os, "fork"),
    "temp_file": lambda: __import__("tempfile") is not None,
}


def working_operations(unavailable=()):
    """The actions that work on this runtime: implemented here, their probe passes, and not
    named in `unavailable` (what an embedding host cannot provide)."""
    works = {}  # probe -> result, so that a shared probe runs once
    result = []
    for action in ACTIONS:
        if action in unavailable:
            continue
        probe = PROBES.get(action)
        if probe is not None:
            if probe not in works:
                try:
                    works[probe] = bool(probe())
                except Exception:
                    works[probe] = False
            if not works[probe]:
                continue
        result.append(action)
    return result + [f for f in FEATURES if f not in unavailable]


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

def open_stream(fd=None):
    if fd is not None:
        return Stream(fd)  # given by an embedding host
    fd = os.environ.get("SIGCONFORM_OBS_FD")
    if fd is None:
        return Stream(1)  # hand use: records on standard output
    fd = int(fd)
    # Programs the case might start must not hold the stream open.
    os.set_inheritable(fd, False)
    return Stream(fd)


def read_program(argv):
    if len(argv) > 2:
        with open(argv[2], "rb") as f:
            data = f.read()
    else:
        fd = os.environ.get("SIGCONFORM_CASE_FD")
        if fd is None:
            raise SystemExit("driver.py run: no FILE and no SIGCONFORM_CASE_FD")
        with os.fdopen(int(fd), "rb") as f:
            data = f.read()
    return json.loads(data.decode("utf-8"))


# The platform's numbers a case may compare with ({"platform": NAME}, spec/case-format.md),
# as the module has them: on an emulated platform the runner cannot read them itself.
PLATFORM_CONSTANTS = ("SIG_DFL", "SIG_IGN", "NSIG", "SIGRTMIN", "SIGRTMAX")


def platform_constants():
    found = {}
    for name in PLATFORM_CONSTANTS:
        value = getattr(signal, name, None)
        if value is not None:
            found[name] = int(value)
    return found


def cmd_describe(stream, unavailable=(), extra=None):
    uname = os.uname() if hasattr(os, "uname") else None
    if uname is not None:
        machine = uname.machine
    else:
        import platform
        machine = platform.machine()
    word = platform_word()
    fields = dict(protocol=PROTOCOL,
                  implementation=sys.implementation.name,
                  language_version="%d.%d.%d" % tuple(sys.version_info[:3]),
                  platform=word,
                  kernel=uname.release if word == "linux" and uname is not None else None,
                  machine=machine,
                  executable=sys.executable,
                  names=sorted(n for n in dir(signal) if not n.startswith("_")),
                  operations=working_operations(unavailable),
                  constants=platform_constants(),
                  # `serve` forks through os.fork and takes descriptors over a Unix socket,
                  # and the runner adopts the forked processes: Linux only.
                  fork_server=word == "linux" and hasattr(os, "fork") and hasattr(os, "setpgid"))
    fields.update(extra or {})
    stream.emit("describe", **fields)


# --------------------------------------------------------------------------------------------
# The fork-server (spec/driver-protocol.md, "Fork-server")
# --------------------------------------------------------------------------------------------

# Descriptors a request carries, in this order, before the case's cgroup.procs files.
_SERVE_FDS = 5  # stdin, stdout, stderr, the observation stream, the program


def _serve_case(sock, fds, request, tools):
    """In the case's process (the server's grandchild): waits until the runner has become its
    parent, sets up what the runner's launch sets up between fork and exec (process group,
    cgroups, descriptors 0-4 and no other, limits, user), answers "ready" or why not, and
    returns; the caller then runs the case as `run` would. Exits on failure."""
    fcntl, resource, prctl = tools
    # The answer goes through a copy above 4: descriptor 3, the socket, becomes the
    # observation stream. detach(): the socket object must never close what 3 will be.
    channel = fcntl.fcntl(sock.fileno(), fcntl.F_DUPFD, _SERVE_FDS)
    sock.detach()
    stage = "waiting for the runner to adopt the process"
    try:
        # Forked as the runner's child, or orphaned by the intermediate process and adopted
        # by the runner, its subreaper: nothing of the case may run before that, getppid()
        # is part of what it observes.
        if os.getppid() != request["runner"]:
            deadline = time.monotonic() + 5
            while os.getppid() != request["runner"]:
                if time.monotonic() > deadline:
                    raise OSError(errno.ECHILD, "the runner did not adopt the case's process")
                time.sleep(0.0001)
        stage = "setpgid"
        os.setpgid(0, 0)
        stage = "joining the case's cgroup"
        for fd in fds[_SERVE_FDS:]:
            os.write(fd, b"0")
        stage = "descriptors"
        # Every source above 4 first, so that installing descriptor N never overwrites a
        # source still needed for another one.
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, _SERVE_FDS) for fd in fds[:_SERVE_FDS]]
        for target, fd in enumerate(moved):
            os.dup2(fd, target)  # inheritable, as after exec
        # Everything from 5 up but the channel goes, as exec would close it: by close_range
        # where os.closerange makes that one system call (CPython 3.10+), else listed (closing
        # 65,536 numbers one by one costs milliseconds) before the change of user, after which
        # /proc/self/fd is no longer readable.
        if sys.implementation.name == "cpython" and sys.version_info >= (3, 10):
            os.closerange(_SERVE_FDS, channel)
            os.closerange(channel + 1, 1 << 30)
        else:
            for name in os.listdir("/proc/self/fd"):
                if int(name) >= _SERVE_FDS and int(name) != channel:
                    try:
                        os.close(int(name))
                    except OSError:
                        pass  # the listing's own descriptor, closed already
        stage = "setrlimit"
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if request.get("nproc"):
            resource.setrlimit(resource.RLIMIT_NPROC, (request["nproc"], request["nproc"]))
        stage = "changing to the driver's user"
        if request.get("change_user"):
            os.setgroups([])
            os.setresgid(request["gid"], request["gid"], request["gid"])
            os.setresuid(request["uid"], request["uid"], request["uid"])
            # A change of user makes the process undumpable (its /proc files root's), which
            # exec would undo: undo it here, or the case would see a process exec never gives.
            if prctl is None or prctl(4, 1, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
                raise OSError(errno.EPERM, "cannot make the process dumpable again")
        os.write(channel, b'{"ready": true}')
    except Exception as exc:
        try:
            os.write(channel, json.dumps({"ready": False,
                                          "error": "%s: %s" % (stage, exc)}).encode("utf-8"))
        finally:
            os._exit(127)
    os.close(channel)


# struct pthread's `tid` in glibc on x86-64 (what glibc's own fork has the kernel write).
_GLIBC_X86_64_TID_OFFSET = 0x2d0


def _sibling_forker(ctypes):
    """Returns a function that forks this process as CPython's os.fork does (the interpreter's
    before- and after-fork work, the os.register_at_fork hooks included) but makes the child a
    child of this process's parent, as clone(CLONE_PARENT) does: the runner's own child from
    birth, so that no intermediate process is needed (its fork, the pages it copied and its
    exit were a sixth of a trivial case's CPU time). It returns the child's pid, 0 in the child, and
    raises OSError. Returns None where that cannot be done as glibc's fork does it (another
    interpreter or C library, another architecture): then the server forks twice.

    What glibc's fork does besides the system call, for a process with one thread: it has the
    kernel write the child's thread id into the thread's record (pthread_kill from another
    thread names the main thread by it), which CLONE_CHILD_SETTID does here; it blocks signals
    around the call, which matters only to a handler run in between, and CPython's after-fork
    work forgets what a handler noted there anyway; it registers the robust-mutex list again
    and runs pthread_atfork handlers, of which a server that never uses robust mutexes nor
    loads a library that registers such handlers has none."""
    if sys.implementation.name != "cpython" or os.uname().machine != "x86_64":
        return None
    try:
        api = ctypes.pythonapi
        before, parent, child = api.PyOS_BeforeFork, api.PyOS_AfterFork_Parent, api.PyOS_AfterFork_Child
        libc = ctypes.PyDLL(None, use_errno=True)  # PyDLL: the GIL stays held, as in os.fork
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        if not libc.gnu_get_libc_version():
            return None
        syscall = libc.syscall
        syscall.restype = ctypes.c_long
        syscall.argtypes = [ctypes.c_long, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_void_p,
                            ctypes.c_void_p, ctypes.c_void_p]
        libc.pthread_self.restype = ctypes.c_void_p
        tid = libc.pthread_self() + _GLIBC_X86_64_TID_OFFSET
    except (AttributeError, OSError, TypeError):
        return None
    # The server is single-threaded: its thread's tid is its pid. Anything else means the
    # offset is not glibc's, and pthread functions in the child would name the server.
    if ctypes.c_int.from_address(tid).value != os.getpid():
        return None
    SYS_CLONE = 56
    flags = (0x00008000  # CLONE_PARENT
             | 0x01000000  # CLONE_CHILD_SETTID: the child's tid in its struct pthread, as fork
             | 0x00200000  # CLONE_CHILD_CLEARTID
             | signal.SIGCHLD)

    def fork():
        before()
        pid = syscall(SYS_CLONE, flags, None, None, tid, None)
        if pid == 0:
            child()
            return 0
        error = ctypes.get_errno()
        parent()
        if pid < 0:
            raise OSError(error, os.strerror(error))
        return pid
    return fork


def cmd_serve():
    """The fork-server: this interpreter has started and imported the driver once; for each
    request read from descriptor 3 (a SOCK_SEQPACKET socket to the runner) it forks a process
    for the case that is the runner's own child: made so at birth (_sibling_forker) or,
    where that cannot be done, forked by an intermediate process that exits at once so that
    the runner, a child subreaper, adopts it. Returns None when the runner closes the socket (the server
    ends), and the request in the case's process, which then runs the case. The runner sends
    here only the cases that need no parent state set before exec."""
    import array
    import atexit  # noqa: F401 (imported here, not in each case's process on its way out)
    import fcntl
    import resource
    import socket
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except Exception:
        ctypes = prctl = None  # then a case that runs as another user fails to start, saying why
    sibling_fork = _sibling_forker(ctypes) if ctypes is not None else None
    tools = (fcntl, resource, prctl)
    # What the server holds now stays out of the collector's sight: a collection in a case's
    # process would otherwise touch, and so copy, every page it shares with the server.
    import gc
    gc.collect()
    if hasattr(gc, "freeze"):  # 3.7+
        gc.freeze()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0, 3)
    # Started: the runner times our start-up apart from the answers to its requests.
    sock.send(b'{"serving": true}')
    int_size = array.array("i").itemsize
    while True:
        try:
            data, ancdata, _, _ = sock.recvmsg(1 << 16, socket.CMSG_SPACE(64 * int_size))
        except InterruptedError:
            continue
        if not data:
            return None
        fds = array.array("i")
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload) - len(payload) % int_size])
        fds = list(fds)
        request = json.loads(data.decode("utf-8"))
        pid = None
        if sibling_fork is not None:
            try:
                pid = sibling_fork()
            except OSError:
                sibling_fork = None  # not allowed here (a sandbox, a container's init): fork twice
        if pid == 0:
            _serve_case(sock, fds, request, tools)
            return request
        if pid is not None:
            sock.send(json.dumps({"pid": pid}).encode("utf-8"))
            for fd in fds:
                os.close(fd)
            continue
        middle = os.fork()
        if middle == 0:
            try:
                pid = os.fork()
                if pid == 0:
                    _serve_case(sock, fds, request, tools)
                    return request
                sock.send(json.dumps({"pid": pid}).encode("utf-8"))
            except BaseException as exc:
                try:
                    sock.send(json.dumps({"error": "fork: %s" % exc}).encode("utf-8"))
                finally:
                    os._exit(1)
            os._exit(0)
        for fd in fds:
            os.close(fd)
        while True:
            try:
                os.waitpid(middle, 0)
                break
            except InterruptedError:
                continue


def _read_to_end(fd):
    """Reads descriptor `fd` to its end and closes it."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except InterruptedError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _exit_as_cpython_would(code):
    """Ends a process forked by the fork-server whose case ended normally or by SystemExit
    (`code`), doing what CPython's shutdown does that a case can observe, in its order:
    the exit code from SystemExit (a code that is not an int or None is printed to stderr and
    gives 1), waiting for non-daemon threads, the atexit functions, flushing standard output
    and error (a failure gives 120), then _exit. CPython's full shutdown would also free
    every object, which in a forked child copies every page the server shares with it: most of
    a short case's cost, and nothing a case observes."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        try:
            sys.stderr.write(str(code) + "\n")
        except Exception:
            pass
        status = 1
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    import atexit
    atexit._run_exitfuncs()
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        try:
            if stream is not None:
                stream.flush()
        except Exception as exc:
            if name == "stdout":
                sys.unraisablehook(_Unraisable(exc, stream))
            status = 120
    if not -(1 << 31) <= status < (1 << 31):
        status = -1
    os._exit(status & 0xFF)


class _Unraisable(object):
    """The argument sys.unraisablehook takes, for a failed flush of standard output."""

    def __init__(self, exc, obj):
        self.exc_type, self.exc_value = type(exc), exc
        self.exc_traceback, self.err_msg, self.object = exc.__traceback__, None, obj


def main(argv, obs_fd=None, program=None, unavailable=(), extra=None, start_fields=None):
    """Runs `describe`, `run` or `serve` as argv says. An embedding host (a runtime with its
    own descriptor table, spec/driver-protocol.md) passes what the environment variables
    would: `obs_fd`, the descriptor records go to; `program`, the case program as bytes; and
    may pass `unavailable`, actions it cannot provide, `extra`, fields added to describe, and
    `start_fields`, fields added to the start record (`isolation`)."""
    if len(argv) < 2 or argv[1] not in ("describe", "run", "serve"):
        raise SystemExit("usage: driver.py describe | driver.py run [FILE] | driver.py serve")
    if argv[1] != "serve":
        run_driver(argv, obs_fd, program, unavailable, extra, start_fields)
        return
    if cmd_serve() is None:
        return  # the server's end
    # The case's process: what a fresh `run` would have at this point.
    global START
    START = time.monotonic()
    sys.argv[:] = argv = [argv[0], "run"]
    start_fields = dict(start_fields or {}, isolation="fork-server")
    if obs_fd is None and program is None:
        # The process has installed the stream as 3 and the program as 4 (what the
        # environment's SIGCONFORM_OBS_FD and SIGCONFORM_CASE_FD say): taken as `run` takes
        # them, but without the environment mapping and a file object, less to copy from
        # the server.
        obs_fd = 3
        os.set_inheritable(obs_fd, False)
        program = _read_to_end(4)
    if sys.implementation.name != "cpython" or not hasattr(sys, "unraisablehook"):
        run_driver(argv, obs_fd, program, unavailable, extra, start_fields)
        return
    try:
        run_driver(argv, obs_fd, program, unavailable, extra, start_fields)
        code = 0
    except SystemExit as exc:
        code = exc.code
    # An exception nobody caught takes the interpreter's own way out, above.
    _exit_as_cpython_would(code)


def run_driver(argv, obs_fd, program, unavailable, extra, start_fields):
    """`describe` or `run`, as main() documents."""
    stream = open_stream(obs_fd)
    if argv[1] == "describe":
        cmd_describe(stream, unavailable, extra)
        return
    if program is not None:
        program = json.loads(program.decode("utf-8"))
    else:
        program = read_program(argv)
    case = Case(program, stream, start_fields)
    escaping = None
    try:
        case.run()
    except _CaseExit as request:
        sys.exit(request.code)  # Python's normal shutdown follows, flush of stdout included
    except _Uncaught as uncaught:
        escaping = uncaught.exc
    if escaping is not None:
        # Outside every handler, so that the language ends the program exactly as for an
        # exception nobody caught (for KeyboardInterrupt, 3.8+ dies by SIGINT).
        raise escaping


if __name__ == "__main__":
    main(sys.argv)
