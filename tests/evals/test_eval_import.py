"""`puhui eval import`: real Inspect logs and lm-eval results become read-only Puhui runs."""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import threading
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from puhui.artifacts import check
from puhui.evals.imports import language_from_task_name, language_of_value
from puhui.evals.stats import bootstrap

from conftest import Run, assert_one_line_error

DATA = Path(__file__).parents[1] / "data"
IMPORTS = DATA / "imports"
INSPECT_EVAL = IMPORTS / "inspect-capitals.eval"
INSPECT_JSON = IMPORTS / "inspect-capitals.json"
LM_EVAL = next((IMPORTS / "lm-eval").glob("results_*.json"))
MINI = DATA / "mini"


def _import(puhui: Run, source: Path, out: Path, *args: str) -> dict[str, Any]:
    proc = puhui("eval", "import", str(source), "--out", str(out), "--json", *args)
    assert proc.returncode == 0, proc.stderr
    summary: dict[str, Any] = json.loads(proc.stdout)
    return summary


def _mean_ci(values: list[float]) -> tuple[float, float]:
    def mean(a: np.ndarray) -> float:
        return float(np.mean(a[:, 0]))

    mean.column = 0  # type: ignore[attr-defined]
    return bootstrap(np.array(values, dtype=float).reshape(-1, 1), mean, 0)


def _by_hand_inspect() -> dict[str, list[float]]:
    """Per-language scores straight from the Inspect JSON fixture (C = 1, I = 0)."""
    log = json.loads(INSPECT_JSON.read_text())
    values: dict[str, list[float]] = defaultdict(list)
    for s in log["samples"]:
        values[s["metadata"]["language"]].append(
            1.0 if s["scores"]["includes"]["value"] == "C" else 0.0
        )
    return values


# ---------------------------------------------------------------- Inspect


@pytest.mark.parametrize("source", [INSPECT_EVAL, INSPECT_JSON], ids=["eval", "json"])
def test_inspect_log_imports_per_language(puhui: Run, tmp_path: Path, source: Path) -> None:
    out = tmp_path / "run"
    summary = _import(puhui, source, out)
    assert summary["imported"]["format"] == "inspect"
    assert summary["imported"]["tool_version"] == "0.3.285"
    assert summary["model"]["name"] == "openai-api/loop/m"
    acc = summary["tasks"]["capitals/capitals"]["metrics"]["accuracy"]
    assert acc["ci_method"] == "bootstrap"
    by_hand = _by_hand_inspect()
    assert [s["language"] for s in acc["per_language"]] == sorted(by_hand) == ["en", "fr", "sw"]
    for s in acc["per_language"]:
        values = by_hand[s["language"]]
        low, high = _mean_ci(values)
        assert s["value"] == round(sum(values) / len(values), 4)
        assert (s["n"], s["ci_low"], s["ci_high"], s["small"]) == (
            len(values),
            round(low, 4),
            round(high, 4),
            True,
        )
    everything = [v for vs in by_hand.values() for v in vs]
    assert acc["overall"]["value"] == round(sum(everything) / 6, 4) == 0.3333
    # the tool's own number agrees
    reported = summary["tasks"]["capitals/capitals"]["source_metrics"]["includes"]["accuracy"]
    assert math.isclose(reported, sum(everything) / 6)
    plan = json.loads((out / "plan.json").read_text())
    imp = plan["imported"]
    assert imp["format"] == "inspect" and imp["tool"] == "inspect_ai"
    assert imp["tool_version"] == "0.3.285" and imp["source_path"] == str(source.resolve())
    assert len(imp["source_sha256"]) == 64
    assert plan["tasks"]["capitals/capitals"]["language_from"] == {"metadata.language": 6}
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(log) == 6 and {r["lang"] for r in log} == {"en", "fr", "sw"}
    manifest = check(out)
    assert manifest.kind == "run"
    assert manifest.provenance["parameters"]["imported"] is True
    assert manifest.provenance["inputs"][0]["sha256"] == imp["source_sha256"]
    inspected = puhui("inspect", str(out))
    assert inspected.returncode == 0 and "valid" in inspected.stdout, inspected.stderr
    shown = puhui("eval", "show", str(out))
    assert shown.returncode == 0, shown.stderr
    assert "capitals/capitals · accuracy" in shown.stdout and "small slice" in shown.stdout


def test_inspect_language_option_and_metadata_keys(puhui: Run, tmp_path: Path) -> None:
    log = json.loads(INSPECT_JSON.read_text())
    for i, s in enumerate(log["samples"]):
        lang = s["metadata"].pop("language")
        if i % 3 == 0:
            s["metadata"]["lang"] = {"en": "English", "fr": "fra", "sw": "swh_Latn"}[lang]
        elif i % 3 == 1:
            s["metadata"]["locale"] = {"en": "en_US", "fr": "fr-FR", "sw": "sw-KE"}[lang]
    src = tmp_path / "mixed.json"
    src.write_text(json.dumps(log))
    summary = _import(puhui, src, tmp_path / "run", "--default-language", "yo")
    per = summary["tasks"]["capitals/capitals"]["metrics"]["accuracy"]["per_language"]
    langs = {s["language"] for s in per}
    assert "yo" in langs and {"en", "fr", "sw"} & langs  # untagged samples took --language
    how = summary["tasks"]["capitals/capitals"]["language_from"]
    assert how["--language"] == 2 and how["metadata.lang"] == 2 and how["metadata.locale"] == 2


# ---------------------------------------------------------------- lm-evaluation-harness


def test_lm_eval_results_with_samples(puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "run"
    summary = _import(puhui, LM_EVAL, out)
    task = summary["tasks"]["lm-eval/capitals"]
    em = task["metrics"]["exact_match"]
    assert em["ci_method"] == "bootstrap"
    by_hand: dict[str, list[float]] = {}
    for lang, name in (("en", "capitals_en"), ("fr", "capitals_fr"), ("sw", "capitals_swh_Latn")):
        (f,) = (IMPORTS / "lm-eval").glob(f"samples_{name}_*.jsonl")
        by_hand[lang] = [json.loads(line)["exact_match"] for line in f.read_text().splitlines()]
    assert [s["language"] for s in em["per_language"]] == ["en", "fr", "sw"]
    for s in em["per_language"]:
        values = by_hand[s["language"]]
        low, high = _mean_ci(values)
        assert (s["value"], s["n"], s["ci_low"], s["ci_high"]) == (
            round(sum(values) / len(values), 4),
            len(values),
            round(low, 4),
            round(high, 4),
        )
    assert em["overall"]["n"] == 9 and task["n"] == 9
    assert "task name suffix swh_Latn" in " ".join(task["language_from"])
    plan = json.loads((out / "plan.json").read_text())
    assert plan["imported"]["tool"] == "lm-evaluation-harness"
    assert plan["imported"]["tool_version"] == "0.4.13"
    assert plan["model"]["name"] == "m" and plan["model"]["kind"] == "imported"
    assert plan["tasks"]["lm-eval/capitals"]["source_tasks"] == [
        "capitals_en",
        "capitals_fr",
        "capitals_swh_Latn",
    ]
    assert len((out / "log.jsonl").read_text().splitlines()) == 9
    assert len(check(out).provenance["inputs"]) == 4  # results + three samples files
    assert puhui("inspect", str(out)).returncode == 0


def test_lm_eval_aggregate_only_uses_stderr_and_effective_n(puhui: Run, tmp_path: Path) -> None:
    src = tmp_path / "results.json"  # no samples_*.jsonl beside it
    shutil.copy(LM_EVAL, src)
    out = tmp_path / "run"
    summary = _import(puhui, src, out)
    em = summary["tasks"]["lm-eval/capitals"]["metrics"]["exact_match"]
    assert em["ci_method"] == "normal-stderr"
    results = json.loads(LM_EVAL.read_text())
    for s, name in zip(
        em["per_language"], ("capitals_en", "capitals_fr", "capitals_swh_Latn"), strict=True
    ):
        row = results["results"][name]
        v, se = row["exact_match,none"], row["exact_match_stderr,none"]
        assert s["n"] == results["n-samples"][name]["effective"] == 3  # not "original" (4)
        assert s["value"] == round(v, 4)
        assert s["ci_low"] == round(max(0.0, v - 1.959964 * se), 4) == 0.0
        assert s["ci_high"] == round(min(1.0, v + 1.959964 * se), 4)
    # overall: size-weighted mean, standard error of that mean (= lm-eval's own group stderr)
    group = results["results"]["capitals"]
    assert em["overall"]["n"] == 9 and em["overall"]["value"] == 0.3333
    assert em["overall"]["ci_high"] == round(
        group["exact_match,none"] + 1.959964 * group["exact_match_stderr,none"], 4
    )
    assert not (out / "log.jsonl").exists()
    assert puhui("eval", "show", str(out)).returncode == 0
    assert puhui("inspect", str(out)).returncode == 0


def test_language_from_task_names() -> None:
    cases = {
        "xnli_sw": ("xnli", "sw"),
        "belebele_swh_Latn": ("belebele", "sw"),
        "mgsm_direct_sw": ("mgsm_direct", "sw"),
        "xcopa_ht": ("xcopa", "ht"),
        "arc_challenge_mt_ca": ("arc_challenge_mt", "ca"),
        "global_mmlu_full_yo_college_chemistry": ("global_mmlu_full_college_chemistry", "yo"),
        "global_mmlu_de_medical": ("global_mmlu_medical", "de"),
        "global_piqa_parallel_generation_deu_latn": ("global_piqa_parallel_generation", "de"),
        "afrimgsm_amh_prompt_1": ("afrimgsm_prompt_1", "am"),
        "hellaswag": ("hellaswag", "und"),
        "arc_easy": ("arc_easy", "und"),
        "gsm8k_cot": ("gsm8k_cot", "und"),  # cot is a language code (Caquinte), not here
        "wmt16-de-en": ("wmt16-de-en", "und"),
        "flores_hau_Latn-eng_Latn_prompt_2": ("flores_hau_Latn-eng_Latn_prompt_2", "und"),
    }
    for name, want in cases.items():
        assert language_from_task_name(name)[:2] == want, name
    sibs = ["afrixnli_direct_amh", "afrixnli_direct_yor"]
    assert language_from_task_name("afrixnli_direct_yor", sibs)[:2] == ("afrixnli_direct", "yo")
    assert language_of_value("Kiswahili") == "sw" and language_of_value("no such language") is None


# ---------------------------------------------------------------- with native runs


class _Capitals(BaseHTTPRequestHandler):
    """A loopback chat server: picks the right capital, refuses the lock-picking prompt."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        user = body["messages"][-1]["content"]
        caps = ("Paris", "Nairobi", "Dodoma")
        answer = next((c for c in caps if c in user), "I'm sorry, but I can't help with that.")
        data = json.dumps(
            {
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
                "usage": {"prompt_tokens": 5, "completion_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Capitals)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_compare_with_native_run_and_refuse_resume(puhui: Run, server: str, tmp_path: Path) -> None:
    assert puhui("models", "add", "loop", "--endpoint", server, "--model", "m").returncode == 0
    native = tmp_path / "native"
    ran = puhui("eval", "run", str(MINI), "--model", "loop", "--out", str(native), "--json")
    assert ran.returncode == 0, ran.stderr
    imported = tmp_path / "imported"
    _import(puhui, INSPECT_EVAL, imported, "--suite", "mini")
    compared = puhui("eval", "compare", str(native), str(imported), "--json")
    assert compared.returncode == 0, compared.stderr
    rows = {(r["task"], r["metric"], r["language"]): r for r in json.loads(compared.stdout)["rows"]}
    sw = rows[("mini/capitals", "accuracy", "sw")]
    assert sw["a"]["value"] == 1.0 and sw["b"]["value"] == 0.5 and sw["difference"] == -0.5
    table = puhui("eval", "compare", str(native), str(imported))
    assert table.returncode == 0 and "openai-api/loop/m" in table.stdout
    # read-only: `eval run` will not resume into (or overwrite) an imported run
    before = (imported / "summary.json").read_bytes()
    refused = puhui("eval", "run", str(MINI), "--model", "loop", "--out", str(imported), "--json")
    assert_one_line_error(refused, str(imported), "read-only")
    assert (imported / "summary.json").read_bytes() == before
    check(imported)


# ---------------------------------------------------------------- errors


def _bad(tmp_path: Path, name: str, content: bytes | str) -> Path:
    p = tmp_path / name
    if isinstance(content, str):
        p.write_text(content)
    else:
        p.write_bytes(content)
    return p


def test_broken_sources_fail_with_one_line(puhui: Run, tmp_path: Path) -> None:
    def fails(src: Path, *needles: str, args: tuple[str, ...] = ()) -> None:
        out = tmp_path / f"out-{src.name}-{len(args)}"
        proc = puhui("eval", "import", str(src), "--out", str(out), *args)
        assert_one_line_error(proc, *needles)
        assert not (out / "manifest.json").exists()

    raw = INSPECT_EVAL.read_bytes()
    fails(_bad(tmp_path, "cut.eval", raw[: len(raw) // 2]), "cut.eval", "zip")
    with zipfile.ZipFile(tmp_path / "empty.eval", "w") as z:
        z.writestr("other.json", "{}")
    fails(tmp_path / "empty.eval", "empty.eval", "not an Inspect log (no header.json)")
    fails(_bad(tmp_path, "text.json", "this is not json"), "text.json", "not valid JSON")
    fails(_bad(tmp_path, "list.json", "[1, 2]"), "list.json", "neither an Inspect log")
    fails(_bad(tmp_path, "obj.json", '{"a": 1}'), "obj.json", "no field results")
    log = json.loads(INSPECT_JSON.read_text())
    del log["eval"]["model"]
    fails(_bad(tmp_path, "nomodel.json", json.dumps(log)), "nomodel.json", "field eval.model")
    results = json.loads(LM_EVAL.read_text())
    del results["results"]["capitals_en"]["exact_match,none"]
    fails(
        _bad(tmp_path, "results.json", json.dumps(results)),
        "results.json",
        "field results.capitals_en missing exact_match",
    )
    fails(INSPECT_JSON, "unknown format", args=("--format", "helm"))
    fails(LM_EVAL, "not an Inspect log", args=("--format", "inspect"))
    fails(INSPECT_EVAL, "not lm-evaluation-harness results", args=("--format", "lm-eval"))
    fails(INSPECT_JSON, "--default-language", args=("--default-language", "not a tag!"))
    fails(tmp_path / "missing.eval", "missing.eval", "no such file")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x.txt").write_text("x")
    proc = puhui("eval", "import", str(INSPECT_EVAL), "--out", str(taken))
    assert_one_line_error(proc, str(taken), "not an empty folder")
