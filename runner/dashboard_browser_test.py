"""The HTML dashboard in a real browser: Debian's headless Chromium, driven through
chromium-driver (WebDriver) with Debian's python3-selenium, renders matrix.html, a filter is
clicked, a drill-down opened, and what is shown is checked. The page holds a hostile driver's
output too: nothing of it may run (window.__pwned stays unset) and all of it must read as text.
"""
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIGCONFORM_BIN", os.path.join(ROOT, "build", "runner", "sigconform"))
DRIVERS = os.path.join(ROOT, "runner", "testdata", "e2e-drivers")
PYTHON_DRIVER = os.path.join(ROOT, "adapters", "python", "driver.py")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.skipif(not os.path.exists(BIN), reason="runner not built: " + BIN),
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                       reason="chromium and chromium-driver are installed by scripts/setup"),
]


def sigconform(*args):
    return subprocess.run([BIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A baseline where `py` is the real Python driver, then a run where `py` is the hostile
    one, joined by `report --baseline`: the matrix has failures, changes and hostile text."""
    tmp = tmp_path_factory.mktemp("dashboard")
    select = ["--filter", "masks/*", "--filter", "alarm/*"]
    base, now = tmp / "base.json", tmp / "now.json"
    sigconform("run", "--impl", "reference", "--impl", "py=/usr/bin/python3 " + PYTHON_DRIVER,
               *select, "--json", str(base))
    sigconform("run", "--impl", "reference",
               "--impl", "py=/usr/bin/python3 " + os.path.join(DRIVERS, "hostile-driver.py"),
               *select, "--json", str(now))
    proc = sigconform("report", str(now), "--baseline", str(base), "-o", str(tmp / "site"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    with open(str(now)) as f:
        report = json.load(f)
    with open(str(base)) as f:
        baseline = {(r["case"], r["implementation"]): r["status"] for r in json.load(f)["results"]}
    return tmp / "site" / "matrix.html", report, baseline


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def visible_rows(driver):
    return [row for row in driver.find_elements("css selector", "tr.case") if row.is_displayed()]


def test_dashboard_filters_drills_down_and_runs_nothing_hostile(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    page, report, baseline = site
    browser.get("file://" + str(page))
    results = report["results"]
    cases = sorted({r["case"] for r in results})
    failing = sorted({r["case"] for r in results if r["status"] == "fail"})
    assert failing and len(failing) < len(cases)

    # The script ran (CSP allowed it by hash): the filters are shown and count the rows.
    form = browser.find_element(By.ID, "filters")
    assert form.is_displayed()
    assert browser.find_element(By.ID, "shown-count").text == "%d of %d cases shown" % (len(cases), len(cases))
    assert len(visible_rows(browser)) == len(cases)

    # Versions in the column heads; a pass rate per area.
    heads = browser.find_element(By.CSS_SELECTOR, "#matrix thead").text
    assert "sigref" in heads and "cpython 3." in heads
    # Pass rates by spec section: a case counts in the section of each rule it cites.
    sections = browser.find_element(By.ID, "sections")
    masks = report["rules"]["mask.block-union"]["section"]

    def rate(impl):
        mine = [r for r in results if r["implementation"] == impl and r["status"] != "not-applicable"
                and any(report["rules"][rule]["section"] == masks for rule in r.get("rules", []))]
        passed = len([r for r in mine if r["status"] == "pass"])
        return "%d/%d (%.0f %%)" % (passed, len(mine), 100.0 * passed / len(mine))

    row = sections.find_element(By.CSS_SELECTOR, "tr[data-section='%s']" % masks.replace("'", "\\'"))
    assert [c.text for c in row.find_elements(By.TAG_NAME, "td")] == [rate("reference"), rate("py")]
    assert rate("reference").endswith("(100 %)") and not rate("py").endswith("(100 %)")

    # Totals by rule tier: each implementation's passes and unexpected results per tier.
    def tier_row(impl, tier):
        mine = [r for r in results if r["implementation"] == impl and tier in r.get("tiers", [])]
        passed = len([r for r in mine if r["status"] == "pass"])
        unexpected = len([r for r in mine if r["status"] in ("fail", "missing", "error", "crash", "timeout",
                                                             "xpass", "not-run", "flaky")])
        return passed, unexpected, len(mine)

    tiers_table = browser.find_element(By.ID, "tiers")
    for impl in ("reference", "py"):
        passed, unexpected, total = tier_row(impl, "documented")
        assert total > 0
        cells = tiers_table.find_element(By.CSS_SELECTOR, "tr[data-impl='%s'][data-tier=documented]" % impl)
        tds = [c.text for c in cells.find_elements(By.TAG_NAME, "td")]
        assert tds[0] == "documented" and tds[1] == str(passed) and tds[4] == str(unexpected) and tds[5] == str(total), tds

    # Tier filter: only the cases resting on a settled (compat) rule.
    compat_cases = sorted({r["case"] for r in results if "compat" in r.get("tiers", [])})
    Select(browser.find_element(By.NAME, "tier")).select_by_value("compat")
    assert sorted(r.find_element(By.CSS_SELECTOR, "td.id code").text for r in visible_rows(browser)) == compat_cases
    Select(browser.find_element(By.NAME, "tier")).select_by_value("")
    assert len(visible_rows(browser)) == len(cases)

    # Status filter: only "fail" -> exactly the failing cases.
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=status]"):
        if box.get_attribute("value") != "fail" and box.is_selected():
            box.click()
    assert sorted(r.find_element(By.CSS_SELECTOR, "td.id code").text for r in visible_rows(browser)) == failing
    # ... and on the reference column alone, nothing fails.
    Select(browser.find_element(By.NAME, "impl")).select_by_visible_text("reference")
    assert visible_rows(browser) == []
    Select(browser.find_element(By.NAME, "impl")).select_by_visible_text("all")

    # The comparison: changed cells are marked with the baseline's status (read from base.json:
    # the baseline run need not pass everything), every pair whose status changed among them,
    # and "changed only" keeps their rows.
    columns = ["reference", "py"]

    def pair(cell):
        row = cell.find_element(By.XPATH, "..")
        return row.find_element(By.CSS_SELECTOR, "td.id code").text, columns[int(cell.get_attribute("data-col"))]

    changed = browser.find_elements(By.CSS_SELECTOR, "td[data-changed]")
    assert changed
    for cell in changed:
        was = baseline.get(pair(cell), "absent")
        assert cell.find_element(By.CSS_SELECTOR, "div.was").text == "was " + was, (pair(cell), cell.text)
    status_changed = {(r["case"], r["implementation"]) for r in results
                      if baseline.get((r["case"], r["implementation"])) != r["status"]}
    assert status_changed and status_changed <= {pair(c) for c in changed}
    browser.find_element(By.NAME, "changed").click()
    assert len(visible_rows(browser)) == len({c.find_element(By.XPATH, "..").get_attribute("data-search")
                                              for c in changed})
    assert "regression" in browser.find_element(By.ID, "changes").text

    # Drill-down: click the hostile implementation's failing cell of a case whose failing step
    # expects a value (a step expected only to succeed has no "expected" to show).
    target = sorted(r["case"] for r in results if r["implementation"] == "py" and r["status"] == "fail"
                    and r["case"].startswith("masks/") and "expected" in r)[0]
    cell = browser.find_element(By.XPATH, "//tr[td[@class='id']/code[text()='%s']]/td[@data-col='1']" % target)
    assert cell.get_attribute("data-status") == "fail"
    cell.click()
    panel = browser.find_element(By.ID, "drilldown")
    assert panel.is_displayed()
    facts = {e.get_attribute("data-fact"): e.text for e in panel.find_elements(By.CSS_SELECTOR, "[data-fact]")}
    for key in ("case", "step", "expected", "observed", "tier", "rule", "reproduce", "baseline"):
        assert facts.get(key), (key, facts)
    assert "pthread_sigmask(" in facts["step"]
    assert facts["reproduce"].startswith(BIN) or "sigconform" in facts["reproduce"]
    assert facts["baseline"].split(" ")[0] == baseline[pair(cell)], (facts["baseline"], pair(cell))
    text = panel.text
    assert "<script>window.__pwned=1</script>" in text, "the hostile text is shown as text"
    assert panel.find_elements(By.TAG_NAME, "script") == []
    assert panel.find_elements(By.TAG_NAME, "img") == []
    assert browser.find_element(By.CSS_SELECTOR, "pre.stderr").text.startswith("stderr:")

    # Nothing hostile ran anywhere on the page.
    assert browser.execute_script("return window.__pwned === undefined")
    severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not severe, severe
    if os.environ.get("SIGCONFORM_SCREENSHOT"):
        browser.save_screenshot(os.environ["SIGCONFORM_SCREENSHOT"])
