"""The fault-injection suite: the runner against drivers that misbehave on purpose.

Each fault is one way a driver can break (runner/testdata/e2e-drivers/faulty-driver.py). Each
test runs the real CLI on a small catalog with two implementations side by side -- the C++
reference (the neighbour) and the faulty driver -- and checks that:
  - the faulty driver's results have the right category and message;
  - the run ended within the cases' timeout plus the kill grace, with a wide margin (a bound
    on a busy machine, not a benchmark);
  - no process of the run is left (every process the drivers started carries a marker in its
    environment; none may remain, and none of the drivers' users either);
  - the neighbour's results are intact (all pass);
  - the reports are written and valid (JSON Schema, JUnit XML), and small;
  - the runner's peak memory stayed under 100 MB (what it measured of itself, in the report;
    GNU time's maximum resident set size counts the largest driver too, so it bounds the
    runner only where drivers are small: every fault but the runaway allocation);
  - nothing a driver wrote reached the console as a control character.
Run by meson with SIGCONFORM_BIN pointing at the built runner; `/usr/bin/python3 -m pytest`.
"""
import collections
import glob
import json
import os
import re
import signal
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import jsonschema
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
FAULTY = os.path.join(ROOT, "runner", "testdata", "e2e-drivers", "faulty-driver.py")
CASES = os.path.join(ROOT, "cases")
REPORT_SCHEMA = os.path.join(ROOT, "spec", "report.schema.json")
NEIGHBOURS = ["masks/empty-block-reads-mask", "sigpipe/ignored-at-startup"]
KILL_GRACE = 1.0  # LaunchSpec::kill_grace_seconds
MEMORY_BOUND_KB = 100 * 1024

pytestmark = pytest.mark.skipif(not os.path.exists(BIN), reason="runner not built: " + BIN)

# fault, the faulty driver's status, what its message says (a regular expression), the cases'
# timeout, and what else the cases need.
Fault = collections.namedtuple("Fault", "name status message timeout limits")


# A case's timeout: what a Python driver needs to start and run a small case on a loaded
# machine (3 s was too tight with both cores busy), and what each hang costs the suite.
TIMEOUT = 10


def fault(name, status, message, timeout=TIMEOUT, limits=None):
    return Fault(name, status, message, timeout, limits)


FAULTS = [
    # Hangs: the timeout, and the kill after the grace time when SIGTERM does not end it.
    fault("hang-before-start", "timeout", r"timed out after 10 s; no step was observed"),
    fault("hang-after-start", "timeout", r"timed out after 10 s; no step was observed"),
    fault("ignore-sigterm", "timeout", r"timed out after 10 s"),
    fault("block-all-signals", "timeout", r"timed out after 10 s"),
    fault("stop-self", "timeout", r"timed out after 10 s"),
    # Issue 12, failure 3: into the runner's own process group, deaf to SIGTERM and SIGINT.
    fault("leave-process-group", "timeout", r"timed out after 10 s"),
    # Deaths: a crash is the implementation's; a SIGKILL nobody in the case sent is not.
    fault("segv", "crash", r"^the implementation crashed: killed by SIGSEGV before its first step"),
    fault("abort", "crash", r"^the implementation crashed: killed by SIGABRT"),
    fault("bus", "crash", r"^the implementation crashed: killed by SIGBUS"),
    fault("kill-self", "error", r"killed by SIGKILL, which neither the case nor the runner sent"),
    # Issue 12, failure 5: exits without `done` are protocol errors, not failures.
    fault("exit-0-no-records", "error", r"wrote no start record \(exit code 0\)"),
    fault("exit-0-after-start", "error", r"exited \(exit code 0\) without writing its done record"),
    fault("exit-1-traceback", "error", r"exited \(exit code 1\) without writing its done record"),
    fault("close-fd3-early", "error", r"exited \(exit code 0\) without writing its done record"),
    # Broken records.
    fault("garbage", "error", r"broke the protocol: line 1: not a JSON object: this is not JSON"),
    fault("truncated-record", "error", r"last line has no newline"),
    fault("invalid-utf8", "error", r"broke the protocol: line 1: not a JSON object"),
    fault("duplicate-key", "error", r"duplicate key 'case'"),
    fault("wrong-start", "error", r"the first record must be"),
    fault("lies-about-steps", "error", r"a step record for path 42, which the case does not have"),
    # Issue 12, failure 1: a record nested 30,000 levels deep crashed the runner.
    fault("deep-record", "error", r"nested deeper than 64 arrays and objects"),
    # Floods: the runner drains, keeps a bounded part, and stays small.
    fault("flood-stdout", "pass", r"^$", timeout=60),
    fault("flood-stderr", "pass", r"^$", timeout=60),
    fault("flood-observations", "error", r"passed its size cap", timeout=60),
    fault("one-50mb-line", "error", r"passed its size cap", timeout=60),
    # Issue 12, failure 2: one stored error per "{}" line took 350 MB a driver.
    fault("flood-empty-objects", "error", r"record without an \"ev\" string.*\(and 2\d+ more\)",
          timeout=30),
    # Issue 12, failure 8: control characters and a 7 MB value in what is shown.
    fault("hostile-value", "fail", r"^step \d: expected .* \[\.\.\. \d+ more bytes\]$"),
    # Issue 12, failure 3: processes that outlive the driver, outside its process group.
    fault("setsid-child", "pass", r"^$"),
    fault("double-fork-daemon", "pass", r"^$"),
    # Issue 12, failure 9: limits on memory and processes.
    fault("memory-runaway", "error", r"the case reached its memory limit of 128 MiB", timeout=30,
          limits={"memory_mb": 128}),
    fault("fork-bomb", "error", r"the case reached its limit of 32 processes and threads",
          timeout=30, limits={"processes": 32}),
]


def load_case(case_id):
    with open(os.path.join(CASES, case_id + ".json")) as f:
        return json.load(f)


def catalog(tmp_path, marker, timeout, limits):
    """The neighbours' cases, each marked: every process a driver starts inherits the marker."""
    root = tmp_path / "cases"
    for case_id in NEIGHBOURS:
        case = load_case(case_id)
        case["timeout"] = timeout
        case.setdefault("parent", {}).setdefault("env", {})["SIGCONFORM_FAULT_MARK"] = marker
        if limits:
            case["limits"] = limits
        path = root / (case_id + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(case))
    return str(root)


def driver_uids(report):
    """The user ids the run gave its drivers (containment.driver_users in its report): a
    block of its own, so that other runners' drivers (other tests at once) are not counted."""
    users = report["run"]["containment"]["driver_users"] if report else ""
    block = re.match(r"uid (\d+) .* up to uid (\d+)", users)
    return range(int(block.group(1)), int(block.group(2)) + 1) if block else range(0)


def marked_processes(marker, report=None):
    """Pids of live processes whose environment holds the marker, and of the run's drivers'
    users."""
    uids = driver_uids(report)
    found = []
    needle = ("SIGCONFORM_FAULT_MARK=" + marker).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # a zombie is gone, only not yet reaped
            with open("/proc/%s/environ" % entry, "rb") as f:
                environ = f.read()
            uid = os.stat("/proc/" + entry).st_uid
        except (OSError, IndexError):
            continue
        if needle in environ or uid in uids:
            found.append(int(entry))
    return found


def stale_cgroups():
    """Cgroup directories made by runners that are no longer running (sigconform-PID-N)."""
    found = []
    for base in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids",
                 "/sys/fs/cgroup/memory", "/sys/fs/cgroup/freezer"):
        for path in glob.glob(os.path.join(base, "**", "sigconform-*-*"), recursive=True):
            pid = os.path.basename(path).split("-")[1]
            if pid.isdigit() and not os.path.exists("/proc/" + pid):
                found.append(path)
    return found


def run_runner(args, timeout=600):
    """Runs the CLI under GNU time. Returns (process, stdout bytes, stderr text, peak KB, secs)."""
    command = ["/usr/bin/time", "-f", "PEAK_KB=%M"] + [BIN] + args
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out, err = proc.communicate(timeout=timeout)
    took = time.monotonic() - started
    err = err.decode("utf-8", "replace")
    peak = re.findall(r"PEAK_KB=(\d+)", err)
    return proc, out, err, int(peak[-1]) if peak else None, took


def check_reports(out_dir):
    with open(os.path.join(out_dir, "report.json")) as f:
        report = json.load(f)
    with open(REPORT_SCHEMA) as f:
        schema = json.load(f)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(report)]
    assert not errors, errors[:3]
    ET.parse(os.path.join(out_dir, "junit.xml"))
    for name in ("summary.md", "matrix.html", "junit.xml", "report.json"):
        size = os.path.getsize(os.path.join(out_dir, name))
        assert size < 2 << 20, "%s is %d bytes" % (name, size)
    return report


@pytest.mark.parametrize("f", FAULTS, ids=[f.name for f in FAULTS])
def test_fault(f, tmp_path):
    marker = uuid.uuid4().hex
    cases = catalog(tmp_path, marker, f.timeout, f.limits)
    out = str(tmp_path / "out")
    spec = "faulty=/usr/bin/python3 %s %s" % (FAULTY, f.name)
    proc, stdout, stderr, peak_kb, took = run_runner(
        ["run", "--impl", "reference", "--impl", spec, "--cases", cases, "--out", out, "-j", "4"])

    report = check_reports(out)
    results = {(r["implementation"], r["case"]): r for r in report["results"]}
    faulty = [results[("faulty", c)] for c in NEIGHBOURS]
    needs = {"fork-bomb": "process_limit", "memory-runaway": "memory_limit"}.get(f.name)
    if needs and not report["run"]["containment"][needs]:
        pytest.skip("no such limit on this host: " + json.dumps(report["run"]["containment"]))

    # The faulty driver's category and message.
    for r in faulty:
        assert r["status"] == f.status, r
        assert re.search(f.message, r.get("message", "")), r.get("message", "")
    # The neighbour is intact.
    for case_id in NEIGHBOURS:
        assert results[("reference", case_id)]["status"] == "pass", results[("reference", case_id)]
    assert proc.returncode == (0 if f.status == "pass" else 1), stderr
    # In time: two cases at once, each ends by its timeout plus the grace at worst.
    assert took < f.timeout + KILL_GRACE + 30, took
    # Nothing left behind: no process, no cgroup.
    left = marked_processes(marker, report)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "processes left behind: %s" % left
    assert not stale_cgroups()
    # Bounded memory, and an inert console.
    if not os.environ.get("SIGCONFORM_SANITIZED"):
        assert report["run"]["runner_max_rss_kb"] < MEMORY_BOUND_KB, report["run"]["runner_max_rss_kb"]
    if f.name != "memory-runaway" and not os.environ.get("SIGCONFORM_SANITIZED"):
        assert peak_kb is not None and peak_kb < MEMORY_BOUND_KB, "peak %s KB" % peak_kb
    for byte in (b"\x1b", b"\x07", b"\r", b"\x9b", b"\xc2\x9b"):
        assert byte not in stdout, byte
    print("\n%s: %s in %.1f s, peak RSS: %d KB (GNU time), %d KB (the runner itself)"
          % (f.name, f.status, took, peak_kb, report["run"]["runner_max_rss_kb"]))


def test_a_fork_server_that_stops_is_named_with_its_reason(tmp_path):
    """Issue 14: a fork-server that died left every case to fork+exec without a word. Its
    stop reason is now in the report (the implementation's and each result's) and on the
    console, and its cases still run and pass."""
    root = tmp_path / "cases"
    for case_id in NEIGHBOURS:
        case = load_case(case_id)
        case.pop("parent", None)  # no parent state: every case is the server's to fork
        path = root / (case_id + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(case))
    out = str(tmp_path / "out")
    spec = "faulty=/usr/bin/python3 %s fork-server-exits" % FAULTY
    proc, stdout, stderr, _, _ = run_runner(
        ["run", "--impl", spec, "--cases", str(root), "--out", out, "-j", "1"])
    report = check_reports(out)
    assert proc.returncode == 0, stderr
    reason = "the fork-server has ended, exit code 0"
    [impl] = report["run"]["implementations"]
    assert impl["fork_server"] == {"served": 0, "stop_reason": reason}, impl["fork_server"]
    for r in report["results"]:
        assert r["status"] == "pass", r
        assert r["isolation"] == "fork-exec", r
        assert r["isolation_reason"] == "the fork-server stopped: " + reason, r
    assert ("NOTE  faulty: the fork-server stopped after 0 cases: %s; the rest run by fork+exec"
            % reason) in stdout.decode(), stdout


def test_there_are_at_least_25_faults():
    assert len(FAULTS) >= 25
    assert len({f.name for f in FAULTS}) == len(FAULTS)


# Issue 12, failure 3: a driver in the runner's process group survived two Ctrl-C's, and the
# runner waited for it.
def test_two_interrupts_end_a_driver_that_joined_the_runners_group(tmp_path):
    marker = uuid.uuid4().hex
    cases = catalog(tmp_path, marker, 60, None)
    out = tmp_path / "out"
    spec = "faulty=/usr/bin/python3 %s leave-process-group" % FAULTY
    proc = subprocess.Popen([BIN, "run", "--impl", spec, "--cases", cases, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    # Wait until a driver has joined the runner's group, as Ctrl-C in a terminal would reach.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(group_members(proc.pid)) < 2:
        time.sleep(0.05)
    assert len(group_members(proc.pid)) >= 2, "no driver joined the runner's group: %s" % (
        subprocess.run(["ps", "-o", "pid,pgid,sid,uid,stat,etime,args", "--ppid", str(proc.pid)],
                       stdout=subprocess.PIPE, universal_newlines=True).stdout)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=60)
    assert time.monotonic() - started < 15
    assert proc.returncode == 130
    report = check_reports(str(out))
    left = marked_processes(marker, report)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left


def group_members(pgid):
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    members.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return members


# Issue 12, failure 4: SIGPIPE on the runner's standard output killed it mid-run.
def test_reader_leaving_the_runners_stdout_ends_printing_not_the_run(tmp_path):
    marker = uuid.uuid4().hex
    cases = catalog(tmp_path, marker, TIMEOUT, None)
    out = tmp_path / "out"
    # Every result is printed: a fault that fails every case, with output after the first line.
    # One driver at a time, each case many times: the run is still printing when the reader
    # leaves (a run that had printed everything before would never see the pipe break).
    spec = "faulty=/usr/bin/python3 %s exit-0-after-start" % FAULTY
    proc = subprocess.Popen([BIN, "run", "--impl", spec, "--cases", cases, "--out", str(out),
                             "-j", "1", "--repeat", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    assert first.startswith(b"ERROR"), first
    proc.stdout.close()  # `| head -1`
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert proc.returncode == 1, stderr  # the run's own status: a case erred
    assert "standard output was closed by its reader" in stderr
    report = check_reports(str(out))
    assert len(report["results"]) == len(NEIGHBOURS)
    assert not marked_processes(marker, report)


# Issue 12, failure 7: an unwritable --out was found only after the whole run.
def test_unwritable_output_is_refused_before_anything_runs(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cases = catalog(tmp_path, uuid.uuid4().hex, 60, None)
    spec = "faulty=/usr/bin/python3 %s hang-before-start" % FAULTY
    for args in (["--out", str(blocker / "reports")], ["--json", str(blocker / "r.json")],
                 ["--json", str(tmp_path)]):
        started = time.monotonic()
        proc = subprocess.run([BIN, "run", "--impl", spec, "--cases", cases] + args,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "nothing was run" in proc.stderr
        assert time.monotonic() - started < 5  # the hanging driver was never started
    assert not os.path.exists(str(blocker) + "/reports")


# Issue 12, failure 6: a second "platforms" silently made a case not-applicable.
def test_duplicate_key_in_a_case_is_a_catalog_error_with_its_path(tmp_path):
    root = tmp_path / "cases" / "masks"
    root.mkdir(parents=True)
    text = json.dumps(load_case(NEIGHBOURS[0]))[:-1] + ', "platforms": ["windows"]}'
    (root / "empty-block-reads-mask.json").write_text(
        text.replace('"id"', '"platforms": ["linux"], "id"', 1))
    proc = subprocess.run([BIN, "run", "--impl", "reference", "--cases", str(tmp_path / "cases"),
                           "--json", str(tmp_path / "r.json")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "empty-block-reads-mask.json: /platforms: duplicate key 'platforms'" in proc.stderr


# Issue 12, failure 1: a case nested 10,000 levels deep crashed the loader, `list` included.
@pytest.mark.parametrize("where", ["returns", "args", "thread"])
def test_deeply_nested_case_is_a_catalog_error_in_list_and_run(tmp_path, where):
    case = load_case(NEIGHBOURS[0])
    deep = "[" * 10000 + "]" * 10000
    if where == "returns":
        case["steps"][0]["expect"] = {"returns": "DEEP"}
    elif where == "args":
        case["steps"][0]["args"] = "DEEP"
    text = json.dumps(case).replace('"DEEP"', deep)
    if where == "thread":
        nested = "[]"
        for _ in range(10000):
            nested = '[{"do": "thread", "name": "t", "steps": %s}]' % nested
        text = json.dumps(case)[:-1] + ', "x": 1}'
        text = text.replace('"steps": [', '"steps": [{"do": "thread", "name": "u", "steps": %s}, ' % nested, 1)
        text = text.replace(', "x": 1}', "}")
    root = tmp_path / "cases" / "masks"
    root.mkdir(parents=True)
    (root / "empty-block-reads-mask.json").write_text(text)
    for command in (["list"], ["run", "--impl", "reference", "--json", str(tmp_path / "r.json")]):
        proc = subprocess.run([BIN] + command + ["--cases", str(tmp_path / "cases")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        assert proc.returncode == 2, proc.stderr[-500:]
        assert "nested deeper than 64 arrays and objects" in proc.stderr
