"""Every report format against a hostile driver: whatever an implementation writes, all four
reports parse and show it as text.

The hostile driver (testdata/e2e-drivers/hostile-driver.py) puts characters XML 1.0 cannot
carry, CDATA and element terminators, script tags, event handlers, Markdown headings, links and
fences, ANSI escapes, bidirectional overrides and invalid UTF-8 into its messages, return values,
executable name and stderr. Each format is read back by a real consumer: json and jsonschema,
ElementTree, xmllint and junitparser for JUnit, GitHub's own Markdown renderer (cmark-gfm, with
raw HTML allowed, so that nothing but our escaping keeps it inert), and an HTML parser (the
browser test, dashboard_browser_test.py, runs the page's script).
"""
import html.parser
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import jsonschema
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
HOSTILE = "hostile=/usr/bin/python3 " + os.path.join(ROOT, "runner", "testdata", "e2e-drivers",
                                                      "hostile-driver.py")
CASES = ["masks/block-returns-previous-mask", "masks/unblock-unblocked-is-allowed"]

pytestmark = pytest.mark.skipif(not os.path.exists(BIN), reason="runner not built: " + BIN)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    args = [BIN, "run", "--impl", HOSTILE, "--impl", "reference", "--out", str(out)]
    for case in CASES:
        args += ["--filter", case]
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, errors="replace", timeout=300, cwd=ROOT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # What reached the terminal is inert too: no escape sequence, no NUL.
    assert "\x1b" not in proc.stdout and "\x00" not in proc.stdout
    return out


def test_json_report_parses_validates_and_keeps_the_text(reports):
    with open(str(reports / "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    with open(os.path.join(ROOT, "spec", "report.schema.json")) as f:
        schema = json.load(f)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(report))
    assert not errors, errors[0].message
    hostile = [r for r in report["results"] if r["implementation"] == "hostile"]
    assert {r["status"] for r in hostile} == {"fail"}
    text = json.dumps(hostile)
    assert "<script>window.__pwned=1</script>" in json.dumps(hostile, ensure_ascii=False)
    assert "\\ufffe" in text or "\ufffe" in text
    assert "\ufffd" in "".join(r.get("stderr_excerpt", "") for r in hostile), \
        "invalid UTF-8 is replaced, not passed through"


def test_junit_parses_with_real_consumers_and_keeps_implementations_apart(reports):
    path = str(reports / "junit.xml")
    subprocess.run(["xmllint", "--noout", path], check=True)
    root = ET.parse(path).getroot()
    cases = list(root.iter("testcase"))
    assert len(cases) == 2 * len(CASES)
    classnames = {(c.get("classname"), c.get("name")) for c in cases}
    assert len(classnames) == len(cases), "the same case on two implementations is two testcases"
    assert {c.get("classname") for c in cases} == {"hostile.masks", "reference.masks"}
    assert not list(root.iter("script")) and not list(root.iter("img"))
    failure = next(root.iter("failure"))
    body = failure.text + failure.get("message")
    assert "<script>window.__pwned=1</script>" in body, "shown as text"
    assert "</testcase>" in body and "]]>" in body
    assert "\\ufffe" in body and "\\x1b[31m" in body, "XML-invalid characters become visible escapes"
    # junitparser, as CI plugins read it.
    from junitparser import JUnitXml
    xml = JUnitXml.fromfile(path)
    suites = {s.name: s for s in xml}
    assert set(suites) == {"hostile", "reference"}
    assert suites["hostile"].failures == len(CASES)
    assert suites["reference"].failures == 0
    props = {p.name: p.value for p in suites["hostile"].properties()}
    assert props["catalog.digest"].startswith("sha256:")
    assert "<script>" in props["describe.executable"]


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.skipif(shutil.which("cmark-gfm") is None, reason="cmark-gfm is installed by scripts/setup")
def test_markdown_renders_hostile_text_as_text(reports):
    rendered = subprocess.run(
        ["cmark-gfm", "--unsafe", "-e", "table", "-e", "autolink", "-e", "strikethrough",
         "-e", "tagfilter", str(reports / "summary.md")],
        stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    page = Collect()
    page.feed(rendered)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert page.tags.count("h1") == 1, "no fake heading"
    assert not any(name == "href" for name, value in page.attrs), "no link at all"
    text = "".join(page.text)
    assert "<script>window.__pwned=1</script>" in text, "shown as text"
    assert "# Fake heading" in text and "[click](javascript:" in text
    assert "\x1b" not in rendered and "\x00" not in rendered
    # The summary table survived the pipes in the text: one row per implementation.
    assert page.tags.count("table") >= 1


def test_html_dashboard_embeds_everything_inert(reports):
    text = (reports / "matrix.html").read_text(encoding="utf-8")
    page = Collect()
    page.feed(text)
    assert page.tags.count("script") == 2, "the data block and the dashboard's own script"
    assert "img" not in page.tags and "b" not in page.tags
    assert "\x1b" not in text and "\ufffe" not in text
    start = text.index('<script type="application/json" id="sigconform-data">') + len(
        '<script type="application/json" id="sigconform-data">')
    data = json.loads(text[start:text.index("</script>", start)])
    messages = " ".join(r.get("message", "") for r in data["results"])
    assert "<script>window.__pwned=1</script>" in messages
    assert "Content-Security-Policy" in text and "script-src 'sha256-" in text
