"""What the import adapters share: one-line errors about a source file, small typed readers of
its JSON, and the intermediate form (:class:`_Run` of :class:`_Task` of :class:`_Metric`) that
the Inspect and lm-eval adapters produce and :mod:`.summarize` turns into a run summary.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from puhui.errors import PuhuiError
from puhui.i18n import _

LOG_SCHEMA = 1
# lm-eval metrics whose value is a proportion in [0, 1] (CIs are clipped to that range).
PROPORTIONS = frozenset(
    {"acc", "acc_norm", "acc_mutual_info", "exact_match", "em", "accuracy", "mean", "f1"}
)
# lm-eval task families whose language code follows a fixed prefix rather than ending the name.
_SECRET = re.compile(
    r"(?:^|_)(?:api_?key|key|token|secret|password|passwd|auth|authorization|credentials?)$",
    re.IGNORECASE,
)


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
