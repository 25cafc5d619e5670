"""Tests of the Pyodide driver's fork-server (`driver.cjs serve`, spec/driver-protocol.md,
"`serve`: the fork-server"). The test plays the runner's part: a child subreaper holding the
other end of the socket. Each case's process must be what a fresh `driver.cjs run` would be,
as far as a case can see, and no case may see anything another one did: the interpreter,
its file system, its emulated signal state, the host's real signal state.

The native addon comes from $SIGCONFORM_PYODIDE_NATIVE (meson sets it to the one it built);
the caches from $SIGCONFORM_PYODIDE_CACHE (shared with the driver's other tests).
"""

import array
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "driver.cjs")
NODE = shutil.which("node") or "/usr/bin/node"
PR_SET_CHILD_SUBREAPER = 36
# Generous: the first start in a session may make the memory snapshot.
TIMEOUT = 300

DFL = {"enum": "Handlers", "name": "SIG_DFL", "value": 0}


def _native():
    native = os.environ.get("SIGCONFORM_PYODIDE_NATIVE")
    if not native or not os.path.exists(native):
        pytest.fail("SIGCONFORM_PYODIDE_NATIVE must name the built addon (meson sets it)")
    return native


def _cache(tmp_path_factory):
    return os.environ.get("SIGCONFORM_PYODIDE_CACHE") or str(tmp_path_factory.mktemp("cache"))


class Server(object):
    """A running `driver.cjs serve`, with this process as the runner."""

    def __init__(self, cache_dir):
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
               "SIGCONFORM_OBS_FD": "3"}
        argv = [NODE, DRIVER, "--cache", cache_dir, "--native", _native(), "serve"]
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.dup2(theirs.fileno(), 3)
                os.closerange(4, 1024)
                os.setpgid(0, 0)
                os.execve(NODE, argv, env)
            finally:
                os._exit(127)
        theirs.close()
        self.sock.settimeout(TIMEOUT)

    def start(self, steps, handlers=None):
        """Sends one case; returns (pid, obs_r, out_r, err_r) once its process is ready."""
        program = json.dumps({"protocol": 1, "case": "t/fork-server", "handlers": handlers or {},
                              "steps": steps}).encode()
        obs_r, obs_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY)
        prog_r, prog_w = os.pipe()
        os.write(prog_w, program)
        os.close(prog_w)
        given = [null, out_w, err_w, obs_w, prog_r]
        self.sock.sendmsg([json.dumps({"runner": os.getpid()}).encode()],
                          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", given))])
        for fd in given:
            os.close(fd)
        # The server's {"pid": P} and the process's {"ready": true}, in either order.
        answers = [json.loads(self.sock.recv(4096).decode()) for _ in range(2)]
        answers.sort(key=lambda a: "ready" in a)
        assert answers[1] == {"ready": True}, answers
        return answers[0]["pid"], obs_r, out_r, err_r

    def run(self, steps, handlers=None):
        """Runs one case, answering its parent_kill requests; returns (records, wait status,
        stdout, stderr, pid)."""
        pid, obs_r, out_r, err_r = self.start(steps, handlers)
        outputs = {}

        def drain(fd, key):
            chunks = []
            while True:
                data = os.read(fd, 65536)
                if not data:
                    break
                chunks.append(data)
                if key == "obs":
                    for line in b"".join(chunks).split(b"\n")[:-1]:
                        record = json.loads(line)
                        if record["ev"] == "request" and record["op"] == "kill" and \
                                record not in outputs.setdefault("answered", []):
                            outputs["answered"].append(record)
                            os.kill(pid, getattr(signal, record["sig"]))
            os.close(fd)
            outputs[key] = b"".join(chunks).decode()

        readers = [threading.Thread(target=drain, args=(fd, key))
                   for fd, key in ((obs_r, "obs"), (out_r, "out"), (err_r, "err"))]
        for r in readers:
            r.start()
        _, status = os.waitpid(pid, 0)  # the runner's own child: waitpid works
        for r in readers:
            r.join(TIMEOUT)
        records = [json.loads(line) for line in outputs["obs"].splitlines()]
        return records, status, outputs["out"], outputs["err"], pid

    def close(self):
        self.sock.close()
        _, status = os.waitpid(self.pid, 0)
        return status


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(_cache(tmp_path_factory))
    yield s
    assert s.close() == 0  # the server ends at end-of-file, with status 0


def values(records):
    return [r.get("value") for r in records if r["ev"] == "step"]


def test_describe_offers_the_fork_server_only_with_the_addon(tmp_path_factory):
    cache = _cache(tmp_path_factory)
    for extra, offered in (([], False), (["--native", _native()], True)):
        obs_r, obs_w = os.pipe()
        proc = subprocess.run([NODE, DRIVER, "--cache", cache] + extra + ["describe"],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT,
                              env={"PATH": "/usr/bin:/bin", "SIGCONFORM_OBS_FD": str(obs_w)},
                              pass_fds=(obs_w,))
        os.close(obs_w)
        with os.fdopen(obs_r) as f:
            [record] = [json.loads(line) for line in f]
        assert proc.returncode == 0, proc.stderr
        assert record["fork_server"] is offered


def test_case_process_is_the_runners_child_in_a_group_of_its_own(server):
    records, status, _, _, _ = server.run([{"do": "process_info"}])
    assert records[0]["ev"] == "start" and records[0]["isolation"] == "fork-server"
    assert records[-1]["ev"] == "done"
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    # Real ids (the case sees the emulation's, 42 and 1): looked at while the case waits.
    pid, obs_r, out_r, err_r = server.start([{"do": "wait", "events": 1, "timeout": 60}])
    try:
        assert os.getpgid(pid) == pid
        with open("/proc/%d/status" % pid) as f:
            assert "PPid:\t%d\n" % os.getpid() in f.read()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for fd in (obs_r, out_r, err_r):
            os.close(fd)


def test_no_state_of_one_case_reaches_the_next(server):
    # Everything a case can change, changed: handlers, the wakeup descriptor, the emulated
    # mask, module state, the file system, a real signal's handling in the host.
    first, status, _, _, _ = server.run([
        {"call": "signal", "args": ["@SIGUSR1", "@SIG_IGN"]},
        {"call": "signal", "args": ["@SIGINT", "@SIG_DFL"]},
        {"do": "pipe", "bind": ["r", "w"]},
        {"call": "set_wakeup_fd", "args": ["$w"]},
        {"call": "signal", "args": ["@SIGUSR2", {"handler": "h"}]},
        {"do": "parent_kill", "sig": "SIGUSR2"},
        {"do": "wait", "events": 1, "timeout": 60},
    ], handlers={"h": {"record": True}})
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert [r["signame"] for r in first if r["ev"] == "handler"] == ["SIGUSR2"]
    second, status, _, _, _ = server.run([
        {"call": "getsignal", "args": ["@SIGUSR1"]},
        {"call": "getsignal", "args": ["@SIGINT"]},
        {"call": "getsignal", "args": ["@SIGUSR2"]},
        {"call": "set_wakeup_fd", "args": [-1]},
    ])
    assert values(second) == [DFL, {"builtin": "default_int_handler"}, DFL, -1]
    assert not [r for r in second if r["ev"] == "handler"]


def test_a_real_signal_runs_the_python_handler(server):
    records, status, _, _, _ = server.run([
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"do": "parent_kill", "sig": "SIGUSR1"},
        {"do": "wait", "events": 1, "timeout": 60},
    ], handlers={"h": {"record": True}})
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert values(records)[2] == 1
    [event] = [r for r in records if r["ev"] == "handler"]
    assert event["signame"] == "SIGUSR1" and event["thread"] == "main"


def test_exit_status_and_standard_output(server):
    records, status, stdout, _, _ = server.run([
        {"do": "write_stdout", "text": "unflushed", "flush": False},
        {"do": "exit", "code": 3}])
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3
    assert stdout == "unflushed"


def test_an_uncaught_keyboard_interrupt_ends_the_process_by_sigint(server):
    records, status, _, stderr, _ = server.run([
        {"do": "kill", "sig": "@SIGINT", "uncaught": True}])
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT, status
    assert "KeyboardInterrupt" in stderr


def test_a_fatal_error_of_the_runtime_ends_the_process_by_sigabrt(server):
    records, status, _, stderr, _ = server.run([{"call": "raise_signal", "args": [65]}])
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT, status
    assert "the Pyodide runtime crashed" in stderr
    # The server is unharmed: the next case runs.
    records, status, _, _, _ = server.run([{"call": "getsignal", "args": ["@SIGUSR1"]}])
    assert values(records) == [DFL] and os.WEXITSTATUS(status) == 0


def test_time_counts_from_the_case_not_from_the_server(server):
    time.sleep(0.5)
    records, _, _, _, _ = server.run([])
    assert records[0]["t"] < 0.5


def test_a_request_without_descriptors_is_refused_and_the_server_goes_on(server):
    server.sock.send(json.dumps({"runner": os.getpid()}).encode())
    assert "error" in json.loads(server.sock.recv(4096).decode())
    records, status, _, _, _ = server.run([])
    assert records[-1]["ev"] == "done" and os.WEXITSTATUS(status) == 0
