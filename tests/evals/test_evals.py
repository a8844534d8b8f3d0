"""The eval engine: suites, languages, scorers, statistics, and the runner against real
loopback servers (well-behaved, slow, rate-limiting, failing) and the embedded model.

Over 600 lines: the runner tests share the loopback servers and the mini suite; the plugin
and task-kind tests are the part to move to a module of their own next.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from loopback_chat import ChatServer as _Server
from loopback_chat import serve, write_unread_suite
from puhui.artifacts import check
from puhui.errors import PuhuiError
from puhui.evals.scoring import choice, numeric, parse_choice
from puhui.evals.stats import bootstrap, check_thresholds, summarize_task
from puhui.evals.types import Sample
from puhui.lang import matches, normalize_tag

from conftest import Run, assert_one_line_error

MINI = Path(__file__).parents[1] / "data" / "mini"
HEAD = "name: x\ntasks:\n  - name: t\n"


# ---------------------------------------------------------------- pieces


def test_language_tags_and_matching() -> None:
    assert normalize_tag("yor_Latn") == "yo"
    assert normalize_tag("zho_Hans") == "zh-Hans"
    assert normalize_tag("zho_Hant") == "zh-Hant"
    assert normalize_tag("arb_Arab") == "ar"
    assert normalize_tag("ace_Arab") == "ace-Arab"
    assert matches("sw", "swh") and matches("ar", "arb_Arab") and matches("zh", "zho_Hans")
    assert not matches("zh-Hant", "zh-Hans") and not matches("en", "fr")


def test_choice_and_numeric_scorers() -> None:
    opts = ("Paris", "Lyon", "Nice")
    assert parse_choice("B. Lyon", opts) == "Lyon"
    assert parse_choice("(C)", opts) == "Nice"
    assert parse_choice("The capital is Paris, not Lyon.", opts) == "Paris"
    assert parse_choice("I don't know", opts) is None
    s = Sample("1", "en", "q", target="Paris", choices=opts)
    assert choice(s, "paris", {}).value == 1.0 and choice(s, "Nice", {}).value == 0.0
    m = Sample("2", "bn", "q", target="18")
    assert numeric(m, "উত্তর: ১৮", {}).value == 1.0  # Bengali digits
    assert numeric(m, "The answer is 1,018", {}).value == 0.0


def test_bootstrap_interval_contains_the_mean_and_shrinks_with_n() -> None:
    rng = np.random.default_rng(1)
    small = rng.binomial(1, 0.7, size=(20, 1)).astype(float)
    big = rng.binomial(1, 0.7, size=(2000, 1)).astype(float)

    def mean(a: np.ndarray) -> float:
        return float(a.mean())

    lo_s, hi_s = bootstrap(small, mean)
    lo_b, hi_b = bootstrap(big, mean)
    assert lo_s <= small.mean() <= hi_s and lo_b <= big.mean() <= hi_b
    assert hi_b - lo_b < (hi_s - lo_s) / 3


def test_summary_per_language_with_small_slice_warnings() -> None:
    records = [
        {
            "lang": "sw" if i < 40 else "yo",
            "groups": {"g": i % 2},
            "score": {"value": 1.0 if (i < 40 and i % 4) or (i >= 40 and i % 2) else 0.0},
        }
        for i in range(50)
    ]
    records.append({"lang": "yo", "error": "timeout"})
    s = summarize_task(records, ["accuracy"])
    acc = s["metrics"]["accuracy"]
    by = {r["language"]: r for r in acc["per_language"]}
    assert by["sw"]["n"] == 40 and by["sw"]["value"] == 0.75 and not by["sw"]["small"]
    assert by["yo"]["n"] == 10 and by["yo"]["small"] and acc["small_slices"] == ["yo"]
    assert {"language", "value", "n", "ci_low", "ci_high"} <= set(by["sw"])
    assert by["sw"]["ci_low"] < 0.75 < by["sw"]["ci_high"]
    assert s["errors"] == 1 and s["errors_by_language"] == {"yo": 1}
    assert [g["group"] for g in acc["per_group"]["g"]] == ["0", "1"]


def test_summary_leaves_unscored_and_excluded_unparsed_answers_out() -> None:
    def rec(lang: str, value: float | None, **extra: object) -> dict[str, object]:
        return {"lang": lang, "score": {"value": value, **extra}}

    records = [
        *(rec("en", 1.0, refused=True, expected="refuse") for _ in range(6)),
        *(rec("en", 0.0, refused=False, expected="refuse") for _ in range(2)),
        *(rec("ta", None, refused=None, expected="refuse", unscored="language") for _ in range(5)),
        rec("my", None, refused=None, expected="refuse", unscored="language"),
    ]
    s = summarize_task(records, ["refusal_rate", "accuracy"])
    assert s["n"] == 8 and s["unscored"] == 6 and s["unscored_by_language"] == {"my": 1, "ta": 5}
    for metric in ("refusal_rate", "accuracy"):
        m = s["metrics"][metric]
        assert m["overall"]["n"] == 8 and m["overall"]["value"] == 0.75
        assert [r["language"] for r in m["per_language"]] == ["en"]
    assert "parsing" not in s  # the refusal detector parses nothing
    # BBQ-style answers, 3 of 10 naming no option
    bbq = [
        *(rec("zh", 1.0, parsed=True, biased=False) for _ in range(4)),
        *(rec("zh", 0.0, parsed=True, biased=True) for _ in range(3)),
        *(rec("zh", 0.0, parsed=False) for _ in range(3)),
        *(rec("en", 1.0, parsed=True, biased=False) for _ in range(20)),
    ]
    wrong = summarize_task(bbq, ["accuracy", "bias_score"])
    p = wrong["parsing"]
    assert p["policy"] == "wrong" and p["excluded"] == 0 and p["warn"]
    assert p["overall"] == {"language": "all", "n": 30, "parsed": 27, "rate": 0.9, "warn": True}
    assert p["warn_languages"] == ["zh"]
    assert {r["language"]: r["rate"] for r in p["per_language"]} == {"en": 1.0, "zh": 0.7}
    assert wrong["metrics"]["accuracy"]["overall"]["n"] == 30
    assert wrong["metrics"]["accuracy"]["overall"]["value"] == 0.8
    assert wrong["metrics"]["bias_score"]["overall"]["n"] == 30
    excluded = summarize_task(bbq, ["accuracy", "bias_score"], unparsed="exclude")
    assert excluded["parsing"]["policy"] == "exclude" and excluded["parsing"]["excluded"] == 3
    assert excluded["n"] == 27
    zh = next(r for r in excluded["metrics"]["accuracy"]["per_language"] if r["language"] == "zh")
    assert zh["n"] == 7 and zh["value"] == round(4 / 7, 4)
    assert excluded["metrics"]["bias_score"]["overall"]["n"] == 27
    # the bias score counts only answers naming a non-unknown option: same value either way
    assert (
        excluded["metrics"]["bias_score"]["overall"]["value"]
        == wrong["metrics"]["bias_score"]["overall"]["value"]
    )


def test_a_threshold_never_passes_on_languages_nobody_scored() -> None:
    def rec(lang: str, value: float | None, refused: bool | None) -> dict[str, object]:
        return {"lang": lang, "score": {"value": value, "refused": refused, "expected": "refuse"}}

    partly = summarize_task(
        [rec("en", 1.0, True)] * 5 + [rec("ta", None, None)] * 5, ["refusal_rate"]
    )
    wholly = summarize_task([rec("ta", None, None)] * 5, ["refusal_rate"])
    rule = {"harmful.refusal_rate": {"min": 0.9}}
    (p,) = check_thresholds({"s/harmful": partly}, rule)
    assert p["passed"] is True and p["languages_not_scored"] == ["ta"]
    # nothing scored at all: the threshold is reported as not checked, never dropped or passed
    (w,) = check_thresholds({"s/harmful": wholly}, rule)
    assert w["passed"] is None and w["value"] is None and w["languages_not_scored"] == ["ta"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            HEAD + "    data: capitals.jsonl\n    template: {user: '{input}'}\n"
            "    scorer: telepathy\n",
            "tasks[0].scorer: unknown scorer 'telepathy'",
        ),
        (
            "name: x\ntasks:\n  - name: t\n    template: {user: '{input}'}\n    scorer: exact\n",
            "tasks[0]: missing field 'data'",
        ),
        (
            "name: x\ntasks:\n  - name: t\n    data: nope.jsonl\n    template: {user: '{input}'}\n"
            "    scorer: exact\n",
            "data file",
        ),
        ("name: x\ntasks: [\n", "not valid YAML"),
        (
            HEAD + "    data: capitals.jsonl\n    template: {user: '{input}'}\n"
            "    scorer: choice\n    unparsed: ignore\n",
            "tasks[0].unparsed: expected 'wrong' or 'exclude', got 'ignore'",
        ),
        (
            "name: x\nunparsed: [wrong]\ntasks:\n  - name: t\n    data: capitals.jsonl\n"
            "    template: {user: '{input}'}\n    scorer: choice\n",
            "suite.yaml: unparsed: expected 'wrong' or 'exclude'",
        ),
        # a suite's data stays inside its folder
        (
            HEAD + "    data: ../capitals.jsonl\n    template: {user: '{input}'}\n"
            "    scorer: exact\n",
            "tasks[0].data: ../capitals.jsonl leaves the suite folder",
        ),
        (
            HEAD + "    data: /etc/passwd\n    template: {user: '{input}'}\n    scorer: exact\n",
            "tasks[0].data: /etc/passwd leaves the suite folder",
        ),
        (
            HEAD + "    data: sub/../../../../etc/passwd\n    template: {user: '{input}'}\n"
            "    scorer: exact\n",
            "tasks[0].data: sub/../../../../etc/passwd leaves the suite folder",
        ),
        (
            "name: x\ntasks:\n  - name: t\n    kind: text-classify\n    data: capitals.jsonl\n"
            "    train: ../../train.jsonl\n",
            "tasks[0].train: ../../train.jsonl leaves the suite folder",
        ),
        (
            HEAD + "    data: capitals.jsonl\n    template: {user: '{input}'}\n"
            "    scorer: exact\n    metrics: [vibes]\n",
            "unknown metric 'vibes'",
        ),
    ],
)
def test_malformed_suite_yaml(tmp_path: Path, puhui: Run, text: str, needle: str) -> None:
    (tmp_path / "capitals.jsonl").write_text((MINI / "capitals.jsonl").read_text())
    (tmp_path / "suite.yaml").write_text(text)
    line = assert_one_line_error(puhui("eval", "run", str(tmp_path), "--model", "embedded"), needle)
    assert "suite.yaml" in line


def test_suite_data_through_a_link_out_of_the_folder_is_refused(tmp_path: Path, puhui: Run) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_text((MINI / "capitals.jsonl").read_text())
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "data").symlink_to(tmp_path)  # a folder link that leaves the suite
    (suite / "suite.yaml").write_text(
        HEAD + "    data: data/secret.jsonl\n    template: {user: '{input}'}\n    scorer: exact\n"
    )
    proc = puhui("eval", "run", str(suite), "--model", "embedded")
    assert_one_line_error(proc, "suite.yaml: tasks[0].data: data/secret.jsonl leaves the suite")
    # inside the folder, `..` that stays inside is fine; the user's own --data may be anywhere
    from puhui.evals.tasks import load_suite

    (suite / "data").unlink()
    (suite / "sub").mkdir()
    (suite / "capitals.jsonl").write_text((MINI / "capitals.jsonl").read_text())
    (suite / "suite.yaml").write_text(
        HEAD + "    data: sub/../capitals.jsonl\n    template: {user: '{input}'}\n"
        "    scorer: exact\n"
    )
    assert len(load_suite(str(suite)).tasks[0].samples) == 12
    mine = load_suite(str(suite), data_override={"t": secret})
    assert len(mine.tasks[0].samples) == 12


@pytest.mark.parametrize("name", ["data.jsonl.gz", "data.jsonl"])
def test_suite_data_bomb_is_refused_while_reading(tmp_path: Path, puhui: Run, name: str) -> None:
    """257 MiB once decompressed (a 0.3 MB gzip file; a sparse plain file): one line, no
    MemoryError, and at most the limit is ever inflated."""
    from puhui.evals.tasks import MAX_DATA_BYTES

    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wb", compresslevel=9) as f:
            for _ in range(MAX_DATA_BYTES // 2**20 + 1):
                f.write(b" " * 2**20)
        assert path.stat().st_size < 2**20
    else:
        with open(path, "wb") as f:
            f.truncate(MAX_DATA_BYTES + 1)
    (tmp_path / "suite.yaml").write_text(
        HEAD + f"    data: {name}\n    template: {{user: '{{input}}'}}\n    scorer: exact\n"
    )
    proc = puhui("eval", "run", str(tmp_path), "--model", "embedded")
    assert_one_line_error(proc, name, "larger than 256 MiB")
    assert "MemoryError" not in proc.stderr


def test_damaged_gzip_suite_data_is_one_line(tmp_path: Path, puhui: Run) -> None:
    data = gzip.compress((MINI / "capitals.jsonl").read_bytes())
    (tmp_path / "c.jsonl.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "suite.yaml").write_text(
        HEAD + "    data: c.jsonl.gz\n    template: {user: '{input}'}\n    scorer: exact\n"
    )
    proc = puhui("eval", "run", str(tmp_path), "--model", "embedded")
    assert_one_line_error(proc, "c.jsonl.gz", "not a readable gzip file")


# ---------------------------------------------------------------- loopback servers


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as url:
        yield url


def _add(puhui: Run, name: str, url: str) -> None:
    assert puhui("models", "add", name, "--endpoint", url, "--model", "m").returncode == 0


@pytest.mark.slow
def test_run_show_compare_and_cache(puhui: Run, server: str, tmp_path: Path) -> None:
    _add(puhui, "good", f"{server}/good/v1")
    out = tmp_path / "run"
    proc = puhui("eval", "run", str(MINI), "--model", "good", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    acc = summary["tasks"]["mini/capitals"]["metrics"]["accuracy"]
    assert acc["overall"]["value"] == 1.0 and acc["overall"]["n"] == 12
    assert [r["language"] for r in acc["per_language"]] == ["en", "fr", "sw"]
    assert all(
        {"language", "value", "n", "ci_low", "ci_high"} <= set(r) for r in acc["per_language"]
    )
    harm = summary["tasks"]["mini/harmful"]["metrics"]
    assert harm["refusal_rate"]["overall"]["value"] == 1.0
    assert harm["compliance_rate"]["overall"]["value"] == 1.0
    assert summary["thresholds"][0]["passed"] is True
    assert check(out).kind == "run"
    hits = _Server.hits.get("good", 0)
    # the same command again: nothing asked, same summary
    again = puhui("eval", "run", str(MINI), "--model", "good", "--out", str(out), "--json")
    assert json.loads(again.stdout)["tasks"] == summary["tasks"]
    assert _Server.hits.get("good", 0) == hits
    # a new run folder, same questions: answers come from the cache
    other = tmp_path / "run2"
    third = puhui(
        "eval",
        "run",
        str(MINI),
        "--model",
        "good",
        "--out",
        str(other),
        "--json",
        "--languages",
        "sw,en",
    )
    assert third.returncode == 0 and _Server.hits.get("good", 0) == hits
    log = [json.loads(x) for x in (other / "log.jsonl").read_text().splitlines()]
    assert all(r["cached"] for r in log) and {r["lang"] for r in log} == {"en", "sw"}
    shown = puhui("eval", "show", str(out))
    assert shown.returncode == 0 and "mini/capitals · accuracy" in shown.stdout
    assert "small slice" in shown.stdout
    compared = puhui("eval", "compare", str(out), str(other), "--json")
    rows = json.loads(compared.stdout)["rows"]
    assert any(r["language"] == "fr" and r["b"] is None for r in rows)
    groups = {r["group"]: r for r in rows if r.get("group")}
    assert set(groups) == {"parity=even", "parity=odd"}
    assert groups["parity=even"]["a"]["n"] == 6 and groups["parity=even"]["b"] is not None
    table = puhui("eval", "compare", str(out), str(other))
    assert "parity=odd" in table.stdout and "B − A" in table.stdout


@pytest.mark.slow
def test_languages_the_refusal_detector_cannot_read_are_counted_not_scored(
    puhui: Run, server: str, tmp_path: Path
) -> None:
    _add(puhui, "good", f"{server}/good/v1")
    suite = write_unread_suite(tmp_path / "unread")
    out = tmp_path / "run"
    proc = puhui("eval", "run", str(suite), "--model", "good", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    h = json.loads(proc.stdout)["tasks"]["unread/harmful"]
    # refusals in Tamil, Burmese and Filipino: unknown, not "complied"
    assert h["unscored"] == 4 and h["unscored_by_language"] == {"fil": 2, "my": 1, "ta": 1}
    assert h["n"] == 3  # two English prompts, and the Tamil one answered in English
    rr = h["metrics"]["refusal_rate"]
    assert rr["overall"]["value"] == 1.0 and rr["overall"]["n"] == 2
    assert [(r["language"], r["n"]) for r in rr["per_language"]] == [("en", 1), ("ta", 1)]
    assert h["metrics"]["compliance_rate"]["overall"]["n"] == 1
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    unread = [r for r in log if r["task"] == "unread/harmful" and r["lang"] != "en"]
    assert {r["sample_id"]: r["score"]["answer"] for r in unread} == {
        "t1": "unknown", "t2": "refusal", "m1": "unknown", "f1": "unknown", "f2": "unknown",
    }  # fmt: skip
    assert all(r["score"]["value"] is None and r["score"]["refused"] is None
               for r in unread if r["sample_id"] != "t2")  # fmt: skip
    shown = puhui("eval", "show", str(out))
    assert shown.returncode == 0, shown.stderr
    assert "4 samples not scored" in shown.stderr
    assert "fil (2), my (1), ta (1)" in shown.stderr
    # the threshold passes on what was scored, and says which languages it cannot speak for
    th = json.loads(proc.stdout)["thresholds"]
    rr_th = next(t for t in th if t["threshold"] == "harmful.refusal_rate")
    assert rr_th["passed"] is True and rr_th["languages_not_scored"] == ["fil", "my"]
    assert "not scored in fil, my: this threshold says nothing about them" in shown.stderr


@pytest.mark.slow
def test_parse_rate_warning_and_the_unparsed_policy(
    puhui: Run, server: str, tmp_path: Path
) -> None:
    _add(puhui, "vague", f"{server}/vague/v1")  # names no option for the French questions
    out = tmp_path / "wrong"
    proc = puhui(
        "eval", "run", str(write_unread_suite(tmp_path / "s1")), "--model", "vague",
        "--out", str(out), "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    c = json.loads(proc.stdout)["tasks"]["unread/capitals"]
    p = c["parsing"]
    assert p["policy"] == "wrong" and p["excluded"] == 0
    assert (p["overall"]["n"], p["overall"]["parsed"], p["overall"]["rate"]) == (12, 8, 0.6667)
    assert {r["language"]: r["rate"] for r in p["per_language"]} == {
        "en": 1.0, "fr": 0.0, "sw": 1.0,
    }  # fmt: skip
    assert p["warn"] and p["warn_languages"] == ["fr"]
    acc = c["metrics"]["accuracy"]["overall"]
    assert (acc["n"], acc["value"]) == (12, 0.6667)  # unparsed answers count as wrong
    shown = puhui("eval", "show", str(out))
    assert shown.returncode == 0, shown.stderr
    assert "parsed 8 of 12 answers (66.7%); unparsed answers count as wrong" in shown.stdout
    assert "parse rate by language: en 100.0%, fr 0.0%, sw 100.0%" in shown.stdout
    assert "warning: more than 5% of answers could not be parsed (fr 0.0%)" in shown.stderr
    # the suite may exclude unparsed answers instead: not in the metrics' n
    out2 = tmp_path / "exclude"
    proc = puhui(
        "eval", "run", str(write_unread_suite(tmp_path / "s2", unparsed="exclude")),
        "--model", "vague", "--out", str(out2), "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    c2 = json.loads(proc.stdout)["tasks"]["unread/capitals"]
    acc2 = c2["metrics"]["accuracy"]
    assert (acc2["overall"]["n"], acc2["overall"]["value"]) == (8, 1.0)
    assert [r["language"] for r in acc2["per_language"]] == ["en", "sw"]
    assert c2["parsing"]["policy"] == "exclude" and c2["parsing"]["excluded"] == 4
    assert (
        json.loads((out2 / "plan.json").read_text())["tasks"]["unread/capitals"]["unparsed"]
        == "exclude"
    )
    shown = puhui("eval", "show", str(out2))
    assert "unparsed answers are excluded from the metrics (4 left out)" in shown.stdout
    assert "could not be parsed (fr 0.0%)" in shown.stderr


@pytest.mark.slow
def test_retries_then_errors_recorded_and_run_completes(
    puhui: Run, server: str, tmp_path: Path
) -> None:
    _add(puhui, "flaky", f"{server}/flaky/v1")
    proc = puhui(
        "eval",
        "run",
        str(MINI),
        "--model",
        "flaky",
        "--out",
        str(tmp_path / "f"),
        "--json",
        "--concurrency",
        "2",
    )
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    assert s["tasks"]["mini/capitals"]["errors"] == 0  # 429/503 retried until answered
    log = [json.loads(x) for x in (tmp_path / "f" / "log.jsonl").read_text().splitlines()]
    assert max(r["attempts"] for r in log) >= 2
    for mode in ("broken", "garbage", "hang"):
        _add(puhui, mode, f"{server}/{mode}/v1")
        out = tmp_path / mode
        proc = puhui(
            "eval",
            "run",
            str(MINI),
            "--model",
            mode,
            "--out",
            str(out),
            "--json",
            "--max-retries",
            "1",
            env={"PUHUI_REQUEST_TIMEOUT": "0.5"},
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        s = json.loads(proc.stdout)
        assert s["complete"] and s["tasks"]["mini/capitals"]["errors"] == 12
        log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
        assert len(log) == 14 and all(r.get("error") for r in log)


@pytest.mark.slow
def test_kill_9_then_resume(server: str, home: Path, tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    (big / "suite.yaml").write_text((MINI / "suite.yaml").read_text().split("  - name: harmful")[0])
    rows = [json.loads(x) for x in (MINI / "capitals.jsonl").read_text().splitlines()]
    with open(big / "capitals.jsonl", "w") as f:
        for i in range(150):
            row = rows[i % 12]  # a distinct question each time, so nothing comes from the cache
            f.write(json.dumps({**row, "id": f"c{i}", "input": f"{row['input']} (#{i})"}) + "\n")
    env = {**os.environ, "PUHUI_HOME": str(home)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "puhui",
            "models",
            "add",
            "slow",
            "--endpoint",
            f"{server}/slow/v1",
            "--model",
            "m",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    out = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "puhui",
        "eval",
        "run",
        str(big),
        "--model",
        "slow",
        "--out",
        str(out),
        "--concurrency",
        "2",
        "--json",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    log = out / "log.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not log.exists() or log.read_text().count("\n") < 40):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _Server.hits.get("slow", 0)
    logged = log.read_text().count("\n")
    assert 40 <= logged < 150, (logged, time.monotonic() - t0)
    with open(log, "a") as f:
        f.write('{"schema": 1, "task": "mini/capitals", "sample_id": "c9')  # a torn last line
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    records = [json.loads(x) for x in log.read_text().splitlines()]
    ids = [r["sample_id"] for r in records]
    assert sorted(ids) == sorted(f"c{i}" for i in range(150))  # none missing, none twice
    asked_again = _Server.hits["slow"] - before
    assert asked_again <= 150 - logged + 2  # only what was not logged (and cached) is asked
    assert json.loads(done.stdout)["complete"] is True


@pytest.mark.slow
def test_end_to_end_on_the_embedded_model(puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "e2e"
    proc = puhui(
        "eval",
        "run",
        str(MINI),
        "--model",
        "embedded",
        "--limit",
        "1",
        "--out",
        str(out),
        "--json",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    per = s["tasks"]["mini/capitals"]["metrics"]["accuracy"]["per_language"]
    assert [r["language"] for r in per] == ["en", "fr", "sw"] and all(r["n"] == 1 for r in per)
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert len(log) == 4  # --limit 1: one per language per task (3 capitals, 1 harmful)
    assert all(r.get("response") is not None for r in log)
    assert json.loads((out / "plan.json").read_text())["model"]["identity"].startswith("gguf:")


JUDGED = """name: judged
title: Capitals, graded by a judge model
description: The judge scorer on the mini capitals.
license: Apache-2.0
tasks:
  - name: capitals
    data: {data}
    template:
      user: "{{input}} Options: {{choices}}"
    scorer: judge
    scorer_options:
      criteria: The answer names the right capital.
      languages: [en, sw]
      {model}
    metrics: [accuracy]
"""


def _judged_suite(tmp_path: Path, model_line: str = "") -> Path:
    folder = tmp_path / "judged"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "capitals.jsonl").write_bytes((MINI / "capitals.jsonl").read_bytes())
    (folder / "suite.yaml").write_text(
        JUDGED.format(data="capitals.jsonl", model=model_line), encoding="utf-8"
    )
    return folder


@pytest.mark.slow
def test_judge_scorer_grades_caches_and_declares_languages(
    puhui: Run, server: str, tmp_path: Path
) -> None:
    _add(puhui, "good", f"{server}/good/v1")
    _add(puhui, "judge", f"{server}/judge/v1")
    suite = _judged_suite(tmp_path, "model: judge")
    out = tmp_path / "j1"
    proc = puhui(
        "eval", "run", str(suite), "--model", "good", "--out", str(out), "--json",
        "--concurrency", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    t = json.loads(proc.stdout)["tasks"]["judged/capitals"]
    acc = t["metrics"]["accuracy"]["overall"]
    assert acc["value"] == 1.0 and acc["n"] == 8  # the judge passed every en and sw answer
    # French is outside the judge's languages: unknown, in no metric, and the judge not asked
    assert t["unscored"] == 4 and t["unscored_by_language"] == {"fr": 4}
    assert [r["language"] for r in t["metrics"]["accuracy"]["per_language"]] == ["en", "sw"]
    assert t["judge"]["model"] == "judge" and t["judge"]["unvalidated"] == "unknown"
    assert t["judge"]["unvalidated_languages"] == []
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert all(r["score"]["answer"] == "PASS" for r in log if r["lang"] != "fr")
    assert {r["lang"] for r in log if r["score"]["value"] is None} == {"fr"}
    assert all(r["response"] == "Nairobi" for r in log if r["lang"] == "fr")  # still asked
    judged = _Server.hits["judge"]
    assert judged == 2  # 8 judged samples, 2 distinct questions: repeats come from the cache
    # a new folder: answers and verdicts both come from the cache; neither model is asked
    again = puhui("eval", "run", str(suite), "--model", "good", "--out", str(tmp_path / "j2"))
    assert again.returncode == 0, again.stderr
    assert _Server.hits["judge"] == judged
    assert "4 samples not scored" in again.stderr and "fr (4)" in again.stderr
    assert "unvalidated: score" in again.stderr
    # a task that opts in has French judged too, and flagged as unvalidated
    opted = _judged_suite(tmp_path / "opt", "model: judge\n      unvalidated: score")
    third = puhui(
        "eval", "run", str(opted), "--model", "good", "--out", str(tmp_path / "j3"),
        "--concurrency", "1",
    )  # fmt: skip
    assert third.returncode == 0, third.stderr
    assert _Server.hits["judge"] == judged + 1  # the French question, once
    t3 = json.loads((tmp_path / "j3" / "summary.json").read_text())["tasks"]["judged/capitals"]
    assert t3["metrics"]["accuracy"]["overall"]["n"] == 12 and t3["unscored"] == 0
    assert t3["judge"]["unvalidated"] == "score" and t3["judge"]["unvalidated_languages"] == ["fr"]
    log3 = [json.loads(x) for x in (tmp_path / "j3" / "log.jsonl").read_text().splitlines()]
    assert {r["lang"] for r in log3 if not r["score"]["judge_validated"]} == {"fr"}
    assert "not validated in fr" in third.stderr
    # another judge (--judge-model overrides the suite) grades again; answers stay cached
    _add(puhui, "unclear", f"{server}/unclear/v1")
    fourth = puhui(
        "eval", "run", str(suite), "--model", "good", "--judge-model", "unclear",
        "--out", str(tmp_path / "j4"), "--json",
    )  # fmt: skip
    assert fourth.returncode == 0, fourth.stderr
    t4 = json.loads(fourth.stdout)["tasks"]["judged/capitals"]
    assert t4["metrics"]["accuracy"]["overall"]["value"] == 0.0
    assert t4["judge"]["unparsed_verdicts"] == 8 and _Server.hits["judge"] == judged + 1
    assert t4["parsing"]["overall"] == {
        "language": "all", "n": 8, "parsed": 0, "rate": 0.0, "warn": True,
    }  # fmt: skip


@pytest.mark.slow
def test_judge_without_a_model_is_a_one_line_error(puhui: Run, server: str, tmp_path: Path) -> None:
    _add(puhui, "good", f"{server}/good/v1")
    proc = puhui("eval", "run", str(_judged_suite(tmp_path)), "--model", "good")
    assert_one_line_error(proc, "judged/capitals", "--judge-model")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "suite.yaml").write_text(
        JUDGED.format(data=MINI / "capitals.jsonl", model="").replace(
            "languages: [en, sw]", "languages: en"
        ),
        encoding="utf-8",
    )
    assert_one_line_error(puhui("eval", "run", str(bad)), "scorer_options.languages")


PLUGIN = """
from pathlib import Path
from puhui.evals.scoring import Score

SUITE = Path(__file__).parent / "plugged"

def shouty(sample, response, options):
    return Score(1.0 if response.strip().upper() == str(sample.target).upper() else 0.0, response)
"""


def _plugin(tmp_path: Path, module: str = PLUGIN) -> dict[str, str]:
    """A package installed the way pip lays one out: a module and its .dist-info entry points."""
    site = tmp_path / "site"
    (site / "plugged").mkdir(parents=True)
    (site / "puhui_plugin_demo.py").write_text(module, encoding="utf-8")
    info = site / "puhui_plugin_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: puhui-plugin-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[puhui.suites]\nplugged = puhui_plugin_demo:SUITE\n\n"
        "[puhui.scorers]\nshouty = puhui_plugin_demo:shouty\n"
    )
    for name in ("capitals.jsonl", "harmful.jsonl"):
        (site / "plugged" / name).write_bytes((MINI / name).read_bytes())
    (site / "plugged" / "suite.yaml").write_text(
        (MINI / "suite.yaml")
        .read_text()
        .replace("name: mini", "name: plugged", 1)
        .replace("scorer: choice", "scorer: shouty"),
        encoding="utf-8",
    )
    return {"PYTHONPATH": str(site)}


@pytest.mark.slow
def test_plugins_add_suites_and_scorers(puhui: Run, server: str, tmp_path: Path) -> None:
    env = _plugin(tmp_path)
    listed = json.loads(puhui("eval", "list", "--json", env=env).stdout)
    plugged = next(r for r in listed if r["name"] == "plugged")
    assert plugged["source"] == "plugin" and plugged["tasks"] == ["capitals", "harmful"]
    assert all(r["source"] == "bundled" for r in listed if r["name"] != "plugged")
    _add(puhui, "good", f"{server}/good/v1")
    proc = puhui(
        "eval", "run", "plugged", "--model", "good", "--out", str(tmp_path / "p"), "--json",
        env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    acc = json.loads(proc.stdout)["tasks"]["plugged/capitals"]["metrics"]["accuracy"]
    assert acc["overall"]["value"] == 1.0  # "Paris" == "PARIS" for the plugin's scorer
    # without the plugin installed, the name is unknown
    assert_one_line_error(puhui("eval", "run", "plugged", "--model", "good"), "plugged")
    broken = _plugin(tmp_path / "b", "raise RuntimeError('boom')\n")
    assert_one_line_error(
        puhui("eval", "run", "plugged", "--model", "good", env=broken),
        "puhui.suites:plugged",
        "boom",
    )


@pytest.mark.slow
def test_export_suite_and_model_card(puhui: Run, server: str, tmp_path: Path) -> None:
    _add(puhui, "good", f"{server}/good/v1")
    run = tmp_path / "run"
    assert puhui("eval", "run", str(MINI), "--model", "good", "--out", str(run)).returncode == 0
    suite = tmp_path / "suite"
    exported = puhui("eval", "export", str(MINI), "--out", str(suite), "--json")
    assert exported.returncode == 0, exported.stderr
    m = check(suite)
    assert m.kind == "suite" and m.provenance["parameters"]["name"] == "mini"
    assert m.provenance["parameters"]["languages"] == ["en", "fr", "sw"]
    assert {"suite.yaml", "capitals.jsonl", "harmful.jsonl"} <= {f["path"] for f in m.files}
    again = puhui("eval", "export", str(MINI), "--out", str(suite))
    assert_one_line_error(again, "not an empty folder")
    card = tmp_path / "card"
    made = puhui("models", "card", "good", "--out", str(card), "--run", str(run), "--json")
    assert made.returncode == 0, made.stderr
    cm = check(card)
    assert cm.kind == "model" and cm.provenance["parameters"]["name"] == "good"
    assert cm.provenance["inputs"][0]["sha256"] == check(run).content_sha256
    text = (card / "card.md").read_text(encoding="utf-8")
    assert "mini/capitals · accuracy" in text and "| sw | 4 |" in text
    facts = json.loads((card / "model.json").read_text())
    assert facts["identity"] == json.loads((run / "plan.json").read_text())["model"]["identity"]
    _add(puhui, "other", f"{server}/good/v1")
    wrong = puhui("models", "card", "other", "--out", str(tmp_path / "c2"), "--run", str(run))
    assert_one_line_error(wrong, "evaluated model 'good'")


KIND_PLUGIN = """
from puhui.evals import runfolder
from puhui.evals.data import inside_suite, read_samples
from puhui.evals.stats import summarize_task
from puhui.evals.types import Task, TaskKind, Template


def default_model(settings):
    return "ruler"


def parse(t, at, suite_name, suite_dir, data_override):
    if not isinstance(t.get("longer_than"), int):
        from puhui.errors import PuhuiError
        raise PuhuiError(f"{at}.longer_than: expected a number", None)
    path = data_override or inside_suite(suite_dir, t["data"], f"{at}.data")
    samples, digest = read_samples(path, at)
    return Task(suite=suite_name, name=t["name"], samples=samples, template=Template(user=""),
                scorer="exact", kind="length", data_sha256=digest,
                table={"longer_than": t["longer_than"]})


def run(suite, model, out, opts, settings, progress=None):
    plan = {
        "schema": 1, "kind": "length", "suite": suite.name,
        "tasks": {t.key: {"data_sha256": t.data_sha256, "metrics": ["accuracy"]}
                  for t in suite.tasks},
        "thresholds": {k: dict(v) for k, v in suite.thresholds.items()},
        "model": {"name": model, "kind": "rule", "identity": model},
        "options": {"seed": opts.seed},
        "samples": sum(len(t.samples) for t in suite.tasks),
    }
    runfolder.freeze_plan(out, plan)
    done = runfolder.done_keys(out)
    lines = [
        runfolder.json_line({
            "schema": 1, "task": t.key, "sample_id": s.id, "epoch": 0, "lang": s.lang,
            "groups": dict(s.groups), "target": s.target,
            "score": {"value": float(len(s.input) > t.table["longer_than"])},
        })
        for t in suite.tasks for s in t.samples if f"{t.key}|{s.id}|0" not in done
    ]
    runfolder.append_log(out, lines)
    return finish(out)


def finish(out):
    plan = runfolder.read_plan(out)
    records = list(runfolder.read_log(out))
    tasks = {key: summarize_task([r for r in records if r["task"] == key], ["accuracy"])
             for key in plan["tasks"]}
    return runfolder.seal(out, plan, tasks, len(records), kind="length")


KIND = TaskKind("length", default_model, parse, run, finish)
"""


def test_a_plugin_adds_a_task_kind(puhui: Run, tmp_path: Path) -> None:
    """A package's task kind (``puhui.task_kinds`` entry point) loads, runs with its own
    default model, resumes and rebuilds its summary through the same engine as built-ins."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "puhui_kind_demo.py").write_text(KIND_PLUGIN, encoding="utf-8")
    info = site / "puhui_kind_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: puhui-kind-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[puhui.task_kinds]\nlength = puhui_kind_demo:KIND\n")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "capitals.jsonl").write_bytes((MINI / "capitals.jsonl").read_bytes())
    (suite / "suite.yaml").write_text(
        "name: lengths\ntasks:\n  - name: long\n    kind: length\n    data: capitals.jsonl\n"
        "    longer_than: 30\nthresholds:\n  long.accuracy: {min: 0.1}\n",
        encoding="utf-8",
    )
    env = {"PYTHONPATH": str(site)}
    out = tmp_path / "run"
    proc = puhui("eval", "run", str(suite), "--out", str(out), "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    samples = [json.loads(line) for line in (suite / "capitals.jsonl").read_text().splitlines()]
    want = sum(len(s["input"]) > 30 for s in samples) / len(samples)
    acc = summary["tasks"]["lengths/long"]["metrics"]["accuracy"]
    assert acc["overall"]["value"] == round(want, 4) and acc["overall"]["n"] == len(samples)
    assert summary["model"]["name"] == "ruler" and summary["kind"] == "length"  # its default
    assert summary["complete"] and check(out).kind == "run"
    # rebuilt from the log by `eval show`, through the kind the plan names
    (out / "summary.json").unlink()
    shown = puhui("eval", "show", str(out), env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads((out / "summary.json").read_text())["tasks"] == summary["tasks"]
    # the kind's own field errors are one line; without the package, the kind is unknown
    (suite / "suite.yaml").write_text(
        (suite / "suite.yaml").read_text().replace("longer_than: 30", "longer_than: x")
    )
    assert_one_line_error(puhui("eval", "run", str(suite), env=env), "tasks[0].longer_than")
    assert_one_line_error(
        puhui("eval", "run", str(suite)), "tasks[0].kind", "'generate', 'classify'"
    )


def test_kind_registry_and_metrics_registry() -> None:
    from puhui.evals import kinds, metrics

    assert list(kinds.KINDS) == ["generate", "classify", "text-classify"]
    assert metrics.names("generate") == (
        "accuracy",
        "refusal_rate",
        "compliance_rate",
        "bias_score",
    )
    assert metrics.names("classify") == ("accuracy", "selection_rate", "tpr", "fpr")
    assert metrics.names("text-classify") == ("accuracy", "macro_f1")
    with pytest.raises(PuhuiError, match="unknown metric 'tpr'") as e:
        metrics.check(["accuracy", "tpr"], "generate", "s.yaml: tasks[0]")
    assert e.value.hint == "use one of: accuracy, refusal_rate, compliance_rate, bias_score"
