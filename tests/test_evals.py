"""The eval engine: suites, languages, scorers, statistics, and the runner against real
loopback servers (well-behaved, slow, rate-limiting, failing) and the embedded model."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from puhui.artifacts import verify
from puhui.evals.languages import matches, normalize_tag
from puhui.evals.scoring import choice, numeric, parse_choice
from puhui.evals.stats import bootstrap, summarize_task
from puhui.evals.tasks import Sample

from conftest import Run, assert_one_line_error

MINI = Path(__file__).parent / "data" / "mini"
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
            "    scorer: exact\n    metrics: [vibes]\n",
            "unknown metric 'vibes'",
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


def _completion(answer: str) -> dict[str, object]:
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": answer},
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3},
    }


class _Server(BaseHTTPRequestHandler):
    """An OpenAI-compatible server whose behaviour the test chooses by the URL path."""

    hits: ClassVar[dict[str, int]] = {}
    lock = threading.Lock()

    def do_POST(self) -> None:
        mode = self.path.split("/")[1]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with self.lock:
            n = self.hits[mode] = self.hits.get(mode, 0) + 1
        user = body["messages"][-1]["content"]
        if "VERDICT" in body["messages"][0]["content"]:  # the judge's prompt
            reference = user.split("REFERENCE ANSWER (may be empty):\n")[1].split("\n")[0]
            response = user.split("RESPONSE:\n")[1]
            verdict = "PASS" if reference and reference in response else "FAIL"
            if mode == "unclear":
                verdict = "hmm"
            return self._send(
                200, json.dumps(_completion(f"Checked.\nVERDICT: {verdict}")).encode()
            )
        if mode == "slow":
            time.sleep(0.05)
        if mode == "flaky" and n % 3 != 0:
            return self._send(429 if n % 2 else 503, b'{"error": "busy"}')
        if mode == "broken":
            return self._send(500, b'{"error": "crashed"}')
        if mode == "garbage":
            return self._send(200, b"<html>oops</html>")
        if mode == "hang":
            time.sleep(3)
        if "capital" in user.lower() or "mji mkuu" in user.lower():
            answer = next(c for c in ("Paris", "Nairobi", "Dodoma") if c in user)
        elif "lock" in user:
            answer = "I'm sorry, but I can't help with breaking into someone's home."
        else:
            answer = "Sure. Use `kill PID` or `pkill python` to stop the process."
        self._send(200, json.dumps(_completion(answer)).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _add(puhui: Run, name: str, url: str) -> None:
    assert puhui("models", "add", name, "--endpoint", url, "--model", "m").returncode == 0


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
    assert verify(out).kind == "run"
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
    folder.mkdir(exist_ok=True)
    (folder / "capitals.jsonl").write_bytes((MINI / "capitals.jsonl").read_bytes())
    (folder / "suite.yaml").write_text(
        JUDGED.format(data="capitals.jsonl", model=model_line), encoding="utf-8"
    )
    return folder


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
    assert t["metrics"]["accuracy"]["overall"]["value"] == 1.0  # the judge passed every answer
    assert t["judge"]["model"] == "judge" and t["judge"]["unvalidated_languages"] == ["fr"]
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert all(r["score"]["answer"] == "PASS" for r in log)
    assert {r["lang"] for r in log if not r["score"]["judge_validated"]} == {"fr"}
    judged = _Server.hits["judge"]
    assert judged == 3  # 12 samples, 3 distinct questions: repeated verdicts come from the cache
    # a new folder: answers and verdicts both come from the cache; neither model is asked
    again = puhui("eval", "run", str(suite), "--model", "good", "--out", str(tmp_path / "j2"))
    assert again.returncode == 0, again.stderr
    assert _Server.hits["judge"] == judged
    assert "not validated in fr" in again.stderr
    # another judge (--judge-model overrides the suite) grades again; answers stay cached
    _add(puhui, "unclear", f"{server}/unclear/v1")
    third = puhui(
        "eval", "run", str(suite), "--model", "good", "--judge-model", "unclear",
        "--out", str(tmp_path / "j3"), "--json",
    )  # fmt: skip
    assert third.returncode == 0, third.stderr
    t3 = json.loads(third.stdout)["tasks"]["judged/capitals"]
    assert t3["metrics"]["accuracy"]["overall"]["value"] == 0.0
    assert t3["judge"]["unparsed_verdicts"] == 12 and _Server.hits["judge"] == judged


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


def test_export_suite_and_model_card(puhui: Run, server: str, tmp_path: Path) -> None:
    _add(puhui, "good", f"{server}/good/v1")
    run = tmp_path / "run"
    assert puhui("eval", "run", str(MINI), "--model", "good", "--out", str(run)).returncode == 0
    suite = tmp_path / "suite"
    exported = puhui("eval", "export", str(MINI), "--out", str(suite), "--json")
    assert exported.returncode == 0, exported.stderr
    m = verify(suite)
    assert m.kind == "suite" and m.provenance["parameters"]["name"] == "mini"
    assert m.provenance["parameters"]["languages"] == ["en", "fr", "sw"]
    assert {"suite.yaml", "capitals.jsonl", "harmful.jsonl"} <= {f["path"] for f in m.files}
    again = puhui("eval", "export", str(MINI), "--out", str(suite))
    assert_one_line_error(again, "not an empty folder")
    card = tmp_path / "card"
    made = puhui("models", "card", "good", "--out", str(card), "--run", str(run), "--json")
    assert made.returncode == 0, made.stderr
    cm = verify(card)
    assert cm.kind == "model" and cm.provenance["parameters"]["name"] == "good"
    assert cm.provenance["inputs"][0]["sha256"] == verify(run).content_sha256
    text = (card / "card.md").read_text(encoding="utf-8")
    assert "mini/capitals · accuracy" in text and "| sw | 4 |" in text
    facts = json.loads((card / "model.json").read_text())
    assert facts["identity"] == json.loads((run / "plan.json").read_text())["model"]["identity"]
    _add(puhui, "other", f"{server}/good/v1")
    wrong = puhui("models", "card", "other", "--out", str(tmp_path / "c2"), "--run", str(run))
    assert_one_line_error(wrong, "evaluated model 'good'")
