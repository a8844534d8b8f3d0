"""Classic-ML fairness suites: the demo classifier on Adult, end to end through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from puhui.errors import PuhuiError
from puhui.evals.classifiers import parse_table, summarize_classify


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update({"PUHUI_HOME": str(home), "COLUMNS": "200"})
    return subprocess.run(
        [sys.executable, "-m", "puhui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def adult_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("adult")
    home, out = root / "home", root / "run"
    r = _cli(
        home, "eval", "run", "adult", "--model", "demo-classifier", "--out", str(out), "--json"
    )
    assert r.returncode == 0, r.stderr
    return home, out, json.loads(r.stdout)


@pytest.mark.slow
def test_adult_summary_and_log(adult_run: tuple[Path, Path, dict[str, Any]]) -> None:
    _, out, summary = adult_run
    assert summary["complete"] and summary["model"]["name"] == "demo-classifier"
    task = summary["tasks"]["adult/income"]
    acc = task["metrics"]["accuracy"]["overall"]["value"]
    assert 0.75 <= acc <= 0.9
    sel = {s["group"]: s for s in task["metrics"]["selection_rate"]["per_group"]["sex"]}
    assert set(sel) == {"Female", "Male"}
    for s in sel.values():
        assert s["ci_low"] < s["value"] < s["ci_high"]
        assert s["n"] > 1000 and not s["small"]
    assert {"race", "sex"} <= set(task["metrics"]["tpr"]["per_group"])

    records = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(records) == task["n"] == 16281
    assert all({"prediction", "label", "groups"} <= set(r) for r in records)
    y = np.array([r["label"] for r in records])
    p = np.array([r["prediction"] for r in records])
    sex = np.array([r["groups"]["sex"] for r in records])
    fair = task["fairness"]["sex"]
    dpd = demographic_parity_difference(y, p, sensitive_features=sex)
    eod = equalized_odds_difference(y, p, sensitive_features=sex)
    assert fair["demographic_parity_difference"]["value"] == pytest.approx(dpd, abs=1e-4)
    assert fair["equalized_odds_difference"]["value"] == pytest.approx(eod, abs=1e-4)
    assert dpd > 0.05  # the demo classifier selects men far more often than women
    ci = fair["demographic_parity_difference"]
    assert ci["ci_low"] <= ci["value"] <= ci["ci_high"]
    rates = {g: float(np.mean(p[sex == g])) for g in ("Female", "Male")}
    assert sel["Female"]["value"] == pytest.approx(rates["Female"], abs=1e-4)
    assert task["metrics"]["selection_rate"]["difference"]["sex"] == pytest.approx(dpd, abs=1e-4)

    plan = json.loads((out / "plan.json").read_text())
    assert plan["kind"] == "classify" and plan["tasks"]["adult/income"]["rows"]["test"] == 16281
    assert (out / "manifest.json").is_file()


@pytest.mark.slow
def test_killed_classify_run_resumes(
    adult_run: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A classify run killed while writing its log (a record cut in the middle) resumes with
    the same command: the partial record is cut off and written again, same summary."""
    home, out, _ = adult_run
    run = tmp_path / "run"
    shutil.copytree(out, run)
    whole = json.loads((run / "summary.json").read_text())
    log = run / "log.jsonl"
    data = log.read_bytes()
    log.write_bytes(data[: data.rfind(b"\n", 0, len(data) // 2) + 40])  # ends mid-record
    for name in ("summary.json", "manifest.json"):
        (run / name).unlink()
    r = _cli(home, "eval", "run", "adult", "--model", "demo-classifier", "--out", str(run))
    assert r.returncode == 0, r.stderr
    assert log.read_bytes() == data
    assert json.loads((run / "summary.json").read_text()) == whole
    assert (run / "manifest.json").is_file()


@pytest.mark.slow
def test_adult_show_prints_groups(adult_run: tuple[Path, Path, dict[str, Any]]) -> None:
    home, out, _ = adult_run
    (out / "summary.json").unlink()  # show rebuilds it from the log
    r = _cli(home, "eval", "show", str(out))
    assert r.returncode == 0, r.stderr
    for text in ("sex=Female", "sex=Male", "race=White", "demographic_parity_difference"):
        assert text in r.stdout
    assert (out / "summary.json").is_file()


@pytest.mark.slow
def test_list_and_wrong_model(adult_run: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    home = adult_run[0]
    r = _cli(home, "eval", "list", "--json")
    assert r.returncode == 0, r.stderr
    names = {s["name"] for s in json.loads(r.stdout)}
    assert {"adult", "german-credit", "compas", "sib200"} <= names
    r = _cli(home, "eval", "run", "adult", "--model", "embedded", "--out", str(tmp_path / "x"))
    assert r.returncode != 0
    assert "demo-classifier" in r.stdout + r.stderr


def test_parse_table_rejects_missing_fields() -> None:
    good = {
        "data": "t.csv",
        "target": "y",
        "positive_label": "1",
        "features": ["a"],
        "sensitive": ["g"],
    }
    assert parse_table(good, "x")["split"] == {"test_fraction": 0.3, "seed": 0}
    for broken in (
        {k: v for k, v in good.items() if k != "target"},
        {**good, "sensitive": []},
        {**good, "metrics": ["bias_score"]},
        {**good, "filters": [{"column": "a", "op": "~", "value": 1}]},
    ):
        with pytest.raises(PuhuiError):
            parse_table(broken, "x")


def test_small_groups_are_flagged() -> None:
    records = [
        {"label": y, "prediction": p, "groups": {"g": g}}
        for g, n, sel in (("a", 100, 0.5), ("b", 10, 0.2))
        for i in range(n)
        for y, p in [(i % 2, int(i < n * sel))]
    ]
    s = summarize_classify(records, ["selection_rate"], seed=0)
    per = {x["group"]: x for x in s["metrics"]["selection_rate"]["per_group"]["g"]}
    assert per["a"]["value"] == 0.5 and not per["a"]["small"]
    assert per["b"]["value"] == 0.2 and per["b"]["small"]
    assert s["fairness"]["g"]["demographic_parity_difference"]["value"] == pytest.approx(0.3)
    assert s["fairness"]["g"]["small_groups"] == ["b"]
