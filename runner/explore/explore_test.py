"""`sigconform explore` end to end: real drivers, real processes, real signals.

Run by meson with SIGCONFORM_BIN pointing at the built runner; `/usr/bin/python3 -m pytest`.
The seeds and program counts are fixed: this is CI's short smoke of exploration; the long runs
are by hand (README, "Differential exploration").
"""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
WRONG = "wrong=/usr/bin/python3 " + os.path.join(ROOT, "runner", "explore", "testdata",
                                                 "returns-new-mask-driver.py")

pytestmark = pytest.mark.skipif(not os.path.exists(BIN), reason="runner not built: " + BIN)


def explore(out, *args, timeout=900):
    proc = subprocess.run([BIN, "explore", "--out", str(out)] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, cwd=ROOT)
    summary = None
    path = os.path.join(str(out), "explore.json")
    if os.path.exists(path):
        with open(path) as f:
            summary = json.load(f)
    return proc, summary


def test_a_driver_returning_the_new_mask_is_found_and_shrunk_to_three_steps_at_most(tmp_path):
    proc, summary = explore(tmp_path, "--impl", WRONG, "--oracle", "cpython", "--seed", "1",
                            "--programs", "16", "-j", "2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    confirmed = [f for f in summary["findings"] if f["confirmed"]]
    assert confirmed, summary
    f = confirmed[0]
    assert len(f["shrunk"]["steps"]) <= 3, json.dumps(f["shrunk"])
    assert any(s.get("call") == "pthread_sigmask" for s in f["shrunk"]["steps"])
    # The ready case: valid, the oracle's observations as expectations, checked on both sides.
    assert f["case_passes_oracle"] and f["case_fails_impl"], f
    with open(f["case_file"]) as fh:
        case = json.load(fh)
    assert case["id"].startswith("explore/s1-p")
    assert case["rules"] == ["todo.fill-in-rules"]
    assert case["title"].startswith("TODO")
    mask_steps = [s for s in case["steps"] if s.get("call") == "pthread_sigmask"]
    assert any("returns" in s.get("expect", {}) for s in mask_steps), case
    # The usual reports hold it too, with the seed in the reproduce line.
    with open(os.path.join(str(tmp_path), "report.json")) as fh:
        report = json.load(fh)
    failing = [r for r in report["results"] if r["status"] == "fail"]
    assert failing and "--seed 1" in failing[0]["reproduce"]
    assert os.path.exists(os.path.join(str(tmp_path), "junit.xml"))


def test_the_same_seed_finds_the_same_divergence_and_the_same_shrunk_case(tmp_path):
    runs = []
    for name in ("a", "b"):
        proc, summary = explore(tmp_path / name, "--impl", WRONG, "--oracle", "cpython",
                                "--seed", "1", "--programs", "6", "-j", "2")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        runs.append([(f["index"], f["program"], f.get("shrunk")) for f in summary["findings"]])
    assert runs[0] == runs[1]


def test_cpython_against_itself_never_diverges(tmp_path):
    # The generator makes no racy programs: two runs of one implementation agree.
    proc, summary = explore(tmp_path, "--impl", "cpython", "--oracle", "cpython", "--seed", "2",
                            "--programs", "60", "-j", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary["programs"] == 60 and summary["findings"] == []
    assert summary["oracle"] == "cpython-oracle"


def test_the_reference_agrees_with_cpython(tmp_path):
    proc, summary = explore(tmp_path, "--impl", "reference", "--oracle", "cpython", "--seed", "3",
                            "--programs", "60", "-j", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary["findings"] == []
    # Two language versions (the reference describes itself as one, Debian's CPython is
    # another): the console says that values can differ between them, and explore.json keeps both.
    versions = summary["language_versions"]
    assert set(versions) == {"impl", "oracle"}
    if versions["impl"] != versions["oracle"]:
        assert "NOTE: reference is Python " + versions["impl"] in proc.stdout, proc.stdout
        assert summary["language_version"] == min(versions.values(),
                                                   key=lambda v: tuple(map(int, v.split("."))))
    else:
        assert "NOTE:" not in proc.stdout


def test_without_a_limit_or_with_an_unknown_implementation_it_is_a_usage_error(tmp_path):
    proc, _ = explore(tmp_path, "--impl", "cpython", "--oracle", "cpython")
    assert proc.returncode == 2 and "--programs" in proc.stderr
    proc, _ = explore(tmp_path, "--impl", "nosuch", "--oracle", "cpython", "--programs", "1")
    assert proc.returncode == 2
