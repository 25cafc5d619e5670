"""`meson install` gives a runner that works with no source tree: the test installs the build
into a DESTDIR, hides the source tree (and the build tree inside it) behind an empty tmpfs in a
private mount namespace, and runs a catalog slice on the reference and on CPython with the
installed runner alone.

Run by meson with SIGCONFORM_BUILD_DIR pointing at the build folder.
"""
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SIGCONFORM_BUILD_DIR", os.path.join(ROOT, "build"))


def can_hide_the_source_tree():
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return probe.returncode == 0


pytestmark = [
    pytest.mark.skipif(not os.path.exists(os.path.join(BUILD, "build.ninja")), reason="no build folder"),
    pytest.mark.skipif(not can_hide_the_source_tree(),
                       reason="needs root and unshare(1) to hide the source tree (CI runs as root)"),
]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    destdir = tmp_path_factory.mktemp("destdir")
    proc = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
                           "--destdir", str(destdir)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode == 0, proc.stdout
    found = [os.path.join(d, "sigconform") for d, _, files in os.walk(str(destdir))
             if "sigconform" in files and os.path.basename(d) == "bin"]
    assert len(found) == 1, found
    return destdir, found[0]


def hidden(command, cwd):
    """Runs `command` with the source tree replaced by an empty folder."""
    script = 'mount -t tmpfs sigconform-hidden "$1" && shift && cd "$0" && exec "$@"'
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGCONFORM_")}
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                           str(cwd), ROOT] + command,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          env=env, timeout=600)


def test_installed_layout(installed):
    destdir, runner = installed
    prefix = os.path.dirname(os.path.dirname(runner))
    for rel in ("share/sigconform/cases/masks", "share/sigconform/spec/rules/README.md",
                "share/sigconform/spec/report.schema.json",
                "share/sigconform/adapters/python/driver.py", "libexec/sigconform/sigref-driver"):
        assert os.path.exists(os.path.join(prefix, rel)), rel
    assert not os.path.exists(os.path.join(prefix, "share/sigconform/cases/meson.build"))


def test_installed_runner_works_without_the_source_tree(installed, tmp_path):
    destdir, runner = installed
    out = tmp_path / "out"
    proc = hidden([runner, "run", "--impl", "reference", "--impl", "cpython", "--filter", "masks/*",
                   "--filter", "names/*", "--out", str(out)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(str(out / "report.json")) as f:
        report = json.load(f)
    prefix = os.path.dirname(os.path.dirname(runner))
    assert report["run"]["catalog"]["dir"].startswith(prefix), report["run"]["catalog"]
    statuses = {r["status"] for r in report["results"]}
    assert statuses <= {"pass", "not-applicable"} and "pass" in statuses
    assert {r["implementation"] for r in report["results"]} == {"reference", "cpython"}
    assert report["rules"], "the installed rules were read"
    assert ROOT not in json.dumps(report), "nothing points into the source tree"
    # The other subcommands find their data too.
    proc = hidden([runner, "coverage"], cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    proc = hidden([runner, "list", "--filter", "masks/*"], cwd=tmp_path)
    assert proc.returncode == 0 and "masks/" in proc.stdout
    proc = hidden(["ls", ROOT], cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == "", "the source tree really was hidden"
