"""Tests of the Python driver's fork-server (`driver.py serve`, spec/driver-protocol.md,
"Fork-server"): the test plays the runner's part (a child subreaper holding the other end of
the socket) and checks that each case's process is what a fresh `driver.py run` would be, as
far as a case can see: its parent, its group, its signal state, its exit status and output.
The whole catalog run both ways (scripts/isolation-check) is the wider proof.
"""

import array
import ctypes
import glob
import json
import os
import shutil
import signal
import socket
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "driver.py")
PR_SET_CHILD_SUBREAPER = 36
ENV = {"PATH": "/usr/bin:/bin", "SIGCONFORM_OBS_FD": "3", "SIGCONFORM_CASE_FD": "4"}


def _interpreters():
    pypy = shutil.which("pypy3") or ("/usr/bin/pypy3" if os.path.exists("/usr/bin/pypy3") else None)
    old = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.6*/bin/python3")))
    return [("cpython", "/usr/bin/python3", None),
            ("pypy3", pypy, "pypy3 is not installed"),
            ("cpython3.6", old[-1] if old else None, "no CPython 3.6 under ~/.pyenv")]


class Server(object):
    """A running `driver.py serve`, with this process as the runner."""

    def __init__(self, interp):
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.dup2(theirs.fileno(), 3)
                os.closerange(4, 1024)
                os.setpgid(0, 0)
                os.execve(interp, [interp, DRIVER, "serve"], ENV)
            finally:
                os._exit(127)
        theirs.close()
        # Its start-up ends with this message, before any request is read.
        assert json.loads(self.sock.recv(4096).decode()) == {"serving": True}

    def run(self, steps, handlers=None):
        """Runs one case; returns (records, wait status, stdout, stderr, pid)."""
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
        # The server's {"pid": P} and the process's {"ready": true}, in either order: a
        # process forked straight as the runner's child may answer before the server does.
        answers = [json.loads(self.sock.recv(4096).decode()) for _ in range(2)]
        answers.sort(key=lambda a: "ready" in a)
        assert answers[1] == {"ready": True}, answers
        pid = answers[0]["pid"]
        _, status = os.waitpid(pid, 0)  # the runner's own child: waitpid works
        outputs = []
        for fd in (obs_r, out_r, err_r):
            chunks = []
            while True:
                data = os.read(fd, 65536)
                if not data:
                    break
                chunks.append(data)
            os.close(fd)
            outputs.append(b"".join(chunks).decode())
        records = [json.loads(line) for line in outputs[0].splitlines()]
        return records, status, outputs[1], outputs[2], pid

    def close(self):
        self.sock.close()
        _, status = os.waitpid(self.pid, 0)
        return status


@pytest.fixture(params=[pytest.param(i, id=i[0]) for i in _interpreters()])
def server(request):
    name, path, reason = request.param
    if path is None:
        pytest.skip(reason)
    s = Server(path)
    yield s
    assert s.close() == 0  # the server ends at end-of-file, with status 0


DFL = {"enum": "Handlers", "name": "SIG_DFL", "value": 0}


def values(records):
    return [r.get("value") for r in records if r["ev"] == "step"]


def test_case_process_is_the_runners_child_and_leads_its_own_group(server):
    records, status, _, _, pid = server.run([{"do": "process_info"}])
    assert records[0]["ev"] == "start" and records[0]["isolation"] == "fork-server"
    assert records[-1]["ev"] == "done"
    assert values(records)[0] == {"tuple": [pid, os.getuid(), os.getpid()]}
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_case_process_starts_with_a_fresh_interpreters_signal_state(server):
    records, _, _, _, _ = server.run([
        {"call": "getsignal", "args": ["@SIGINT"]},
        {"call": "getsignal", "args": ["@SIGUSR1"]},
        {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", []]},
        {"call": "sigpending", "args": []},
        {"call": "set_wakeup_fd", "args": [-1]},
    ])
    assert values(records) == [{"builtin": "default_int_handler"}, DFL,
                               {"set": []}, {"set": []}, -1]


def test_state_one_case_changes_does_not_reach_the_next(server):
    server.run([{"call": "signal", "args": ["@SIGUSR1", "@SIG_IGN"]},
                {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", ["@SIGUSR2"]]}])
    records, _, _, _, _ = server.run([{"call": "getsignal", "args": ["@SIGUSR1"]},
                                      {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", []]}])
    assert values(records) == [DFL, {"set": []}]


def test_exit_code_and_buffered_stdout_survive_the_short_way_out(server):
    records, status, stdout, _, _ = server.run([
        {"do": "write_stdout", "text": "unflushed", "flush": False},
        {"do": "exit", "code": 3}])
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3
    assert stdout == "unflushed"


def test_an_uncaught_keyboard_interrupt_ends_the_process_by_sigint(server):
    records, status, _, stderr, _ = server.run([
        {"do": "kill", "sig": "@SIGINT", "uncaught": True}])
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGINT  # 3.8+
    else:
        assert os.WEXITSTATUS(status) == 1
    assert "KeyboardInterrupt" in stderr


def test_time_counts_from_the_case_not_from_the_server(server):
    time.sleep(0.5)
    records, _, _, _, _ = server.run([])
    assert records[0]["t"] < 0.5


def test_another_thread_can_signal_the_main_thread_by_its_ident(server):
    # pthread_kill from another thread names the main thread by the C library's record of it
    # (its kernel thread id), which a fork must leave right for the new process.
    records, status, _, _, _ = server.run([
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"do": "ident", "thread": "main", "bind": "main_id"},
        {"do": "thread", "name": "sender",
         "steps": [{"call": "pthread_kill", "args": ["$main_id", "@SIGUSR1"]}]},
        {"do": "join", "name": "sender", "timeout": 10},
        {"do": "wait", "events": 1, "timeout": 10}], handlers={"h": {"record": True}})
    steps = [r for r in records if r["ev"] == "step"]
    assert all(r["ok"] for r in steps), steps
    assert [(r["signame"], r["thread"]) for r in records if r["ev"] == "handler"] == \
        [("SIGUSR1", "main")], records
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
