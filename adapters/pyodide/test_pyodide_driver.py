"""Tests of the Pyodide driver (adapters/pyodide/driver.cjs) against spec/driver-protocol.md.

Each test starts the driver the way the runner does: a real Node.js process with the
observation pipe on descriptor 3 and the case program on descriptor 4, running the pinned
Pyodide that scripts/setup installs with `npm ci`. The caches (loader.cjs) live in
$SIGCONFORM_PYODIDE_CACHE when meson sets it, else in a directory of this test session.

Timing assertions are loose on purpose: they must hold on a machine whose cores are busy.
"""

import json
import os
import shutil
import signal
import subprocess
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "driver.cjs")
NODE = shutil.which("node") or "/usr/bin/node"

# Generous: the first start in a session makes the memory snapshot.
RUN_TIMEOUT = 300


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    if not os.path.isdir(os.path.join(HERE, "node_modules", "pyodide")):
        pytest.fail("the pinned pyodide package is not installed: run scripts/setup "
                    "(npm ci in adapters/pyodide)")
    return os.environ.get("SIGCONFORM_PYODIDE_CACHE") or str(tmp_path_factory.mktemp("cache"))


def _child_fds(obs_w, case_r):
    """In the child, before exec: the stream on 3 and the program on 4, as the runner does."""
    import fcntl
    high_obs = fcntl.fcntl(obs_w, fcntl.F_DUPFD, 10)
    high_case = fcntl.fcntl(case_r, fcntl.F_DUPFD, 10)
    os.dup2(high_obs, 3)
    os.dup2(high_case, 4)
    os.close(high_obs)
    os.close(high_case)


class Run(object):
    def __init__(self, records, returncode, stdout, stderr):
        self.records = records
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def steps(self):
        return dict((r["path"], r) for r in self.records if r["ev"] == "step")

    def value(self, path):
        rec = self.steps()[path]
        assert rec["ok"], "step %s raised %r" % (path, rec.get("exception"))
        return rec["value"]

    def exception(self, path):
        rec = self.steps()[path]
        assert not rec["ok"], "step %s returned %r" % (path, rec.get("value"))
        return rec["exception"]


def run_driver(cache_dir, command, program=None, broken_stdout=False):
    """Runs `node driver.cjs --cache DIR COMMAND` as the runner does and collects the records.
    A `request` record is answered the way the runner answers it: by sending that signal."""
    obs_r, obs_w = os.pipe()
    case_r, case_w = os.pipe()
    stdout = subprocess.PIPE
    if broken_stdout:
        dead_r, stdout = os.pipe()
        os.close(dead_r)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
           "SIGCONFORM_OBS_FD": "3"}
    if program is not None:
        env["SIGCONFORM_CASE_FD"] = "4"
    try:
        proc = subprocess.Popen([NODE, DRIVER, "--cache", cache_dir, command],
                                stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                                env=env, pass_fds=(3, 4), start_new_session=True,
                                preexec_fn=lambda: _child_fds(obs_w, case_r))
    finally:
        os.close(obs_w)
        os.close(case_r)
        if broken_stdout:
            os.close(stdout)
    with os.fdopen(case_w, "wb") as f:
        if program is not None:
            f.write(json.dumps(program).encode())
    lines = []
    reader = threading.Thread(target=_answer_requests, args=(obs_r, proc, lines))
    reader.start()
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    reader.join(RUN_TIMEOUT)
    os.close(obs_r)
    return Run([json.loads(line) for line in lines], proc.returncode, out, err)


def _answer_requests(fd, proc, lines):
    pending = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            assert pending == b"", "the stream must end on a whole record"
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            lines.append(line.decode("utf-8"))
            record = json.loads(lines[-1])
            if record["ev"] == "request" and record["op"] == "kill":
                os.kill(proc.pid, getattr(signal, record["sig"]))


def run_case(cache_dir, steps, handlers=None, **kwargs):
    program = {"protocol": 1, "case": "test/case", "steps": steps}
    if handlers is not None:
        program["handlers"] = handlers
    return run_driver(cache_dir, "run", program, **kwargs)


# ---------------------------------------------------------------------------------------------

def test_describe_says_emscripten_and_lists_only_what_works_there(cache_dir):
    run = run_driver(cache_dir, "describe")
    assert run.returncode == 0, run.stderr
    assert run.stdout == b"" and run.stderr == b""
    [rec] = run.records
    assert rec["ev"] == "describe" and rec["protocol"] == 1
    assert rec["platform"] == "emscripten" and rec["kernel"] is None
    assert rec["machine"] == "wasm32"
    assert rec["runtime"].startswith("pyodide 0.29.")
    assert rec["language_version"].startswith("3.13.")
    assert rec["executable"].endswith("driver.cjs")
    assert {"signal", "raise_signal", "SIGUSR1", "Signals"} <= set(rec["names"])
    # No thread can start and no process can be spawned on Emscripten; socket pairs fail.
    assert {"thread", "join", "wait_blocked", "spawn", "waitpid", "socketpair"}.isdisjoint(
        rec["operations"])
    assert {"call", "kill", "parent_kill", "pipe", "wait", "fill", "exit"} <= set(rec["operations"])


def test_each_case_starts_from_the_snapshot_of_a_fresh_interpreter(cache_dir):
    first = run_case(cache_dir, [
        {"call": "signal", "args": ["@SIGUSR1", "@SIG_IGN"]},
        {"call": "getsignal", "args": ["@SIGUSR1"]},
    ])
    second = run_case(cache_dir, [{"call": "getsignal", "args": ["@SIGUSR1"]}])
    for run in (first, second):
        assert run.returncode == 0, run.stderr
        assert run.records[0] == dict(run.records[0], ev="start", isolation="snapshot-restore")
        assert run.records[-1]["ev"] == "done"
    assert first.value("1")["name"] == "SIG_IGN"
    # Nothing of the first case is left in the second.
    assert second.value("0")["name"] == "SIG_DFL"


def test_a_real_signal_from_the_parent_runs_the_python_handler(cache_dir):
    run = run_case(cache_dir, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"do": "parent_kill", "sig": "SIGUSR1"},
        {"do": "wait", "events": 1, "timeout": 60},
    ], handlers={"h": {"record": True}})
    assert run.returncode == 0, run.stderr
    assert run.value("2") == 1
    [event] = [r for r in run.records if r["ev"] == "handler"]
    assert event["signame"] == "SIGUSR1" and event["thread"] == "main"


def test_the_exit_step_is_recorded_and_gives_the_status(cache_dir):
    run = run_case(cache_dir, [{"do": "exit", "code": 3}, {"do": "check"}])
    assert run.returncode == 3
    assert list(run.steps()) == ["0"]
    assert "done" not in [r["ev"] for r in run.records]


def test_standard_output_is_the_real_descriptor(cache_dir):
    run = run_case(cache_dir, [{"do": "write_stdout", "text": "hello\n"}])
    assert run.returncode == 0, run.stderr
    assert run.stdout == b"hello\n"


def test_a_broken_standard_output_raises_broken_pipe_error(cache_dir):
    run = run_case(cache_dir, [{"do": "write_stdout", "text": "x" * 10}], broken_stdout=True)
    exc = run.exception("0")
    assert exc["type"] == "BrokenPipeError" and exc["errno"] == "EPIPE"


def test_fill_stops_at_its_bound_on_a_pipe_that_never_fills(cache_dir):
    run = run_case(cache_dir, [
        {"do": "pipe", "bind": ["r", "w"]},
        {"do": "set_blocking", "fd": "$w", "blocking": False},
        {"do": "fill", "fd": "$w"},
    ])
    assert run.returncode == 0, run.stderr
    assert run.exception("2")["type"] == "FillLimitExceeded"


def test_a_fatal_error_of_the_runtime_ends_the_process_by_sigabrt(cache_dir):
    # raise_signal(NSIG) makes Pyodide 0.29 call through a null function pointer: the runtime
    # crashes, which the host reports the way a native crash is seen, by SIGABRT.
    run = run_case(cache_dir, [{"call": "raise_signal", "args": [65]}, {"do": "check"}])
    assert run.returncode == -signal.SIGABRT, (run.returncode, run.stderr)
    assert b"Pyodide has suffered a fatal error" in run.stderr
    assert b"the Pyodide runtime crashed" in run.stderr
    assert [r["ev"] for r in run.records] == ["start"]


def test_the_runner_scores_a_fatal_error_of_the_runtime_as_a_crash(cache_dir, tmp_path):
    runner = os.environ.get("SIGCONFORM_BIN")
    if runner is None:
        pytest.skip("SIGCONFORM_BIN is set by meson: the runner under test")
    case = "sending/raise-signal-beyond-nsig-raises-einval"
    report = tmp_path / "report.json"
    proc = subprocess.run([runner, "run", "-q", "--impl", "pyodide", "--filter", case,
                           "--json", str(report)], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=RUN_TIMEOUT)
    assert proc.returncode == 1, proc.stderr
    [result] = [r for r in json.load(open(report))["results"] if r["case"] == case]
    assert result["status"] == "crash", result


def test_process_info_reports_the_runtimes_own_ids(cache_dir):
    run = run_case(cache_dir, [{"do": "process_info"}])
    pid, uid, ppid = run.value("0")["tuple"]
    # Emscripten's process table: the process is 42, whatever the real one is.
    assert (pid, ppid) == (42, 1)


def test_prepare_makes_the_caches_and_exits(cache_dir):
    proc = subprocess.run([NODE, DRIVER, "--cache", cache_dir, "prepare"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"" and proc.stderr == b""
    made = [name for _, _, names in os.walk(cache_dir) for name in names]
    assert "snapshot.bin" in made and "pyodide.asm.js.v8cache" in made


def test_usage_errors_are_one_sentence_and_status_2(cache_dir):
    proc = subprocess.run([NODE, DRIVER, "fly"], stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=RUN_TIMEOUT)
    assert proc.returncode == 2
    assert proc.stderr.startswith(b"sigconform pyodide driver: usage:")
    assert proc.stderr.count(b"\n") == 1
