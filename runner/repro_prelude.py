# ---- How this script works (the same in every script `sigconform repro` writes) ----------
#
# main() starts this same file again as a child process, with the process state the case
# needs set up between fork and exec (ignored, blocked and pending signals, a standard output
# whose reader is gone), the way a parent process would leave it. The child runs the case's
# steps (below the helpers) and reports each expectation on a pipe of its own, so that its
# standard output and error stay the case's. The parent prints what the child reported, then
# checks how the child ended. Nothing here judges for the child: every check compares what
# the documentation says with what this interpreter did.
#
# Standard library only; Python 3.6 or later.

import builtins
import enum
import errno
import json
import os
import signal
import sys
import time

try:
    import _thread
except ImportError:  # a runtime without threads: one thread only
    _thread = None


def _ident():
    return _thread.get_ident() if _thread is not None else 0

CHILD = "SIGCONFORM_REPRO_CHILD"  # set in the child: the descriptor it reports on


# ---- Whether a thread is blocked in a system call (spec/case-format.md, "A signal and a
# blocking call"): state S in /proc, in a call that is not a lock wait ----------------------

def native_tid():
    """The calling thread's kernel thread id."""
    import threading
    get = getattr(threading, "get_native_id", None)  # 3.8+
    return get() if get is not None else int(os.readlink("/proc/thread-self").rsplit("/", 1)[1])


def _task_file(pid, tid, name):
    try:
        with open("/proc/%d/task/%d/%s" % (pid, tid, name)) as f:
            return f.read()
    except OSError:
        return None


def _task_syscall(pid, tid):
    text = _task_file(pid, tid, "syscall")
    if text is None:
        return None
    word = text.split(" ", 1)[0].strip()
    return int(word) if word.isdigit() else -1


def thread_block_state(pid, tid):
    """(state letter or "?" when gone, system call or -1, whether the call could be read)."""
    first = _task_syscall(pid, tid)
    stat = _task_file(pid, tid, "stat")
    if stat is None or ")" not in stat:
        return ("?", -1, False)
    state = stat.rsplit(")", 1)[1].split()[0]
    second = _task_syscall(pid, tid) if first is not None else None
    return (state, first if second is not None and first == second else -1, second is not None)


_LOCK_SYSCALL = []


def lock_syscall():
    """The system call a thread waiting for a lock sleeps in (futex), seen on a helper thread
    that waits for a held lock: its number differs between architectures."""
    import threading
    if _LOCK_SYSCALL:
        return _LOCK_SYSCALL[0]
    held = threading.Lock()
    held.acquire()
    tids = []
    waiter = threading.Thread(target=lambda: (tids.append(native_tid()), held.acquire()),
                              daemon=True)
    waiter.start()
    number, same, deadline = -1, 0, time.monotonic() + 10
    try:
        while same < 3 and time.monotonic() < deadline:
            time.sleep(0.001)
            if tids:
                state, call, known = thread_block_state(os.getpid(), tids[0])
                if not known:
                    break
                if state == "S" and call >= 0:
                    same = same + 1 if call == number else 1
                    number = call
                else:
                    same = 0
    finally:
        held.release()
    _LOCK_SYSCALL.append(number if same >= 3 else -1)
    return _LOCK_SYSCALL[0]


def sleeps_in_blocking_call(pid, tid):
    """State S, in a system call that is not a lock wait (S alone where calls cannot be read)."""
    state, call, known = thread_block_state(pid, tid)
    if state != "S":
        return False
    return not known or (call >= 0 and call != lock_syscall())



def _name_of(cls):
    """A class's public name: its attribute in the signal module when it is one."""
    for name in dir(signal):
        if not name.startswith("_") and getattr(signal, name, None) is cls:
            return name
    return cls.__name__


def show(value):
    """repr(), with the Python type in front of plain numbers and strings."""
    if isinstance(value, enum.Enum) or value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float, str, bytes)):
        return "%s %r" % (type(value).__name__, value)
    return repr(value)


def show_exception(exc):
    number = getattr(exc, "errno", None)
    code = errno.errorcode.get(number) if isinstance(number, int) else None
    return "%s%s: %s" % (_name_of(type(exc)), " (%s)" % code if code else "", exc)


# ---- Matchers (spec/case-format.md, "Matchers"), on Python values ----------------------------

def _is_plain_int(v):
    return isinstance(v, int) and not isinstance(v, (bool, enum.Enum))


def _int_value(v):
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else None


def _items(v):
    return list(v) if isinstance(v, (set, frozenset, tuple, list)) else None


def matches(m, v, bound):
    """None when value `v` satisfies matcher `m`, else why not."""
    if m is None or isinstance(m, bool):
        return None if v is m else "expected %r, got %s" % (m, show(v))
    if isinstance(m, int):
        return None if _is_plain_int(v) and v == m else "expected int %d, got %s" % (m, show(v))
    if isinstance(m, str):
        if m.startswith("$") and not m.startswith("$$"):
            want = bound.get(m[1:])
            return None if type(v) is type(want) and v == want else \
                "expected %s (the value of %s), got %s" % (show(want), m, show(v))
        text = m[1:] if m.startswith("$$") else m
        return None if type(v) is str and v == text else "expected %r, got %s" % (text, show(v))
    if isinstance(m, list):
        items = v if isinstance(v, list) else None
        return _each(m, items, "list", v, bound)
    key = next(iter(m))
    arg = m[key]
    if key == "float":
        want = float(arg)
        same = type(v) is float and (v == want or (want != want and v != v))
        return None if same else "expected float %r, got %s" % (want, show(v))
    if key == "bytes":
        want = bytes.fromhex(arg)
        return None if type(v) is bytes and v == want else "expected %r, got %s" % (want, show(v))
    if key in ("Signals", "Handlers", "Sigmasks"):
        cls = getattr(signal, key, None)
        ok = cls is not None and isinstance(v, cls) and v.name == arg
        return None if ok else "expected %s.%s, got %s" % (key, arg, show(v))
    if key == "set":
        if not isinstance(v, (set, frozenset)):
            return "expected a set, got %s" % show(v)
        left = list(v)
        for item in arg:
            hit = next((x for x in left if matches(item, x, bound) is None), None)
            if hit is None and not any(matches(item, x, bound) is None for x in left):
                return "expected a set holding an item matching %r, got %s" % (item, show(v))
            left.remove(hit)
        return None if not left else "unexpected items %s in %s" % (show(set(left)), show(v))
    if key == "tuple":
        return _each(arg, v if type(v) is tuple or _struct_fields(v) is not None else None,
                     "tuple", v, bound)
    if key == "handler":
        return None if v is HANDLER_FUNCTIONS.get(arg) else \
            "expected the handler %r, got %s" % (arg, show(v))
    if key == "builtin":
        return None if v is signal.default_int_handler else \
            "expected signal.default_int_handler, got %s" % show(v)
    if key == "struct":
        fields = _struct_fields(v)
        if fields is None or type(v).__name__ != arg:
            return "expected a %s, got %s" % (arg, show(v))
        for name, want in m.get("fields", {}).items():
            if not hasattr(v, name):
                return "%s has no field %s" % (show(v), name)
            why = matches(want, getattr(v, name), bound)
            if why:
                return "field %s: %s" % (name, why)
        return None
    if key == "$any":
        return None
    if key == "$type":
        return _type_match(arg, v)
    if key == "$range":
        ok = (_is_plain_int(v) or type(v) is float) and arg[0] <= v <= arg[1]
        return None if ok else "expected a number in [%r, %r], got %s" % (arg[0], arg[1], show(v))
    if key == "$intlike":
        return None if _int_value(v) == arg else "expected an int equal to %d, got %s" % (arg, show(v))
    if key == "$one_of":
        reasons = [matches(x, v, bound) for x in arg]
        return None if None in reasons else "expected one of %r, got %s" % (arg, show(v))
    if key == "$all":
        for x in arg:
            why = matches(x, v, bound)
            if why:
                return why
        return None
    if key == "$not":
        return "expected anything but %r, got %s" % (arg, show(v)) if matches(arg, v, bound) is None else None
    if key in ("$contains", "$excludes"):
        items = _items(v)
        if items is None:
            return "expected a set or list, got %s" % show(v)
        for x in arg:
            found = any(matches(x, item, bound) is None for item in items)
            if found != (key == "$contains"):
                return "expected %s to %s an item matching %r" % (
                    show(v), "hold" if key == "$contains" else "not hold", x)
        return None
    if key == "$len":
        try:
            n = len(v)
        except TypeError:
            return "expected something with a length, got %s" % show(v)
        why = matches(arg, n, bound)
        return None if why is None else "length %d: %s" % (n, why)
    if key == "$every":
        items = _items(v)
        if items is None:
            return "expected a set, tuple or list, got %s" % show(v)
        for item in items:
            why = matches(arg, item, bound)
            if why:
                return "item %s: %s" % (show(item), why)
        return None
    if key == "$below":
        limit = _int_value(bound.get(arg[1:])) if isinstance(arg, str) else arg
        value = _int_value(v)
        return None if value is not None and limit is not None and value < limit else \
            "expected an int below %r, got %s" % (limit, show(v))
    if key == "$signum":
        number = getattr(signal, arg, None)
        return None if number is not None and _int_value(v) == int(number) else \
            "expected the number of %s, got %s" % (arg, show(v))
    if key == "$signal_bytes":
        want = bytes(int(getattr(signal, n)) for n in arg)
        return None if type(v) is bytes and v == want else "expected %r, got %s" % (want, show(v))
    return "unknown matcher %r" % (m,)


def _each(matchers, items, kind, v, bound):
    if items is None or len(items) != len(matchers):
        return "expected a %s of %d items, got %s" % (kind, len(matchers), show(v))
    for i, (want, item) in enumerate(zip(matchers, items)):
        why = matches(want, item, bound)
        if why:
            return "%s item %d: %s" % (kind, i, why)
    return None


def _struct_fields(v):
    cls = type(v)
    if isinstance(v, tuple) and (hasattr(cls, "n_fields") or hasattr(v, "_fields")):
        return True
    return None


def _type_match(name, v):
    kinds = {"none": v is None, "bool": isinstance(v, bool), "int": _is_plain_int(v),
             "float": type(v) is float, "str": type(v) is str, "bytes": type(v) is bytes,
             "set": isinstance(v, (set, frozenset)), "tuple": type(v) is tuple,
             "list": type(v) is list, "callable": callable(v),
             "struct": _struct_fields(v) is not None}
    if name in kinds:
        ok = kinds[name]
    else:
        cls = getattr(signal, name, None)
        ok = cls is not None and isinstance(v, cls)
    return None if ok else "expected a %s, got %s" % (name, show(v))


def raises_matches(want, exc):
    """None when exception `exc` is what `want` ("raises" of the case) describes."""
    if exc is None:
        return "expected an exception"
    if isinstance(want, str):
        want = {"type": want}
    names = [_name_of(c) for c in type(exc).__mro__]
    if "type" in want and names[0] != want["type"]:
        return "expected %s, got %s" % (want["type"], show_exception(exc))
    for base in want.get("isa", []):
        if base not in names:
            return "expected a subclass of %s, got %s" % (base, show_exception(exc))
    for base in want.get("not_isa", []):
        if base in names:
            return "expected no subclass of %s, got %s" % (base, show_exception(exc))
    if "errno" in want:
        number = getattr(exc, "errno", None)
        code = errno.errorcode.get(number) if isinstance(number, int) else None
        if code != want["errno"]:
            return "expected errno %s, got %s" % (want["errno"], show_exception(exc))
    if "message_contains" in want and want["message_contains"] not in str(exc):
        return "expected a message containing %r, got %s" % (want["message_contains"],
                                                           show_exception(exc))
    return None


# ---- The child: the case's steps ----------------------------------------------------------

HANDLER_FUNCTIONS = {}


class NotBlocked(Exception):
    """wait_blocked gave up: the thread did not block in a system call in time."""


class _ExitRequest(object):
    def __init__(self, code):
        self.code = code


class Case(object):
    """The running case: bindings, handler events, threads, and the report pipe."""

    def __init__(self, report_fd):
        self.report_fd = report_fd
        self.start = time.monotonic()
        self.v = {}          # bound names
        self.events = []     # (handler, signal name, thread, frame, time)
        self.audits = []     # (event, args)
        self.threads = {}
        self.native_ids = {}  # thread name -> kernel thread id, noted when it starts
        self.children = {}
        self.t0 = {}         # step path -> its start time
        self.diverged = False
        # Between the end of one step's action and the start of the next, this script runs
        # its own code (checks, reports): a handler that raises there belongs to no step. Its
        # exception is kept and comes out of the next step instead, as in sigconform's drivers
        # (spec/driver-protocol.md, "Handlers that raise between steps").
        self.settling = set()  # idents of threads between two steps' actions
        self.late = []
        for name, decl in sorted(HANDLERS.items()):
            HANDLER_FUNCTIONS[name] = self.make_handler(name, decl)

    def report(self, line):
        os.write(self.report_fd, (line + "\n").encode("utf-8", "replace"))

    def thread_name(self):
        import threading
        current = threading.current_thread()
        if current is threading.main_thread():
            return "main"
        for name, th in list(self.threads.items()):
            if th is current:
                return name
        return "other"

    def make_handler(self, name, decl):
        def handler(signum, frame):
            if decl.get("record", True):
                try:
                    signame = signal.Signals(signum).name
                except ValueError:
                    signame = "signal %d" % signum
                self.events.append((name, signame, self.thread_name(),
                                    "none" if frame is None else "frame",
                                    time.monotonic() - self.start))
            if "write" in decl:
                os.write(self.arg(decl["write"]["fd"]), bytes.fromhex(decl["write"]["data"]["bytes"]))
            if "restore" in decl:
                signal.signal(signum, getattr(signal, decl["restore"]))
            if "raise" in decl:
                exc = getattr(builtins, decl["raise"])("raised by handler %r" % name)
                if self.between_steps():
                    self.late.append(exc)
                    return
                raise exc
        return handler

    def between_steps(self):
        # Up to CPython 3.10 a handler may run at the first instruction of step()'s except
        # clause, before it marks the thread: the exception it is handling then says so.
        if _ident() in self.settling:
            return True
        tb = sys.exc_info()[2]
        return tb is not None and tb.tb_frame.f_code is _STEP_CODE

    def arg(self, a):
        """A case argument written in JSON form (only handler `write` fields need this)."""
        if isinstance(a, str) and a.startswith("$") and not a.startswith("$$"):
            return self.v[a[1:]]
        return a

    def val(self, name):
        """The value bound to `name`; NameError when no step bound it (as in a driver)."""
        if name not in self.v:
            raise NameError("name %r is not bound" % name)
        return self.v[name]

    def exit(self, code):
        """The `exit` step: its line is reported first, then the process exits."""
        return _ExitRequest(code)

    def bind(self, names, value):
        if isinstance(names, str):
            self.v[names] = value
        else:
            values = tuple(value)
            if len(values) != len(names):
                raise ValueError("cannot bind %d values to %d names" % (len(values), len(names)))
            self.v.update(zip(names, values))

    def step(self, path, text, action, expect=None, bind=None, uncaught=False):
        """Runs one step: `action` is the step as Python code, `text` that code for people."""
        expect = expect or {}
        value = exc = None
        self.t0[path] = t0 = time.monotonic() - self.start
        exit_request = None
        me = _ident()  # taken now: a call in the except clause would be a safe point
        try:
            if self.late:
                raise self.late.pop(0)  # a handler raised between the steps
            self.settling.discard(me)
            value = action()
            if isinstance(value, _ExitRequest):
                exit_request, value = value, None
            if bind is not None:
                self.bind(bind, value)
            self.settling.add(me)
        except SystemExit:
            raise
        except BaseException as e:  # KeyboardInterrupt included: it is an observation
            self.settling.add(me)
            exc = e
        t1 = time.monotonic() - self.start
        checks = []
        if "raises" in expect:
            checks.append(("raises %r" % (expect["raises"],), raises_matches(expect["raises"], exc)))
        elif exc is not None:
            checks.append(("no exception", "raised %s" % show_exception(exc)))
        if "returns" in expect and exc is None:
            checks.append(("returns %r" % (expect["returns"],), matches(expect["returns"], value, self.v)))
        if "events" in expect:
            checks.append(("handler events %r" % (expect["events"],), self.events_match(expect["events"])))
        if "audit" in expect:
            checks.append(("audit events %r" % (expect["audit"],), self.audit_match(expect["audit"])))
        if "elapsed" in expect:
            lo, hi = expect["elapsed"]
            # elapsed_from: measured from the start of that earlier step (the one that armed
            # the timer), so a pause between the two steps counts, as it does for the timer.
            since = self.t0.get(expect.get("elapsed_from"), t0)
            ok = lo <= t1 - since <= hi
            checks.append(("elapsed in [%r, %r] s%s" % (lo, hi, " from the start of step %s"
                                                        % expect["elapsed_from"]
                                                        if "elapsed_from" in expect else ""),
                           None if ok else "took %.3f s" % (t1 - since)))
        observed = "raised " + show_exception(exc) if exc is not None else "returned " + show(value)
        for want, why in checks:
            if why is None:
                self.report("ok        step %s  %s: %s" % (path, text, want))
            else:
                self.diverged = True
                self.report("DIVERGES  step %s  %s\n            expected: %s\n            observed: %s (%s)"
                            % (path, text, want, why, observed))
        if not checks:
            self.report("ran       step %s  %s: %s" % (path, text, observed))
        if exit_request is not None:
            sys.exit(exit_request.code)
        if uncaught and exc is not None:
            # `uncaught`: the exception leaves the program as nobody catching it would.
            self.report("DIVERGED" if self.diverged else "AS-DOCUMENTED")
            self.reported = True
            raise exc

    def events_match(self, want):
        seen = self.events[:]
        if len(seen) != len(want):
            return "%d events were seen: %r" % (len(seen), seen)
        for i, (w, (handler, signame, thread, frame, t)) in enumerate(zip(want, seen)):
            if (w["handler"], w["sig"], w.get("thread", thread), w.get("frame", frame)) != \
                    (handler, signame, thread, frame):
                return "event %d: %r" % (i, (handler, signame, thread, frame))
            if "after_start_of" in w and t < self.t0.get(w["after_start_of"], float("inf")):
                return "event %d ran before step %s started" % (i, w["after_start_of"])
            if "before_start_of" in w and t >= self.t0.get(w["before_start_of"], float("inf")):
                return "event %d ran after step %s started" % (i, w["before_start_of"])
        return None

    def audit_match(self, want):
        seen = self.audits[:]
        if len(seen) != len(want):
            return "%d audit events were seen: %r" % (len(seen), seen)
        for i, (w, (event, args)) in enumerate(zip(want, seen)):
            why = event != w["event"] and "event %d is %s" % (i, event)
            if not why and "args" in w:
                why = matches(w["args"], args, self.v)
            if why:
                return why
        return None

    # ---- actions that are more than one call ------------------------------------------

    def request_signal(self, name, queue=False, once_blocked=False):
        """Asks the parent to send `name` to this process (with sigqueue when `queue`; with
        `once_blocked`, once this process's main thread sleeps in the kernel)."""
        os.write(REQUEST_FD, ("%s %d %d\n" % (name, 1 if queue else 0,
                                                1 if once_blocked else 0)).encode())
        time.sleep(0)  # a safe point; the signal arrives whenever the parent sends it

    def wait_events(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.001)
        return len(self.events)

    def burn_cpu(self, seconds, events=None, kernel=False):
        zero = open("/dev/zero", "rb", buffering=0) if kernel else None
        block = bytearray(1 << 20)
        begin = time.process_time()
        try:
            while time.process_time() - begin < seconds:
                if events is not None and len(self.events) >= events:
                    break
                if zero is not None:
                    zero.readinto(block)
                else:
                    for _ in range(20000):
                        pass
            return time.process_time() - begin
        finally:
            if zero is not None:
                zero.close()

    def write_stdout(self, text, flush):
        sys.stdout.write(text)
        if flush:
            sys.stdout.flush()

    def stdout_to_devnull(self):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)

    def fill(self, fd):
        total = 0
        for size in (65536, 4096, 1):
            chunk = b"\0" * size
            while total < 16 << 20:
                try:
                    total += os.write(fd, chunk)
                except BlockingIOError:
                    break
        return total

    def socketpair(self):
        import socket
        a, b = socket.socketpair()
        return (a.detach(), b.detach())

    def start_thread(self, name, body):
        import threading

        def run(case):
            self.native_ids[name] = native_tid()
            body(case)
        th = threading.Thread(target=run, name=name, args=(self,))
        th.daemon = True
        self.threads[name] = th
        th.start()

    def join(self, name, timeout):
        th = self.threads[name]
        th.join(timeout)
        return not th.is_alive()

    def wait_blocked(self, name, timeout):
        """Returns once that thread sleeps in a blocking system call; NotBlocked otherwise."""
        deadline = time.monotonic() + timeout
        lock_syscall()  # learnt before the watch, not while the watched thread goes on
        while time.monotonic() < deadline:
            tid = os.getpid() if name == "main" else self.native_ids.get(name)
            if tid is not None and sleeps_in_blocking_call(os.getpid(), tid):
                return None
            time.sleep(0.001)
        raise NotBlocked("thread %r was not seen asleep in a blocking system call within %g s"
                         % (name, timeout))

    def ident(self, name):
        import threading
        return (threading.main_thread() if name == "main" else self.threads[name]).ident

    def select(self, fds, timeout):
        import selectors
        sel = selectors.DefaultSelector()
        try:
            for fd in fds:
                sel.register(fd, selectors.EVENT_READ)
            ready = set(key.fd for key, _ in sel.select(timeout))
        finally:
            sel.close()
        return [fd for fd in fds if fd in ready]

    def native_busy(self, seconds):
        import collections
        import itertools
        n = 1 << 14
        while True:
            begin = time.process_time()
            collections.deque(itertools.repeat(None, n), maxlen=0)
            spent = time.process_time() - begin
            if spent >= 0.005 or n >= 1 << 40:
                break
            n *= 4
        # 1.5 times, as the driver: a rate measured beside a busy neighbour can be half the real one.
        collections.deque(itertools.repeat(None, int(n * seconds * 1.5 / max(spent, 1e-6)) + 1), maxlen=0)

    def audit_hook(self, names):
        wanted = frozenset(names)
        sys.addaudithook(lambda event, args: self.audits.append((event, args)) if event in wanted else None)

    def spawn(self, argv):
        import subprocess
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, close_fds=True)
        self.children[child.pid] = child
        return child.pid

    def waitpid(self, pid, timeout):
        import subprocess
        try:
            code = self.children[pid].wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return ("signaled", signal.Signals(-code)) if code < 0 else ("exited", code)


# The code of Case.step, to recognise its frame in a traceback (Case.between_steps).
_STEP_CODE = Case.step.__code__


def run_child(steps):
    fd = int(os.environ[CHILD])
    case = Case(fd)
    try:
        steps(case)
        case.settling.clear()
        for exc in case.late:  # raised by handlers after the last step
            case.diverged = True
            case.report("DIVERGES  an exception escaped outside any step: %s" % show_exception(exc))
    except SystemExit:
        case.report("exit      the case's exit step ran")
        raise
    finally:
        if not getattr(case, "reported", False):
            case.report("DIVERGED" if case.diverged else "AS-DOCUMENTED")


# ---- The parent: process state before exec, and how the child ended --------------------

def _set_parent_state(report_w, request_r, broken_stdout):
    # Every signal starts at its default action and unblocked, then the case's state is laid
    # over that, as a parent process would leave it.
    for number in range(1, signal.NSIG):
        if number in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for name in PARENT.get("ignore", []):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [getattr(signal, n) for n in PARENT.get("block", [])])
    for name in PARENT.get("pending", []):
        os.kill(os.getpid(), getattr(signal, name))
    if broken_stdout is not None:
        os.dup2(broken_stdout, 1)


def _send(pid, name, queue):
    number = int(getattr(signal, name))
    if not queue:
        os.kill(pid, number)
        return
    # sigqueue(2) has no os function: the C library's, through ctypes.
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.sigqueue(ctypes.c_int(pid), ctypes.c_int(number), ctypes.c_void_p(0)) != 0:
        raise OSError(ctypes.get_errno(), "sigqueue failed")


def run_parent():
    import subprocess
    import threading
    report_r, report_w = os.pipe()
    request_r, request_w = os.pipe()
    env = dict(os.environ)
    env.update({CHILD: str(report_w), "SIGCONFORM_REPRO_REQUESTS": str(request_w)})
    for name, value in PARENT.get("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    stdout_mode = PARENT.get("stdout", "capture")
    broken = None
    stdout = subprocess.PIPE
    if stdout_mode == "broken":
        dead_r, broken = os.pipe()
        os.close(dead_r)
        stdout = None
    elif stdout_mode == "devnull":
        stdout = subprocess.DEVNULL
    child = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__)], env=env, stdin=subprocess.DEVNULL,
        stdout=stdout, stderr=subprocess.PIPE, pass_fds=(report_w, request_w),
        preexec_fn=lambda: _set_parent_state(report_w, request_r, broken))
    os.close(report_w)
    os.close(request_w)
    if broken is not None:
        os.close(broken)

    def main_thread_sleeps():
        # The child's main thread waits in the blocking call a once_blocked signal must
        # interrupt (spec/case-format.md, "A signal and a blocking call").
        return sleeps_in_blocking_call(child.pid, child.pid)

    def serve_requests():
        with os.fdopen(request_r, "rb") as requests:
            for line in requests:
                name, queue, once_blocked = line.decode().split()
                give_up = time.monotonic() + 5
                while once_blocked == "1" and not main_thread_sleeps() and time.monotonic() < give_up:
                    time.sleep(0.001)
                _send(child.pid, name, queue == "1")

    server = threading.Thread(target=serve_requests, daemon=True)
    server.start()
    out, err = child.communicate()
    with os.fdopen(report_r, "rb") as reports:
        lines = reports.read().decode("utf-8", "replace").splitlines()
    diverged = False
    for line in lines:
        if line in ("DIVERGED", "AS-DOCUMENTED"):
            diverged = diverged or line == "DIVERGED"
            continue
        print(line)
        diverged = diverged or line.startswith("DIVERGES")
    finished = "DIVERGED" in lines or "AS-DOCUMENTED" in lines
    code = child.returncode
    ended = "killed by %s" % signal.Signals(-code).name if code < 0 else "exit status %d" % code
    want = ("killed by %s" % EXIT["signal"]) if "signal" in EXIT else "exit status %d" % EXIT.get("code", 0)
    if ended != want:
        diverged = True
        print("DIVERGES  the process ended with %s; expected %s" % (ended, want))
    else:
        print("ok        the process ended with %s" % ended)
    if not finished and "signal" not in EXIT and EXIT.get("code", 0) == 0:
        diverged = True
        print("DIVERGES  the process ended before its last step")
    for stream, data, expect in (("stdout", out, STDOUT), ("stderr", err, STDERR)):
        if not expect:
            continue
        text = (data or b"").decode("utf-8", "replace")
        problems = [s for s in expect.get("contains", []) if s not in text]
        problems += ["no %r" % s for s in expect.get("excludes", []) if s in text]
        if expect.get("empty") and text:
            problems.append("empty")
        if problems:
            diverged = True
            print("DIVERGES  %s: expected %s; it was %r" % (stream, ", ".join(map(str, problems)), text[-500:]))
        else:
            print("ok        %s as expected" % stream)
    if diverged and err:
        print("standard error of the child (end):")
        print(err[-1500:].decode("utf-8", "replace"))
    print()
    print("DIVERGES from the documentation" if diverged else "behaves as documented")
    return 1 if diverged else 0


def main(steps):
    if CHILD in os.environ:
        global REQUEST_FD
        REQUEST_FD = int(os.environ["SIGCONFORM_REPRO_REQUESTS"])
        run_child(steps)
        return
    sys.exit(run_parent())


REQUEST_FD = -1
