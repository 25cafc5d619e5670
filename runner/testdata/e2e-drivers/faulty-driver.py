"""A driver that misbehaves in one chosen way: the faults of runner/fault_injection_test.py.

    faulty-driver.py FAULT describe|run|serve

`describe` is always answered by the real Python driver, so that the runner plans the cases;
`run` commits FAULT (see FAULTS below). Faults that are about what a driver leaves behind or
floods on the side then hand over to the real driver, so that the case itself passes and only
the fault is under test. Runs on CPython 3.6+ with the standard library only.
"""
import ctypes
import json
import os
import runpy
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "..", "..", "adapters", "python", "driver.py")
GIB = 1 << 30


def real_driver(command):
    """Becomes the real driver: the case program is still unread on descriptor 4."""
    sys.argv = [REAL, command]
    runpy.run_path(REAL, run_name="__main__")
    sys.exit(0)


def emit(line):
    """Writes bytes on descriptor 3, all of them."""
    data = line if isinstance(line, bytes) else line.encode()
    while data:
        data = data[os.write(3, data):]


def start(case):
    emit(json.dumps({"ev": "start", "protocol": 1, "case": case, "t": 0.0}) + "\n")


def forever():
    while True:
        time.sleep(3600)


def pour(fd, total, chunk=b"x" * (1 << 20)):
    """Writes `total` bytes to `fd`, 1 MiB at a time."""
    written = 0
    while written < total:
        written += os.write(fd, chunk[:min(len(chunk), total - written)])


def program():
    with os.fdopen(4, "rb", closefd=False) as f:
        data = f.read()
    os.lseek(4, 0, os.SEEK_SET)  # a sealed memfd: the real driver reads it again from 0
    return json.loads(data.decode())


def cgroup_limit(v1_controller, v1_file, v2_file):
    """The limit this process's cgroup sets (v1 or v2), or None when none is visible."""
    with open("/proc/self/cgroup") as f:
        lines = [line.strip().split(":", 2) for line in f]
    candidates = []
    for _, controllers, path in lines:
        if v1_controller in controllers.split(","):
            candidates.append("/sys/fs/cgroup/%s%s/%s" % (v1_controller, path, v1_file))
        if controllers == "":
            candidates += ["/sys/fs/cgroup%s/%s" % (path, v2_file),
                           "/sys/fs/cgroup/unified%s/%s" % (path, v2_file)]
    for candidate in candidates:
        try:
            with open(candidate) as f:
                return int(f.read())
        except (OSError, ValueError):
            pass
    return None


def refuse_unless_contained(v1_controller, v1_file, v2_file, most):
    """Safety on a shared machine: the fork bomb and the runaway allocation run only inside a
    limit they can see; otherwise the driver says so and exits 3."""
    bound = cgroup_limit(v1_controller, v1_file, v2_file)
    if bound is None or bound > most:
        emit('{"ev": "uncontained"}\n')
        os._exit(3)


def leave_a_process(new_session):
    """Starts a process that outlives the driver: in a new session, or double-forked."""
    if os.fork() == 0:
        if new_session:
            os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            forever()
        os._exit(0)
    os.wait()


def run(fault):
    case = program()["case"]
    if fault == "hang-before-start":
        forever()
    if fault == "exit-0-no-records":
        sys.exit(0)
    if fault == "garbage":
        emit("this is not JSON\n[1, 2, 3]\n{\"no_ev\": true}\n")
        start(case)
        emit("\x00\x01\x02 binary\n")
        sys.exit(0)
    if fault == "invalid-utf8":
        emit(b'{"ev": "start", "protocol": 1, "case": "\xff\xfe\xc3"}\n')
        sys.exit(0)
    if fault == "duplicate-key":
        emit('{"ev": "start", "protocol": 1, "case": "%s", "case": "other"}\n' % case)
        sys.exit(0)
    if fault == "wrong-start":
        start("not/this-case")
        emit('{"ev": "done"}\n')
        sys.exit(0)
    if fault == "deep-record":
        start(case)
        emit('{"ev": "step", "path": "0", "ok": true, "t0": 0, "t1": 0, "value": ' +
             "[" * 30000 + "]" * 30000 + "}\n")
        sys.exit(0)
    if fault == "flood-empty-objects":
        start(case)
        pour(3, 16 << 20, b"{}\n" * (1 << 18))
        sys.exit(0)
    if fault == "flood-observations":
        start(case)
        pour(3, GIB, b'{"ev": "handler", "handler": "h", "signum": 10, "thread": "main"}\n' * 8000)
        sys.exit(0)
    if fault == "one-50mb-line":
        start(case)
        emit('{"ev": "step", "path": "0", "ok": true, "t0": 0, "t1": 0, "value": "')
        pour(3, 50 << 20)
        emit('"}\n')
        sys.exit(0)
    if fault == "flood-stdout":
        pour(1, GIB)
        real_driver("run")
    if fault == "flood-stderr":
        pour(2, GIB)
        real_driver("run")
    if fault == "hostile-value":
        # A value a terminal would obey (clear the screen, ring, return, retitle) and that is
        # far too large to print, though within the 1 MiB a record may have.
        start(case)
        value = "\x1b[2J\x1b]0;owned\x07\r\x9b31m" + "y" * (900 << 10)
        for path in range(len(program()["steps"])):
            emit(json.dumps({"ev": "step", "path": str(path), "thread": "main", "t0": 0.1,
                             "t1": 0.2, "ok": True, "value": value}) + "\n")
        emit('{"ev": "done"}\n')
        sys.exit(0)
    if fault == "lies-about-steps":
        start(case)
        emit('{"ev": "step", "path": "42", "thread": "main", "t0": 0, "t1": 0, "ok": true, '
             '"value": null}\n{"ev": "done"}\n')
        sys.exit(0)

    start(case)
    if fault == "hang-after-start":
        forever()
    if fault == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        forever()
    if fault == "block-all-signals":
        signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals))
        forever()
    if fault == "stop-self":
        os.kill(os.getpid(), signal.SIGSTOP)
        forever()
    if fault == "segv":
        ctypes.string_at(0)  # a real invalid read, not a signal sent by hand
    if fault == "abort":
        os.abort()
    if fault == "bus":
        os.kill(os.getpid(), signal.SIGBUS)
    if fault == "kill-self":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "exit-0-after-start":
        sys.exit(0)
    if fault == "exit-1-traceback":
        raise RuntimeError("the driver fell over")
    if fault == "truncated-record":
        emit('{"ev": "step", "path": "0", "thr')
        sys.exit(0)
    if fault == "close-fd3-early":
        os.close(3)
        time.sleep(0.2)
        sys.exit(0)
    if fault == "fork-bomb":
        refuse_unless_contained("pids", "pids.max", "pids.max", 256)
        # Every process forks until a fork is refused, keeps trying for another second, then
        # gives up, so the case ends soon after its limit held (and within 60 s regardless).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                os.fork()
            except OSError:
                deadline = min(deadline, time.monotonic() + 1)
                time.sleep(0.001)
        os._exit(0)
    if fault == "memory-runaway":
        refuse_unless_contained("memory", "memory.limit_in_bytes", "memory.max", 2 * GIB)
        hoard = []
        while len(hoard) < 1024:  # 8 GiB: far past the limit the case sets
            hoard.append(bytearray(8 << 20))  # zero-filled: every page is touched
        forever()
    if fault == "leave-process-group":
        # Into the runner's own process group, deaf to SIGTERM: a group kill misses it, and
        # Ctrl-C in the runner's terminal reaches it too.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.setpgid(0, os.getpgid(os.getppid()))
        forever()
    sys.exit("unknown fault " + fault)


def run_and_leave(fault):
    """Faults that leave something behind, then let the real driver pass the case."""
    if fault == "setsid-child":
        leave_a_process(new_session=True)
    elif fault == "double-fork-daemon":
        leave_a_process(new_session=False)
    real_driver("run")


def serve(fault):
    """`serve` (the fork-server, which describe offers): the fault "fork-server-exits" starts,
    then ends at its first request without answering; the other faults have no server of their
    own to break and stand in for one that dies at start-up (exit status 1)."""
    if fault != "fork-server-exits":
        sys.exit(1)
    import socket
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0, 3)
    server.send(b'{"serving": true}')
    server.recv(65536)
    os._exit(0)


if __name__ == "__main__":
    fault, command = sys.argv[1], sys.argv[2]
    if command == "describe":
        real_driver("describe")
    if command == "serve":
        serve(fault)
    if fault == "fork-server-exits":
        real_driver("run")
    if fault in ("setsid-child", "double-fork-daemon"):
        run_and_leave(fault)
    run(fault)
