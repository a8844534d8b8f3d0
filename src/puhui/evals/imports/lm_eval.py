"""lm-evaluation-harness results (``results_*.json``, with ``samples_<task>_*.jsonl`` beside it
when run with ``--log_samples``) into the intermediate form.

A task's language comes from a code in its name (:func:`language_from_task_name`), else the
user's ``language``, else ``und``; tasks that differ only in their language code become one
Puhui task.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
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
    _Task,
)
from puhui.evals.imports.task_names import language_from_task_name, language_of_value
from puhui.i18n import _

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T[\d.:-]+$")


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
