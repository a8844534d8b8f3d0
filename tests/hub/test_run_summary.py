"""The run summary contract (schema run-summary-1, ``puhui.evals.summary``).

A real summary (an lm-eval import of tests/data/imports) with a required field removed, the run
sealed again so that its manifest still verifies (as a run written by another Puhui would be),
is refused with one line naming the file and the field by every reader: `puhui assess new`,
`puhui models card`, `puhui eval show` and the hub's publish path (a real `puhui hub serve`,
the module fixture of test_hub_e2e.py). Lives beside the hub tests to share that hub.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_hub_e2e
from test_hub_e2e import Hub

from puhui.artifacts import check, write_manifest
from puhui.evals.summary import RunSummary, read_summary

from conftest import Run, assert_one_line_error

hub = test_hub_e2e.hub  # the same real hub, set up once for this module

DATA = Path(__file__).parents[1] / "data"
LM_EVAL = next((DATA / "imports" / "lm-eval").glob("results_*.json"))
PROFILE = Path(__file__).parents[2] / "examples" / "profile.yaml"
TASK = "lm-eval/capitals"
FIELD = f"tasks[{TASK!r}].errors"


def _imported(puhui: Run, out: Path) -> Path:
    proc = puhui("eval", "import", str(LM_EVAL), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _without_errors_field(run: Path) -> Path:
    """Drop a required field from the run's summary and seal the run again."""
    manifest = check(run)
    path = run / "summary.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["tasks"][TASK]["errors"]
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    (run / "manifest.json").unlink()
    write_manifest(run, "run", parameters=manifest.provenance["parameters"], command="test")
    check(run)
    return run


def test_an_imported_summary_round_trips_exactly(puhui: Run, tmp_path: Path) -> None:
    run = _imported(puhui, tmp_path / "run")
    doc = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    typed = read_summary(run)
    assert typed.to_json() == doc
    assert json.dumps(typed.to_json()) == json.dumps(doc)  # the same keys in the same order
    assert typed.imported and typed.tasks[TASK].metrics["exact_match"].ci_method == "bootstrap"


def test_a_summary_missing_a_field_is_one_line_in_assess_card_and_show(
    puhui: Run, tmp_path: Path
) -> None:
    run = _without_errors_field(_imported(puhui, tmp_path / "run"))
    proc = puhui(
        "assess", "new", "--profile", str(PROFILE), "--evidence", str(run),
        "--out", str(tmp_path / "assessment"), "--no-pdf",
    )  # fmt: skip
    assert_one_line_error(proc, str(run / "summary.json"), FIELD, "run-summary-1")
    assert not (tmp_path / "assessment" / "assessment.json").exists()

    add = ("models", "add", "m", "--endpoint", "http://127.0.0.1:9/v1", "--model", "m")
    assert puhui(*add).returncode == 0
    card = tmp_path / "card"
    proc = puhui("models", "card", "m", "--out", str(card), "--run", str(run))
    assert_one_line_error(proc, str(run / "summary.json"), FIELD, "run-summary-1")
    assert not (card / "card.md").exists()

    proc = puhui("eval", "show", str(run))
    assert_one_line_error(proc, str(run / "summary.json"), FIELD, "run-summary-1")


@pytest.mark.slow  # the module's hub fixture starts a real `puhui hub serve`
def test_the_hub_refuses_a_run_whose_summary_misses_a_field(hub: Hub, tmp_path: Path) -> None:
    env_run = hub.cli("eval", "import", str(LM_EVAL), "--out", str(tmp_path / "run"))
    assert env_run.returncode == 0, env_run.stderr
    run = _without_errors_field(tmp_path / "run")
    proc = hub.cli(
        "hub", "publish", str(run), "--url", hub.url, "--token", hub.publish_token,
    )  # fmt: skip
    assert_one_line_error(proc, "summary.json", FIELD, "run-summary-1")


@pytest.mark.parametrize("drop", ["model", "thresholds"])
def test_from_json_names_the_missing_top_level_field(puhui: Run, tmp_path: Path, drop: str) -> None:
    run = _imported(puhui, tmp_path / "run")
    doc = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    del doc[drop]
    with pytest.raises(Exception, match=rf"where\.json: field {drop}: missing"):
        RunSummary.from_json(doc, "where.json")
