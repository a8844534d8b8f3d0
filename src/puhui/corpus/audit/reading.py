"""Reading a corpus folder for the audit: zstd JSON Lines parts and the build configuration.

Damaged lines are counted, never fatal: the audit reports them as ``unreadable_lines``.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import zstandard

WORK_CONFIG = Path(".work") / "config.json"


def corpus_parts(folder: Path, suffix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))


def _json_lines(lines: Iterable[str], bad: Counter[str], where: str) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad[where] += 1
            continue
        if isinstance(obj, dict):
            yield obj
        else:
            bad[where] += 1


def iter_jsonl_zst(path: Path, bad: Counter[str] | None = None) -> Iterator[dict[str, Any]]:
    """Stream the JSON objects of a ``.jsonl.zst`` file line by line (any number of frames).

    Lines that are not JSON objects are skipped and counted in ``bad[folder name]``; a
    truncated or corrupt file stops at the damage and counts one more.
    """
    counter = bad if bad is not None else Counter()
    where = path.parent.name
    with open(path, "rb") as raw:
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        text = io.TextIOWrapper(reader, encoding="utf-8", errors="replace")
        try:
            yield from _json_lines(text, counter, where)
        except zstandard.ZstdError:
            counter[where] += 1


def iter_jsonl(path: Path, bad: Counter[str]) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8", errors="replace") as f:
        yield from _json_lines(f, bad, path.parent.name)


def read_build_config(corpus_dir: Path) -> dict[str, Any] | None:
    """The build's ``.work/config.json`` (configuration and inputs), or None when absent."""
    path = Path(corpus_dir) / WORK_CONFIG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def build_summary(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the audit and the datasheet need from a build configuration (tolerant of gaps)."""
    if config is None:
        return {
            "config_found": False,
            "steps": None,
            "options": {},
            "inputs": [],
            "input_count": None,
            "input_bytes": None,
            "name": None,
            "started": None,
            "pii_mode": None,
            "against": [],
            "skipped": [],
        }
    cfg = config.get("config") if isinstance(config.get("config"), dict) else config
    assert isinstance(cfg, dict)
    raw_steps = cfg.get("steps")
    steps: list[str] | None = None
    if isinstance(raw_steps, list):
        steps = []
        for item in raw_steps:
            if isinstance(item, str):
                steps.append(item)
            elif isinstance(item, dict) and item:
                steps.append(str(next(iter(item))))
    options = {
        str(k): v
        for k, v in cfg.items()
        if isinstance(v, dict) and (steps is None or k in steps or k == "reader")
    }
    pii = options.get("pii")
    pii_mode = None
    if isinstance(pii, dict) and (steps is None or "pii" in steps):
        mode = pii.get("mode")
        pii_mode = str(mode) if mode is not None else None
    inputs: list[str] = []
    total: int | None = 0
    for item in config.get("inputs") or []:
        if isinstance(item, list | tuple) and item:
            inputs.append(str(item[0]))
            if len(item) > 1 and isinstance(item[1], int) and total is not None:
                total += item[1]
            else:
                total = None
        elif isinstance(item, str | dict):
            inputs.append(str(item.get("name", item)) if isinstance(item, dict) else item)
            total = None
    against = [str(a) for a in config.get("against") or [] if isinstance(a, str)]
    skipped = [
        {"path": str(item[0]), "reason": str(item[1])}
        for item in config.get("skipped") or []
        if isinstance(item, list | tuple) and len(item) == 2
    ]
    return {
        "config_found": True,
        "steps": steps,
        "options": options,
        "inputs": inputs[:50],
        "input_count": len(inputs),
        "input_bytes": total if inputs else None,
        "name": config.get("name") if isinstance(config.get("name"), str) else None,
        "started": config.get("started") if isinstance(config.get("started"), str) else None,
        "pii_mode": pii_mode,
        "against": against,
        "skipped": skipped,
    }
