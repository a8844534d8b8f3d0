"""Run a corpus build: read → normalize → language ID → quality → PII → dedup → write.

The work is split into *units* (consecutive input files up to ``shard_mb``), each producing one
output shard. Stage 1 runs the per-document steps on every unit in parallel (a local process
pool, or Ray); stage 2 decides duplicates across the whole run in input order; stage 3 writes
``data/``, ``removed/``, ``quarantine/`` and ``stats/``. Each unit's result is written
atomically with a completion marker under ``DIR/.work/``, so a killed build resumes with the
same command and produces byte-identical output.

What each step does lives in :mod:`puhui.corpus.steps`; this module only moves records through
them. It stays one file (~620 lines) because the three stages, the resumable build and the two
executors share the unit layout under ``.work/`` (``_unit_paths``): one place to read how a
build is laid out on disk and resumed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import zstandard

from puhui.artifacts import (
    MANIFEST,
    atomic_open,
    atomic_write_json,
    content_digest,
    input_ref,
    sha256_file,
    write_manifest,
)
from puhui.corpus.config import BuildConfig
from puhui.corpus.dedup import Deduplicator, exact_key, save_signatures, signature
from puhui.corpus.readers import Document, InputFile, Problem, Skipped, discover, read
from puhui.corpus.records import Record
from puhui.corpus.steps import (
    Drop,
    LangIdStep,
    NormalizeStep,
    PiiStep,
    QualityStep,
    Step,
    check_rule,
)
from puhui.errors import PuhuiError
from puhui.i18n import _

WORK = ".work"
ZSTD_LEVEL = 3
SIG_DTYPE_FIELDS = ("id", "key", "sig")

UnitProgress = Callable[[str, int], None]  # (unit id, documents read so far)


@dataclass(frozen=True)
class Unit:
    """A unit of work: consecutive input files, producing output shard ``part-<uid>``."""

    uid: str
    files: tuple[InputFile, ...]


def plan_units(files: list[InputFile], shard_mb: float) -> list[Unit]:
    """Group files in order into units of about ``shard_mb`` input megabytes."""
    limit = shard_mb * 2**20
    units: list[Unit] = []
    current: list[InputFile] = []
    size = 0.0
    for f in files:
        fsize = f.path.stat().st_size * (4 if f.compression else 1)
        if current and size + fsize > limit:
            units.append(Unit(f"{len(units):05d}", tuple(current)))
            current, size = [], 0.0
        current.append(f)
        size += fsize
    if current:
        units.append(Unit(f"{len(units):05d}", tuple(current)))
    return units


# ---------------------------------------------------------------- JSONL.zst


def write_jsonl_zst(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as zstd-compressed JSON lines, atomically and deterministically."""
    buf = io.BytesIO()
    for row in rows:
        buf.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        buf.write(b"\n")
    data = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(buf.getvalue())
    with atomic_open(path, "wb") as f:
        f.write(data)


class RowWriter:
    """Stream rows to ``path`` as JSON lines (zstd-compressed, or plain with ``compress=False``),
    atomically: the file appears, whole, at :meth:`close`. With ``keep_empty=False`` no file is
    made when no row was written. Memory stays constant however many rows pass through."""

    def __init__(self, path: Path, *, compress: bool = True, keep_empty: bool = True) -> None:
        self.path = path
        self.rows = 0
        self._compress = compress
        self._keep_empty = keep_empty
        self._stack = contextlib.ExitStack()
        self._out: Any = None

    def _open(self) -> None:
        f = self._stack.enter_context(atomic_open(self.path, "wb"))
        if self._compress:
            cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
            self._out = self._stack.enter_context(cctx.stream_writer(f, closefd=False))
        else:
            self._out = f

    def write(self, row: dict[str, Any], *, compact: bool = True) -> None:
        if self._out is None:
            self._open()
        seps = (",", ":") if compact else None
        line = json.dumps(row, ensure_ascii=False, separators=seps).encode("utf-8")
        self._out.write(line + b"\n")
        self.rows += 1

    def close(self) -> None:
        if self._out is None and self._keep_empty:
            self._open()
        self._stack.close()

    def abort(self, exc: BaseException) -> None:
        """Drop the unfinished file (the temporary file is removed; ``path`` is untouched)."""
        self._stack.__exit__(type(exc), exc, exc.__traceback__)


def read_jsonl_zst(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as raw:
        reader = zstandard.ZstdDecompressor().stream_reader(raw)
        for line in io.TextIOWrapper(reader, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


# ---------------------------------------------------------------- stage 1: per-document steps


def make_steps(cfg: BuildConfig) -> list[Step]:
    """The per-document steps of a config in order (``dedup`` runs in stages 1 and 2 instead)."""
    users = {ref.name: ref for ref in cfg.user_steps}
    steps: list[Step] = []
    for name in cfg.steps:
        if name == "normalize":
            steps.append(NormalizeStep(cfg.normalize))
        elif name == "langid":
            steps.append(LangIdStep(cfg.langid))
        elif name == "quality":
            steps.append(QualityStep(cfg.quality, fill_script="langid" not in cfg.steps))
        elif name == "pii":
            salt = pii_salt(cfg).encode() if cfg.pii.mode == "hash" else None
            steps.append(PiiStep(cfg.pii, salt=salt))
        elif name in users:
            steps.append(users[name].make())
    return steps


def pii_salt(cfg: BuildConfig) -> str:
    """The secret salt for ``pii.mode: hash``, or a one-line error saying how to set it."""
    salt = os.environ.get(cfg.pii.salt_env, "")
    if not salt:
        raise PuhuiError(
            _("pii mode 'hash' needs a secret salt in ${env}").format(env=cfg.pii.salt_env),
            _("export {env}=<a long random secret>, or use mode redact").format(
                env=cfg.pii.salt_env
            ),
        )
    return salt


_STEPS_CACHE: dict[str, list[Step]] = {}


def _steps_for(cfg: BuildConfig) -> list[Step]:
    """The steps of ``cfg``, made once per process (models load once per worker)."""
    key = cfg.digest()
    if key not in _STEPS_CACHE:
        _STEPS_CACHE[key] = make_steps(cfg)
    return _STEPS_CACHE[key]


def record_id(source: str) -> str:
    return hashlib.blake2b(source.encode("utf-8"), digest_size=8).hexdigest()


def _unit_paths(work: Path, uid: str) -> dict[str, Path]:
    base = work / "units" / uid
    return {
        "kept": base.with_suffix(".kept.jsonl.zst"),
        "removed": base.with_suffix(".removed.jsonl.zst"),
        "quarantine": base.with_suffix(".quarantine.jsonl.zst"),
        "sig": base.with_suffix(".sig.npy"),
        "done": base.with_suffix(".done.json"),
    }


def process_unit(
    unit: Unit, cfg: BuildConfig, work: Path, progress: UnitProgress | None = None
) -> dict[str, Any]:
    """Stage 1 for one unit. Idempotent: returns the saved stats if the unit is already done."""
    paths = _unit_paths(work, unit.uid)
    if paths["done"].exists():
        done: dict[str, Any] = json.loads(paths["done"].read_text())
        return done
    steps = _steps_for(cfg)
    # Rows stream to disk as they are made: a unit's memory does not grow with its documents.
    writers = {k: RowWriter(paths[k]) for k in ("kept", "removed", "quarantine")}
    ids: list[str] = []
    keys: list[bytes] = []
    sigs: list[np.ndarray] = []  # uint32, 4 bytes a value (a list of ints takes ~9 times more)
    reasons: Counter[str] = Counter()
    n_read = 0
    dedup_on = "dedup" in cfg.steps

    def records() -> Iterator[Record]:
        nonlocal n_read
        for f in unit.files:
            for item in read(f, cfg.reader):
                if isinstance(item, Problem):
                    writers["quarantine"].write({"source": item.source, "error": item.error})
                    continue
                n_read += 1
                if progress is not None and n_read % 200 == 0:
                    progress(unit.uid, n_read)
                yield _to_record(item)

    def dropper(step: str) -> Drop:
        def drop(rec: Record, rule: str, detail: str = "") -> None:
            reason = check_rule(step, rule)
            reasons[reason] += 1
            writers["removed"].write({**rec.to_json(), "reason": reason, "detail": str(detail)})

        return drop

    try:
        # Records flow one at a time through the chain of steps' generators, in input order.
        stream: Iterator[Record] = records()
        for step in steps:
            stream = iter(step.run(stream, dropper(step.name)))
        for rec in stream:
            if dedup_on:
                ids.append(rec.id)
                keys.append(exact_key(rec.text))
                sigs.append(np.asarray(signature(rec.text, rec.script, cfg.dedup), np.uint32))
            writers["kept"].write(rec.to_json())
        for w in writers.values():
            w.close()
    except BaseException as e:
        for w in writers.values():
            w.abort(e)
        raise
    if progress is not None:
        progress(unit.uid, n_read)
    if dedup_on:
        save_signatures(paths["sig"], ids, keys, sigs, cfg.dedup.num_perm)
    stats = {
        "unit": unit.uid,
        "inputs": [f.name for f in unit.files],
        "documents_read": n_read,
        "quarantined": writers["quarantine"].rows,
        "kept_before_dedup": writers["kept"].rows,
        "removed": dict(sorted(reasons.items())),
    }
    atomic_write_json(paths["done"], stats)
    return stats


def _to_record(doc: Document) -> Record:
    return Record(id=record_id(doc.source), text=doc.text, source=doc.source, meta=doc.meta)


# ---------------------------------------------------------------- stage 2 and 3


def _dedup_decisions(
    units: list[Unit], cfg: BuildConfig, work: Path, against: list[Path]
) -> dict[str, dict[str, str]]:
    path = work / "dedup.json"
    if path.exists():
        saved: dict[str, dict[str, str]] = json.loads(path.read_text())
        return saved
    dd = Deduplicator(cfg.dedup)
    for old in against:
        dd.preload(old / "dedup" / "signatures.npy")
    decisions: dict[str, dict[str, str]] = {}
    for unit in units:
        table = np.load(_unit_paths(work, unit.uid)["sig"], allow_pickle=False)
        for row in table:
            d = dd.add(str(row["id"]), bytes(row["key"]), row["sig"])
            if d is not None:
                decisions[str(row["id"])] = {"reason": d.reason, "detail": d.detail}
    atomic_write_json(path, decisions)
    return decisions


def _write_outputs(
    out: Path,
    units: list[Unit],
    cfg: BuildConfig,
    work: Path,
    decisions: dict[str, dict[str, str]],
) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    removed_total: Counter[str] = Counter()
    sig_ids: list[str] = []
    sig_keys: list[bytes] = []
    sig_rows: list[Any] = []
    for sub in ("data", "removed", "quarantine", "stats", "dedup"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    for unit in units:
        paths = _unit_paths(work, unit.uid)
        stats = json.loads(paths["done"].read_text())
        name = f"part-{unit.uid}"
        data_w = RowWriter(out / "data" / f"{name}.jsonl.zst", keep_empty=False)
        removed_w = RowWriter(out / "removed" / f"{name}.jsonl.zst", keep_empty=False)
        quarantine_w = RowWriter(
            out / "quarantine" / f"{name}.jsonl", compress=False, keep_empty=False
        )
        dup: Counter[str] = Counter()
        try:
            for row in read_jsonl_zst(paths["removed"]):
                removed_w.write(row)
            for row in read_jsonl_zst(paths["kept"]):
                d = decisions.get(row["id"])
                if d is None:
                    data_w.write(row)
                else:
                    removed_w.write({**row, **d})
                    dup[d["reason"]] += 1
            for q in read_jsonl_zst(paths["quarantine"]):
                quarantine_w.write(q, compact=False)
            for w in (data_w, removed_w, quarantine_w):
                w.close()
        except BaseException as e:
            for w in (data_w, removed_w, quarantine_w):
                w.abort(e)
            raise
        stats["removed"] = dict(sorted({**stats["removed"], **dup}.items()))
        stats["kept"] = data_w.rows
        atomic_write_json(out / "stats" / f"{name}.json", stats)
        if "dedup" in cfg.steps:
            table = np.load(paths["sig"], allow_pickle=False)
            for row in table:
                if str(row["id"]) not in decisions:
                    sig_ids.append(str(row["id"]))
                    sig_keys.append(bytes(row["key"]))
                    sig_rows.append(row["sig"])
        totals["documents_read"] += stats["documents_read"]
        totals["quarantined"] += stats["quarantined"]
        totals["kept"] += data_w.rows
        removed_total.update(stats["removed"])
    if "dedup" in cfg.steps:
        save_signatures(
            out / "dedup" / "signatures.npy", sig_ids, sig_keys, sig_rows, cfg.dedup.num_perm
        )
    return {**totals, "removed": dict(sorted(removed_total.items()))}


# ---------------------------------------------------------------- the build


@dataclass
class BuildResult:
    out: Path
    summary: dict[str, Any]
    manifest_id: str
    resumed_units: int = 0
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)


Executor = Callable[[list[Unit], BuildConfig, Path], None]


def _check_out(out: Path, state: dict[str, Any]) -> bool:
    """Return True when ``out`` holds a finished build of exactly this state."""
    cfg_path = out / WORK / "config.json"
    if cfg_path.exists():
        saved = json.loads(cfg_path.read_text())
        wanted = json.loads(json.dumps({k: state[k] for k in ("config", "inputs")}))
        if {k: saved.get(k) for k in ("config", "inputs")} != wanted:
            raise PuhuiError(
                _("{out} holds a build with other inputs or options").format(out=out),
                _("use a new `out` folder, or add `restart=True` to discard it"),
            )
        return (out / MANIFEST).exists()
    if out.exists() and any(out.iterdir()):
        raise PuhuiError(
            _("{out} is not empty and is not a Puhui corpus build").format(out=out),
            _("choose an empty or new folder for `out`"),
        )
    return False


def build(
    inputs: list[Path],
    out: Path,
    cfg: BuildConfig,
    *,
    executor: Executor,
    against: list[Path] = (),  # type: ignore[assignment]
    restart: bool = False,
    name: str | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build (or resume) a corpus from ``inputs`` into ``out``; return a summary."""
    started = time.perf_counter()
    for p in inputs:
        if not p.exists():
            raise PuhuiError(_("input {p} does not exist").format(p=p), _("check the path"))
    for old in against:
        if not (old / "dedup" / "signatures.npy").exists():
            raise PuhuiError(
                _("`dedup_against` {p} has no dedup/signatures.npy").format(p=old),
                _("give the folder of a corpus built by `puhui corpus build`"),
            )
    if "pii" in cfg.steps and cfg.pii.mode == "hash":
        pii_salt(cfg)
    skipped: list[Skipped] = []
    files = discover(inputs, skipped)
    if not files:
        raise PuhuiError(
            _("no files found in {p}").format(p=", ".join(map(str, inputs))),
            _("{n} paths were skipped, e.g. {name}: {why}").format(
                n=len(skipped), name=skipped[0].name, why=skipped[0].reason
            )
            if skipped
            else None,
        )
    state: dict[str, Any] = {
        "config": cfg.to_json(),
        "inputs": [[f.name, f.path.stat().st_size] for f in files],
        "against": [str(p) for p in against],
        "skipped": [[s.name, s.reason] for s in skipped],  # for the audit; not compared
    }
    if restart and out.exists():
        shutil.rmtree(out)
    if _check_out(out, state):
        from puhui.artifacts import check

        m = check(out)
        summary = json.loads((out / WORK / "summary.json").read_text())
        return BuildResult(out, summary, m.id, resumed_units=-1)
    work = out / WORK
    (work / "units").mkdir(parents=True, exist_ok=True)
    cfg_path = work / "config.json"
    if cfg_path.exists():
        state["started"] = json.loads(cfg_path.read_text())["started"]
    else:
        state["started"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        state["name"] = name or out.name
        atomic_write_json(cfg_path, state)
    units = plan_units(files, cfg.shard_mb)
    resumed = sum(1 for u in units if _unit_paths(work, u.uid)["done"].exists())
    if on_stage:
        on_stage("process")
    executor(units, cfg, work)
    if on_stage:
        on_stage("dedup")
    decisions = _dedup_decisions(units, cfg, work, list(against)) if "dedup" in cfg.steps else {}
    if on_stage:
        on_stage("write")
    summary = _write_outputs(out, units, cfg, work, decisions)
    summary["units"] = len(units)
    summary["skipped_inputs"] = [{"path": s.name, "reason": s.reason} for s in skipped]
    summary["languages"] = None  # filled by the audit
    from puhui.corpus.audit import write_audit
    from puhui.corpus.croissant import write_croissant
    from puhui.corpus.datasheet import write_datasheet

    if on_stage:
        on_stage("audit")
    audit = write_audit(out)
    summary["languages"] = audit["totals"]["languages"]
    corpus_name = json.loads(cfg_path.read_text()).get("name") or out.name
    write_croissant(out, audit, name=corpus_name)
    write_datasheet(out, audit, name=corpus_name)
    atomic_write_json(work / "summary.json", summary)
    manifest = write_manifest(
        out,
        "corpus",
        parameters={"config": cfg.to_json(), "name": corpus_name},
        inputs=[*_input_refs(inputs), *(input_ref(p, name=str(p)) for p in against)],
        command="puhui corpus build",
    )
    _set_created(out, state["started"])
    shutil.rmtree(work / "units", ignore_errors=True)
    return BuildResult(out, summary, manifest.id, resumed, time.perf_counter() - started)


def _input_refs(inputs: list[Path]) -> list[dict[str, Any]]:
    """Provenance of the inputs. A plain folder is pinned by the digest of the files the build
    reads in it (as :func:`discover` picks them), not by everything under it: a link out of the
    folder, or a pipe, is neither read nor hashed."""
    refs = []
    for p in inputs:
        if p.is_dir() and not (p / MANIFEST).is_file():
            files = [
                {"path": f.path.relative_to(p).as_posix(), "sha256": sha256_file(f.path)}
                for f in discover([p])
            ]
            refs.append({"name": str(p), "sha256": content_digest(files)})
        else:
            refs.append(input_ref(p, name=str(p)))
    return refs


def _set_created(out: Path, started: str) -> None:
    """Stamp the manifest with the build's first start, so a resumed build is byte-identical."""
    path = out / MANIFEST
    data = json.loads(path.read_text())
    data["created"] = started
    atomic_write_json(path, data)


# ---------------------------------------------------------------- executors


def _worker(unit: Unit, cfg: BuildConfig, work: Path, queue: Any) -> dict[str, Any]:
    def report(uid: str, n: int) -> None:
        queue.put((uid, n))

    return process_unit(unit, cfg, work, report if queue is not None else None)


def local_executor(
    workers: int, on_progress: Callable[[str, int, bool], None] | None = None
) -> Executor:
    """Run units in a process pool of ``workers`` (1: in this process)."""

    def run(units: list[Unit], cfg: BuildConfig, work: Path) -> None:
        todo = [u for u in units if not _unit_paths(work, u.uid)["done"].exists()]
        for u in units:
            if u not in todo and on_progress:
                on_progress(u.uid, -1, True)
        if workers <= 1 or len(todo) <= 1:
            for u in todo:
                process_unit(
                    u,
                    cfg,
                    work,
                    (lambda uid, n: on_progress(uid, n, False)) if on_progress else None,
                )
                if on_progress:
                    on_progress(u.uid, -1, True)
            return
        import multiprocessing as mp
        import queue as queue_mod
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        ctx = mp.get_context("spawn")
        with ctx.Manager() as manager:
            q = manager.Queue()
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = {pool.submit(_worker, u, cfg, work, q): u for u in todo}
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    while True:
                        try:
                            uid, n = q.get_nowait()
                        except queue_mod.Empty:
                            break
                        if on_progress:
                            on_progress(uid, n, False)
                    for fut in done:
                        fut.result()  # re-raise a worker's error
                        if on_progress:
                            on_progress(futures[fut].uid, -1, True)

    return run


def ray_executor(
    workers: int, on_progress: Callable[[str, int, bool], None] | None = None
) -> Executor:
    """Run the same unit function as Ray tasks on a local (or connected) Ray cluster."""

    def run(units: list[Unit], cfg: BuildConfig, work: Path) -> None:
        try:
            import ray
        except ImportError:
            raise PuhuiError(
                _("the Ray executor needs Ray"),
                _("pip install 'puhui[ray]' or use `executor='local'`"),
            ) from None
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        started_here = not ray.is_initialized()
        if started_here:
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        try:
            task = ray.remote(process_unit)
            todo = [u for u in units if not _unit_paths(work, u.uid)["done"].exists()]
            refs = {task.remote(u, cfg, work): u for u in todo}
            pending = list(refs)
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                for ref in done:
                    ray.get(ref)
                    if on_progress:
                        on_progress(refs[ref].uid, -1, True)
        finally:
            if started_here:
                ray.shutdown()

    return run
