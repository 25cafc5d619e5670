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
    assert {r["status"] for r in report["results"]} == set(load(REPORT_SCHEMA)["$defs"]["status"]["enum"])


def test_report_schema_rejects_a_wrong_status_and_unknown_fields():
    sample = os.environ.get("SIGCONFORM_REPORT_SAMPLE")
    if not sample:
        pytest.skip("SIGCONFORM_REPORT_SAMPLE is not set (meson test sets it)")
    report = json.loads(subprocess.run([sample], check=True, capture_output=True, text=True).stdout)
    report["results"][0]["status"] = "passed"
    assert list(validator(REPORT_SCHEMA).iter_errors(report))
    report["results"][0]["status"] = "pass"
    report["results"][0]["colour"] = "green"
    assert list(validator(REPORT_SCHEMA).iter_errors(report))


# --------------------------------------------------------------------------------------------
# Generative agreement: every catalog case mutated at every key, with every kind of value.
# --------------------------------------------------------------------------------------------

# The kinds of value put in place of each value of a case: each JSON type, its edges, and the
# strings the language gives a meaning to (reserved thread names, "@" and "$" references).
VALUE_KINDS = [None, True, 0, -1, 1.5, 2 ** 31, "", "x", "main", "other", "@", "$x", "@SIGUSR1",
               [], ["x"], {}, {"x": 1}]
REMOVED = "<removed>"
ADDED_KEY = "zz_unknown"

# The runner's refusals that no JSON Schema can express (they compare one part of a case with
# another: names bound or declared earlier, paths of other steps, since against until, the
# file's path). A disagreement whose runner errors all contain one of these is not one.
SEMANTIC_ONLY = [
    "is not bound by an earlier step",
    "is not declared",
    "nor started",
    "is not started by an earlier 'thread' step",
    "is already the name of a thread or child",
    "is a forked child",
    "is not the path of a step of this case",
    "surely starts before",
    "only the last step",
    "must be after 'since'",
    "does not match the file's path",
    "is pending but not in parent.block",
    "the window is empty",
    "the range is empty",
    "cannot run in a thread",
    "must be followed by a name",
    "unknown signal name",
    "cannot wait for itself",
]


def _generalise(path):
    """The path with array indices and user-chosen names (handlers, kwargs) as '*'."""
    out = []
    for i, part in enumerate(path):
        parent = path[i - 1] if i else None
        if isinstance(part, int) or parent in ("handlers", "kwargs", "rlimits"):
            out.append("*")
        else:
            out.append(part)
    return tuple(out)


def _context(doc, path):
    """The action ("do" or "call" of the innermost step) a path is inside, or ''."""
    node, found = doc, ""
    for part in path:
        if isinstance(node, dict) and ("do" in node or "call" in node):
            found = "do:%s" % node.get("do") if "do" in node else "call"
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return found


def _walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (i,))


def _replaced(doc, path, value):
    copy = json.loads(json.dumps(doc))
    node = copy
    for part in path[:-1]:
        node = node[part]
    if value is REMOVED:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return copy


def mutations():
    """(label, document) for each distinct (generalised path, action, kind) over the catalog:
    mutations that touch the same place of the language with the same kind of value ask the
    validators the same question, so one of them is asked."""
    seen = set()
    for case_path in visible_json_files(CATALOG):
        doc = load(case_path)
        for path, node in list(_walk(doc)):
            if not path or path[-1] == "id":
                continue  # the id is tied to the file's path, a check of its own above
            where = (_generalise(path), _context(doc, path))
            kinds = list(VALUE_KINDS)
            if isinstance(path[-1], str):
                kinds.append(REMOVED)
            for value in kinds:
                key = where + (json.dumps(value) if value is not REMOVED else REMOVED,)
                if key in seen or value == node:
                    continue
                seen.add(key)
                label = "%s %s <- %s" % (doc["id"], "/".join(map(str, path)),
                                         REMOVED if value is REMOVED else json.dumps(value))
                yield label, _replaced(doc, path, value)
            if isinstance(node, dict):
                key = where + ("+key",)
                if key not in seen:
                    seen.add(key)
                    added = json.loads(json.dumps(node))
                    added[ADDED_KEY] = 1
                    yield "%s %s +%s" % (doc["id"], "/".join(map(str, path)), ADDED_KEY), \
                        _replaced(doc, path, added)


def test_schema_and_runner_agree_on_every_mutation_of_the_catalog():
    helper = os.environ.get("SIGCONFORM_VALIDATE_LINES")
    if not helper:
        pytest.skip("SIGCONFORM_VALIDATE_LINES is not set (meson test sets it)")
    cases = list(mutations())
    assert len(cases) > 2000, "the generator should ask thousands of questions"
    text = "".join(json.dumps(doc) + "\n" for _, doc in cases)
    out = subprocess.run([helper], input=text, check=True, capture_output=True, text=True).stdout
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(cases)
    schema = validator(CASE_SCHEMA)
    disagreements = []
    for (label, doc), answer in zip(cases, answers):
        schema_ok = schema.is_valid(doc)
        if schema_ok == answer["ok"]:
            continue
        if schema_ok:
            messages = [e["message"] for e in answer["errors"]]
            if all(any(s in m for s in SEMANTIC_ONLY) for m in messages):
                continue
            disagreements.append("%s: the schema accepts it, the runner says: %s" % (
                label, "; ".join("%s: %s" % (e["json_path"], e["message"]) for e in answer["errors"])))
        else:
            first = next(iter(schema.iter_errors(doc)))
            disagreements.append("%s: the runner accepts it, the schema says: %s: %s" % (
                label, "/".join(map(str, first.absolute_path)), first.message[:200]))
    assert not disagreements, "%d of %d mutations:\n%s" % (
        len(disagreements), len(cases), "\n".join(disagreements[:60]))
