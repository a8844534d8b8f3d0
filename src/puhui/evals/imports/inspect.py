"""Inspect logs (``.eval`` zip archives and ``.json`` logs) into the intermediate form.

A sample's language comes from its ``metadata`` (``language``, ``lang``, ``locale``,
``language_code``, ``lang_code``), else the user's ``language``, else ``und``. Mean metrics are
recomputed per language from the per-sample scores when every score is numeric; other metrics
keep the overall value Inspect reported.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from puhui.evals.imports.source import (
    LOG_SCHEMA,
    PROPORTIONS,
    _Aggregate,
    _clean,
    _dict,
    _fail,
    _json_text,
    _Metric,
    _number,
    _obj,
    _Run,
    _str,
    _Task,
)
from puhui.evals.imports.task_names import language_of_value
from puhui.evals.imports.zipread import _zip_member
from puhui.i18n import _

# Inspect sample metadata keys that may hold the sample's language, in order of preference.
LANGUAGE_KEYS = ("language", "lang", "locale", "language_code", "lang_code")
# Inspect metrics that are the mean of the per-sample values (so recomputable per language).
MEAN_METRICS = ("accuracy", "mean")
# Inspect metrics that describe another metric's spread, not a result of their own.
SPREAD_METRICS = frozenset({"stderr", "std", "var", "bootstrap_stderr"})


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
                prompt = _prompt(s.get("input"))
                if prompt:  # what raters read beside the answer (`puhui rate new`)
                    record["prompt"] = prompt
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


def _prompt(value: Any, limit: int = 6000) -> str:
    """The sample's input as text: a string, or the last user message of a chat (bounded)."""
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, list):
        for message in reversed(value[:200]):
            if isinstance(message, dict) and message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, str):
                    return content[:limit]
                if isinstance(content, list):
                    texts = [c.get("text") for c in content[:50] if isinstance(c, dict)]
                    return "\n".join(t for t in texts if isinstance(t, str))[:limit]
    return ""
