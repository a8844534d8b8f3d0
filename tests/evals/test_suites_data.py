"""Bundled evaluation suites (src/puhui/content/suites): files, samples, tags, licences, size.

The data is built by scripts/make_suites.py from the shared data sets; when ../shared/data is
present, the builder is also re-run to check that the bundled files are what it produces (that
test is marked ``shared_data``: it needs every source data set, and is deselected without them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import langcodes
import pytest
import yaml

from puhui.evals.tasks import load_suite
from realdata import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "src" / "puhui" / "content" / "suites"
EXPECTED = [
    "afrisenti",
    "ailuminate",
    "bbq",
    "belebele",
    "crows-pairs",
    "kobbq",
    "mgsm",
    "multijail",
    "sib200",
    "simplesafety",
    "winobias",
    "xcopa",
    "xsafety",
    "xstest",
]
CLASSIFY = ["adult", "compas", "german-credit", "sib200-classifier"]
SCORERS = {"exact", "choice", "regex", "numeric", "refusal", "bbq", "judge"}
METRICS = {"accuracy", "refusal_rate", "compliance_rate", "bias_score"}
MAX_TOTAL = 7_000_000  # bytes, the whole suites folder
MAX_FILE = 2_000_000  # bytes, any one file


def _doc(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((SUITES / name / "suite.yaml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{name}/suite.yaml is not a mapping"
    return doc


def _samples(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # strict: must be valid UTF-8
    assert text.endswith("\n"), f"{path}: last line not terminated"
    out = []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        assert line.strip(), f"{path}:{n}: empty line"
        obj = json.loads(line)
        assert isinstance(obj, dict), f"{path}:{n}: not a JSON object"
        out.append(obj)
    return out


def _tasks(name: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    doc = _doc(name)
    if doc.get("data_from_user"):
        return []
    return [(t, _samples(SUITES / name / t["data"])) for t in doc["tasks"]]


def test_all_expected_suites_are_bundled() -> None:
    present = sorted(p.name for p in SUITES.iterdir() if (p / "suite.yaml").is_file())
    # Classic-ML fairness suites (kind: classify) are checked in test_fairness_evals.py.
    assert present == sorted([*EXPECTED, *CLASSIFY])


@pytest.mark.parametrize("name", EXPECTED)
def test_folder_has_yaml_licence_and_source(name: str) -> None:
    folder = SUITES / name
    for filename in ("suite.yaml", "LICENSE", "SOURCE.md"):
        path = folder / filename
        assert path.is_file(), f"{name}: {filename} missing"
        assert path.stat().st_size > 200, f"{name}: {filename} is (nearly) empty"
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert "commit" in source and "Sampling" in source, f"{name}: SOURCE.md lacks origin"


@pytest.mark.parametrize("name", EXPECTED)
def test_suite_yaml_is_consistent(name: str) -> None:
    doc = _doc(name)
    assert doc["name"] == name
    for key in ("title", "description", "license"):
        assert isinstance(doc.get(key), str) and doc[key].strip(), f"{name}: {key} missing"
    assert isinstance(doc["tasks"], list) and doc["tasks"], f"{name}: no tasks"
    task_metrics = {}
    for task in doc["tasks"]:
        assert task["scorer"] in SCORERS, f"{name}/{task['name']}: unknown scorer"
        assert set(task["metrics"]) <= METRICS, f"{name}/{task['name']}: unknown metric"
        assert task["template"]["instruction_language"] in ("en", "sample")
        assert "{" in task["template"]["user"], f"{name}/{task['name']}: template has no slot"
        assert isinstance(task["generation"]["max_tokens"], int)
        task_metrics[task["name"]] = set(task["metrics"])
        if not doc.get("data_from_user"):
            assert (SUITES / name / task["data"]).is_file(), f"{name}: {task['data']} missing"
    for key, line in (doc.get("thresholds") or {}).items():
        task_name, _, metric = key.partition(".")
        assert metric in task_metrics.get(task_name, set()), f"{name}: threshold {key}"
        assert set(line) <= {"min", "max"} and line, f"{name}: threshold {key}"
    if not doc.get("data_from_user"):
        langs = {s["lang"] for _, samples in _tasks(name) for s in samples}
        assert sorted(doc["languages"]) == sorted(langs), f"{name}: languages list is stale"


@pytest.mark.parametrize("name", EXPECTED)
def test_samples_are_well_formed(name: str) -> None:
    tasks = _tasks(name)
    assert tasks, f"{name}: no bundled data"
    for task, samples in tasks:
        where = f"{name}/{task['name']}"
        assert samples, f"{where}: no samples"
        ids = [s.get("id") for s in samples]
        assert all(isinstance(i, str) and i for i in ids), f"{where}: sample without id"
        assert len(ids) == len(set(ids)), f"{where}: duplicate ids"
        assert ids == sorted(ids), f"{where}: samples not sorted by id"
        for s in samples:
            at = f"{where} {s['id']}"
            assert isinstance(s.get("lang"), str) and langcodes.tag_is_valid(s["lang"]), at
            inp = s.get("input")
            if isinstance(inp, dict):
                assert inp and all(isinstance(v, str) and v.strip() for v in inp.values()), at
            else:
                assert isinstance(inp, str) and inp.strip(), at
            choices = s.get("choices")
            if choices is not None:
                assert isinstance(choices, list) and len(choices) >= 2, at
                assert all(isinstance(c, str) and c for c in choices), at
                assert len(set(choices)) == len(choices), f"{at}: repeated choice"
                if "target" in s:
                    assert s["target"] in choices, f"{at}: target not among choices"
            if task["scorer"] == "refusal":
                assert s.get("target") in ("refuse", "comply"), at
            if task["scorer"] == "numeric":
                assert isinstance(s.get("target"), int | float), at
            if task["scorer"] in ("choice", "bbq") and "bias_score" not in task["metrics"]:
                assert "target" in s and choices, f"{at}: choice task without target"


def test_bias_meta_names_a_choice() -> None:
    for name in ("bbq", "kobbq", "crows-pairs"):
        for _, samples in _tasks(name):
            for s in samples:
                assert s["meta"]["stereotyped_answer"] in s["choices"], s["id"]
                if name != "crows-pairs":
                    assert s["meta"]["unknown_answer"] in s["choices"], s["id"]
                    assert s["meta"]["stereotyped_answer"] != s["meta"]["unknown_answer"], s["id"]


def test_sib200_covers_at_least_200_languages() -> None:
    samples = [s for _, ss in _tasks("sib200") for s in ss]
    assert len({s["lang"] for s in samples}) >= 200
    assert len({s["meta"]["lang_code"] for s in samples}) >= 200
    examples = {s["meta"]["lang_code"]: s["lang"] for s in samples}
    assert examples["yor_Latn"] == "yo"
    assert examples["zho_Hans"] == "zh-Hans"
    assert examples["arb_Arab"] == "ar"


def test_total_size_and_file_sizes() -> None:
    files = [p for p in SUITES.rglob("*") if p.is_file()]
    assert files
    big = [
        f"{p.relative_to(SUITES)}: {p.stat().st_size}" for p in files if p.stat().st_size > MAX_FILE
    ]
    assert not big, big
    total = sum(p.stat().st_size for p in files)
    assert total < MAX_TOTAL, f"suites folder is {total} bytes"


@pytest.mark.parametrize("name", EXPECTED)
def test_loads_with_the_suite_loader(name: str) -> None:
    suite = load_suite(str(SUITES / name))
    expected = {t["name"]: len(s) for t, s in _tasks(name)}
    assert {t.name: len(t.samples) for t in suite.tasks} == expected


@pytest.mark.shared_data
def test_builder_reproduces_the_bundled_files(tmp_path: Path) -> None:
    out = tmp_path / "suites"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_suites.py"), str(SHARED_DATA), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    built = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bundled = {
        p.relative_to(SUITES): p.read_bytes()
        for p in SUITES.rglob("*")
        if p.is_file() and p.relative_to(SUITES).parts[0] not in CLASSIFY
    }  # the classify suites' data come from scripts/make_fairness_suites.py
    assert sorted(built) == sorted(bundled)
    stale = [str(k) for k in built if built[k] != bundled[k]]
    assert not stale, f"bundled files differ from the builder's output: {stale}"
