"""The JSON Schemas of spec/ against the C++ validator's fixtures and the reports it writes.

spec/case.schema.json and the runner's hand-written validator (runner/catalog.cc) must agree:
every good case is accepted by both, every broken case the schema can express is rejected by
both (the gtest checks the C++ side of the same corpus). Run from the project root:
    /usr/bin/python3 -m pytest -q runner/schema_agreement_test.py
"""

import json
import os
import pathlib
import subprocess

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASE_SCHEMA = ROOT / "spec" / "case.schema.json"
REPORT_SCHEMA = ROOT / "spec" / "report.schema.json"
BAD = ROOT / "runner" / "testdata" / "bad-cases"
GOOD_FIXTURES = ROOT / "runner" / "testdata" / "good-cases"
CATALOG = ROOT / "cases"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validator(schema_path):
    schema = load(schema_path)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def visible_json_files(root):
    """Every *.json below root, skipping files and folders that start with '.', like the runner."""
    found = []
    for path in sorted(root.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        found.append(path)
    return found


def bad_entries():
    return sorted(load(BAD / "expected.json").items())


@pytest.mark.parametrize("schema_path", [CASE_SCHEMA, REPORT_SCHEMA], ids=lambda p: p.name)
def test_schema_is_a_valid_2020_12_schema(schema_path):
    schema = load(schema_path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_definition_is_used():
    text = CASE_SCHEMA.read_text(encoding="utf-8")
    for name in load(CASE_SCHEMA)["$defs"]:
        assert f'"#/$defs/{name}"' in text, f"$defs/{name} is never referenced"


def test_bad_corpus_lists_every_file():
    listed = {name for name, _ in bad_entries()}
    on_disk = {p.name for p in BAD.glob("*.json")} - {"expected.json"}
    assert listed == on_disk
    assert len(listed) >= 15


@pytest.mark.parametrize(
    "name,entry", [e for e in bad_entries() if e[1]["schema_can_express"]], ids=lambda v: v if isinstance(v, str) else ""
)
def test_schema_rejects_bad_case_it_can_express(name, entry):
    doc = load(BAD / name)
    errors = list(validator(CASE_SCHEMA).iter_errors(doc))
    assert errors, f"{name} ({entry['message_contains']}) is accepted by the schema"


@pytest.mark.parametrize(
    "name,entry", [e for e in bad_entries() if not e[1]["schema_can_express"]], ids=lambda v: v if isinstance(v, str) else ""
)
def test_semantic_bad_case_has_only_that_mistake(name, entry):
    """A case the schema cannot catch must otherwise be schema-valid: one mistake a file."""
    try:
        doc = load(BAD / name)
    except json.JSONDecodeError:
        return  # the syntax-error fixture: nothing for a schema to see
    errors = [e.message for e in validator(CASE_SCHEMA).iter_errors(doc)]
    assert not errors, f"{name} has more than its one semantic mistake: {errors}"


@pytest.mark.parametrize("path", visible_json_files(GOOD_FIXTURES), ids=lambda p: p.name)
def test_schema_accepts_good_fixture(path):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(CASE_SCHEMA).iter_errors(load(path))]
    assert not errors


def test_good_fixtures_exist():
    assert len(visible_json_files(GOOD_FIXTURES)) >= 3


@pytest.mark.parametrize("path", visible_json_files(CATALOG), ids=lambda p: str(p.relative_to(CATALOG)))
def test_schema_accepts_catalog_case(path):
    doc = load(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(CASE_SCHEMA).iter_errors(doc)]
    assert not errors
    assert doc["id"] == str(path.relative_to(CATALOG).with_suffix("")), "id must be the file's path"


def test_report_written_by_the_runner_matches_its_schema():
    sample = os.environ.get("SIGCONFORM_REPORT_SAMPLE")
    if not sample:
        pytest.skip("SIGCONFORM_REPORT_SAMPLE is not set (meson test sets it)")
    report = json.loads(subprocess.run([sample], check=True, capture_output=True, text=True).stdout)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(REPORT_SCHEMA).iter_errors(report)]
    assert not errors
    # The sample holds one result of every status, so the schema's enum and the runner's
    # statuses cannot drift apart.
    assert {r["status"] for r in report["results"]} == set(
        load(REPORT_SCHEMA)["$defs"]["result"]["properties"]["status"]["enum"])


def test_report_schema_rejects_a_wrong_status():
    report = {"sigconform_report": 1,
              "run": {"started_at": "x", "seconds": 0, "command_line": "", "cases_dir": "", "jobs": 1,
                      "implementations": [], "base_env": [], "host": {"kernel": "", "machine": ""}},
              "summary": {},
              "results": [{"case": "a/b", "implementation": "i", "status": "passed", "seconds": 0}]}
    assert list(validator(REPORT_SCHEMA).iter_errors(report))
