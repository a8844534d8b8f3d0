#!/usr/bin/env python3
"""Eval runner overhead, side by side: Puhui vs Inspect (inspect-ai) on the same samples.

Both runners ask the same N chat questions (10 languages, multiple choice, the same rendered
system + user messages, max_tokens 8, temperature 0, seed 0) of one loopback OpenAI-compatible
server (``bench/eval_server.py``) that holds every request for a fixed latency with at most
``cap`` requests in flight, so its capacity is known: cap / latency requests/s. What is left
of the wall time is the runner's own cost.

Commands (run from the repository root; only the standard library is imported here)::

    python3 bench/eval_overhead.py setup             # Inspect in its own venv, /tmp/inspectvenv
    python3 bench/eval_overhead.py run --repeats 3   # the comparison; prints a Markdown table
    python3 bench/eval_overhead.py profile           # cProfile of Puhui, --concurrency 16
    python3 bench/eval_overhead.py profile --cached  # ... of Puhui's all-cached rerun

Measurements, each repeated ``--repeats`` times with the tools alternating which goes first
(fresh PUHUI_HOME / INSPECT_CACHE_DIR / log folder every time unless stated):

* **overhead** — concurrency C = cap (16). Runner wall time, timed in-process around
  ``load_suite`` + ``runner.run`` (Puhui) and ``inspect_ai.eval`` (Inspect), so interpreter start
  and imports are left out (they are reported separately from the CLI runs). Per sample:
  ``(wall − ceil(N / C) × latency) / N``. Also ``(C × wall − Σ time inside the HTTP client's
  send) / N``: how long each concurrency slot spends outside the HTTP call per sample (httpx
  ``Client.send`` is wrapped for Puhui, ``httpx2.AsyncClient.send`` for Inspect), and the
  process CPU time per sample.
* **saturation** — concurrency 2 × cap (32): requests answered per second of runner wall time
  ÷ the server's capacity.
* **cached rerun** — a first run, then the same run again into a new output folder with the
  same cache (Puhui: the same PUHUI_HOME; Inspect: ``generate(cache=True)`` and the same
  INSPECT_CACHE_DIR); speed-up = first wall ÷ second wall. Inspect's overhead run uses its
  default (no cache); Puhui always caches.
* **cli** — the end-to-end commands (``puhui eval run ... --json`` and ``inspect eval ...``)
  timed as processes, C = cap, to show start-up cost.

Inspect runs from its own venv as a subprocess executing this same file (``_worker inspect``), so
none of its dependencies touch Puhui's venv. Its model is ``openai-api/loop/m``, the generic
OpenAI-compatible provider (chat completions), with LOOP_BASE_URL and LOOP_API_KEY set.

One file (~610 lines) on purpose: a benchmark is a script a reader runs and reads top to
bottom (setup, the tools side by side, the report), and splitting it would scatter that story.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PUHUI = REPO / ".venv" / "bin" / "puhui"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
INSPECT_VENV = Path("/tmp/inspectvenv")
INSPECT_PY = INSPECT_VENV / "bin" / "python"
INSPECT_PACKAGES = ["inspect-ai==0.3.285", "openai==3.57.0"]  # openai: not a dependency
WORK = Path("/tmp/puhui-eval-bench")
# inspect-tuned: Inspect with log_realtime=False (its biggest per-sample cost here), overhead
# and saturation only
TOOLS = ["puhui", "inspect", "inspect-tuned"]
SYSTEM = "Answer with one option only."
USER = "Options: {choices}\n{input}\nAnswer:"

QUESTIONS = {
    "en": "What is {a} plus {b}?",
    "fr": "Combien font {a} plus {b} ?",
    "es": "¿Cuánto es {a} más {b}?",
    "sw": "{a} jumlisha {b} ni ngapi?",
    "yo": "Kí ni {a} àti {b} papọ̀?",
    "ha": "Nawa ne {a} da {b}?",
    "ar": "كم يساوي {a} زائد {b}؟",
    "hi": "{a} और {b} का योग क्या है?",
    "bn": "{a} যোগ {b} কত?",
    "zh": "{a} 加 {b} 等于多少？",
}


# ================================================================ the data


def build_data(work: Path, n: int) -> tuple[Path, Path]:
    """A Puhui suite folder and the same samples, pre-rendered, for Inspect."""
    rng = random.Random(7)
    suite = work / f"suite-{n}"
    shutil.rmtree(suite, ignore_errors=True)
    suite.mkdir(parents=True)
    rows, rendered = [], []
    langs = list(QUESTIONS)
    for i in range(n):
        lang = langs[i % len(langs)]
        a, b = rng.randint(10, 999), rng.randint(10, 999)
        right = a + b
        choices = [str(right), str(right + rng.randint(1, 9)), str(right - rng.randint(1, 9))]
        rng.shuffle(choices)
        question = QUESTIONS[lang].format(a=a, b=b)
        row = {"id": f"q{i}", "lang": lang, "input": question, "choices": choices}
        row["target"] = str(right)
        rows.append(row)
        user = USER.format(choices="; ".join(choices), input=question)
        rendered.append(
            {"id": row["id"], "lang": lang, "system": SYSTEM, "user": user, "target": str(right)}
        )
    with open(suite / "samples.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (suite / "suite.yaml").write_text(
        "name: overhead\n"
        "title: Runner overhead benchmark\n"
        "description: Sums with three options in ten languages.\n"
        "license: CC0-1.0\n"
        "tasks:\n"
        "  - name: sums\n"
        "    data: samples.jsonl\n"
        "    template:\n"
        "      instruction_language: en\n"
        f"      system: {SYSTEM}\n"
        f"      user: {json.dumps(USER)}\n"
        "    scorer: choice\n"
        "    metrics: [accuracy]\n"
        "    generation: {max_tokens: 8, temperature: 0}\n",
        encoding="utf-8",
    )
    inspect_data = work / f"inspect-{n}.jsonl"
    with open(inspect_data, "w", encoding="utf-8") as f:
        for r in rendered:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return suite, inspect_data


INSPECT_TASK = '''\
"""The Inspect side of bench/eval_overhead.py: the same samples, generate(), match()."""

import json

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import match
from inspect_ai.solver import generate


@task
def overhead(data: str, cache: bool = False) -> Task:
    samples = []
    with open(data, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            samples.append(
                Sample(
                    id=r["id"],
                    input=[
                        ChatMessageSystem(content=r["system"]),
                        ChatMessageUser(content=r["user"]),
                    ],
                    target=r["target"],
                    metadata={"lang": r["lang"]},
                )
            )
    return Task(
        dataset=MemoryDataset(samples),
        solver=generate(cache=cache),
        scorer=match(location="exact"),
        config=GenerateConfig(max_tokens=8, temperature=0, seed=0),
    )
'''


# ================================================================ workers (one run, in-process)


def _wrap_send(cls: Any, is_async: bool) -> dict[str, float]:
    """Sum the time spent inside ``cls.send`` (the whole HTTP exchange, body included)."""
    acc = {"seconds": 0.0, "calls": 0, "first": math.inf, "last": 0.0}
    orig = cls.send
    if is_async:

        async def send(self: Any, *a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return await orig(self, *a, **k)
            finally:
                _count(acc, t)

    else:

        def send(self: Any, *a: Any, **k: Any) -> Any:  # type: ignore[misc]
            t = time.perf_counter()
            try:
                return orig(self, *a, **k)
            finally:
                _count(acc, t)

    cls.send = send
    return acc


def _count(acc: dict[str, float], t: float) -> None:
    now = time.perf_counter()
    acc["seconds"] += now - t
    acc["calls"] += 1
    acc["first"] = min(acc["first"], t)
    acc["last"] = max(acc["last"], now)


def _http(acc: dict[str, float]) -> dict[str, float]:
    """Time inside send, calls, and the span from the first send to the end of the last."""
    span = acc["last"] - acc["first"] if acc["calls"] else 0.0
    return {"http_s": acc["seconds"], "http_calls": acc["calls"], "http_span_s": span}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def worker_puhui(a: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from puhui.config import load_settings
    from puhui.evals.runner import RunOptions, run
    from puhui.evals.tasks import load_suite

    acc = _wrap_send(httpx.Client, is_async=False)
    settings = load_settings()
    profiles: list[Any] = []
    if a.profile:
        import cProfile
        import threading

        orig_run = threading.Thread.run

        def profiled_run(self: threading.Thread) -> None:
            p = cProfile.Profile()
            profiles.append(p)
            p.enable()
            try:
                orig_run(self)
            finally:
                p.disable()

        threading.Thread.run = profiled_run  # type: ignore[method-assign]
        main = cProfile.Profile()
        profiles.append(main)
        main.enable()
    cpu, t0 = _cpu(), time.perf_counter()
    suite = load_suite(a.suite)
    summary = run(suite, "loop", Path(a.out), RunOptions(concurrency=a.concurrency), settings)
    wall = time.perf_counter() - t0
    cpu = _cpu() - cpu
    if a.profile:
        import pstats

        main.disable()
        stats = pstats.Stats(profiles[0])
        for p in profiles[1:]:
            stats.add(p)
        stats.dump_stats(a.profile)
    acc_ = summary["tasks"]["overhead/sums"]["metrics"]["accuracy"]["overall"]["value"]
    return {"wall": wall, "cpu": cpu, **_http(acc)} | {
        "accuracy": acc_,
        "samples": summary["logged"],
    }


def worker_inspect(a: argparse.Namespace) -> dict[str, Any]:
    import httpx2
    from inspect_ai import eval as inspect_eval

    acc = _wrap_send(httpx2.AsyncClient, is_async=True)
    cpu, t0 = _cpu(), time.perf_counter()
    logs = inspect_eval(
        a.task,
        task_args={"data": a.data, "cache": a.cache},
        model="openai-api/loop/m",
        max_connections=a.concurrency,
        max_samples=a.concurrency,
        log_dir=a.out,
        display="none",
        log_level="warning",
        **({"log_realtime": False} if a.no_realtime else {}),
    )
    wall = time.perf_counter() - t0
    cpu = _cpu() - cpu
    log = logs[0]
    if log.status != "success":
        raise SystemExit(f"inspect run failed: {log.status} {log.error}")
    assert log.results is not None
    value = log.results.scores[0].metrics["accuracy"].value
    return {"wall": wall, "cpu": cpu, **_http(acc)} | {
        "accuracy": value,
        "samples": log.results.completed_samples,
    }


# ================================================================ driver


class Bench:
    def __init__(self, a: argparse.Namespace) -> None:
        self.a = a
        self.work: Path = a.work
        self.url = f"http://127.0.0.1:{a.port}"
        self.capacity = a.cap / (a.latency_ms / 1000)
        self.n = 0
        self.suite = self.inspect_data = Path()
        self.task_file = self.work / "inspect_task.py"
        self.seq = 0
        self.server: subprocess.Popen[str] | None = None

    # -- server
    def start_server(self) -> None:
        cmd = [sys.executable, str(REPO / "bench" / "eval_server.py"), "--port", str(self.a.port)]
        cmd += ["--latency-ms", str(self.a.latency_ms), "--cap", str(self.a.cap)]
        self.server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.server.stdout is not None
        self.server.stdout.readline()
        # warm the server (its latency correction) with a few seconds of raw load
        sys.path.insert(0, str(REPO / "bench"))
        import asyncio

        import eval_server

        asyncio.run(eval_server._load("127.0.0.1", self.a.port, 2 * self.a.cap, 3.0))

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait()

    def server_call(self, path: str) -> dict[str, Any]:
        method = "POST" if path == "/reset" else "GET"
        req = urllib.request.Request(self.url + path, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as r:
            data: dict[str, Any] = json.loads(r.read())
            return data

    # -- environment per run
    def fresh(self, label: str) -> Path:
        self.seq += 1
        d = self.work / "runs" / f"{self.seq:03d}-{label}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        return d

    def env(self, d: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_proxy")}
        env |= {
            "PUHUI_HOME": str(d / "home"),
            "INSPECT_CACHE_DIR": str(d / "inspect-cache"),
            "LOOP_BASE_URL": self.url + "/v1",
            "LOOP_API_KEY": "none",
            "INSPECT_LOG_LEVEL": "warning",
            "INSPECT_DISPLAY": "none",
            "NO_PROXY": "127.0.0.1,localhost",
            "HF_HUB_OFFLINE": "1",
        }
        return env

    def register(self, d: Path) -> None:
        cmd = [str(PUHUI), "models", "add", "loop", "--endpoint", self.url + "/v1"]
        cmd += ["--model", "m"]
        subprocess.run(cmd, env=self.env(d), check=True, capture_output=True)

    # -- one run
    def worker(
        self, tool: str, d: Path, out: str, concurrency: int, cache: bool = False
    ) -> dict[str, Any]:
        py = VENV_PYTHON if tool == "puhui" else INSPECT_PY
        cmd = [str(py), __file__, "_worker", tool.split("-")[0]]
        cmd += ["--no-realtime"] if tool == "inspect-tuned" else []
        cmd += ["--out", str(d / out), "--concurrency", str(concurrency)]
        cmd += ["--suite", str(self.suite), "--task", self.task_file.name]
        cmd += ["--data", str(self.inspect_data)] + (["--cache"] if cache else [])
        self.server_call("/reset")
        # Inspect wants a task file relative to the working folder
        p = subprocess.run(cmd, env=self.env(d), capture_output=True, text=True, cwd=self.work)
        if p.returncode != 0:
            raise SystemExit(f"{tool} worker failed:\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
        result["server"] = self.server_call("/stats")
        result["concurrency"] = concurrency
        return result

    def cli(self, tool: str, d: Path, concurrency: int) -> dict[str, Any]:
        if tool == "puhui":
            cmd = [str(PUHUI), "eval", "run", str(self.suite), "--model", "loop"]
            cmd += ["--out", str(d / "cli-out"), "--concurrency", str(concurrency), "--json"]
        else:
            cmd = [str(INSPECT_VENV / "bin" / "inspect"), "eval", self.task_file.name]
            cmd += ["-T", f"data={self.inspect_data}", "--model", "openai-api/loop/m"]
            cmd += ["--max-connections", str(concurrency), "--max-samples", str(concurrency)]
            cmd += ["--log-dir", str(d / "cli-out"), "--display", "none"]
        self.server_call("/reset")
        t0 = time.perf_counter()
        p = subprocess.run(cmd, env=self.env(d), capture_output=True, text=True, cwd=self.work)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"{tool} cli failed:\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
        return {"wall": wall, "server": self.server_call("/stats"), "concurrency": concurrency}

    # -- the measurements of one tool in one round
    def round(self, tool: str) -> dict[str, Any]:
        cap, out = self.a.cap, {}
        d = self.fresh(f"{tool}-overhead")
        self.register(d)
        out["overhead"] = self.worker(tool, d, "out", cap)
        if tool == "inspect-tuned":  # only overhead and saturation
            d = self.fresh(f"{tool}-saturation")
            out["saturation"] = self.worker(tool, d, "out", 2 * cap)
            return out
        if tool == "puhui":
            first = out["overhead"]  # Puhui always caches: this run filled the cache
        else:
            d = self.fresh(f"{tool}-cachefill")
            first = self.worker(tool, d, "out", cap, cache=True)
        second = self.worker(tool, d, "out2", cap, cache=True)
        out["cached"] = {"first": first, "second": second}
        d = self.fresh(f"{tool}-saturation")
        self.register(d)
        out["saturation"] = self.worker(tool, d, "out", 2 * cap)
        d = self.fresh(f"{tool}-cli")
        self.register(d)
        out["cli"] = self.cli(tool, d, cap)
        return out

    def derive(self, r: dict[str, Any]) -> dict[str, float]:
        n, lat, cap = self.n, self.a.latency_ms / 1000, self.a.cap
        o, s = r["overhead"], r["saturation"]
        ideal = math.ceil(n / cap) * lat
        derived = {
            "overhead_ms": 1000 * (o["wall"] - ideal) / n,
            "slot_ms": 1000 * (cap * o["http_span_s"] - o["http_s"]) / n,
            "cpu_ms": 1000 * o["cpu"] / n,
            "wall_c16_s": o["wall"],
            "capacity_pct": 100 * n / s["wall"] / self.capacity,
            "server_pct": 100 * (s["server"]["requests_per_s"] or 0) / self.capacity,
            "accuracy": o["accuracy"],
            "requests": o["server"]["requests"],
        }
        if "cached" not in r:
            return derived
        c = r["cached"]
        return derived | {
            "cached_speedup": c["first"]["wall"] / c["second"]["wall"],
            "cached_s": c["second"]["wall"],
            "cached_requests": c["second"]["server"]["requests"],
            "cli_s": r["cli"]["wall"],
            "cli_overhead_ms": 1000 * (r["cli"]["wall"] - ideal) / n,
        }

    def run(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.n = self.a.samples
        self.suite, self.inspect_data = build_data(self.work, self.n)
        self.task_file.write_text(INSPECT_TASK)
        self.start_server()
        results: dict[str, list[dict[str, Any]]] = {t: [] for t in TOOLS}
        try:
            for i in range(self.a.repeats):
                order = TOOLS if i % 2 == 0 else TOOLS[::-1]
                for tool in order:
                    if tool not in self.a.tools:
                        continue
                    raw = self.round(tool)
                    raw["derived"] = self.derive(raw)
                    results[tool].append(raw)
                    print(tool, i, json.dumps(raw["derived"]), file=sys.stderr, flush=True)
        finally:
            self.stop_server()
        doc = {
            "samples": self.n,
            "latency_ms": self.a.latency_ms,
            "cap": self.a.cap,
            "capacity_per_s": self.capacity,
            "results": results,
        }
        (self.work / "results.json").write_text(json.dumps(doc, indent=1))
        print(table(doc))


def _stat(rows: list[dict[str, Any]], key: str, higher_better: bool) -> tuple[float, float]:
    vals = [r["derived"][key] for r in rows]
    best = max(vals) if higher_better else min(vals)
    return best, statistics.median(vals)


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def table(doc: dict[str, Any]) -> str:
    """Markdown: best / median per tool, and Puhui ÷ Inspect of the medians."""
    metrics = [
        ("overhead_ms", "runner overhead, ms/sample: (wall − ideal) / N, C = 16", False),
        ("slot_ms", "time outside the HTTP call, ms per sample per slot, C = 16", False),
        ("cpu_ms", "client CPU time, ms/sample, C = 16", False),
        ("capacity_pct", "throughput at C = 32, % of server capacity (runner wall)", True),
        ("server_pct", "throughput at C = 32, % of capacity (server's busy span)", True),
        ("cached_speedup", "cached rerun speed-up (first ÷ second wall)", True),
        ("cached_s", "cached rerun wall, s", False),
        ("cli_s", "CLI end-to-end wall at C = 16, s", False),
    ]
    res = doc["results"]
    names = {"puhui": "Puhui", "inspect": "Inspect", "inspect-tuned": "Inspect, no realtime log"}
    tools = [t for t in TOOLS if res.get(t)]
    head = ["measure"] + [f"{names[t]} best / median" for t in tools]
    head += [f"Puhui ÷ {names[t]} (medians)" for t in tools if t != "puhui"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for key, label, hb in metrics:
        cells, med = [label], {}
        for tool in tools:
            if key not in res[tool][0]["derived"]:
                cells.append("–")
                continue
            best, med[tool] = _stat(res[tool], key, hb)
            cells.append(f"{_fmt(best)} / {_fmt(med[tool])}")
        for tool in tools[1:]:
            ok = "puhui" in med and med.get(tool)
            cells.append(f"{med['puhui'] / med[tool]:.3g}" if ok else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ================================================================ profile, setup


def profile(a: argparse.Namespace) -> None:
    b = Bench(a)
    b.work.mkdir(parents=True, exist_ok=True)
    b.n = a.samples
    b.suite, b.inspect_data = build_data(b.work, b.n)
    b.start_server()
    try:
        d = b.fresh("profile")
        b.register(d)
        prof = d / "puhui.prof"
        cmd = [str(VENV_PYTHON), __file__, "_worker", "puhui", "--suite", str(b.suite)]
        cmd += ["--concurrency", str(a.cap)]
        if a.cached:
            subprocess.run([*cmd, "--out", str(d / "warm")], env=b.env(d), check=True)
        b.server_call("/reset")
        p = subprocess.run(
            [*cmd, "--out", str(d / "out"), "--profile", str(prof)],
            env=b.env(d),
            capture_output=True,
            text=True,
            check=True,
        )
        print(p.stdout.strip().splitlines()[-1])
    finally:
        b.stop_server()
    import pstats

    st = pstats.Stats(str(prof))
    st.sort_stats("tottime").print_stats(25)
    st.sort_stats("cumulative").print_stats(40)
    print(f"profile: {prof}")


def setup(a: argparse.Namespace) -> None:
    if not INSPECT_PY.exists():
        subprocess.run([sys.executable, "-m", "venv", str(INSPECT_VENV)], check=True)
    pip = [str(INSPECT_PY), "-m", "pip", "install", "-q", *INSPECT_PACKAGES]
    subprocess.run(pip, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup")
    for name in ("run", "profile"):
        p = sub.add_parser(name)
        p.add_argument("--work", type=Path, default=WORK)
        p.add_argument("--samples", type=int, default=2000)
        p.add_argument("--latency-ms", type=float, default=50.0)
        p.add_argument("--cap", type=int, default=16)
        p.add_argument("--port", type=int, default=8765)
        p.add_argument("--repeats", type=int, default=3)
        p.add_argument("--tools", default=",".join(TOOLS))
        p.add_argument("--cached", action="store_true", help="profile: the all-cached rerun")
    w = sub.add_parser("_worker")
    w.add_argument("tool", choices=["puhui", "inspect"])
    w.add_argument("--out", required=True)
    w.add_argument("--concurrency", type=int, required=True)
    w.add_argument("--suite")
    w.add_argument("--task")
    w.add_argument("--data")
    w.add_argument("--cache", action="store_true")
    w.add_argument("--profile")
    w.add_argument("--no-realtime", action="store_true", help="inspect: log_realtime=False")
    a = ap.parse_args()
    if a.cmd == "setup":
        setup(a)
    elif a.cmd == "run":
        a.tools = a.tools.split(",")
        Bench(a).run()
    elif a.cmd == "profile":
        profile(a)
    else:
        fn = worker_puhui if a.tool == "puhui" else worker_inspect
        print(json.dumps(fn(a)))


if __name__ == "__main__":
    main()
