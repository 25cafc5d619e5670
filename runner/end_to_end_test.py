"""End-to-end tests of the sigconform CLI: real drivers, real processes, real signals.

Run by meson with SIGCONFORM_BIN pointing at the built runner; `/usr/bin/python3 -m pytest`.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
E2E = os.path.join(ROOT, "runner", "testdata", "e2e-drivers")
CASES = os.path.join(ROOT, "cases")

pytestmark = pytest.mark.skipif(not os.path.exists(BIN), reason="runner not built: " + BIN)


def sigconform(*args, timeout=600):
    return subprocess.run([BIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, cwd=ROOT)


def applies_on_linux(case):
    """The case language's platform rule (spec/case-format.md) for a Linux host: cases for
    other platforms only (WebAssembly, say) are not-applicable here, not passes."""
    unix = {"linux", "darwin", "freebsd", "netbsd", "openbsd"}
    included, excluded = set(), set()
    for word in case.get("platforms", []):
        target = excluded if word.startswith("!") else included
        name = word.lstrip("!")
        target.update(unix if name == "unix" else {name})
    return (not included or "linux" in included) and "linux" not in excluded


def applies_to_3_11_and_later(case):
    """The drivers these tests run claim 3.11 (Debian's CPython) or later (the reference claims
    3.12, the test drivers wrap Debian's CPython): a case whose behaviour ended before 3.11
    (`until`) is not-applicable to them, not a pass."""
    until = case.get("until")
    return until is None or tuple(int(p) for p in until.split(".")) > (3, 11)


def load_cases(everywhere=False):
    """The catalog's cases by id: those that apply on this (Linux) host to the versions the
    drivers here claim, or all of them."""
    cases = {}
    for path in glob.glob(os.path.join(CASES, "**", "*.json"), recursive=True):
        with open(path) as f:
            case = json.load(f)
        if everywhere or (applies_on_linux(case) and applies_to_3_11_and_later(case)):
            cases[case["id"]] = case
    return cases


def small_catalog(tmp_path, ids, timeout=None):
    """A catalog holding copies of some real cases (optionally with a shorter timeout)."""
    root = tmp_path / "cases"
    for case_id in ids:
        with open(os.path.join(CASES, case_id + ".json")) as f:
            case = json.load(f)
        if timeout is not None:
            case["timeout"] = timeout
        path = root / (case_id + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(case))
    return str(root)


def results_by_key(report_path):
    with open(report_path) as f:
        report = json.load(f)
    return report, {(r["implementation"], r["case"]): r for r in report["results"]}


def run_on_reference_and_cpython(tmp_path, root):
    """Runs the catalog under `root` on the reference and CPython; returns the process and the
    results by (implementation, case)."""
    report = tmp_path / "r.json"
    proc = sigconform("run", "--cases", str(root), "--impl", "reference", "--impl", "cpython",
                      "--json", str(report))
    return proc, results_by_key(str(report))[1]


def test_whole_catalog_passes_on_reference_and_cpython(tmp_path):
    out = tmp_path / "out"
    proc = sigconform("run", "--impl", "reference", "--impl", "cpython", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, results = results_by_key(str(out / "report.json"))
    cases = load_cases()
    for impl in ("reference", "cpython"):
        for case_id in cases:
            assert results[(impl, case_id)]["status"] == "pass", results[(impl, case_id)]
    assert report["summary"]["cpython"]["pass"] == len(cases)
    # Each result names the rules its case cites and the tier(s) they are in.
    for case_id, case in cases.items():
        result = results[("cpython", case_id)]
        assert result["rules"] == case["rules"]
        assert result["tiers"] and set(result["tiers"]) <= {"documented", "compat"}
    # The other reports are there and well-formed.
    junit = ET.parse(str(out / "junit.xml")).getroot()
    assert sum(int(s.get("tests")) for s in junit.iter("testsuite")) == 2 * len(load_cases(True))
    assert "reference" in (out / "summary.md").read_text()
    # The run records the controlled environment: nothing leaks from ours.
    assert not any(v.startswith("PYTHONUNBUFFERED=") for v in report["run"]["base_env"])


def test_timings_file_orders_the_next_run_by_what_cases_took(tmp_path):
    ids = ["names/alias-repr-names-the-member", "names/constants-match-platform-numbers",
           "names/default-int-handler-raises"]
    cases = small_catalog(tmp_path, ids)
    timings = tmp_path / "timings.json"

    def run(tag):
        report = tmp_path / ("%s.json" % tag)
        proc = sigconform("run", "--impl", "reference", "--cases", cases, "-j", "1",
                          "--timings", str(timings), "--json", str(report))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return results_by_key(str(report))[1], proc

    # The first run makes the file: what each case took, per implementation.
    run("first")
    kept = json.loads(timings.read_text())
    assert kept["sigconform_timings"] == 1
    assert set(kept["implementations"]["reference"]) == set(ids)
    # The case the file says took longest starts first, whatever its estimate or id.
    kept["implementations"]["reference"][ids[2]] = 100.0
    kept["implementations"]["reference"]["gone/case"] = 7.0
    timings.write_text(json.dumps(kept))
    results, _ = run("second")
    first = min(ids, key=lambda i: results[("reference", i)]["started"])
    assert first == ids[2]
    # Rewritten with this run's durations; a case this run did not run keeps its entry.
    kept = json.loads(timings.read_text())
    assert kept["implementations"]["reference"][ids[2]] < 100.0
    assert kept["implementations"]["reference"]["gone/case"] == 7.0
    # Something else given by mistake is left as it was, and the run goes on.
    timings.write_text('{"results": []}')
    results, proc = run("third")
    assert "not a timings file" in proc.stderr
    assert timings.read_text() == '{"results": []}'
    assert all(results[("reference", i)]["status"] == "pass" for i in ids)


def test_elapsed_from_counts_the_pause_between_arming_and_waiting(tmp_path):
    """A timer armed one step before the wait, with a pause in between (as a busy machine
    makes one): measured from the waiting step alone the wait looks too short, measured from
    the arming step (`elapsed_from`) it holds. Real drivers, a real timer."""
    root = tmp_path / "cases"
    (root / "gap").mkdir(parents=True)
    steps = [
        {"call": "signal", "args": ["@SIGALRM", {"handler": "h"}]},
        {"call": "setitimer", "args": ["@ITIMER_REAL", {"float": 0.5}]},
        {"do": "sleep", "seconds": 1.0, "note": "the pause: the timer expires during it"},
        {"do": "wait", "events": 1, "timeout": 8,
         "expect": {"returns": 1, "elapsed": [0.45, 30]}},
    ]
    for name, extra in (("from-the-step", {}), ("from-the-arming", {"elapsed_from": "1"})):
        case = {"id": "gap/" + name, "title": "A timer armed before a pause, waited for after it",
                "rules": ["itimer.real-sigalrm"], "platforms": ["unix"], "timeout": 60,
                "handlers": {"h": {"record": True}},
                "steps": json.loads(json.dumps(steps))}
        case["steps"][3]["expect"].update(extra)
        (root / "gap" / (name + ".json")).write_text(json.dumps(case))
    proc, results = run_on_reference_and_cpython(tmp_path, root)
    for impl in ("reference", "cpython"):
        old, new = results[(impl, "gap/from-the-step")], results[(impl, "gap/from-the-arming")]
        assert new["status"] == "pass", new
        assert old["status"] == "fail", old
        assert "step 3: the step took" in old["message"], old
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_parent_kill_once_blocked_arrives_in_the_blocking_call(tmp_path):
    """A signal asked from the runner before a long native computation and a select: sent at
    once, it arrives during the computation and its handler runs before the select starts;
    with once_blocked it arrives when the select blocks. Real drivers, real signals."""
    root = tmp_path / "cases"
    (root / "block").mkdir(parents=True)
    for name, extra in (("at-once", {}), ("once-blocked", {"once_blocked": True})):
        kill = {"do": "parent_kill", "sig": "SIGUSR1"}
        kill.update(extra)
        case = {"id": "block/" + name, "title": "A parent's signal and a blocking select",
                "rules": ["example.wakeup-socketpair"], "platforms": ["unix"], "timeout": 60,
                "handlers": {"h": {"record": True, "write": {"fd": "$w", "data": {"bytes": "00"}}}},
                "steps": [
                    {"do": "socketpair", "bind": ["r", "w"]},
                    {"call": "signal", "args": ["@SIGUSR1", {"handler": "h"}]},
                    kill,
                    {"do": "native_busy", "seconds": 0.5},
                    {"do": "select", "fds": ["$r"], "timeout": 20,
                     "expect": {"returns": ["$r"],
                                "events": [{"handler": "h", "sig": "SIGUSR1", "after_start_of": "4"}]}},
                ]}
        (root / "block" / (name + ".json")).write_text(json.dumps(case))
    proc, results = run_on_reference_and_cpython(tmp_path, root)
    for impl in ("reference", "cpython"):
        at_once, blocked = results[(impl, "block/at-once")], results[(impl, "block/once-blocked")]
        assert blocked["status"] == "pass", blocked
        assert at_once["status"] == "fail", at_once
        assert "expected it after step 4 started" in at_once["message"], at_once
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_wait_blocked_sends_from_a_thread_once_the_main_thread_is_in_its_call(tmp_path):
    """A thread sends SIGUSR1 to the main thread, which keeps busy for 0.5 s of CPU time before
    a read: sent at once, it arrives before the read and its handler's exception comes out of
    an earlier step; after a wait_blocked step it arrives in the read. Real drivers, real
    signals: the proof that the step is what makes the converted cases hold."""
    root = tmp_path / "cases"
    (root / "block").mkdir(parents=True)
    for name, waiting in (("at-once", []),
                          ("wait-blocked", [{"do": "wait_blocked", "thread": "main", "timeout": 30}])):
        case = {"id": "block/" + name, "title": "A thread's signal and a blocking read",
                "rules": ["handler.exception-from-blocking-call"], "since": "3.5", "platforms": ["unix"],
                "timeout": 60, "handlers": {"boom": {"raise": "ValueError"}},
                "steps": [
                    {"do": "pipe", "bind": ["r", "w"]},
                    {"call": "signal", "args": ["@SIGUSR1", {"handler": "boom"}]},
                    {"do": "ident", "thread": "main", "bind": "main"},
                    {"do": "thread", "name": "sender", "steps": waiting + [
                        {"call": "pthread_kill", "args": ["$main", "@SIGUSR1"]},
                        {"do": "write", "fd": "$w", "data": {"bytes": "2e"}}]},
                    {"do": "burn_cpu", "seconds": 0.5},
                    {"do": "read", "fd": "$r", "size": 1,
                     "expect": {"raises": "ValueError",
                                "events": [{"handler": "boom", "sig": "SIGUSR1", "after_start_of": "5"}]}},
                    {"do": "join", "name": "sender", "timeout": 30, "expect": {"returns": True}},
                ]}
        (root / "block" / (name + ".json")).write_text(json.dumps(case))
    proc, results = run_on_reference_and_cpython(tmp_path, root)
    for impl in ("reference", "cpython"):
        at_once, blocked = results[(impl, "block/at-once")], results[(impl, "block/wait-blocked")]
        assert blocked["status"] == "pass", blocked
        assert at_once["status"] == "fail", at_once
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_deviant_driver_fails_exactly_the_cases_that_look_at_the_old_mask(tmp_path):
    # The deviant returns pthread_sigmask's old mask as a list. Exactly the cases with a
    # `returns` expectation on a pthread_sigmask call must fail, at that step.
    cases = load_cases()

    def first_checked_mask_step(steps, prefix=""):
        # Depth-first, as the runner evaluates: the sub-steps of a thread or a forked child
        # right after their step.
        for i, step in enumerate(steps):
            path = prefix + str(i)
            if step.get("call") == "pthread_sigmask" and "returns" in step.get("expect", {}):
                return path
            if step.get("do") in ("thread", "fork"):
                inner = first_checked_mask_step(step["steps"], path + ".")
                if inner is not None:
                    return inner
        return None

    should_fail = {cid: first_checked_mask_step(c["steps"]) for cid, c in cases.items()}
    should_fail = {cid: step for cid, step in should_fail.items() if step is not None}
    assert len(should_fail) >= 5  # the deviation is worth testing only if cases see it

    report = tmp_path / "r.json"
    spec = "deviant=/usr/bin/python3 " + os.path.join(E2E, "deviant-driver.py")
    proc = sigconform("run", "--impl", spec, "--json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    _, results = results_by_key(str(report))
    failed = {case for (impl, case), r in results.items() if r["status"] != "pass"
              and not (case not in cases and r["status"] == "not-applicable")}
    assert failed == set(should_fail), proc.stdout
    for case_id, step in should_fail.items():
        r = results[("deviant", case_id)]
        assert r["status"] == "fail"
        assert r["step"] == step
        # The diff is shown: the expected set against the list that came back.
        assert "set" in json.dumps(r["expected"])
        assert isinstance(r["observed"]["value"], list), r["observed"]
        assert "--filter" in r["reproduce"] and case_id in r["reproduce"]
    # The human output names the step and shows a reproduce line.
    assert "reproduce:" in proc.stdout


def test_reproduce_line_reruns_one_case(tmp_path):
    spec = "deviant=/usr/bin/python3 " + os.path.join(E2E, "deviant-driver.py")
    report = tmp_path / "r.json"
    sigconform("run", "--impl", spec, "--filter", "masks/setmask-replaces-mask", "--json", str(report))
    _, results = results_by_key(str(report))
    line = results[("deviant", "masks/setmask-replaces-mask")]["reproduce"]
    rerun = subprocess.run(line + " --json " + str(tmp_path / "again.json"), shell=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert rerun.returncode == 1
    again, _ = results_by_key(str(tmp_path / "again.json"))
    assert [(r["case"], r["status"]) for r in again["results"]] == [("masks/setmask-replaces-mask", "fail")]


def faulty(fault):
    """The --impl of the driver that commits `fault` (fault_injection_test.py has them all)."""
    return "bad=/usr/bin/python3 %s %s" % (os.path.join(E2E, "faulty-driver.py"), fault)


@pytest.mark.parametrize("fault,status", [
    ("hang-before-start", "timeout"),
    ("segv", "crash"),
    ("garbage", "error"),
])
def test_misbehaving_driver_still_gets_its_reports(tmp_path, fault, status):
    # A timeout that a Python driver's start (ctypes and all) meets on a loaded machine.
    catalog = small_catalog(tmp_path, ["sigpipe/ignored-at-startup", "masks/empty-block-reads-mask"],
                            timeout=10)
    out = tmp_path / "out"
    started = time.monotonic()
    proc = sigconform("run", "--impl", faulty(fault), "--cases", catalog,
                      "--out", str(out), timeout=120)
    took = time.monotonic() - started
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report, results = results_by_key(str(out / "report.json"))
    assert {r["status"] for r in results.values()} == {status}, results
    assert all(r["message"] for r in results.values())
    ET.parse(str(out / "junit.xml"))
    assert took < 60  # a hang ends at the timeout, not never


def test_driver_that_cannot_describe_itself_errs_every_case_and_exits_2(tmp_path):
    # A driver that cannot start is a configuration error (2), not a regression (1); the
    # other implementations still run and the reports are written.
    catalog = small_catalog(tmp_path, ["sigpipe/ignored-at-startup", "masks/empty-block-reads-mask"])
    report = tmp_path / "r.json"
    proc = sigconform("run", "--impl", "mute=" + os.path.join(E2E, "cannot-describe"),
                      "--cases", catalog, "--json", str(report))
    assert proc.returncode == 2
    _, results = results_by_key(str(report))
    assert [r["status"] for r in results.values()] == ["error", "error"]
    assert "no such thing as describe here" in next(iter(results.values()))["message"]
    assert proc.stdout.count("could not describe itself") == 1


def test_bad_case_is_a_catalog_error_naming_file_and_path(tmp_path):
    catalog = small_catalog(tmp_path, ["sigpipe/ignored-at-startup"])
    bad = os.path.join(catalog, "sigpipe", "ignored-at-startup.json")
    case = json.load(open(bad))
    case["steps"][0]["expct"] = case["steps"][0].pop("expect")
    json.dump(case, open(bad, "w"))
    proc = sigconform("run", "--impl", "cpython", "--cases", catalog, "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 2
    assert "ignored-at-startup.json" in proc.stderr
    assert "/steps/0" in proc.stderr and "expct" in proc.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("citation,complaint", [
    ("mask.no-such-rule", "rule 'mask.no-such-rule' is not defined"),
    ("mask.lonely", "rule 'mask.lonely' is withdrawn"),
])
def test_case_citing_an_unknown_or_withdrawn_rule_stops_the_run(tmp_path, citation, complaint):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "masks.md").write_text(
        "Documentation: Python 3.13\n\n| id | rule | availability | since |\n"
        "| --- | --- | --- | --- |\n| `mask.read-with-empty-block` | Reads. | Unix | 3.3 |\n"
        "| `mask.lonely` | *Withdrawn.* Said too much. Replaced by `mask.read-with-empty-block`. "
        "| Unix | 3.3 |\n")
    catalog = small_catalog(tmp_path, ["masks/empty-block-reads-mask"])
    path = os.path.join(catalog, "masks", "empty-block-reads-mask.json")
    case = json.load(open(path))
    case["rules"] = ["mask.read-with-empty-block", citation]
    json.dump(case, open(path, "w"))
    proc = sigconform("run", "--impl", "reference", "--cases", catalog, "--rules", str(rules),
                      "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "empty-block-reads-mask.json: /rules/1: " + complaint in proc.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("change,complaint", [
    (lambda case: case["steps"][0].update({"call": "pthread_sigmsk"}),
     "/steps/0/call: 'pthread_sigmsk' is not a name of the signal module"),
    (lambda case: case.update({"since": "3.0"}),
     "/since: the case applies since 3.0, but "),
    (lambda case: case.update({"platforms": ["unix", "windows"]}),
     "does not exist on windows"),
])
def test_case_disagreeing_with_the_module_surface_stops_the_run(tmp_path, change, complaint):
    catalog = small_catalog(tmp_path, ["masks/empty-block-reads-mask"])
    path = os.path.join(catalog, "masks", "empty-block-reads-mask.json")
    case = json.load(open(path))
    change(case)
    json.dump(case, open(path, "w"))
    proc = sigconform("run", "--impl", "reference", "--cases", catalog,
                      "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "empty-block-reads-mask.json: " in proc.stderr and complaint in proc.stderr, proc.stderr
    assert not (tmp_path / "r.json").exists()
    proc = sigconform("coverage", "--cases", catalog)
    assert proc.returncode == 2 and complaint in proc.stderr, proc.stderr


def test_unknown_implementation_is_a_usage_error():
    proc = sigconform("run", "--impl", "nonesuch")
    assert proc.returncode == 2
    assert "nonesuch" in proc.stderr


def test_interrupted_runner_writes_its_reports(tmp_path):
    catalog = small_catalog(tmp_path, ["sigpipe/ignored-at-startup", "masks/empty-block-reads-mask"],
                            timeout=60)
    out = tmp_path / "out"
    proc = subprocess.Popen([BIN, "run", "--impl", faulty("hang-before-start"),
                             "--cases", catalog, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    # Wait until the drivers are running (their describe finished), then interrupt.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "hang-before-start run"],
                                  stdout=subprocess.PIPE,
                                  universal_newlines=True).stdout.split()
        if children:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stdout + stderr
    report, results = results_by_key(str(out / "report.json"))
    assert {r["status"] for r in results.values()} == {"not-run"}
    assert all("interrupt" in r["message"] for r in results.values())
    assert report["run"]["interrupted"] is True
    assert report["run"]["interrupted_by"] == "SIGINT"


def test_list_and_describe():
    proc = sigconform("list", "--filter", "masks/*")
    assert proc.returncode == 0
    lines = [l for l in proc.stdout.splitlines() if l.startswith("masks/")]
    assert len(lines) == len([c for c in load_cases() if c.startswith("masks/")])
    proc = sigconform("describe", "--impl", "reference")
    assert proc.returncode == 0
    described = json.loads(proc.stdout)
    assert described["describe"]["implementation"] == "sigref"
    assert "pthread_sigmask" in described["describe"]["names"]


def test_coverage_exit_statuses_and_json(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "README.md").write_text("| id | rule | availability | since |\n| --- | --- | --- | --- |\n"
                                     "| `readme.only` | Not a rule. | all | 3.0 |\n")
    table = ("Documentation: Python 3.13\n\n## Masks\n\n"
             "| id | rule | availability | since |\n| --- | --- | --- | --- |\n")
    (rules / "masks.md").write_text(table + "| `mask.read-with-empty-block` | Reads. | Unix | 3.3 |\n")
    catalog = small_catalog(tmp_path, ["masks/empty-block-reads-mask"])
    with open(os.path.join(catalog, "masks", "empty-block-reads-mask.json")) as f:
        case = json.load(f)
    case["rules"] = ["mask.read-with-empty-block"]
    with open(os.path.join(catalog, "masks", "empty-block-reads-mask.json"), "w") as f:
        json.dump(case, f)

    proc = sigconform("coverage", "--rules", str(rules), "--cases", catalog,
                      "--json", str(tmp_path / "index.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 rules (1 documented, 0 compat; 0 withdrawn not counted), 1 covered (100.0 %)" \
        in proc.stdout
    with open(str(tmp_path / "index.json")) as f:
        index = json.load(f)
    assert [r["id"] for r in index["rules"]] == ["mask.read-with-empty-block"]
    assert index["rules"][0]["cases"] == ["masks/empty-block-reads-mask"]
    assert index["rules"][0]["section"] == "Masks"
    assert index["cases"] == {"masks/empty-block-reads-mask": ["mask.read-with-empty-block"]}

    # A rule no case checks: 1, and the rule is named.
    (rules / "masks.md").write_text(table + "| `mask.read-with-empty-block` | Reads. | Unix | 3.3 |\n"
                                    "| `mask.lonely` | Nobody checks this. | Unix | 3.3 |\n")
    proc = sigconform("coverage", "--rules", str(rules), "--cases", catalog)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "mask.lonely" in proc.stdout.split("rules no case checks:")[1]

    # A case citing a rule that does not exist: 2.
    case["rules"] = ["mask.read-with-empty-block", "mask.lonely", "mask.typo"]
    with open(os.path.join(catalog, "masks", "empty-block-reads-mask.json"), "w") as f:
        json.dump(case, f)
    proc = sigconform("coverage", "--rules", str(rules), "--cases", catalog)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cites rule 'mask.typo'" in proc.stderr

    # A malformed row: 2, with the file and line.
    (rules / "masks.md").write_text(table + "| `mask.read-with-empty-block` | Reads. | Solaris | 3.3 |\n")
    proc = sigconform("coverage", "--rules", str(rules), "--cases", catalog)
    assert proc.returncode == 2
    assert "masks.md:7: rule 'mask.read-with-empty-block': unknown availability 'Solaris'" in proc.stderr


def test_platform_values_come_from_the_runner_on_linux_and_from_describe_under_emulation(tmp_path):
    # spec/case-format.md, "Platform values". The same real driver, described three ways.
    driver = os.path.join(E2E, "platform-driver.py")
    specs = {
        # On Linux the runner's <signal.h> decides: numbers a driver reports cannot make a
        # module right or wrong.
        "lies": "linux SIGRTMIN=40,SIG_IGN=7",
        # Under emulation the driver's numbers are all there is: without them, unsupported.
        "silent": "emscripten none",
        # ... and with them, they are used: CPython's real SIGRTMIN (34) is now wrong.
        "musl": "emscripten SIGRTMIN=35,SIGRTMAX=64,NSIG=65,SIG_IGN=1,SIG_DFL=0",
    }
    report = tmp_path / "r.json"
    args = ["run", "--json", str(report), "--filter", "names/sigrtmin-and-sigrtmax-are-signals",
            "--filter", "names/member-repr-names-enum-member-and-value"]
    for name, words in specs.items():
        args += ["--impl", name + "=/usr/bin/python3 " + driver + " " + words]
    proc = sigconform(*args)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    _, results = results_by_key(str(report))
    status = {key: r["status"] for key, r in results.items()}
    rt, repr_case = "names/sigrtmin-and-sigrtmax-are-signals", "names/member-repr-names-enum-member-and-value"
    assert status[("lies", rt)] == "pass" and status[("lies", repr_case)] == "pass"
    assert status[("silent", rt)] == "unsupported"
    assert results[("silent", rt)]["message"] == (
        "the driver does not report the platform's values SIGRTMAX, SIGRTMIN (describe's "
        "constants), which the case compares with")
    assert status[("silent", repr_case)] == "unsupported"
    assert status[("musl", repr_case)] == "pass"
    assert status[("musl", rt)] == "fail"
    assert "expected an int or IntEnum member with value 35" in results[("musl", rt)]["message"]


def test_drivers_report_the_platform_numbers_of_this_machine():
    # The reference and the Python driver report what <signal.h> gives here (glibc: SIG_IGN 1,
    # SIGRTMIN 34 after the two signals it keeps for itself).
    expected = {"SIG_DFL": 0, "SIG_IGN": 1, "NSIG": signal.NSIG,
                "SIGRTMIN": int(signal.SIGRTMIN), "SIGRTMAX": int(signal.SIGRTMAX)}
    for impl in ("reference", "cpython"):
        proc = sigconform("describe", "--impl", impl)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["describe"]["constants"] == expected, proc.stdout
