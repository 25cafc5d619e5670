"""Tests of `sigconform repro`: the scripts it writes reproduce what the catalog found.

The known PyPy divergences are the cases the committed matrix (reports/matrix/matrix.json)
records as failing on PyPy; each one's script must show the divergence under pypy3 (exit
status 1, a DIVERGES line) and pass under CPython (exit status 0), the interpreter that
behaves as documented. The scripts run with nothing but the interpreter: no sigconform, no
environment of the runner.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGCONFORM = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
MATRIX = os.path.join(ROOT, "reports", "matrix", "matrix.json")
CPYTHON = "/usr/bin/python3"
PYPY = shutil.which("pypy3")

# Used until the matrix is committed: divergences seen when the repro command was written.
FALLBACK = [
    "inherited/ignored-sigint-stays-ignored",
    "masks/invalid-how-raises-oserror",
    "handlers/sigkill-cannot-be-caught",
]


def known_pypy_divergences():
    if os.path.exists(MATRIX):
        with open(MATRIX) as f:
            matrix = json.load(f)
        found = sorted(r["case"] for r in matrix["results"]
                       if r["implementation"] == "pypy" and r["status"] == "fail")
        if found:
            return found
    return FALLBACK


def existing_case(case_id):
    return os.path.exists(os.path.join(ROOT, "cases", case_id + ".json"))


def write_script(case_id, impl, tmp_path):
    path = str(tmp_path / (case_id.replace("/", "--") + ".py"))
    proc = subprocess.run([SIGCONFORM, "repro", case_id, "--impl", impl, "-o", path],
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return path


def imported_modules(path):
    """Every module the script imports, anywhere in it."""
    import ast
    with open(path) as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


def run_script(interpreter, path):
    # A bare environment: the script needs nothing but its interpreter.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([interpreter, path], capture_output=True, timeout=300, env=env,
                          stdin=subprocess.DEVNULL, cwd="/")


@pytest.mark.parametrize("case_id", known_pypy_divergences())
def test_script_shows_the_pypy_divergence_and_passes_on_cpython(case_id, tmp_path):
    if not existing_case(case_id):
        pytest.skip("%s is no longer in the catalog" % case_id)
    if PYPY is None:
        pytest.fail("pypy3 is not installed: run scripts/setup")
    path = write_script(case_id, "pypy", tmp_path)
    assert imported_modules(path) <= set(sys.stdlib_module_names)
    on_pypy = run_script(PYPY, path)
    out = on_pypy.stdout.decode()
    assert on_pypy.returncode == 1, out + on_pypy.stderr.decode()
    assert "DIVERGES" in out and "expected" in out
    on_cpython = run_script(CPYTHON, path)
    out = on_cpython.stdout.decode()
    assert on_cpython.returncode == 0, out + on_cpython.stderr.decode()
    assert out.rstrip().endswith("behaves as documented")


def test_script_sets_up_the_parent_state_itself(tmp_path):
    # SIGINT ignored by the parent: the script must leave it ignored before exec, as the runner
    # does; CPython then reports SIG_IGN and passes.
    path = write_script("inherited/ignored-sigint-stays-ignored", "cpython", tmp_path)
    proc = run_script(CPYTHON, path)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert "ok        step 0  signal.getsignal(signal.SIGINT)" in proc.stdout.decode()


def test_script_sees_a_death_by_signal_and_the_expected_exit(tmp_path):
    path = write_script("sigpipe/sig-dfl-kills-writer", "cpython", tmp_path)
    proc = run_script(CPYTHON, path)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert "the process ended with killed by SIGPIPE" in proc.stdout.decode()


@pytest.mark.parametrize("case_id", ["interrupt/siginterrupt-true-interrupts-read",
                                     "sending/pthread-kill-leaves-other-thread-call-running",
                                     "interrupt/sleep-lasts-after-handler"])
def test_script_sends_once_the_thread_is_blocked(case_id, tmp_path):
    # wait_blocked (a thread watches another) and parent_kill once_blocked (the script's parent
    # watches the main thread), with the rule the runner uses.
    path = write_script(case_id, "cpython", tmp_path)
    proc = run_script(CPYTHON, path)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out + proc.stderr.decode()
    assert out.rstrip().endswith("behaves as documented")


def test_script_header_names_the_case_the_rules_and_the_observation(tmp_path):
    path = write_script("masks/invalid-how-raises-oserror", "cpython", tmp_path)
    with open(path) as f:
        head = f.read(3000)
    assert "# Reproduces the sigconform case masks/invalid-how-raises-oserror" in head
    assert "mask.invalid-how" in head
    assert "Observed on cpython (cpython 3.11" in head
    assert "/usr/bin/python3" in head


def test_unknown_case_is_a_usage_error(tmp_path):
    proc = subprocess.run([SIGCONFORM, "repro", "no/such-case"], capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert b"no case 'no/such-case'" in proc.stderr
