"""Tests of the Python driver (adapters/python/driver.py) against spec/driver-protocol.md.

Most tests run the driver as the runner does: a real subprocess with the observation pipe on
descriptor 3 and the case program on descriptor 4, for every interpreter found here (Debian's
CPython always; PyPy and an old CPython 3.6 when installed). A few test the stream and the
encoder in-process, where a race can be staged deterministically.

Timing assertions are deliberately loose: these tests must hold on a machine whose cores are
all busy.
"""

import collections
import glob
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "driver.py")
ROOT = os.path.dirname(os.path.dirname(HERE))

# Generous: a loaded two-core machine can take seconds to start PyPy.
RUN_TIMEOUT = 120


def _interpreters():
    """(id, path or None, reason when absent) for each interpreter the driver must support."""
    pypy = shutil.which("pypy3") or ("/usr/bin/pypy3" if os.path.exists("/usr/bin/pypy3") else None)
    old = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.6*/bin/python3")))
    return [
        ("cpython", "/usr/bin/python3", None),
        ("pypy3", pypy, "pypy3 is not installed"),
        ("cpython3.6", old[-1] if old else None, "no CPython 3.6 under ~/.pyenv"),
    ]


@pytest.fixture(params=[pytest.param(i, id=i[0]) for i in _interpreters()])
def interp(request):
    name, path, reason = request.param
    if path is None:
        pytest.skip(reason)
    return path


# ---------------------------------------------------------------------------------------------
# Running the driver as the runner does
# ---------------------------------------------------------------------------------------------

Run = collections.namedtuple("Run", "records returncode stdout stderr pid")


def _child_fds(obs_w, case_r, rlimits=None):
    """In the child, before exec: put the stream on 3 and the program on 4, as the runner does.
    Both are first moved above 10 so that neither dup2 can clobber the other. RLIMITS maps
    resource.RLIMIT_* numbers to soft limits for the child alone."""
    import fcntl
    import resource
    for resource_number, soft in (rlimits or {}).items():
        resource.setrlimit(resource_number, (soft, resource.getrlimit(resource_number)[1]))
    high_obs = fcntl.fcntl(obs_w, fcntl.F_DUPFD, 10)
    high_case = fcntl.fcntl(case_r, fcntl.F_DUPFD, 10)
    os.dup2(high_obs, 3)
    os.dup2(high_case, 4)
    os.close(high_obs)
    os.close(high_case)


# Runs the driver as __main__ in an interpreter where the modules named in argv[1] (comma
# separated) cannot be imported: a runtime built without them.
WITHOUT_MODULES = (
    "import runpy, sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    sys.modules[name] = None  # import raises ImportError\n"
    "sys.argv = sys.argv[2:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n")


def run_driver(interp, args, program=None, broken_stdout=False, without=(), rlimits=None):
    """Start `interp driver.py ARGS`, hand it PROGRAM on fd 4, collect the records from fd 3.
    With BROKEN_STDOUT, standard output is a pipe whose reader is gone, as the runner's
    `"stdout": "broken"` leaves it. WITHOUT names modules the interpreter must lack. RLIMITS
    (resource.RLIMIT_* -> soft limit) apply to the driver alone."""
    obs_r, obs_w = os.pipe()
    case_r, case_w = os.pipe()
    stdout = subprocess.PIPE
    if broken_stdout:
        dead_r, stdout = os.pipe()
        os.close(dead_r)
    # A controlled environment, as the runner gives: PYTHONUNBUFFERED (set in some shells)
    # changes what a case observes of standard output.
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PYTHON"))
    # Never write bytecode caches: a driver under a small RLIMIT_FSIZE, run as root, once left
    # truncated .pyc files in the system's own standard library (CPython does not check the
    # length of the write), breaking every later `import` of those modules.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["SIGCONFORM_OBS_FD"] = "3"
    if program is not None:
        env["SIGCONFORM_CASE_FD"] = "4"
    try:
        proc = subprocess.Popen(
            [interp] + (["-c", WITHOUT_MODULES, ",".join(without)] if without else []) +
            [DRIVER] + args, stdin=subprocess.DEVNULL, stdout=stdout,
            stderr=subprocess.PIPE, env=env, pass_fds=(3, 4),
            preexec_fn=lambda: _child_fds(obs_w, case_r, rlimits))
    finally:
        os.close(obs_w)
        os.close(case_r)
        if broken_stdout:
            os.close(stdout)
    chunks = []
    reader = threading.Thread(target=_read_all, args=(obs_r, chunks))
    reader.start()
    with os.fdopen(case_w, "wb") as f:
        if program is not None:
            f.write(json.dumps(program).encode())
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    reader.join(RUN_TIMEOUT)
    os.close(obs_r)
    data = b"".join(chunks)
    assert data == b"" or data.endswith(b"\n"), "the stream must end on a whole record"
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    return Run(records, proc.returncode, out, err, proc.pid)


def _read_all(fd, chunks):
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        chunks.append(chunk)


def run_case(interp, steps, handlers=None, case="test/case", broken_stdout=False, without=()):
    program = {"protocol": 1, "case": case, "steps": steps}
    if handlers is not None:
        program["handlers"] = handlers
    return run_driver(interp, ["run"], program, broken_stdout=broken_stdout, without=without)


def step_records(run):
    return dict((r["path"], r) for r in run.records if r["ev"] == "step")


def value_of(run, path):
    rec = step_records(run)[path]
    assert rec["ok"], "step %s raised %r" % (path, rec.get("exception"))
    return rec["value"]


def exception_of(run, path):
    rec = step_records(run)[path]
    assert not rec["ok"], "step %s returned %r" % (path, rec.get("value"))
    return rec["exception"]


def ask(interp, code):
    """Evaluate a Python expression in INTERP (what the driver should have reported)."""
    return json.loads(subprocess.check_output([interp, "-c", "import json, os, signal, sys; "
                                               "print(json.dumps(%s))" % code]))


def sig(name, value):
    return {"enum": "Signals", "name": name, "value": value}


# ---------------------------------------------------------------------------------------------
# describe
# ---------------------------------------------------------------------------------------------

def _spec_actions():
    """Every step action of the case language, read from its schema: the driver must support
    them all, and a new action in the spec fails this test until the driver has it."""
    with open(os.path.join(ROOT, "spec", "case.schema.json")) as f:
        schema = json.load(f)
    actions = ["call"]
    for variant in schema["$defs"]["action"]["oneOf"]:
        do = variant["properties"]["do"]
        actions += do["enum"] if "enum" in do else [do["const"]]
    return actions


ALL_ACTIONS = _spec_actions()

# The case language's features that are not actions, as describe lists them.
FEATURES = ["uncaught", "handler_method", "handler_object", "handler_arity", "parent_kill_once_blocked"]


def test_describe_reports_the_interpreter(interp):
    run = run_driver(interp, ["describe"])
    assert run.returncode == 0
    assert run.stdout == b"" and run.stderr == b""
    [rec] = run.records
    truth = ask(interp, "[sys.implementation.name, list(sys.version_info[:3]), os.uname().release,"
                        " os.uname().machine, sys.executable,"
                        " sorted(n for n in dir(signal) if not n.startswith('_')),"
                        " hasattr(os, 'pidfd_open'), hasattr(sys, 'addaudithook')]")
    assert rec["ev"] == "describe" and rec["protocol"] == 1
    assert rec["implementation"] == truth[0]
    assert rec["language_version"] == "%d.%d.%d" % tuple(truth[1])
    assert rec["platform"] == "linux"
    assert rec["kernel"] == truth[2]
    assert rec["machine"] == truth[3]
    assert rec["executable"] == truth[4]
    assert rec["names"] == truth[5]
    assert {"SIGINT", "signal", "Signals", "ItimerError"} <= set(rec["names"])
    # Every action works on Linux, except those whose function this interpreter lacks; every
    # feature of the language that is not an action is listed too.
    lacking = set()
    if not truth[6]:
        lacking.add("pidfd_open")
    if not truth[7]:
        lacking.add("audit_hook")
    assert sorted(rec["operations"]) == sorted((set(ALL_ACTIONS) - lacking) | set(FEATURES))
    assert isinstance(rec["t"], float) and rec["t"] >= 0


def test_python_2_is_refused_with_a_sentence():
    old = os.path.expanduser("~/.pyenv/versions/2.7.18/bin/python")
    if not os.path.exists(old):
        pytest.skip("no Python 2.7 under ~/.pyenv")
    for args in (["describe"], ["run"]):
        run = run_driver(old, args)
        assert run.returncode == 2 and run.records == [] and run.stdout == b""
        assert run.stderr.startswith(b"sigconform driver: Python 2.7.18 is not supported: "
                                     b"the driver needs Python 3.6 or later")
        assert b"Traceback" not in run.stderr


OPTIONAL_MODULES = ("_thread", "threading", "socket", "subprocess", "selectors")


def test_describe_leaves_out_what_a_runtime_without_optional_modules_cannot_do(interp):
    run = run_driver(interp, ["describe"], without=OPTIONAL_MODULES)
    assert run.returncode == 0, run.stderr
    [rec] = run.records
    cannot = {"thread", "join", "ident", "socketpair", "spawn", "waitpid", "select"}
    assert cannot.isdisjoint(rec["operations"])
    assert {"call", "kill", "pipe", "wait", "parent_kill", "fill"} <= set(rec["operations"])


def test_cases_run_on_a_runtime_without_optional_modules(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"do": "kill", "sig": "@SIGUSR1"},
        {"do": "wait", "events": 1, "timeout": 30},
        {"do": "pipe", "bind": ["r", "w"]},
        {"do": "socketpair"},
    ], handlers={"h": {"record": True}}, without=OPTIONAL_MODULES)
    assert run.returncode == 0, run.stderr
    assert [r["thread"] for r in run.records if r["ev"] == "handler"] == ["main"]
    assert value_of(run, "2") == 1
    # Only the step that needs the missing module fails, with its ImportError.
    assert "ImportError" in exception_of(run, "4")["mro"]
    assert run.records[-1]["ev"] == "done"


# ---------------------------------------------------------------------------------------------
# run: the stream's framing
# ---------------------------------------------------------------------------------------------

def test_start_first_done_last_and_stdout_untouched(interp):
    run = run_case(interp, [{"do": "check"}, {"call": "getsignal", "args": ["@SIGUSR1"]},
                            {"do": "pipe"}], case="framing/start-done")
    assert run.returncode == 0
    assert run.stdout == b"" and run.stderr == b""
    evs = [r["ev"] for r in run.records]
    assert evs == ["start", "step", "step", "step", "done"]
    assert run.records[0] == dict(run.records[0], protocol=1, case="framing/start-done")
    for r in run.records:
        assert isinstance(r["t"], float)
    for r in run.records[1:4]:
        assert r["thread"] == "main" and r["t0"] <= r["t1"]
    assert [r["path"] for r in run.records[1:4]] == ["0", "1", "2"]


def test_write_stdout_goes_through_python_stdout(interp):
    run = run_case(interp, [{"do": "write_stdout", "text": "hello "},
                            {"do": "write_stdout", "text": "world", "flush": False}])
    assert run.returncode == 0
    assert run.stdout == b"hello world"  # the unflushed part is flushed by Python at exit
    assert value_of(run, "0") is None


def test_unflushed_stdout_is_lost_when_the_process_is_killed(interp):
    # Proves the text sits in Python's own buffer: a driver that wrote to fd 1 directly
    # would leave it in the pipe.
    run = run_case(interp, [{"do": "write_stdout", "text": "lost", "flush": False},
                            {"do": "kill", "sig": "@SIGKILL"}])
    assert run.returncode == -signal.SIGKILL
    assert run.stdout == b""
    assert [r["ev"] for r in run.records] == ["start", "step"]


def test_broken_stdout_raises_broken_pipe_error_in_the_step(interp):
    run = run_case(interp, [{"do": "write_stdout", "text": "x" * 10, "flush": True},
                            {"do": "check"}], broken_stdout=True)
    exc = exception_of(run, "0")
    assert exc["type"] == "BrokenPipeError" and exc["errno"] == "EPIPE"
    assert value_of(run, "1") is None
    assert run.records[-1]["ev"] == "done"


def test_exit_step_is_recorded_before_the_exit(interp):
    run = run_case(interp, [{"do": "write_stdout", "text": "bye", "flush": False},
                            {"do": "exit", "code": 7},
                            {"do": "check"}])
    assert run.returncode == 7
    assert run.stdout == b"bye"
    assert [r["ev"] for r in run.records] == ["start", "step", "step"]
    assert run.records[-1]["path"] == "1" and run.records[-1]["ok"] is True


def test_parent_kill_emits_a_request(interp):
    run = run_case(interp, [{"do": "parent_kill", "sig": "SIGUSR2"}])
    req = [r for r in run.records if r["ev"] == "request"]
    assert len(req) == 1
    assert req[0]["op"] == "kill" and req[0]["sig"] == "SIGUSR2"
    # The request precedes the step's own record.
    evs = [r["ev"] for r in run.records]
    assert evs.index("request") < evs.index("step")
    assert value_of(run, "0") is None


def test_parent_kill_with_queue_says_so_in_the_request(interp):
    run = run_case(interp, [{"do": "parent_kill", "sig": "SIGUSR2", "queue": True}])
    [req] = [r for r in run.records if r["ev"] == "request"]
    assert req["op"] == "kill" and req["sig"] == "SIGUSR2" and req["queue"] is True


def test_parent_kill_once_blocked_is_passed_on_alone(interp):
    run = run_case(interp, [{"do": "parent_kill", "sig": "SIGUSR2", "once_blocked": True}])
    [req] = [r for r in run.records if r["ev"] == "request"]
    assert req["once_blocked"] is True and "queue" not in req
    [rec] = run_driver(interp, ["describe"]).records
    assert "parent_kill_once_blocked" in rec["operations"]


def test_process_info_is_pid_uid_ppid(interp):
    run = run_case(interp, [{"do": "process_info"}])
    assert value_of(run, "0") == {"tuple": [run.pid, os.getuid(), os.getpid()]}


def test_audit_hook_records_the_named_events_only(interp):
    run = run_case(interp, [
        {"do": "audit_hook", "events": ["signal.pthread_kill"]},
        {"do": "ident", "thread": "main", "bind": "me"},
        {"call": "pthread_kill", "args": ["$me", 0]},
        {"call": "getsignal", "args": ["@SIGUSR1"]},
    ])
    if not ask(interp, "hasattr(sys, 'addaudithook')"):
        assert exception_of(run, "0")["type"] == "AttributeError"
        return
    # Whether this interpreter raises the event at all (PyPy 7.3.11 does not): the driver only
    # reports what the interpreter's hooks see.
    raises_it = ask(interp, "(lambda seen, threading: (sys.addaudithook(lambda e, a: "
                            "seen.append(e)), signal.pthread_kill(threading.get_ident(), 0), "
                            "'signal.pthread_kill' in seen)[-1])([], __import__('threading'))")
    audits = [r for r in run.records if r["ev"] == "audit"]
    if not raises_it:
        assert audits == []
        return
    assert [(a["event"], a["args"], a["thread"]) for a in audits] == [
        ("signal.pthread_kill", {"tuple": [value_of(run, "1"), 0]}, "main")]
    evs = [r["ev"] for r in run.records]
    assert evs.index("audit") < [i for i, r in enumerate(run.records)
                                 if r.get("path") == "2"][0]


def test_spawn_waitpid_and_pidfd_open(interp):
    run = run_case(interp, [
        {"do": "spawn", "argv": ["sleep", "3"], "bind": "child"},
        {"do": "waitpid", "pid": "$child", "timeout": 0.05},
        {"do": "pidfd_open", "pid": "$child", "bind": "fd"},
        {"call": "pidfd_send_signal", "args": ["$fd", "@SIGTERM"]},
        {"do": "waitpid", "pid": "$child", "timeout": 30},
        {"do": "spawn", "argv": ["true"], "bind": "ok"},
        {"do": "waitpid", "pid": "$ok", "timeout": 30},
        {"do": "waitpid", "pid": 1, "timeout": 1},
    ])
    assert isinstance(value_of(run, "0"), int)
    assert value_of(run, "1") is None  # still running
    assert value_of(run, "6") == {"tuple": ["exited", 0]}
    assert exception_of(run, "7")["errno"] == "ECHILD"
    if ask(interp, "hasattr(os, 'pidfd_open') and hasattr(signal, 'pidfd_send_signal')"):
        assert value_of(run, "4") == {"tuple": ["signaled", sig("SIGTERM", 15)]}
    else:
        assert exception_of(run, "2")["type"] == "AttributeError"
        assert value_of(run, "4") == {"tuple": ["exited", 0]}  # the sleep ran to its end


def test_unknown_action_is_not_implemented_and_the_case_goes_on(interp):
    run = run_case(interp, [{"do": "teleport"}, {"do": "check"}])
    exc = exception_of(run, "0")
    assert exc["type"] == "NotImplementedError"
    assert "teleport" in exc["message"]
    assert value_of(run, "1") is None
    assert run.records[-1]["ev"] == "done"


# ---------------------------------------------------------------------------------------------
# Value encoding
# ---------------------------------------------------------------------------------------------

def test_value_encoding_of_module_results(interp):
    run = run_case(interp, [
        {"call": "Signals", "args": [2]},                                         # 0 enum
        {"call": "alarm", "args": [0]},                                           # 1 int
        {"call": "siginterrupt", "args": ["@SIGUSR1", False]},                    # 2 None
        {"call": "pthread_sigmask", "args": ["@SIG_BLOCK",
                                             {"set": ["@SIGUSR2", "@SIGHUP", "@SIGRTMAX"]}]},  # 3
        {"call": "pthread_sigmask", "args": ["@SIG_SETMASK", {"set": []}]},       # 4 set
        {"call": "getsignal", "args": ["@SIGUSR1"]},                              # 5 Handlers
        {"call": "getsignal", "args": ["@SIGINT"]},                               # 6 builtin
        {"call": "setitimer", "args": ["@ITIMER_REAL", {"float": 100}]},          # 7 tuple
        {"call": "getitimer", "args": ["@ITIMER_REAL"]},                          # 8 tuple
        {"call": "setitimer", "args": ["@ITIMER_REAL", 0]},                       # 9
        {"do": "pipe", "bind": ["r", "w"]},                                       # 10
        {"do": "write", "fd": "$w", "data": {"bytes": "00ff41"}},                 # 11 int
        {"do": "read", "fd": "$r", "size": 10},                                   # 12 bytes
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},               # 13
        {"call": "getsignal", "args": ["@SIGUSR1"]},                              # 14 handler
        {"call": "Sigmasks", "args": ["@SIG_UNBLOCK"]},                           # 15 enum
        {"call": "valid_signals"},                                                # 16 set
        {"call": "strsignal", "args": ["@SIGINT"]},                               # 17 str
    ], handlers={"h": {}})
    assert value_of(run, "0") == sig("SIGINT", 2)
    assert value_of(run, "1") == 0
    assert value_of(run, "2") is None
    assert value_of(run, "3") == {"set": []}
    # Sorted by value: a set of {1, 12, 64} iterates as 64, 1, 12 in CPython.
    assert value_of(run, "4") == {"set": [sig("SIGHUP", 1), sig("SIGUSR2", 12),
                                          sig("SIGRTMAX", signal.SIGRTMAX)]}
    assert value_of(run, "5") == {"enum": "Handlers", "name": "SIG_DFL", "value": 0}
    assert value_of(run, "6") == {"builtin": "default_int_handler"}
    assert value_of(run, "7") == {"tuple": [{"float": 0.0}, {"float": 0.0}]}
    remaining = value_of(run, "8")["tuple"]
    assert list(remaining[0]) == ["float"] and 0 < remaining[0]["float"] <= 100
    assert remaining[1] == {"float": 0.0}
    assert value_of(run, "10")["tuple"][0] != value_of(run, "10")["tuple"][1]
    assert all(type(fd) is int for fd in value_of(run, "10")["tuple"])
    assert value_of(run, "11") == 3
    assert value_of(run, "12") == {"bytes": "00ff41"}
    assert value_of(run, "14") == {"handler": "h"}
    assert value_of(run, "15") == {"enum": "Sigmasks", "name": "SIG_UNBLOCK", "value": 1}
    names = ask(interp, "dir(signal)")
    if "valid_signals" in names:  # new in 3.8
        valid = value_of(run, "16")["set"]
        assert sig("SIGINT", 2) in valid
        ints = [v if isinstance(v, int) else v["value"] for v in valid]
        assert ints == sorted(ints)
    if "strsignal" in names:  # new in 3.8
        assert value_of(run, "17") == ask(interp, "signal.strsignal(signal.SIGINT)")
    else:
        assert exception_of(run, "17")["type"] == "AttributeError"


def test_struct_siginfo_keeps_its_field_names(interp):
    run = run_case(interp, [
        {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", {"set": ["@SIGUSR1"]}]},
        {"do": "kill", "sig": "@SIGUSR1"},
        {"call": "sigwaitinfo", "args": [{"set": ["@SIGUSR1"]}]},
    ])
    if "sigwaitinfo" not in ask(interp, "dir(signal)"):
        # PyPy 3.9 has no sigwaitinfo: the driver must say so, not fail.
        exc = exception_of(run, "2")
        assert exc["type"] == "AttributeError" and "sigwaitinfo" in exc["message"]
        return
    info = value_of(run, "2")
    assert info["struct"] == "struct_siginfo"
    fields = info["fields"]
    assert sorted(fields) == sorted(["si_signo", "si_code", "si_errno", "si_pid", "si_uid",
                                     "si_status", "si_band"])
    assert fields["si_signo"] == 10  # a plain int here, not a Signals member
    assert fields["si_pid"] == run.pid
    assert fields["si_uid"] == os.getuid()


def test_arguments_literals_bindings_and_escapes(interp):
    run = run_case(interp, [
        {"call": "Signals", "args": ["@@SIGINT"]},                  # 0 the literal "@SIGINT"
        {"call": "Signals", "args": ["$$x"]},                       # 1 the literal "$x"
        {"call": "Signals", "args": ["$nothing"]},                  # 2 unbound
        {"call": "getsignal", "args": ["@SIGNOPE"]},                # 3 no such attribute
        {"call": "alarm", "args": [0], "bind": "zero"},             # 4
        {"call": "Signals", "args": ["$zero"]},                     # 5 Signals(0) is invalid
        {"call": "Signals", "args": [{"tuple": [1]}], "bind": "t"},  # 6 raises: t unbound
        {"call": "alarm", "args": ["$t"]},                          # 7
        {"do": "socketpair", "bind": ["a", "b"]},                   # 8
        {"do": "write", "fd": "$a", "data": {"bytes": "68"}},       # 9
        {"do": "read", "fd": "$b", "size": 1},                      # 10
        {"do": "close", "fd": "$a"},                                # 11
        {"do": "read", "fd": "$b", "size": 1},                      # 12 EOF once a is closed
        {"do": "set_blocking", "fd": "$b", "blocking": False},      # 13
        {"do": "read", "fd": "$a", "size": 1},                      # 14 EBADF
        {"call": "setitimer", "args": ["@ITIMER_REAL", {"float": "inf"}]},  # 15
    ])
    assert "'@SIGINT'" in exception_of(run, "0")["message"]
    assert "'$x'" in exception_of(run, "1")["message"]
    assert exception_of(run, "2")["type"] == "NameError"
    assert "nothing" in exception_of(run, "2")["message"]
    assert exception_of(run, "3")["type"] == "AttributeError"
    assert "SIGNOPE" in exception_of(run, "3")["message"]
    assert exception_of(run, "5")["type"] == "ValueError"
    assert exception_of(run, "7")["type"] == "NameError"
    assert value_of(run, "10") == {"bytes": "68"}
    assert value_of(run, "12") == {"bytes": ""}
    assert value_of(run, "13") is None
    ebadf = exception_of(run, "14")
    assert ebadf["errno"] == "EBADF" and ebadf["mro"][0] == "OSError"
    # An infinite float reaches the module (which refuses it one way or another).
    assert not step_records(run)["15"]["ok"]


# ---------------------------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------------------------

def test_itimer_error_is_an_oserror_with_errno(interp):
    run = run_case(interp, [{"call": "setitimer", "args": ["@ITIMER_REAL", -1]}])
    exc = exception_of(run, "0")
    # CPython 3.10+ names the class "itimer_error"; the driver reports the documented name,
    # the one the signal module exports it under.
    assert exc["type"] == "ItimerError"
    assert exc["mro"] == ["ItimerError", "OSError", "Exception", "BaseException"]
    assert exc["errno"] == "EINVAL"
    assert "Invalid argument" in exc["message"]


def test_stdout_to_devnull_quiets_the_second_broken_pipe(interp):
    # The documentation's pattern: after BrokenPipeError on stdout, point it at /dev/null so
    # that the flush at exit does not fail again.
    run = run_case(interp, [{"do": "write_stdout", "text": "y\n"},
                            {"do": "stdout_to_devnull"},
                            {"do": "exit", "code": 1}], broken_stdout=True)
    assert exception_of(run, "0")["type"] == "BrokenPipeError"
    assert run.returncode == 1
    assert b"BrokenPipeError" not in run.stderr


def test_keyboard_interrupt_is_not_an_exception(interp):
    run = run_case(interp, [{"do": "kill", "sig": "@SIGINT"}, {"do": "check"}])
    exc = exception_of(run, "0")
    assert exc["type"] == "KeyboardInterrupt"
    assert exc["mro"] == ["KeyboardInterrupt", "BaseException"]
    assert "Exception" not in exc["mro"]
    assert exc["errno"] is None
    assert run.records[-1]["ev"] == "done" and run.returncode == 0


# ---------------------------------------------------------------------------------------------
# Handlers, threads, waiting
# ---------------------------------------------------------------------------------------------

def handler_records(run):
    return [r for r in run.records if r["ev"] == "handler"]


def test_handler_runs_in_main_even_when_a_case_thread_sends(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},   # 0
        {"do": "ident", "thread": "main", "bind": "main"},            # 1
        {"do": "thread", "name": "worker", "steps": [                 # 2
            {"do": "ident", "thread": "worker"},                      # 2.0
            {"call": "pthread_kill", "args": ["$main", "@SIGUSR1"]},  # 2.1
        ]},
        {"do": "wait", "events": 1, "timeout": 60},                   # 3
        {"do": "join", "name": "worker", "timeout": 60},              # 4
    ], handlers={"h": {"record": True}})
    assert value_of(run, "3") == 1
    assert value_of(run, "4") is True
    [ev] = handler_records(run)
    assert ev["handler"] == "h" and ev["signum"] == 10 and ev["signame"] == "SIGUSR1"
    assert ev["thread"] == "main" and ev["frame"] == "frame"
    steps = step_records(run)
    assert steps["2.0"]["thread"] == "worker" and steps["2.1"]["thread"] == "worker"
    assert steps["2.1"]["ok"]
    assert type(steps["1"]["value"]) is int and steps["2.0"]["value"] != steps["1"]["value"]


def test_raising_handler_is_attributed_to_the_kill_step(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "boom"}]},
        {"do": "kill", "sig": "@SIGUSR1"},
        {"do": "check"},
    ], handlers={"boom": {"raise": "ValueError"}})
    exc = exception_of(run, "1")
    assert exc["type"] == "ValueError" and "boom" in exc["message"]
    assert value_of(run, "2") is None
    assert [r["ev"] for r in run.records if r["ev"] == "stray"] == []
    assert len(handler_records(run)) == 1  # record defaults to true


def _version(interp):
    return tuple(ask(interp, "list(sys.version_info[:2])"))


def test_uncaught_keyboard_interrupt_ends_the_process_as_python_does(interp):
    # The handler is default_int_handler: the kill step raises KeyboardInterrupt, which the
    # step lets escape. CPython 3.8+ then dies by SIGINT; older versions exit with status 1.
    run = run_case(interp, [{"do": "check"},
                            {"do": "kill", "sig": "@SIGINT", "uncaught": True}])
    assert exception_of(run, "1")["type"] == "KeyboardInterrupt"
    assert "done" not in [r["ev"] for r in run.records]
    assert b"KeyboardInterrupt" in run.stderr
    if _version(interp) >= (3, 8):
        assert run.returncode == -signal.SIGINT
    else:
        assert run.returncode == 1


def test_uncaught_exception_exits_1_and_a_step_that_returns_goes_on(interp):
    run = run_case(interp, [{"call": "signal", "args": [4242, "@SIG_IGN"], "uncaught": True}])
    assert exception_of(run, "0")["type"] == "ValueError"
    assert run.returncode == 1 and b"ValueError" in run.stderr
    run = run_case(interp, [{"call": "getsignal", "args": ["@SIGUSR1"], "uncaught": True}])
    assert run.returncode == 0 and run.records[-1]["ev"] == "done"


def test_forked_child_reports_on_the_same_stream_under_its_name(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", ["@SIGUSR2"]]},
        {"do": "fork", "name": "kid", "bind": "pid", "steps": [
            {"call": "getsignal", "args": ["@SIGUSR1"]},
            {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", []]},
            {"do": "kill", "sig": "@SIGUSR1"},
            {"do": "exit", "code": 7}]},
        {"do": "waitpid", "pid": "$pid", "timeout": 60}],
        handlers={"h": {}})
    steps = step_records(run)
    assert steps["2.0"]["thread"] == "kid" and steps["2.0"]["value"] == {"handler": "h"}
    assert steps["2.1"]["value"] == {"set": [sig("SIGUSR2", signal.SIGUSR2)]}
    events = [r for r in run.records if r["ev"] == "handler"]
    assert [(e["thread"], e["signame"]) for e in events] == [("kid", "SIGUSR1")]
    assert value_of(run, "3") == {"tuple": ["exited", 7]}
    assert isinstance(value_of(run, "2"), int) and value_of(run, "2") != run.pid
    assert run.returncode == 0 and run.records[-1]["ev"] == "done"


def test_temp_file_past_the_size_limit_fails_with_efbig_when_sigxfsz_is_ignored(interp):
    program = {"protocol": 1, "case": "test/case", "steps": [
        {"do": "temp_file", "bind": "fd"},
        {"do": "write", "fd": "$fd", "data": {"bytes": "00" * 3000}},
        {"do": "write", "fd": "$fd", "data": {"bytes": "00"}},
        {"do": "file_size", "fd": "$fd"}]}
    import resource
    run = run_driver(interp, ["run"], program, rlimits={resource.RLIMIT_FSIZE: 2048})
    assert value_of(run, "1") == 2048  # a partial write up to the limit
    exc = exception_of(run, "2")
    assert exc["errno"] == "EFBIG" and exc["type"] == "OSError"
    assert value_of(run, "3") == 2048


def test_text_forms_and_raw_names(interp):
    run = run_case(interp, [
        {"do": "text", "of": "@SIGINT", "form": "repr"},
        {"do": "text", "of": "@SIGINT", "form": "str"},
        {"do": "names_of", "of": "@ItimerError"},
        {"do": "names_of", "of": "@SIGINT"},
        {"call": "setitimer", "args": [-5, {"float": 1.0}]}])
    truth = ask(interp, "[repr(signal.SIGINT), str(signal.SIGINT), signal.ItimerError.__module__,"
                        " signal.ItimerError.__name__]")
    assert value_of(run, "0") == truth[0] == "<Signals.SIGINT: 2>"
    assert value_of(run, "1") == truth[1]
    assert value_of(run, "2") == {"tuple": truth[2:]}
    assert exception_of(run, "3")["type"] == "AttributeError"
    exc = exception_of(run, "4")
    assert exc["type"] == "ItimerError"
    assert exc["class"] == {"module": truth[2], "name": truth[3]}


@pytest.mark.parametrize("kind", ["function", "method", "object"])
def test_any_callable_is_installed_and_read_back_by_identity(interp, kind):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"call": "getsignal", "args": ["@SIGUSR1"]},
        {"do": "kill", "sig": "@SIGUSR1"},
        {"do": "wait", "events": 1, "timeout": 30}],
        handlers={"h": {"kind": kind}})
    assert value_of(run, "1") == {"handler": "h"}
    events = [r for r in run.records if r["ev"] == "handler"]
    assert len(events) == 1 and events[0]["frame"] == "frame"


@pytest.mark.parametrize("kind", ["function", "method", "object"])
def test_handler_of_the_wrong_arity_raises_type_error_where_it_runs(interp, kind):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"do": "kill", "sig": "@SIGUSR1"}],
        handlers={"h": {"kind": kind, "arity": 1}})
    assert exception_of(run, "1")["type"] == "TypeError"
    assert [r for r in run.records if r["ev"] == "handler"] == []


def test_handler_writes_then_restores(interp):
    run = run_case(interp, [
        {"do": "pipe", "bind": ["r", "w"]},
        {"call": "signal", "args": ["@SIGUSR2", {"handler": "h"}]},
        {"do": "kill", "sig": "@SIGUSR2"},
        {"do": "read", "fd": "$r", "size": 10},
        {"call": "getsignal", "args": ["@SIGUSR2"]},
    ], handlers={"h": {"record": False, "write": {"fd": "$w", "data": {"bytes": "2a"}},
                       "restore": "SIG_IGN"}})
    assert value_of(run, "2") is None
    assert value_of(run, "3") == {"bytes": "2a"}
    assert value_of(run, "4") == {"enum": "Handlers", "name": "SIG_IGN", "value": 1}
    assert handler_records(run) == []


def test_wait_ends_on_the_event_not_the_timeout(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
        {"do": "ident", "thread": "main", "bind": "main"},
        {"do": "thread", "name": "late", "steps": [
            {"do": "sleep", "seconds": 0.2},
            {"call": "pthread_kill", "args": ["$main", "@SIGUSR1"]},
        ]},
        {"do": "wait", "events": 1, "timeout": 100},
        {"do": "wait", "events": 2, "timeout": 0.3},
    ], handlers={"h": {}})
    early = step_records(run)["3"]
    assert early["value"] == 1
    assert early["t1"] - early["t0"] < 30  # far below the 100 s timeout, even under load
    late = step_records(run)["4"]
    assert late["value"] == 1  # the timeout passed with only one event
    assert late["t1"] - late["t0"] >= 0.3


def test_burn_cpu_burns_process_time(interp):
    run = run_case(interp, [{"do": "burn_cpu", "seconds": 0.05}])
    burnt = value_of(run, "0")
    assert list(burnt) == ["float"] and burnt["float"] >= 0.05


def test_burn_cpu_stops_on_events(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGPROF", {"handler": "h"}]},
        {"call": "setitimer", "args": ["@ITIMER_PROF", {"float": 0.01}, {"float": 0.01}]},
        {"do": "burn_cpu", "seconds": 100, "events": 2},
        {"call": "setitimer", "args": ["@ITIMER_PROF", 0]},
    ], handlers={"h": {}})
    burnt = value_of(run, "2")["float"]
    assert burnt < 50
    assert len(handler_records(run)) >= 2
    assert all(r["signame"] == "SIGPROF" for r in handler_records(run))


def _burn_and_read_cpu_timers(interp, kernel):
    burn = {"do": "burn_cpu", "seconds": 0.3}
    if kernel:
        burn["kernel"] = True
    run = run_case(interp, [
        {"call": "setitimer", "args": ["@ITIMER_VIRTUAL", {"float": 10.0}]},
        {"call": "setitimer", "args": ["@ITIMER_PROF", {"float": 10.0}]},
        burn,
        {"call": "getitimer", "args": ["@ITIMER_VIRTUAL"]},
        {"call": "getitimer", "args": ["@ITIMER_PROF"]},
    ])
    user = 10.0 - value_of(run, "3")["tuple"][0]["float"]
    total = 10.0 - value_of(run, "4")["tuple"][0]["float"]
    return user, total


def test_burn_cpu_spends_user_time(interp):
    # ITIMER_VIRTUAL counts user time only: most of a plain burn must show there.
    user, total = _burn_and_read_cpu_timers(interp, kernel=False)
    assert total >= 0.25
    assert user >= 0.2


def test_burn_cpu_kernel_spends_system_time(interp):
    # ITIMER_PROF counts user plus system time, ITIMER_VIRTUAL user time only.
    user, total = _burn_and_read_cpu_timers(interp, kernel=True)
    assert total >= 0.25
    assert user <= 0.1


def test_select_wakes_on_the_byte_a_handler_wrote(interp):
    # The documentation's HTTP-server pattern: the handler writes to a socket pair that the
    # interrupted select is waiting on.
    run = run_case(interp, [
        {"do": "socketpair", "bind": ["r", "w"]},                              # 0
        {"do": "pipe", "bind": ["idle", "idle_w"]},                            # 1
        {"call": "signal", "args": ["@SIGALRM", {"handler": "h"}]},            # 2
        {"call": "setitimer", "args": ["@ITIMER_REAL", {"float": 0.05}]},      # 3
        {"do": "select", "fds": ["$idle", "$r"], "timeout": 60},               # 4
        {"do": "select", "fds": ["$idle"], "timeout": 0.01},                   # 5
    ], handlers={"h": {"write": {"fd": "$w", "data": {"bytes": "00"}}}})
    r = value_of(run, "0")["tuple"][0]
    assert value_of(run, "4") == [r]
    assert value_of(run, "5") == []
    assert len(handler_records(run)) == 1


def test_native_busy_runs_the_handler_only_when_it_returns(interp):
    run = run_case(interp, [
        {"call": "signal", "args": ["@SIGPROF", {"handler": "boom"}]},
        {"call": "setitimer", "args": ["@ITIMER_PROF", {"float": 0.05}]},
        {"do": "native_busy", "seconds": 0.3},
    ], handlers={"boom": {"raise": "RuntimeError"}})
    rec = step_records(run)["2"]
    assert exception_of(run, "2")["type"] == "RuntimeError"
    # The signal came 0.05 s of CPU into the work; the exception only at its end.
    assert rec["t1"] - rec["t0"] >= 0.2


def test_fill_writes_until_the_descriptor_would_block(interp):
    run = run_case(interp, [
        {"do": "pipe", "bind": ["r", "w"]},
        {"do": "set_blocking", "fd": "$w", "blocking": False},
        {"do": "fill", "fd": "$w"},
        {"do": "write", "fd": "$w", "data": {"bytes": "00"}},
    ])
    recs = step_records(run)
    assert isinstance(recs["2"]["value"], int) and recs["2"]["value"] > 0
    assert recs["3"]["ok"] is False and recs["3"]["exception"]["type"] == "BlockingIOError"


def test_fill_stops_at_its_bound_on_a_descriptor_that_never_fills(interp):
    # /dev/null takes every write: fill must stop at 16 MiB and say so in the step.
    run = run_case(interp, [
        {"do": "stdout_to_devnull"},
        {"do": "set_blocking", "fd": 1, "blocking": False},
        {"do": "fill", "fd": 1},
    ])
    exc = exception_of(run, "2")
    assert exc["type"] == "FillLimitExceeded"
    assert "16777216 bytes" in exc["message"]
    assert run.records[-1]["ev"] == "done"


def test_attribute_and_members_inspect_the_module(interp):
    run = run_case(interp, [
        {"do": "attribute", "name": "SIGCLD"},
        {"do": "attribute", "name": "SIGBREAK"},
        {"do": "members", "enum": "Handlers"},
        {"do": "members", "enum": "Signals"},
    ])
    recs = step_records(run)
    assert recs["0"]["value"] == {"enum": "Signals", "name": "SIGCHLD", "value": signal.SIGCHLD}
    assert recs["1"]["exception"]["type"] == "AttributeError"
    assert recs["2"]["value"] == [{"enum": "Handlers", "name": "SIG_DFL", "value": 0},
                                  {"enum": "Handlers", "name": "SIG_IGN", "value": 1}]
    names = [m["name"] for m in recs["3"]["value"]]
    assert "SIGINT" in names and "SIGCLD" not in names


def test_sleep_returns_none_after_the_time(interp):
    run = run_case(interp, [{"do": "sleep", "seconds": 0.05}])
    rec = step_records(run)["0"]
    assert rec["value"] is None and rec["t1"] - rec["t0"] >= 0.05


def test_join_times_out_on_a_blocked_thread(interp):
    run = run_case(interp, [
        {"do": "pipe", "bind": ["r", "w"]},
        {"do": "thread", "name": "stuck", "steps": [{"do": "read", "fd": "$r", "size": 1}]},
        {"do": "join", "name": "stuck", "timeout": 0.1},
    ])
    assert value_of(run, "2") is False
    # The daemon thread does not keep the process alive after `done`.
    assert run.records[-1]["ev"] == "done" and run.returncode == 0


def _signal_before_a_slow_read(waiting_step):
    """Main keeps busy for 0.5 s of CPU time (a Python loop: it runs handlers) before a read;
    a thread sends SIGUSR1 to it after `waiting_step` (None: at once), then writes a byte. The
    handler raises, so the step it ran in is the one that raises."""
    sender = [{"call": "pthread_kill", "args": ["$main", "@SIGUSR1"]},
              {"do": "write", "fd": "$w", "data": {"bytes": "2e"}}]
    return [
        {"do": "pipe", "bind": ["r", "w"]},                                # 0
        {"call": "signal", "args": ["@SIGUSR1", {"handler": "boom"}]},     # 1
        {"do": "ident", "thread": "main", "bind": "main"},                 # 2
        {"do": "thread", "name": "sender",                                 # 3
         "steps": ([waiting_step] if waiting_step else []) + sender},
        {"do": "burn_cpu", "seconds": 0.5},                                # 4
        {"do": "read", "fd": "$r", "size": 1},                             # 5
        {"do": "join", "name": "sender", "timeout": 60},                   # 6
    ]


def test_wait_blocked_sends_only_once_the_main_thread_blocks_in_its_call(interp):
    run = run_case(interp, _signal_before_a_slow_read(
        {"do": "wait_blocked", "thread": "main", "timeout": 60}),
        handlers={"boom": {"raise": "ValueError"}})
    steps = step_records(run)
    assert steps["3.0"]["ok"] and steps["3.0"]["value"] is None, steps["3.0"]
    assert steps["4"]["ok"], steps["4"]
    assert exception_of(run, "5")["type"] == "ValueError"
    [ev] = handler_records(run)
    assert ev["t"] >= steps["5"]["t0"]


def test_without_wait_blocked_the_signal_comes_before_the_call(interp):
    # The same program with no wait: the proof that the one above can fail.
    run = run_case(interp, _signal_before_a_slow_read(None),
                   handlers={"boom": {"raise": "ValueError"}})
    [ev] = handler_records(run)
    assert ev["t"] < step_records(run)["5"]["t0"]
    assert value_of(run, "5") == {"bytes": "2e"}


def test_wait_blocked_for_a_named_thread_in_a_read(interp):
    run = run_case(interp, [
        {"do": "pipe", "bind": ["r", "w"]},
        {"do": "thread", "name": "reader", "steps": [{"do": "read", "fd": "$r", "size": 1}]},
        {"do": "wait_blocked", "thread": "reader", "timeout": 60},
        {"do": "write", "fd": "$w", "data": {"bytes": "2e"}},
        {"do": "join", "name": "reader", "timeout": 60},
    ])
    assert value_of(run, "2") is None
    assert value_of(run, "1.0") == {"bytes": "2e"}
    assert value_of(run, "4") is True


def test_wait_blocked_is_not_fooled_by_a_lock_wait(interp):
    # The main thread joins the watcher, so it waits for a lock all along: asleep in the kernel,
    # but in a futex, not in a blocking call of the case. The watcher's wait runs out.
    run = run_case(interp, [
        {"do": "thread", "name": "watcher", "steps": [
            {"do": "wait_blocked", "thread": "main", "timeout": 0.5}]},
        {"do": "join", "name": "watcher", "timeout": 60},
    ])
    exc = exception_of(run, "0.0")
    assert exc["type"] == "NotBlocked" and exc["mro"][:2] == ["NotBlocked", "Exception"]
    assert "'main' was not seen asleep in a blocking system call within 0.5 s" in exc["message"]
    assert "(a lock wait)" in exc["message"], exc["message"]
    assert value_of(run, "1") is True


def test_wait_blocked_on_a_thread_that_ended(interp):
    run = run_case(interp, [
        {"do": "thread", "name": "quick", "steps": [{"do": "check"}]},
        {"do": "join", "name": "quick", "timeout": 60},
        {"do": "wait_blocked", "thread": "quick", "timeout": 60},
    ])
    exc = exception_of(run, "2")
    assert exc["type"] == "NotBlocked" and "'quick' ended without blocking" in exc["message"]


# ---------------------------------------------------------------------------------------------
# In-process: the stream and the guards, where a race can be staged exactly
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def drv():
    spec = importlib.util.spec_from_file_location("sigconform_driver", DRIVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lines(fd):
    os.set_blocking(fd, False)
    try:
        data = os.read(fd, 1 << 20)
    except BlockingIOError:
        data = b""
    return [json.loads(x) for x in data.decode().splitlines()]


def test_stream_keeps_lines_whole_when_a_handler_emits_and_raises_mid_write(drv, monkeypatch):
    r, w = os.pipe()
    stream = drv.Stream(w)
    real_write = os.write
    staged = []

    def write_once_interrupted(fd, data):
        # The first call is interrupted before writing anything (EINTR): the handler runs
        # inside it, emits its own record and raises. Later calls write a few bytes at a
        # time, as a full pipe may.
        if not staged:
            staged.append(True)
            stream.emit("handler", handler="h")
            raise KeyboardInterrupt("from the handler")
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(drv.os, "write", write_once_interrupted)
    outcome = []

    def emit_step():
        try:
            stream.emit("step", path="0")
        except BaseException as exc:
            outcome.append(exc)

    # In a helper thread, so that a stream that deadlocks on its own lock fails the test
    # instead of hanging it.
    worker = threading.Thread(target=emit_step, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "emit deadlocked when a handler emitted inside it"
    assert len(outcome) == 1 and isinstance(outcome[0], KeyboardInterrupt)
    # Both lines are out, whole and in order, before the exception surfaced.
    assert [x["ev"] for x in _lines(r)] == ["step", "handler"]
    os.close(r)
    os.close(w)


def test_stream_survives_a_closed_reader(drv):
    r, w = os.pipe()
    os.close(r)
    stream = drv.Stream(w)
    old = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        stream.emit("start")  # EPIPE: dropped, not raised
        stream.emit("done")
    finally:
        signal.signal(signal.SIGPIPE, old)
    assert stream.dead
    os.close(w)


def _stream_raising_after_step_records(drv, count):
    class FlakyStream(drv.Stream):
        """Raises after writing each of the first `count` step records, as a handler that ran
        while the driver wrote the step down would."""
        raised = 0

        def emit(self, ev, **fields):
            drv.Stream.emit(self, ev, **fields)
            if ev == "step" and self.raised < count:
                self.raised += 1
                raise RuntimeError("handler while a step is written down")
    return FlakyStream


def test_exception_while_a_step_is_written_comes_out_of_the_next_step(drv):
    r, w = os.pipe()
    stream = _stream_raising_after_step_records(drv, 1)(w)
    case = drv.Case({"case": "x/y", "steps": [{"do": "check"}, {"do": "check"}]}, stream)
    case.run()
    recs = _lines(r)
    # Neither lost nor a stray: the second step is observed with it, its own record kept.
    assert [x["ev"] for x in recs] == ["start", "step", "step", "done"]
    assert recs[1]["ok"] is True
    assert recs[2]["ok"] is False and recs[2]["exception"]["type"] == "RuntimeError"
    os.close(r)
    os.close(w)


def test_exception_after_the_last_step_is_a_stray_record(drv):
    r, w = os.pipe()
    stream = _stream_raising_after_step_records(drv, 1)(w)
    case = drv.Case({"case": "x/y", "steps": [{"do": "check"}]}, stream)
    case.run()
    recs = _lines(r)
    assert [x["ev"] for x in recs] == ["start", "step", "stray", "done"]
    assert recs[2]["exception"]["type"] == "RuntimeError" and recs[2]["thread"] == "main"
    os.close(r)
    os.close(w)


def test_obs_fd_is_made_non_inheritable(drv, monkeypatch):
    r, w = os.pipe()
    os.set_inheritable(w, True)
    monkeypatch.setenv("SIGCONFORM_OBS_FD", str(w))
    stream = drv.open_stream()
    assert stream.fd == w and not os.get_inheritable(w)
    os.close(r)
    os.close(w)


def test_encoder_covers_every_kind(drv):
    def h(signum, frame):
        pass

    enc = drv.Encoder({"h": h})
    SI = collections.namedtuple("SI", "a b")
    assert enc.value(True) is True and enc.value(None) is None and enc.value(3) == 3
    assert enc.value(signal.SIGINT) == {"enum": "Signals", "name": "SIGINT", "value": 2}
    assert enc.value(float("inf")) == {"float": "inf"}
    assert enc.value(float("-inf")) == {"float": "-inf"}
    assert enc.value(float("nan")) == {"float": "nan"}
    assert enc.value(0.5) == {"float": 0.5}
    assert enc.value(b"\x00\xff") == {"bytes": "00ff"}
    # frozenset({64, 1, 12}) iterates 64 first: the encoding sorts by value.
    assert enc.value(frozenset([64, signal.SIGUSR2, 1])) == {
        "set": [1, {"enum": "Signals", "name": "SIGUSR2", "value": 12}, 64]}
    assert enc.value([1, (2,)]) == [1, {"tuple": [2]}]
    assert enc.value(h) == {"handler": "h"}
    assert enc.value(signal.default_int_handler) == {"builtin": "default_int_handler"}
    assert enc.value(len) == {"callable": repr(len)}
    assert enc.value(SI(1, 2)) == {"struct": "SI", "fields": {"a": 1, "b": 2}}
    assert enc.value(os.stat_result(tuple(range(10))))["struct"] == "stat_result"
    assert enc.value(object())["object"] == "object"
    assert enc.value(1j) == {"object": "complex", "repr": "1j"}
