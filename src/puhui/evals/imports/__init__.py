"""Import evaluation results made by other tools as read-only Puhui runs.

Institutions often hold evidence from Inspect (``.eval`` and ``.json`` logs) or from
lm-evaluation-harness (``results_*.json``, with ``samples_<task>_*.jsonl`` beside it when run
with ``--log_samples``). :func:`import_run` reads such a file with the standard library (never
importing either tool) and writes a Puhui run folder that ``puhui eval show``/``compare`` and
``puhui inspect`` read like a native one: ``plan.json`` (with an ``imported`` block naming the
tool, its version and the source's sha256), ``log.jsonl`` when the source has per-sample scores,
``summary.json`` (per task, metric and language: ``value``, ``n``, 95% CI, small-slice flag) and
``manifest.json`` (``parameters.imported = true``).

Mapping rules:

- Language per sample: Inspect sample ``metadata`` keys ``language``/``lang``/``locale``/
  ``language_code``/``lang_code`` (a BCP-47 or FLORES code, or a language name); lm-eval: a
  trailing code in the task name (``xnli_sw``, ``belebele_swh_Latn``, ``arc_challenge_mt_ca``),
  or the code after a known family prefix (``global_mmlu_full_yo_…``, ``afrimgsm_amh_…``); then
  the user's ``--language``; else ``und``. How each language was derived is recorded.
  lm-eval tasks that differ only in their language code become one Puhui task.
- Confidence intervals: with per-sample scores, the same percentile bootstrap as native runs
  (``ci_method: "bootstrap"``); with only aggregates, the tool's standard error as a
  normal-approximation 95% interval, clipped to [0, 1] for proportions (``"normal-stderr"``);
  otherwise none, with a note. ``n`` is only what the source recorded.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from puhui import __version__
from puhui.artifacts import atomic_write_json, atomic_write_text, input_ref, write_manifest
from puhui.errors import PuhuiError
from puhui.evals.stats import MIN_N, bootstrap
from puhui.i18n import _

FORMATS = ("inspect", "lm-eval")
LOG_SCHEMA = 1
Z95 = 1.959964
# Inspect sample metadata keys that may hold the sample's language, in order of preference.
LANGUAGE_KEYS = ("language", "lang", "locale", "language_code", "lang_code")
# Inspect metrics that are the mean of the per-sample values (so recomputable per language).
MEAN_METRICS = ("accuracy", "mean")
# Inspect metrics that describe another metric's spread, not a result of their own.
SPREAD_METRICS = frozenset({"stderr", "std", "var", "bootstrap_stderr"})
# lm-eval metrics whose value is a proportion in [0, 1] (CIs are clipped to that range).
PROPORTIONS = frozenset(
    {"acc", "acc_norm", "acc_mutual_info", "exact_match", "em", "accuracy", "mean", "f1"}
)
# lm-eval task families whose language code follows a fixed prefix rather than ending the name.
PREFIX_FAMILIES = (
    "global_mmlu_full_",
    "global_mmlu_",
    "mmlu_prox_lite_",
    "mmlu_prox_",
    "afrimgsm_",
    "afrimmlu_",
    "afrixnli_",
    "global_piqa_parallel_generation_",
    "global_piqa_parallel_",
)
_ZSTD = 93  # zip compression method id of Zstandard (Inspect writes .eval logs with it)
MAX_ZIP_MEMBER = 128 << 20  # one member of a .eval log, uncompressed (samples are ~10 KB-10 MB)
_SECRET = re.compile(
    r"(?:^|_)(?:api_?key|key|token|secret|password|passwd|auth|authorization|credentials?)$",
    re.IGNORECASE,
)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T[\d.:-]+$")


# ---------------------------------------------------------------- errors and small readers


def _fail(path: Path | str, what: str, hint: str | None = None) -> NoReturn:
    raise PuhuiError(f"{path}: {what}", hint)


def _json_text(data: bytes | str, where: str) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        _fail(where, _("not UTF-8 text"), _("give the file as the tool wrote it"))
    except json.JSONDecodeError as e:
        _fail(
            where,
            _("line {line}, column {col}: not valid JSON ({why})").format(
                line=e.lineno, col=e.colno, why=e.msg
            ),
            _("the file is damaged or not a results file; give the file as the tool wrote it"),
        )


def _obj(parent: Mapping[str, Any], key: str, where: str, field_path: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        _fail(where, _("field {f} missing").format(f=field_path))
    if not isinstance(value, dict):
        _fail(where, _("field {f} is not an object").format(f=field_path))
    return value


def _str(parent: Mapping[str, Any], key: str, where: str, field_path: str) -> str:
    value = parent.get(key)
    if value is None or value == "":
        _fail(where, _("field {f} missing").format(f=field_path))
    if not isinstance(value, str | int | float):
        _fail(where, _("field {f} is not a string").format(f=field_path))
    return str(value)


def _dict(parent: Any, key: str) -> dict[str, Any]:
    """``parent[key]`` when both are objects, else an empty dict."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- languages


def _known(tag: str) -> bool:
    import langcodes

    if tag == "und" or not langcodes.tag_is_valid(tag):
        return False
    return bool(langcodes.Language.get(tag).language)


def language_of_value(value: Any) -> str | None:
    """A BCP-47 tag for a metadata value (``sw``, ``swh_Latn``, ``en-US``, ``Swahili``), or None."""
    from puhui.evals.languages import normalize_tag

    if not isinstance(value, str) or not value.strip():
        return None
    tag = normalize_tag(value)
    if _known(tag):
        return tag
    import langcodes

    try:  # a language name, e.g. "Swahili" or "Kiswahili"
        return normalize_tag(str(langcodes.find(value.strip())))
    except LookupError:
        return None


def _code(token: str, script: str | None = None) -> str | None:
    """The tag of a task-name token that is unambiguously a language code, else None."""
    from puhui.evals.languages import normalize_tag

    if script is not None:
        if not re.fullmatch(r"[a-z]{3}", token) or not re.fullmatch(r"[A-Za-z][a-z]{3}", script):
            return None
        raw = f"{token}-{script.title()}"
    elif re.fullmatch(r"[a-z]{2,3}", token):
        raw = token
    else:
        return None
    import langcodes

    if not langcodes.tag_is_valid(raw):
        return None
    tag = normalize_tag(raw)
    return tag if _known(tag) else None


def language_from_task_name(name: str, siblings: Iterable[str] = ()) -> tuple[str, str, str]:
    """(base name, BCP-47 tag or ``und``, how) for an lm-eval task name.

    Conservative: a FLORES code (``_swh_Latn``) or a two-letter code (``_sw``) ending the name;
    a three-letter code (``_amh``) ending it only when another task in ``siblings`` has the same
    base with another three-letter code; or the code right after a known family prefix
    (``global_mmlu_full_yo_college_chemistry``). Anything else is ``und``.
    """
    parts = name.split("_")
    if len(parts) >= 3 and (tag := _code(parts[-2], parts[-1])):
        return "_".join(parts[:-2]), tag, f"task name suffix {parts[-2]}_{parts[-1]}"
    if len(parts) >= 2 and len(parts[-1]) == 2 and (tag := _code(parts[-1])):
        return "_".join(parts[:-1]), tag, f"task name suffix {parts[-1]}"
    if len(parts) >= 2 and len(parts[-1]) == 3 and (tag := _code(parts[-1])):
        base = "_".join(parts[:-1])
        others = {
            s.rsplit("_", 1)[1]
            for s in siblings
            if s != name and s.rsplit("_", 1)[0] == base and _code(s.rsplit("_", 1)[-1])
        }
        if others - {parts[-1]}:
            return base, tag, f"task name suffix {parts[-1]} (sibling tasks share the base)"
    for prefix in PREFIX_FAMILIES:
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix) :].split("_")
        if len(rest) >= 2 and (tag := _code(rest[0], rest[1])):
            base = prefix + "_".join(rest[2:])
            return base.rstrip("_"), tag, f"task family {prefix}<{rest[0]}_{rest[1]}>"
        if rest and (tag := _code(rest[0])):
            base = prefix + "_".join(rest[1:])
            return base.rstrip("_"), tag, f"task family {prefix}<{rest[0]}>"
        break
    return name, "und", "none"


# ---------------------------------------------------------------- the intermediate form


@dataclass
class _Aggregate:
    language: str
    value: float | None
    stderr: float | None
    n: int | None


@dataclass
class _Metric:
    name: str
    higher_is_better: bool = True
    proportion: bool = False
    per_sample: bool = False  # recomputed from the records' scores[name]
    aggregates: list[_Aggregate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Task:
    key: str
    scorer: str
    source_tasks: list[str]
    metrics: dict[str, _Metric] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    language_from: Counter[str] = field(default_factory=Counter)
    source_metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Run:
    fmt: str
    tool: str
    tool_version: str | None
    suite: str
    model: dict[str, Any]
    complete: bool
    started: str | None
    tasks: list[_Task]
    source: dict[str, Any]
    inputs: list[Path] = field(default_factory=list)
    epochs: int = 1
    limit: float | None = None


# ---------------------------------------------------------------- Inspect


def _zip_member(zf: zipfile.ZipFile, path: Path, name: str) -> bytes:
    """One member's bytes; Zstandard (method 93, which zipfile lacks before 3.14) by hand.

    Bounded while reading: a member declaring more than ``MAX_ZIP_MEMBER`` uncompressed bytes
    is refused before it is inflated, and no member is inflated past its declared size (a zstd
    frame may carry its own, larger, content size: it is not trusted).
    """
    info = zf.getinfo(name)
    if info.file_size > MAX_ZIP_MEMBER:
        _fail(
            path,
            _("{m} is {n} MB uncompressed, over the {cap} MB limit for one member").format(
                m=name, n=round(info.file_size / 2**20), cap=MAX_ZIP_MEMBER // 2**20
            ),
            _("this is not a log Inspect writes; get the original .eval file"),
        )
    try:
        if info.compress_type != _ZSTD:
            with zf.open(info) as member:  # zipfile stops at the declared size, checks the CRC
                data = _read_upto(member, info.file_size + 1)
        else:
            import zstandard

            with open(path, "rb") as f:
                f.seek(info.header_offset)
                head = f.read(30)
                if len(head) < 30 or head[:4] != b"PK\x03\x04":
                    raise zipfile.BadZipFile("bad local header")
                name_len, extra_len = struct.unpack("<HH", head[26:30])
                f.seek(info.header_offset + 30 + name_len + extra_len)
                raw = f.read(info.compress_size)
            dctx = zstandard.ZstdDecompressor(max_window_size=1 << 27)
            with dctx.stream_reader(raw, read_across_frames=True) as reader:
                data = _read_upto(reader, info.file_size + 1)
        if len(data) > info.file_size:
            _fail(
                path,
                _("{m}: inflates to more than the {n} bytes the zip directory declares").format(
                    m=name, n=info.file_size
                ),
                _("the file is damaged or was crafted; get the original .eval file"),
            )
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile("CRC or size mismatch")
        return data
    except PuhuiError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
        _fail(path, _("{m}: damaged ({why})").format(m=name, why=e), _("get an intact copy"))
    except Exception as e:  # zstandard.ZstdError and friends
        _fail(path, _("{m}: damaged ({why})").format(m=name, why=e), _("get an intact copy"))


def _read_upto(stream: Any, limit: int) -> bytes:
    """Read a stream to its end or to ``limit`` bytes, whichever comes first, in bounded steps."""
    chunks: list[bytes] = []
    total = 0
    while total < limit and (chunk := stream.read(min(1 << 20, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _read_inspect_eval(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        _fail(
            path,
            _("not an Inspect log: not a readable zip archive ({why})").format(why=e),
            _("the file is truncated or damaged; get an intact copy of the .eval log"),
        )
    with zf:
        names = set(zf.namelist())
        if "header.json" not in names:
            _fail(
                path,
                _("not an Inspect log (no header.json)"),
                _("an unfinished run's log has none; import the log once the run has ended"),
            )
        header = _json_text(_zip_member(zf, path, "header.json"), f"{path}: header.json")
        if not isinstance(header, dict):
            _fail(path, _("header.json is not a JSON object"))
        sample_names = sorted(n for n in names if re.fullmatch(r"samples/[^/]+\.json", n))
        samples: list[dict[str, Any]] | None = None
        if sample_names:
            samples = []
            for n in sample_names:
                s = _json_text(_zip_member(zf, path, n), f"{path}: {n}")
                if not isinstance(s, dict):
                    _fail(path, _("{m} is not a JSON object").format(m=n))
                samples.append(s)
        elif "summaries.json" in names:  # scores without the transcripts
            raw = _json_text(_zip_member(zf, path, "summaries.json"), f"{path}: summaries.json")
            if isinstance(raw, list) and raw:
                samples = [s for s in raw if isinstance(s, dict)]
    return header, samples


def _inspect_value(value: Any) -> float | None:
    """Inspect's value_to_float: C/I/P/N, yes/no, true/false, numbers."""
    num = _number(value)
    if num is not None:
        return num
    if isinstance(value, str):
        v = value.strip().lower()
        table = {"c": 1.0, "i": 0.0, "p": 0.5, "n": 0.0, "yes": 1.0, "no": 0.0}
        table |= {"true": 1.0, "false": 0.0, "correct": 1.0, "incorrect": 0.0}
        if v in table:
            return table[v]
        try:
            return _number(float(v))
        except ValueError:
            return None
    return None


def _sample_language(
    metadata: Any, default: str | None
) -> tuple[str, str]:  # (tag, how it was derived)
    if isinstance(metadata, dict):
        for key in LANGUAGE_KEYS:
            if key in metadata and metadata[key] not in (None, ""):
                tag = language_of_value(metadata[key])
                if tag:
                    return tag, f"metadata.{key}"
                return "und", f"metadata.{key} (unrecognised: {str(metadata[key])[:40]})"
    if default:
        return default, "--language"
    return "und", "none"


def _inspect(
    path: Path, header: dict[str, Any], samples: list[dict[str, Any]] | None, lang: str | None
) -> _Run:
    ev = _obj(header, "eval", str(path), "eval")
    task_name = _str(ev, "task", str(path), "eval.task")
    model = _str(ev, "model", str(path), "eval.model")
    status = str(header.get("status") or "unknown")
    packages = _dict(ev, "packages")
    results = header.get("results") if isinstance(header.get("results"), dict) else None
    scores = results.get("scores") if results else None
    if results is not None and not isinstance(scores, list):
        _fail(path, _("field results.scores is not a list"))
    # scorer name -> its reported metrics {metric: value}
    reported: dict[str, dict[str, Any]] = {}
    scored_n: dict[str, int | None] = {}
    for i, sc in enumerate(scores or []):
        if not isinstance(sc, dict) or not isinstance(sc.get("metrics"), dict):
            _fail(path, _("field results.scores[{i}].metrics missing").format(i=i))
        name = str(sc.get("name") or sc.get("scorer") or f"score{i}")
        reported[name] = {
            k: (m.get("value") if isinstance(m, dict) else m) for k, m in sc["metrics"].items()
        }
        n = sc.get("scored_samples")
        scored_n[name] = n if isinstance(n, int) and not isinstance(n, bool) else None
    if samples:
        for s in samples:
            for name in s.get("scores") or {}:
                reported.setdefault(name, {})
    if not reported:
        _fail(
            path,
            _("field results.scores missing and no scored samples"),
            _("only logs of runs that were scored can be imported"),
        )
    default = language_of_value(lang) if lang else None
    short = task_name.rsplit("/", 1)[-1]
    suite = task_name.split("/", 1)[0] if "/" in task_name else short
    tasks: list[_Task] = []
    for scorer, metrics in reported.items():
        key = f"{suite}/{short}" if len(reported) == 1 else f"{suite}/{short}-{scorer}"
        t = _Task(key, scorer, [task_name], source_metrics={scorer: metrics})
        per_sample_values: list[float | None] = []
        for s in samples or []:
            sid = s.get("id")
            if sid is None:
                _fail(path, _("field samples[].id missing"))
            epoch = s.get("epoch", 1)
            tag, how = _sample_language(s.get("metadata"), default)
            t.language_from[how] += 1
            record: dict[str, Any] = {
                "schema": LOG_SCHEMA,
                "task": key,
                "sample_id": str(sid),
                "epoch": int(epoch) - 1 if isinstance(epoch, int) else 0,
                "lang": tag,
                "groups": {},
                "target": s.get("target"),
                "imported": True,
            }
            output = s.get("output")
            if isinstance(output, dict) and isinstance(output.get("completion"), str):
                record["response"] = output["completion"]
            score = (s.get("scores") or {}).get(scorer)
            error = s.get("error")
            if error:
                msg = error.get("message") if isinstance(error, dict) else error
                record["error"] = str(msg or "error")[:500]
            elif not isinstance(score, dict) or "value" not in score:
                record["error"] = "not scored"
            else:
                v = _inspect_value(score["value"])
                per_sample_values.append(v)
                if v is not None:
                    record["score"] = {
                        "value": v,
                        "source_value": score["value"],
                        **{k: score[k] for k in ("answer", "explanation") if k in score},
                    }
                else:
                    record["error"] = "score value not numeric"
            t.records.append(record)
        recomputable = bool(per_sample_values) and all(v is not None for v in per_sample_values)
        names = [m for m in metrics if m not in SPREAD_METRICS] or ["accuracy"]
        for m in names:
            metric = _Metric(m, proportion=m in PROPORTIONS)
            if recomputable and m in MEAN_METRICS:
                metric.per_sample = True
            else:
                value = _number(metrics.get(m))
                stderr = _number(metrics.get("stderr")) if m in MEAN_METRICS else None
                tag = default or "und"
                metric.aggregates.append(_Aggregate(tag, value, stderr, scored_n.get(scorer)))
                if samples and m in MEAN_METRICS:
                    metric.notes.append(_("some sample scores are not numeric"))
                elif samples:
                    metric.notes.append(
                        _("{m} is not a mean of sample scores; only its overall value").format(m=m)
                    )
            t.metrics[m] = metric
        if not samples:
            t.language_from["--language" if default else "none"] += 1
        tasks.append(t)
    plan = _dict(header, "plan")
    config = _dict(ev, "config")
    stats = _dict(header, "stats")
    epochs = config.get("epochs")
    return _Run(
        fmt="inspect",
        tool="inspect_ai",
        tool_version=str(packages.get("inspect_ai")) if packages.get("inspect_ai") else None,
        suite=suite,
        model={
            "name": model,
            "kind": "imported",
            "identity": f"inspect:{model}",
            "source": _clean(
                {
                    "model": model,
                    "model_base_url": ev.get("model_base_url"),
                    "model_args": ev.get("model_args"),
                    "generate_config": plan.get("config"),
                }
            ),
        },
        complete=status == "success",
        started=str(stats.get("started_at") or ev.get("created") or "") or None,
        tasks=tasks,
        source=_clean(
            {
                "task": task_name,
                "task_version": ev.get("task_version"),
                "task_args": ev.get("task_args"),
                "dataset": {k: v for k, v in (ev.get("dataset") or {}).items() if k != "sample_ids"}
                if isinstance(ev.get("dataset"), dict)
                else None,
                "eval_id": ev.get("eval_id"),
                "run_id": ev.get("run_id"),
                "created": ev.get("created"),
                "status": status,
                "log_version": header.get("version"),
                "revision": ev.get("revision"),
                "solver": plan.get("steps"),
            }
        ),
        epochs=epochs if isinstance(epochs, int) else 1,
        limit=_number(config.get("limit")),
    )


def _clean(value: Any) -> Any:
    """Drop None values and anything that looks like a credential, recursively."""
    if isinstance(value, dict):
        return {
            str(k): _clean(v)
            for k, v in value.items()
            if v is not None and not _SECRET.search(str(k))
        }
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# ---------------------------------------------------------------- lm-evaluation-harness


def _samples_file(path: Path, task: str) -> Path | None:
    """The ``samples_<task>_<timestamp>.jsonl`` written beside ``results_<timestamp>.json``."""
    stem = path.stem
    if stem.startswith("results_"):
        exact = path.with_name(f"samples_{task}_{stem[len('results_') :]}.jsonl")
        if exact.is_file():
            return exact
    prefix = f"samples_{task}_"
    found = [
        p
        for p in path.parent.glob(f"{prefix}*.jsonl")
        if _TIMESTAMP.match(p.name[len(prefix) : -len(".jsonl")])
    ]
    return found[0] if len(found) == 1 else None


def _read_samples(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, "rb") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = _json_text(line, f"{path} line {i}")
            if not isinstance(row, dict):
                _fail(f"{path} line {i}", _("not a JSON object"))
            if "doc_id" not in row:
                _fail(f"{path} line {i}", _("field doc_id missing"))
            rows.append(row)
    return rows


def _lm_model(d: dict[str, Any]) -> dict[str, Any]:
    config = _dict(d, "config")
    args: Any = config.get("model_args")
    if isinstance(args, str):  # older versions: "pretrained=x,dtype=float16"
        args = dict(p.split("=", 1) for p in args.split(",") if "=" in p)
    args = args if isinstance(args, dict) else {}
    name = d.get("model_name") or args.get("pretrained") or args.get("model") or args.get("path")
    source = d.get("model_source") or config.get("model")
    shown = str(name or source)
    return {
        "name": shown,
        "kind": "imported",
        "identity": f"lm-eval:{source}:{shown}" if source else f"lm-eval:{shown}",
        "source": _clean(
            {
                "model": source,
                "model_args": args,
                "gen_kwargs": config.get("gen_kwargs"),
                "chat_template_sha": d.get("chat_template_sha"),
                "system_instruction_sha": d.get("system_instruction_sha"),
            }
        ),
    }


def _lm_eval(path: Path, d: dict[str, Any], lang: str | None) -> _Run:
    where = str(path)
    results = _obj(d, "results", where, "results")
    if not results:
        _fail(path, _("field results is empty"))
    config = _dict(d, "config")
    if not d.get("model_name") and not d.get("model_source") and not config.get("model"):
        _fail(path, _("field config.model missing"), _("give the results file lm_eval wrote"))
    groups = set()
    for key in ("group_subtasks", "groups"):
        if isinstance(d.get(key), dict):
            groups |= set(d[key])
    leaves = [t for t in results if t not in groups]
    if not leaves:
        _fail(path, _("field results holds only groups, no tasks"))
    n_samples = _dict(d, "n-samples")
    hib_all = _dict(d, "higher_is_better")
    configs = _dict(d, "configs")
    default = language_of_value(lang) if lang else None
    by_base: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for t in leaves:
        base, tag, how = language_from_task_name(t, leaves)
        if tag == "und" and default:
            tag, how = default, "--language"
        by_base[base].append((t, tag, how))
    # two tasks on one base and language would mix: keep such tasks apart under their own name
    placed: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for base, members in by_base.items():
        langs = Counter(tag for _t, tag, _h in members)
        for t, tag, how in members:
            placed[base if langs[tag] == 1 else t].append((t, tag, how))
    suite = "lm-eval"
    tasks: list[_Task] = []
    inputs: list[Path] = []
    for base, members in sorted(placed.items()):
        task = _Task(f"{suite}/{base}", "lm-eval", [t for t, _tag, _how in members])
        per_metric_rows: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        sample_rows: dict[str, list[dict[str, Any]]] = {}
        for t, tag, how in members:
            row = results[t]
            if not isinstance(row, dict):
                _fail(path, _("field results.{t} is not an object").format(t=t))
            task.language_from[f"{t}: {how}"] += 1
            metric_keys = [k for k in row if "," in k and "_stderr," not in k]
            for m in _dict(hib_all, t):
                if not any(k.split(",", 1)[0] == m for k in metric_keys):
                    _fail(path, _("field results.{t} missing {m}").format(t=t, m=m))
            if not metric_keys:
                _fail(
                    path,
                    _("field results.{t} has no metric values (e.g. 'acc,none')").format(t=t),
                )
            task.source_metrics[t] = {k: row[k] for k in row if "," in k}
            for k in metric_keys:
                per_metric_rows[k].append((t, tag, row))
            sf = _samples_file(path, t)
            if sf is not None:
                sample_rows[t] = _read_samples(sf)
                inputs.append(sf)
        for key, rows in per_metric_rows.items():
            metric_name, filt = key.split(",", 1)
            name = metric_name if filt == "none" else key
            first_task = rows[0][0]
            hib = _dict(hib_all, first_task)
            metric = _Metric(
                name,
                higher_is_better=hib.get(metric_name) is not False,
                proportion=metric_name in PROPORTIONS,
            )
            mean_agg = all(
                _aggregation(configs.get(t), metric_name) == "mean" for t, _tag, _row in rows
            )
            have_samples = all(t in sample_rows for t, _tag, _row in rows)
            values_ok = have_samples and mean_agg
            if values_ok:
                for t, _tag, _row in rows:
                    for s in sample_rows[t]:
                        if s.get("filter", "none") == filt and _number(s.get(metric_name)) is None:
                            values_ok = False
            for t, tag, row in rows:
                n_entry = _dict(n_samples, t)
                n = n_entry.get("effective", row.get("sample_len"))
                metric.aggregates.append(
                    _Aggregate(
                        tag,
                        _number(row.get(key)),
                        _number(row.get(f"{metric_name}_stderr,{filt}")),
                        n if isinstance(n, int) and not isinstance(n, bool) else None,
                    )
                )
            if values_ok:
                metric.per_sample = True
            elif have_samples and not mean_agg:
                metric.notes.append(
                    _("aggregated by lm-eval with other than a mean; per-sample values unused")
                )
            task.metrics[name] = metric
        for t, tag, _how in members:
            for s in sample_rows.get(t, []):
                _lm_record(task, t, tag, s, list(task.metrics))
        task.records = _merge_filters(task.records)
        tasks.append(task)
    return _Run(
        fmt="lm-eval",
        tool="lm-evaluation-harness",
        tool_version=str(d["lm_eval_version"]) if d.get("lm_eval_version") else None,
        suite=suite,
        model=_lm_model(d),
        complete=True,
        started=_lm_date(d.get("date")),
        tasks=tasks,
        source=_clean(
            {
                "tasks": leaves,
                "groups": sorted(groups) or None,
                "versions": d.get("versions"),
                "n-shot": d.get("n-shot"),
                "n-samples": n_samples or None,
                "task_hashes": d.get("task_hashes"),
                "git_hash": d.get("git_hash"),
                "date": d.get("date"),
                "limit": config.get("limit"),
                "bootstrap_iters": config.get("bootstrap_iters"),
                "random_seed": config.get("random_seed"),
                "fewshot_as_multiturn": d.get("fewshot_as_multiturn"),
                "group_results": {g: results[g] for g in sorted(groups) if g in results} or None,
            }
        ),
        inputs=inputs,
        limit=_number(config.get("limit")),
    )


def _aggregation(config: Any, metric: str) -> str:
    if isinstance(config, dict):
        for m in config.get("metric_list") or []:
            if isinstance(m, dict) and m.get("metric") == metric:
                agg = m.get("aggregation", "mean")
                return agg if isinstance(agg, str) else "custom"
    return "mean"  # lm-eval's default for its built-in per-sample metrics


def _lm_date(value: Any) -> str | None:
    num = _number(value)
    if num is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(num))


def _lm_record(
    task: _Task, source_task: str, tag: str, s: dict[str, Any], metrics: list[str]
) -> None:
    filt = s.get("filter", "none")
    scores: dict[str, float] = {}
    for name in metrics:
        metric_name, _sep, want = name.partition(",")
        if (want or "none") == filt and (v := _number(s.get(metric_name))) is not None:
            scores[name] = v
    resp = s.get("filtered_resps")
    record: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "task": task.key,
        "sample_id": f"{source_task}:{s['doc_id']}",
        "epoch": 0,
        "lang": tag,
        "groups": {},
        "target": s.get("target"),
        "source_task": source_task,
        "imported": True,
        "scores": scores,
    }
    if isinstance(resp, list) and resp and isinstance(resp[0], str):
        record["response"] = resp[0]
    task.records.append(record)


def _merge_filters(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per sample: lm-eval writes one line per sample and filter."""
    merged: dict[str, dict[str, Any]] = {}
    for r in records:
        old = merged.get(r["sample_id"])
        if old is None:
            merged[r["sample_id"]] = r
        else:
            old["scores"].update(r["scores"])
    out = list(merged.values())
    for r in out:
        if r["scores"]:
            r["score"] = {"value": next(iter(r["scores"].values()))}
        else:
            r["error"] = "no numeric score"
    return out


# ---------------------------------------------------------------- summary


def _mean_stat(a: np.ndarray) -> float:
    return float(np.mean(a[:, 0])) if len(a) else float("nan")


_mean_stat.column = 0  # type: ignore[attr-defined]  # vectorised in stats.bootstrap


def _round(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) else round(v, 4)


def _bootstrap_slice(label: str, values: list[float], seed: int) -> dict[str, Any] | None:
    if not values:
        return None
    arr = np.array(values, dtype=float).reshape(len(values), 1)
    low, high = bootstrap(arr, _mean_stat, seed)
    return {
        "language": label,
        "value": _round(_mean_stat(arr)),
        "n": len(values),
        "ci_low": _round(low),
        "ci_high": _round(high),
        "small": len(values) < MIN_N,
    }


def _normal_slice(
    label: str, value: float | None, se: float | None, n: int | None, proportion: bool
) -> dict[str, Any]:
    low = high = None
    if value is not None and se is not None:
        low, high = value - Z95 * se, value + Z95 * se
        if proportion:
            low, high = max(0.0, low), min(1.0, high)
    return {
        "language": label,
        "value": _round(value),
        "n": n,
        "ci_low": _round(low),
        "ci_high": _round(high),
        "small": None if n is None else n < MIN_N,
    }


def _combine(aggs: list[_Aggregate]) -> tuple[float | None, float | None, int | None]:
    """Size-weighted mean of per-language values and the standard error of that mean."""
    if len(aggs) == 1:
        a = aggs[0]
        return a.value, a.stderr, a.n
    if any(a.n is None or a.value is None for a in aggs):
        return None, None, None
    total = sum(a.n or 0 for a in aggs)
    if total == 0:
        return None, None, 0
    value = sum((a.n or 0) * (a.value or 0.0) for a in aggs) / total
    if any(a.stderr is None for a in aggs):
        return value, None, total
    se = math.sqrt(sum(((a.n or 0) / total) ** 2 * (a.stderr or 0.0) ** 2 for a in aggs))
    return value, se, total


def _value(record: Mapping[str, Any], metric: str) -> float | None:
    """A record's score for ``metric``: ``scores[metric]`` (several metrics) or ``score.value``."""
    scores = record.get("scores")
    if isinstance(scores, dict):
        return _number(scores.get(metric))
    return _number((record.get("score") or {}).get("value"))


def _summarize_metric(
    metric: _Metric, scored: list[dict[str, Any]], seed: int
) -> dict[str, Any] | None:
    notes = list(metric.notes)
    if metric.per_sample:
        rows = [(r["lang"], v) for r in scored if (v := _value(r, metric.name)) is not None]
        overall = _bootstrap_slice("all", [v for _lang, v in rows], seed)
        if overall is None:
            return None
        by_lang: dict[str, list[float]] = defaultdict(list)
        for lang, v in rows:
            by_lang[lang].append(v)
        per_lang = [
            s for lang in sorted(by_lang) if (s := _bootstrap_slice(lang, by_lang[lang], seed))
        ]
        method: str | None = "bootstrap"
    else:
        merged: dict[str, list[_Aggregate]] = defaultdict(list)
        for a in metric.aggregates:
            merged[a.language].append(a)
        per_lang = []
        for lang in sorted(merged):
            v, se, n = _combine(merged[lang])
            per_lang.append(_normal_slice(lang, v, se, n, metric.proportion))
        v, se, n = _combine(metric.aggregates)
        overall = _normal_slice("all", v, se, n, metric.proportion)
        have_ci = overall["ci_low"] is not None or any(s["ci_low"] is not None for s in per_lang)
        method = "normal-stderr" if have_ci else None
        if not have_ci:
            notes.append(_("the source records no per-sample scores or standard error: no CI"))
        if any(s["n"] is None for s in [overall, *per_lang]):
            notes.append(_("the source records no sample count for some slices"))
    pick = max if not metric.higher_is_better else min
    decidable = [s for s in per_lang if s["small"] is False and s["value"] is not None]
    worst = pick(
        decidable or [s for s in per_lang if s["value"] is not None],
        key=lambda s: s["value"],
        default=None,
    )
    return {
        "overall": overall,
        "per_language": per_lang,
        "per_group": {},
        "worst_language": worst,
        "small_slices": [s["language"] for s in per_lang if s["small"]],
        "ci_method": method,
        "higher_is_better": metric.higher_is_better,
        **({"notes": notes} if notes else {}),
    }


def _summarize_task(task: _Task, seed: int) -> dict[str, Any]:
    errors: Counter[str] = Counter()
    scored = []
    for r in task.records:
        if r.get("error"):
            errors[r["lang"]] += 1
        else:
            scored.append(r)
    metrics = {}
    for name, metric in task.metrics.items():
        m = _summarize_metric(metric, scored, seed)
        if m is not None:
            metrics[name] = m
    if task.records:
        n: int | None = len(scored)
    else:
        first = next(iter(metrics.values()), None)
        n = first["overall"]["n"] if first else None
    return {
        "n": n,
        "errors": sum(errors.values()),
        "errors_by_language": dict(sorted(errors.items())),
        "metrics": metrics,
        "language_from": dict(sorted(task.language_from.items())),
        "source_metrics": task.source_metrics,
    }


# ---------------------------------------------------------------- entry point


def _looks_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"PK" or path.suffix == ".eval"


def detect_format(path: Path) -> str:
    """``inspect`` or ``lm-eval``: which tool wrote ``path``."""
    if _looks_zip(path):
        return "inspect"
    data = _json_text(path.read_bytes(), str(path))
    if isinstance(data, dict) and isinstance(data.get("eval"), dict):
        return "inspect"
    if isinstance(data, dict) and "results" in data:
        return "lm-eval"
    _fail(
        path,
        _(
            "neither an Inspect log (no field eval) nor lm-evaluation-harness results "
            "(no field results)"
        ),
        _("give an Inspect .eval/.json log or an lm-eval results_*.json"),
    )


def read_source(path: Path, fmt: str | None = None, language: str | None = None) -> _Run:
    """Parse a source file into the intermediate form (raises one-line PuhuiErrors)."""
    if fmt is not None and fmt not in FORMATS:
        raise PuhuiError(
            _("unknown format {f!r}").format(f=fmt),
            _("use one of: {l}").format(l=", ".join(FORMATS)),
        )
    if language is not None and language_of_value(language) is None:
        raise PuhuiError(
            _("--language {t!r} is not a language tag").format(t=language),
            _("give a BCP-47 tag such as sw, yo or zh-Hans"),
        )
    if not path.is_file():
        _fail(path, _("no such file"), _("check the path"))
    fmt = fmt or detect_format(path)
    if _looks_zip(path):
        if fmt != "inspect":
            _fail(path, _("not lm-evaluation-harness results (a zip archive, not JSON)"))
        header, samples = _read_inspect_eval(path)
        return _inspect(path, header, samples, language)
    data = _json_text(path.read_bytes(), str(path))
    if fmt == "inspect":
        if not isinstance(data, dict) or "eval" not in data:
            _fail(path, _("not an Inspect log (field eval missing)"))
        samples = data.get("samples")
        if samples is not None and not isinstance(samples, list):
            _fail(path, _("field samples is not a list"))
        return _inspect(path, data, samples or None, language)
    if not isinstance(data, dict):
        _fail(path, _("not lm-evaluation-harness results (expected a JSON object)"))
    return _lm_eval(path, data, language)


def import_run(
    path: Path,
    out: Path,
    *,
    fmt: str | None = None,
    language: str | None = None,
    suite: str | None = None,
) -> dict[str, Any]:
    """Import ``path`` (Inspect log or lm-eval results) into the run folder ``out``.

    ``fmt`` forces ``"inspect"`` or ``"lm-eval"`` (default: detected); ``language`` is the tag
    for samples whose language the source does not say; ``suite`` renames the suite (task keys
    become ``suite/task``), e.g. to line the run up with a native one in ``puhui eval compare``.
    Returns the summary, as ``summary.json`` holds it.
    """
    path = Path(path)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PuhuiError(
            _("{out} already exists and is not an empty folder").format(out=out),
            _("import into a new --out folder"),
        )
    run = read_source(path, fmt, language)
    if suite:
        for t in run.tasks:
            t.key = f"{suite}/{t.key.split('/', 1)[1]}"
            for r in t.records:
                r["task"] = t.key
        run.suite = suite
    keys = Counter(t.key for t in run.tasks)
    if any(c > 1 for c in keys.values()):  # cannot happen by construction; guard the summary
        raise PuhuiError(_("{p}: two source tasks map to one task name").format(p=path))
    seed = 0
    tasks = {t.key: _summarize_task(t, seed) for t in run.tasks}
    records = sorted(
        (r for t in run.tasks for r in t.records),
        key=lambda r: (r["task"], r["sample_id"], r["epoch"]),
    )
    if records:
        total = len(records)
    else:
        counts = [t["n"] for t in tasks.values()]
        total = sum(c for c in counts if isinstance(c, int))
    imported = {
        "format": run.fmt,
        "tool": run.tool,
        "tool_version": run.tool_version,
        "source_path": str(path.resolve()),
        "source_name": path.name,
        "source_sha256": _sha256(path),
        "source_bytes": path.stat().st_size,
        "per_sample": bool(records),
        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": run.source,
    }
    plan: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "puhui_version": __version__,
        "suite": run.suite,
        "suite_path": None,
        "imported": imported,
        "tasks": {
            t.key: {
                "scorer": f"imported:{t.scorer}",
                "metrics": list(tasks[t.key]["metrics"]),
                "source_tasks": t.source_tasks,
                "language_from": dict(sorted(t.language_from.items())),
            }
            for t in run.tasks
        },
        "thresholds": {},
        "model": run.model,
        "options": {
            "limit": run.limit,
            "languages": [],
            "seed": seed,
            "epochs": run.epochs,
        },
        "samples": total,
        "started": run.started,
    }
    summary: dict[str, Any] = {
        "suite": run.suite,
        "model": run.model,
        "imported": {k: imported[k] for k in ("format", "tool", "tool_version", "source_sha256")},
        "complete": run.complete,
        "samples": total,
        "logged": total,
        "tasks": tasks,
        "thresholds": [],
    }
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "plan.json", plan)
    if records:
        atomic_write_text(
            out / "log.jsonl",
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
        )
    atomic_write_json(out / "summary.json", summary)
    write_manifest(
        out,
        "run",
        parameters={
            "imported": True,
            "format": run.fmt,
            "tool": run.tool,
            "tool_version": run.tool_version,
            "suite": run.suite,
            "model": run.model,
            "options": plan["options"],
        },
        inputs=[input_ref(path, name=path.name)] + [input_ref(p, name=p.name) for p in run.inputs],
        command="puhui eval import",
    )
    return summary


def is_imported(run_dir: Path) -> bool:
    """True when ``run_dir`` holds a run made by :func:`import_run` (read-only)."""
    try:
        plan = json.loads((Path(run_dir) / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(plan, dict) and bool(plan.get("imported"))
