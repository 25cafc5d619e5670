"""End-to-end tests of what `sigconform` gives a CI pipeline: selection (--filter with globs
and exclusions, --tag, -k, --shard), -x, --repeat, expectation files, report metadata, exit
statuses, and the merge / report / diff subcommands. Real drivers, real processes.

Run by meson with SIGCONFORM_BIN pointing at the built runner; `/usr/bin/python3 -m pytest`.
"""
import json
import os
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
E2E = os.path.join(ROOT, "runner", "testdata", "e2e-drivers")
CASES = os.path.join(ROOT, "cases")
DEVIANT = "deviant=/usr/bin/python3 " + os.path.join(E2E, "deviant-driver.py")
# Describes itself through the real Python driver, then hangs in every case, deaf to SIGTERM.
HANGS = "hangs=/usr/bin/python3 %s ignore-sigterm" % os.path.join(E2E, "faulty-driver.py")

pytestmark = pytest.mark.skipif(not os.path.exists(BIN), reason="runner not built: " + BIN)


def sigconform(*args, timeout=600):
    return subprocess.run([BIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, cwd=ROOT)


def load(path):
    with open(str(path)) as f:
        return json.load(f)


def statuses(report):
    return {(r["implementation"], r["case"]): r["status"] for r in report["results"]}


def listed(*args):
    proc = sigconform("list", *args)
    assert proc.returncode == 0, proc.stderr
    return [line.split()[0] for line in proc.stdout.splitlines() if "/" in line.split()[0]]


def small_catalog(tmp_path, ids, timeout=None):
    root = tmp_path / "cases"
    for case_id in ids:
        case = load(os.path.join(CASES, case_id + ".json"))
        if timeout is not None:
            case["timeout"] = timeout
        path = root / (case_id + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(case))
    return str(root)


def test_version_names_the_release_and_commit():
    proc = sigconform("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("sigconform 0."), proc.stdout


def test_filter_takes_real_globs_and_exclusions():
    masks = listed("--filter", "masks/*")
    assert masks and all(c.startswith("masks/") for c in masks)
    assert listed("--filter", "masks/*", "--filter", "!masks/[a-m]*") == \
        [c for c in masks if not "a" <= c[len("masks/")] <= "m"]
    every = listed()
    assert listed("--filter", "!masks/*") == [c for c in every if not c.startswith("masks/")]
    one = masks[0]
    assert listed("--filter", one[:-1] + "?") == [one]


def test_tag_and_keyword_select_cases():
    tagged = [json.load(open(os.path.join(CASES, c + ".json"))) for c in listed()]
    some_tag = next(t for case in tagged for t in case.get("tags", []))
    want = [c["id"] for c in tagged if some_tag in c.get("tags", [])]
    assert listed("--tag", some_tag) == want
    assert listed("-k", "SIGPIPE") == [c["id"] for c in tagged
                                       if "sigpipe" in (c["id"] + c["title"]).lower()]


def test_shards_are_disjoint_and_cover_the_selection():
    whole = listed("--filter", "masks/*")
    slices = [listed("--filter", "masks/*", "--shard", "%d/3" % k) for k in (1, 2, 3)]
    assert sorted(sum(slices, [])) == sorted(whole)
    assert all(slices)
    proc = sigconform("list", "--shard", "4/3")
    assert proc.returncode == 2 and "K/N" in proc.stderr


def test_report_records_runner_catalog_host_and_environment_once(tmp_path):
    out = tmp_path / "r.json"
    proc = sigconform("run", "--impl", "reference", "--filter", "masks/*", "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = load(out)
    run = report["run"]
    assert report["sigconform_report"] == 2
    assert run["runner"]["version"] == sigconform("--version").stdout.split()[1]
    assert run["catalog"]["digest"].startswith("sha256:") and len(run["catalog"]["digest"]) == 71
    assert run["catalog"]["cases"] == len(listed())
    assert run["catalog"]["rules_digest"].startswith("sha256:")
    assert run["host"]["name"] and run["host"]["os"].startswith("Linux")
    assert run["started_at"] <= run["ended_at"] and run["interrupted"] is False
    assert run["selection"]["filters"] == ["masks/*"]
    assert run["implementations"][0]["env"], "the environment is written once per implementation"
    assert not any("env" in r for r in report["results"])
    assert all(r["title"] for r in report["results"])
    # The same catalog digests alike in another run.
    again = tmp_path / "again.json"
    sigconform("run", "--impl", "reference", "--filter", "masks/empty*", "--json", str(again))
    assert load(again)["run"]["catalog"]["digest"] == run["catalog"]["digest"]


def test_exitfirst_stops_starting_cases_after_the_first_unexpected_result(tmp_path):
    out = tmp_path / "r.json"
    proc = sigconform("run", "--impl", DEVIANT, "--filter", "masks/*", "-j", "1", "-x",
                      "--json", str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    results = load(out)["results"]
    got = [r["status"] for r in results]
    # Results are in catalog order, cases start in the scheduler's (longest expected first): at
    # -j 1 exactly one unexpected result, then nothing more started.
    assert got.count("fail") == 1 and "not-run" in got, got
    assert set(got) <= {"pass", "not-applicable", "fail", "not-run"}, got
    assert all("-x stopped the run" in r["message"] for r in results if r["status"] == "not-run")


def test_repeat_classifies_each_pair(tmp_path):
    out = tmp_path / "r.json"
    proc = sigconform("run", "--impl", "reference", "--impl", DEVIANT, "--filter",
                      "masks/setmask-replaces-mask", "--filter", "masks/empty-block-reads-mask",
                      "--repeat", "3", "--json", str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = load(out)
    assert report["run"]["repeat"] == 3
    by = {(r["implementation"], r["case"]): r for r in report["results"]}
    stable = by[("reference", "masks/setmask-replaces-mask")]
    assert stable["status"] == "pass" and stable["repeat"] == {
        "runs": 3, "verdicts": ["pass"] * 3, "stability": "stable"}
    broken = by[("deviant", "masks/setmask-replaces-mask")]
    assert broken["status"] == "fail" and broken["repeat"]["stability"] == "broken"


def test_sigterm_exits_143_and_unstarted_cases_are_not_run(tmp_path):
    catalog = small_catalog(tmp_path, ["sigpipe/ignored-at-startup", "masks/empty-block-reads-mask"],
                            timeout=60)
    out = tmp_path / "out"
    proc = subprocess.Popen([BIN, "run", "--impl", HANGS, "--isolation", "fork-exec", "--cases", catalog,
                             "-j", "1",
                             "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "ignore-sigterm run"],
                                  stdout=subprocess.PIPE, universal_newlines=True).stdout.split()
        if children:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, stdout + stderr
    report = load(out / "report.json")
    assert report["run"]["interrupted_by"] == "SIGTERM"
    messages = sorted(r["message"] for r in report["results"])
    assert [r["status"] for r in report["results"]] == ["not-run", "not-run"]
    assert any("interrupted" in m for m in messages)


def test_unexecutable_driver_is_a_configuration_error(tmp_path):
    out = tmp_path / "r.json"
    proc = sigconform("run", "--impl", "reference", "--impl", "gone=/nonexistent/driver",
                      "--filter", "masks/empty*", "--json", str(out))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    report = load(out)
    assert {s for (i, c), s in statuses(report).items() if i == "reference"} == {"pass"}
    assert {s for (i, c), s in statuses(report).items() if i == "gone"} == {"error"}


def write(path, doc):
    path.write_text(json.dumps(doc))
    return str(path)


def test_expectation_files_pin_any_status_and_gate_on_changes(tmp_path):
    catalog = small_catalog(tmp_path, ["sigpipe/ignored-at-startup", "masks/empty-block-reads-mask"],
                            timeout=1)
    exp = write(tmp_path / "known.json", {"hangs": {
        "sigpipe/ignored-at-startup": {"status": "timeout", "reason": "hangs by design",
                                       "link": "https://example.invalid/1"},
        "masks/*": {"status": "timeout", "reason": "all of them"}}})
    out = tmp_path / "r.json"
    proc = sigconform("run", "--impl", HANGS, "--isolation", "fork-exec", "--cases", catalog,
                      "--expectations", exp,
                      "--json", str(out), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = load(out)
    assert set(statuses(report).values()) == {"xfail"}
    assert report["results"][1]["expectation"]["link"] == "https://example.invalid/1"
    # Pinned as a failure, a timeout is not excused.
    exp2 = write(tmp_path / "wrong.json", {"hangs": {"masks/*": "fails"}})
    proc = sigconform("run", "--impl", HANGS, "--isolation", "fork-exec", "--cases", catalog,
                      "--filter", "masks/*",
                      "--expectations", exp2, "--json", str(out), timeout=120)
    assert proc.returncode == 1
    assert "not the failure" in load(out)["results"][0]["message"]


def test_expectation_file_naming_unknown_cases_or_implementations_is_refused(tmp_path):
    exp = write(tmp_path / "bad.json", {"pypy": {"masks/no-such-case": "x"}, "graalpy": {"masks/*": "y"}})
    proc = sigconform("run", "--impl", "reference", "--filter", "masks/empty*", "--expectations", exp,
                      "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 2
    assert "bad.json: /pypy/masks~1no-such-case: 'masks/no-such-case' is no case of the catalog" in proc.stderr
    assert "/graalpy: 'graalpy' is no implementation" in proc.stderr
    assert not (tmp_path / "r.json").exists()
    # A case merely left out by --filter is fine.
    exp = write(tmp_path / "ok.json", {"pypy": {"itimer/*": "not selected"}})
    proc = sigconform("run", "--impl", "reference", "--filter", "masks/empty*", "--expectations", exp,
                      "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr


def test_update_expectations_rewrites_the_file_from_the_run(tmp_path):
    first = tmp_path / "first.json"
    sigconform("run", "--impl", DEVIANT, "--filter", "masks/*", "--json", str(first))
    passing = sorted(c for (i, c), s in statuses(load(first)).items() if s == "pass")
    exp = tmp_path / "deviant.json"
    exp.write_text(json.dumps({"deviant": {passing[0]: "stale: it passes"},
                               "pypy": {"masks/*": "another implementation, left alone"}}))
    proc = sigconform("run", "--impl", DEVIANT, "--filter", "masks/*",
                      "--update-expectations", str(exp), "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pinned = load(exp)["deviant"]
    report = load(tmp_path / "r.json")
    failing = {c for (i, c), s in statuses(report).items() if s == "xfail"}
    assert failing and set(pinned) == failing, "the stale entry is gone, every failure pinned"
    assert all(e["status"] == "fail" and e["step"] and e["reason"] for e in pinned.values())
    assert load(exp)["pypy"] == {"masks/*": "another implementation, left alone"}
    # The next run against the rewritten file is green; the real driver is now an xpass.
    proc = sigconform("run", "--impl", DEVIANT, "--filter", "masks/*", "--expectations", str(exp),
                      "--json", str(tmp_path / "r2.json"))
    assert proc.returncode == 0, proc.stdout
    real = "deviant=/usr/bin/python3 " + os.path.join(ROOT, "adapters", "python", "driver.py")
    proc = sigconform("run", "--impl", real, "--filter", "masks/*", "--expectations", str(exp),
                      "--json", str(tmp_path / "r3.json"))
    assert proc.returncode == 1
    assert "xpass" in set(statuses(load(tmp_path / "r3.json")).values())


def test_shards_merged_equal_the_unsharded_run_and_diff_sees_no_change(tmp_path):
    whole = tmp_path / "whole.json"
    args = ["--impl", "reference", "--impl", DEVIANT, "--filter", "masks/*"]
    assert sigconform("run", *args, "--json", str(whole)).returncode == 1
    parts = []
    for k in (1, 2, 3, 4):
        part = tmp_path / ("shard-%d.json" % k)
        sigconform("run", *args, "--shard", "%d/4" % k, "--json", str(part))
        parts.append(str(part))
    merged = tmp_path / "merged.json"
    proc = sigconform("merge", *parts, "-o", str(merged))
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the deviant's failures count
    assert statuses(load(merged)) == statuses(load(whole))
    assert [(r["implementation"], r["case"]) for r in load(merged)["results"]] == \
        [(r["implementation"], r["case"]) for r in load(whole)["results"]]
    assert [s["shard"] for s in load(merged)["run"]["sources"]] == ["1/4", "2/4", "3/4", "4/4"]
    proc = sigconform("diff", "--strict", str(whole), str(merged))
    assert proc.returncode == 0, proc.stdout
    assert "0 regressions, 0 fixes, 0 changed, 0 added, 0 removed" in proc.stdout
    # Without shard 3 the merge is refused.
    proc = sigconform("merge", parts[0], parts[1], parts[3], "-o", str(tmp_path / "x.json"))
    assert proc.returncode == 2
    assert "shard(s) 3/4 missing" in proc.stderr


def test_report_builds_every_format_from_several_reports(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    sigconform("run", "--impl", "reference", "--filter", "masks/*", "--json", str(a))
    sigconform("run", "--impl", DEVIANT, "--filter", "masks/*", "--json", str(b))
    out = tmp_path / "site"
    proc = sigconform("report", str(a), str(b), "-o", str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for name in ("report.json", "junit.xml", "summary.md", "matrix.html"):
        assert (out / name).exists(), name
    merged = load(out / "report.json")
    assert [i["name"] for i in merged["run"]["implementations"]] == ["reference", "deviant"]
    assert "deviant" in (out / "summary.md").read_text()


def test_diff_lists_regressions_and_fixes_by_case(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    real = "py=/usr/bin/python3 " + os.path.join(ROOT, "adapters", "python", "driver.py")
    deviant = "py=/usr/bin/python3 " + os.path.join(E2E, "deviant-driver.py")
    sigconform("run", "--impl", real, "--filter", "masks/*", "--json", str(good))
    sigconform("run", "--impl", deviant, "--filter", "masks/*", "--json", str(bad))
    proc = sigconform("diff", str(good), str(bad), "--json", str(tmp_path / "d.json"))
    assert proc.returncode == 1
    regressions = [l for l in proc.stdout.splitlines() if l.startswith("REGRESSION  py  masks/")]
    assert regressions and all(": pass -> fail at step" in l for l in regressions), proc.stdout
    assert load(tmp_path / "d.json")["regressions"] == len(regressions)
    proc = sigconform("diff", str(bad), str(good))
    assert proc.returncode == 0
    assert proc.stdout.count("FIX  py  masks/") == len(regressions)
    broken = tmp_path / "broken.json"
    broken.write_text('{"sigconform_report": 1}')
    proc = sigconform("diff", str(good), str(broken))
    assert proc.returncode == 2
    assert "expected report format 2, got 1" in proc.stderr
