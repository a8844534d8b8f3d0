"""What the suite builders produce and how it is written: the Task and Suite records,
``suite.yaml`` (a small emitter that round-trips exactly), ``data/*.jsonl``, ``LICENSE`` and
``SOURCE.md``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Task:
    name: str
    file: str
    samples: list[dict[str, Any]]
    template: dict[str, Any]
    scorer: str
    metrics: list[str]
    generation: dict[str, Any]
    scorer_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Suite:
    name: str
    title: str
    description: str
    license: str
    tasks: list[Task]
    license_text: str
    source_md: str
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # license_note, content_warning, ...


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*( [A-Za-z0-9_./+-]+)*")


def _scalar(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int | float):
        return json.dumps(v)
    s = str(v)
    if _PLAIN.fullmatch(s) and yaml.safe_load(s) == s and ": " not in s:
        return s
    return json.dumps(s, ensure_ascii=False)


def _is_scalar(v: Any) -> bool:
    return not isinstance(v, dict | list)


def _emit(obj: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, str) and "\n" in v:
                lines.append(f"{pad}{k}: |-")
                lines += [f"{pad}  {line}" if line else "" for line in v.split("\n")]
            elif _is_scalar(v):
                lines.append(f"{pad}{k}: {_scalar(v)}")
            elif isinstance(v, list) and all(_is_scalar(x) for x in v):
                lines.append(f"{pad}{k}: [{', '.join(_scalar(x) for x in v)}]")
            elif (
                isinstance(v, dict)
                and all(_is_scalar(x) and "\n" not in str(x) for x in v.values())
                and len(v) <= 4
            ):
                inner = ", ".join(f"{kk}: {_scalar(x)}" for kk, x in v.items())
                lines.append(f"{pad}{k}: {{{inner}}}")
            elif not v:
                lines.append(f"{pad}{k}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                lines.append(f"{pad}{k}:")
                lines += _emit(v, indent + 2)
    elif isinstance(obj, list):
        for item in obj:
            sub = _emit(item, indent + 2)
            first = sub[0].lstrip()
            lines.append(f"{pad}- {first}")
            lines += sub[1:]
    else:
        lines.append(f"{pad}{_scalar(obj)}")
    return lines


def to_yaml(doc: dict[str, Any], header: str) -> str:
    text = header + "\n".join(_emit(doc, 0)) + "\n"
    if yaml.safe_load(text) != doc:  # the hand-rolled emitter must round-trip exactly
        raise AssertionError("suite.yaml does not round-trip")
    return text


# The common risk areas each suite speaks to (read by `puhui assess` to map results onto risks).
RISK_AREAS: dict[str, list[str]] = {
    "afrisenti": ["CR-01", "CR-14"],
    "ailuminate": ["CR-04", "CR-09", "CR-11", "CR-12"],
    "bbq": ["CR-06"],
    "belebele": ["CR-01", "CR-02", "CR-14"],
    "crows-pairs": ["CR-06"],
    "kobbq": ["CR-06"],
    "mgsm": ["CR-01", "CR-02"],
    "multijail": ["CR-03", "CR-09", "CR-11"],
    "sib200": ["CR-01", "CR-14"],
    "simplesafety": ["CR-09", "CR-11"],
    "winobias": ["CR-06"],
    "xcopa": ["CR-01", "CR-14"],
    "xsafety": ["CR-03", "CR-09"],
    "xstest": ["CR-01", "CR-08", "CR-09"],
}


def write_suite(suite: Suite, out_root: Path) -> dict[str, Any]:
    folder = out_root / suite.name
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "data").mkdir(parents=True)
    langs: set[str] = set()
    tasks_doc = []
    for task in suite.tasks:
        ids = [s["id"] for s in task.samples]
        if len(ids) != len(set(ids)):
            raise AssertionError(f"{suite.name}/{task.name}: duplicate ids")
        rows = sorted(task.samples, key=lambda s: s["id"])
        with (folder / task.file).open("w", encoding="utf-8", newline="\n") as f:
            for s in rows:
                f.write(json.dumps(s, ensure_ascii=False, separators=(",", ":")) + "\n")
        langs.update(s["lang"] for s in rows)
        entry: dict[str, Any] = {
            "name": task.name,
            "data": task.file,
            "kind": "generate",
            "template": task.template,
            "scorer": task.scorer,
        }
        if task.scorer_options:
            entry["scorer_options"] = task.scorer_options
        entry["metrics"] = task.metrics
        entry["generation"] = task.generation
        tasks_doc.append(entry)
    doc: dict[str, Any] = {
        "name": suite.name,
        "title": suite.title,
        "description": suite.description,
        "license": suite.license,
        **suite.extra,
        "languages": sorted(langs),
        "tasks": tasks_doc,
    }
    if suite.thresholds:
        doc["thresholds"] = suite.thresholds
    if suite.name in RISK_AREAS:  # the common risk areas (assess/data/risk-areas.yaml) it speaks to
        doc["risk_areas"] = RISK_AREAS[suite.name]
    header = (
        "# Generated by scripts/make_suites.py; edit the script, not this file.\n"
        "# Thresholds are defaults to review for your use case, not universal pass marks.\n"
    )
    (folder / "suite.yaml").write_text(to_yaml(doc, header), encoding="utf-8")
    (folder / "LICENSE").write_text(suite.license_text, encoding="utf-8")
    (folder / "SOURCE.md").write_text(suite.source_md, encoding="utf-8")
    return {"languages": sorted(langs), "samples": sum(len(t.samples) for t in suite.tasks)}


def source_md(
    title: str,
    repo: str,
    commit: str,
    files: str,
    licence: str,
    kept: str,
    sampling: str,
    transform: str,
    notes: str = "",
) -> str:
    parts = [
        f"# {title}\n",
        "Generated by `scripts/make_suites.py` from the shared copy of the data set "
        "(`shared/data`). Rebuild with `python scripts/make_suites.py`.\n",
        "## Origin\n",
        f"- Repository: https://github.com/{repo} at commit `{commit}`",
        f"- Files used: {files}",
        f"- Licence: {licence}\n",
        "## What was kept\n",
        kept.strip() + "\n",
        "## Sampling\n",
        sampling.strip() + "\n",
        "## Transformation to the Puhui sample format\n",
        transform.strip() + "\n",
    ]
    if notes:
        parts += ["## Notes\n", notes.strip() + "\n"]
    return "\n".join(parts)


def count_table(samples: Iterable[dict[str, Any]], key: str = "lang") -> str:
    counts: dict[str, int] = defaultdict(int)
    for s in samples:
        counts[s[key] if key in s else s["groups"][key]] += 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


LETTERS_NOTE = (
    "Options are shown lettered (A., B., ...); the choice scorer reads a letter or the option text."
)
