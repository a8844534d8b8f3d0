"""Issue 16 end to end: a run on the embedded model → a rating task in Swahili and Arabic → three
scripted raters (one of them careless: it taps "partial" for everything) label through the
hub's real pages with plain form posts → `puhui rate pull` and `puhui rate stats` agree with a
direct computation (the `krippendorff` package over the hub's own labels) → the careless rater
is flagged → `puhui eval calibrate` writes the refusal detector's per-language precision and
recall (checked by hand) into its card, and a later run says "measured on N labels"; the final
labels export as a labelled set, publish to the hub, and its page says what it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import krippendorff
import numpy as np
import pytest
from test_hub_rating import Rater

from conftest import free_port, wait_for_hub

pytestmark = pytest.mark.slow  # the embedded model answers, and a real hub serves the pages

PASSWORD = "puhui-test-pass-7391"
LIMIT = 4  # answers per language: 8 real items, and 8 planted gold ones


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "puhui", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def _json(env: dict[str, str], *args: str) -> Any:
    return json.loads(_cli(env, *args, "--json").stdout)


def test_people_rate_through_the_hub_and_calibrate_the_refusal_scorer(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp_path / "home"), COLUMNS="200")
    run = tmp_path / "run"
    summary = _json(
        env, "eval", "run", "multijail", "--model", "embedded", "--languages", "sw,ar",
        "--limit", str(LIMIT), "--out", str(run),
    )  # fmt: skip
    before = summary["tasks"]["multijail/harmful"]["measured"]["languages"]
    assert before["sw"] is None  # no Swahili labels anywhere yet (Arabic: held-out, maybe)
    made = _json(
        env, "rate", "new", str(run), "--questions", "refusal", "--languages", "sw,ar",
        "--overlap", "3",
    )  # fmt: skip
    task_id = made["id"]
    assert sorted(i["lang"] for i in made["items"]) == ["ar"] * LIMIT + ["sw"] * LIMIT
    task = json.loads((tmp_path / "home" / "rating" / task_id / "task.json").read_text("utf-8"))
    # What the careful raters answer: gold items their gold; real answers by a fixed rule
    # (every other answer of a language is a refusal).
    truth: dict[str, str] = {}
    seen_in: dict[str, int] = {}
    for i in task["items"]:
        if i["gold"]:
            truth[i["id"]] = i["gold"]["refusal"]
            continue
        k = seen_in[i["lang"]] = seen_in.get(i["lang"], 0) + 1
        truth[i["id"]] = "refusal" if k % 2 else "compliance"
    # the hub: an organization's admin with a publish token
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    _cli(env, "hub", "init")
    _cli(env, "hub", "createuser", "amina", "--org", "moh", "--role", "admin", "--password-stdin",
         stdin=PASSWORD + "\n")  # fmt: skip
    token = _cli(env, "hub", "token", "new", "amina", "--scope", "publish", "--org", "moh")
    env_hub = {
        **env,
        "PUHUI_HUB_URL": url,
        "PUHUI_HUB_TOKEN": token.stdout.strip().splitlines()[-1],
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_hub(url, server)
        published = _json(env_hub, "rate", "publish", task_id, "--org", "moh")
        assert published["url"] == f"{url}/rate/{task_id}/"
        raters = {}
        for name in ("neema", "layla", "careless"):
            link = _json(env_hub, "rate", "invite", task_id, "--languages", "sw,ar")["url"]
            rater = Rater(SimpleNamespace(url=url), name)  # type: ignore[arg-type]
            assert rater.join(link).status_code == 302
            raters[name] = rater
        for name, rater in raters.items():
            seen = 0
            while (shown := rater.current(task_id)) is not None:
                item_id, _lang, page = shown
                value = "partial" if name == "careless" else truth[item_id]
                assert rater.answer(task_id, value, page).status_code == 303
                seen += 1
            assert seen == len(task["items"])  # every answer and every gold item, once
        # the labels as the hub keeps them (pseudonyms), and as `rate pull` brings them home
        hub_labels = httpx.get(
            f"{url}/api/v1/rating/tasks/{task_id}/labels",
            headers={"Authorization": f"Bearer {env_hub['PUHUI_HUB_TOKEN']}"},
            timeout=60,
        ).json()["labels"]
        assert len(hub_labels) == 3 * len(task["items"])
        pulled = _json(env_hub, "rate", "pull", task_id)
        assert pulled["added"] == len(hub_labels)
        assert _json(env_hub, "rate", "pull", task_id)["added"] == 0
        hub_stats = httpx.get(
            f"{url}/api/v1/rating/tasks/{task_id}/stats",
            headers={"Authorization": f"Bearer {env_hub['PUHUI_HUB_TOKEN']}"},
            timeout=60,
        ).json()
        # the labelled set, published back to the hub
        out = tmp_path / "labelled"
        _cli(env, "rate", "export", task_id, "--out", str(out), "--license", "CC-BY-4.0")
        item = _json(env_hub, "hub", "publish", str(out), "--org", "moh")
        assert item["kind"] == "labels"
        page = httpx.get(item["url"], timeout=60).text
        assert "Labelled set" in page and "CC-BY-4.0" in page
    finally:
        server.terminate()
        server.wait(timeout=30)

    stats = _json(env, "rate", "stats", task_id)
    careless = {lab["rater"] for lab in hub_labels if lab["value"] == "partial"}
    assert len(careless) == 1
    assert stats["flagged"] == sorted(careless)
    assert hub_stats["flagged"] == stats["flagged"]
    order = {"refusal": 0, "partial": 1, "compliance": 2}
    who = sorted({lab["rater"] for lab in hub_labels})
    for lang in ("sw", "ar"):
        real = [i["id"] for i in task["items"] if i["lang"] == lang and not i["gold"]]
        matrix = np.full((3, len(real)), np.nan)
        for lab in hub_labels:
            if lab["item"] in real:
                matrix[who.index(lab["rater"]), real.index(lab["item"])] = order[lab["value"]]
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        got = stats["languages"][lang]
        assert got["alpha"] == pytest.approx(expected, abs=1e-4)
        assert got["n"] == LIMIT
        assert got["alpha"] == hub_stats["languages"][lang]["alpha"]

    calibrated = _json(env, "eval", "calibrate", task_id, "--scorer", "refusal")
    from puhui.evals.scorers.refusal import RefusalDetector

    detector = RefusalDetector()
    for lang in ("sw", "ar"):
        real = [i for i in task["items"] if i["lang"] == lang and not i["gold"]]
        pairs = [
            (truth[i["id"]] == "refusal", detector.detect(i["response"], lang).refused)
            for i in real
        ]
        judged = [(t, bool(p)) for t, p in pairs if p is not None]
        tp = sum(1 for t, p in judged if t and p)
        flagged = sum(1 for _t, p in judged if p)
        got = calibrated["languages"][lang]
        assert got["n"] == len(judged)
        assert got["recall"] == pytest.approx(tp / sum(1 for t, _p in judged if t), abs=1e-4)
        assert got["precision"] == (pytest.approx(tp / flagged, abs=1e-4) if flagged else None)
    card = json.loads((tmp_path / "home" / "cards" / "refusal.json").read_text("utf-8"))
    assert sorted(card["languages"]) == ["ar", "sw"]
    assert card["languages"]["ar"]["task"] == task_id
    again = _json(
        env, "eval", "run", "multijail", "--model", "embedded", "--languages", "sw,ar",
        "--limit", str(LIMIT), "--out", str(run),
    )  # fmt: skip
    measured = again["tasks"]["multijail/harmful"]["measured"]["languages"]
    assert measured["sw"]["n"] == calibrated["languages"]["sw"]["n"]
    shown = _cli(env, "eval", "show", str(run))
    assert f"sw measured on {measured['sw']['n']} labels, α = " in shown.stdout
