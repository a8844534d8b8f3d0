"""The run summary as a typed, versioned contract: what ``summary.json`` of a run folder holds.

Every kind of run writes the same shape (schema ``run-summary-1``,
``puhui/schemas/run-summary-1.schema.json``): generate runs, ``classify`` and ``text-classify``
runs, and runs imported from Inspect or lm-evaluation-harness. Writers check what they write
with :meth:`RunSummary.from_json` (or :func:`check`); readers (``puhui eval show``, assess, the
model card, the hub) read it with :func:`read_summary` or :meth:`RunSummary.from_json` and get
one-line errors naming the file and the field when it does not match.

``RunSummary.from_json(doc, where).to_json() == doc``, keys in the same order, for every summary
Puhui writes. Fields a reader does not know (a task kind's own notes) are kept in ``extra``.

This module is import-light (no numpy): the hub imports it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.schemas import validate

#: The schema every summary.json matches.
SCHEMA = "run-summary-1"
#: A task or language whose share of unparsed answers is above this is flagged (``warn``).
UNPARSED_WARN = 0.05


def _hint() -> str:
    return _(
        "write the run again with this Puhui (`puhui eval run` with the same `out`, "
        "or `puhui eval import`)"
    )


def _rest(doc: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in known}


@dataclass
class Slice:
    """One metric value on one slice of samples: all of them, a language, or a group.

    Attributes:
        by: ``"language"`` (the overall slice, named ``all``, and per-language slices) or
            ``"group"`` (a value of a group attribute, e.g. ``Female`` for ``sex``).
        name: the language tag, ``all``, or the group value.
        value: the metric on the slice, rounded to 4 places; None when it is undefined.
        n: samples in the slice; None when an imported source does not say.
        ci_low, ci_high: the 95% interval (bootstrap, or value ± 1.96 × stderr for imported
            aggregates); None when there is none.
        small: fewer than 30 samples, too few to decide on; None when ``n`` is unknown.
    """

    by: str
    name: str
    value: float | None
    n: int | None
    ci_low: float | None
    ci_high: float | None
    small: bool | None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Slice:
        by = "language" if "language" in doc else "group"
        return cls(by, doc[by], doc["value"], doc["n"], doc["ci_low"], doc["ci_high"], doc["small"])

    def to_json(self) -> dict[str, Any]:
        return {
            self.by: self.name,
            "value": self.value,
            "n": self.n,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "small": self.small,
        }


def _slice_or_none(doc: Mapping[str, Any] | None) -> Slice | None:
    return None if doc is None else Slice.from_json(doc)


@dataclass
class MetricSummary:
    """One metric of one task, overall, per language and per group.

    Attributes:
        overall: the slice ``all``.
        per_language: one slice per language, sorted by tag.
        per_group: group attribute -> one slice per value, sorted.
        worst_language: the decidable (not small) language with the worst value, else the
            worst of all; None when no language has a value.
        small_slices: languages with fewer than 30 samples.
        difference, ratio: classify runs: attribute -> between-group difference (max − min)
            and ratio (min / max) of the metric; None elsewhere.
        small_groups: classify runs: ``attribute=value`` groups with fewer than 30 samples.
        ci_method, higher_is_better: imported runs (both or neither): ``bootstrap``,
            ``normal-stderr`` or None (no interval), and the metric's direction.
        notes: imported runs: what the source could not give (no CI, no counts).
        extra: fields this version does not know, kept as read.
    """

    overall: Slice
    per_language: list[Slice]
    per_group: dict[str, list[Slice]]
    worst_language: Slice | None
    small_slices: list[str]
    difference: dict[str, float | None] | None = None
    ratio: dict[str, float | None] | None = None
    small_groups: list[str] | None = None
    ci_method: str | None = None
    higher_is_better: bool | None = None
    notes: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = (
        "overall",
        "per_language",
        "per_group",
        "difference",
        "ratio",
        "worst_language",
        "small_slices",
        "small_groups",
        "ci_method",
        "higher_is_better",
        "notes",
    )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> MetricSummary:
        return cls(
            overall=Slice.from_json(doc["overall"]),
            per_language=[Slice.from_json(s) for s in doc["per_language"]],
            per_group={
                g: [Slice.from_json(s) for s in rows] for g, rows in doc["per_group"].items()
            },
            worst_language=_slice_or_none(doc["worst_language"]),
            small_slices=list(doc["small_slices"]),
            difference=doc.get("difference"),
            ratio=doc.get("ratio"),
            small_groups=doc.get("small_groups"),
            ci_method=doc.get("ci_method"),
            higher_is_better=doc.get("higher_is_better"),
            notes=doc.get("notes"),
            extra=_rest(doc, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "overall": self.overall.to_json(),
            "per_language": [s.to_json() for s in self.per_language],
            "per_group": {g: [s.to_json() for s in rows] for g, rows in self.per_group.items()},
        }
        if self.difference is not None:
            out["difference"] = self.difference
        if self.ratio is not None:
            out["ratio"] = self.ratio
        out["worst_language"] = (
            None if self.worst_language is None else self.worst_language.to_json()
        )
        out["small_slices"] = self.small_slices
        if self.small_groups is not None:
            out["small_groups"] = self.small_groups
        if self.higher_is_better is not None:
            out["ci_method"] = self.ci_method
            out["higher_is_better"] = self.higher_is_better
        if self.notes is not None:
            out["notes"] = self.notes
        return {**out, **self.extra}


@dataclass
class ParseRate:
    """How many answers of a language (or ``all``) a parsing scorer could read.

    Attributes:
        language: the tag, or ``all``.
        n: answers scored by a parsing scorer; ``parsed``: those it could read.
        rate: ``parsed / n`` rounded to 4 places; None when ``n`` is 0.
        warn: more than :data:`UNPARSED_WARN` of the answers were not parsed.
    """

    language: str
    n: int
    parsed: int
    rate: float | None
    warn: bool

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ParseRate:
        return cls(doc["language"], doc["n"], doc["parsed"], doc["rate"], doc["warn"])

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "n": self.n,
            "parsed": self.parsed,
            "rate": self.rate,
            "warn": self.warn,
        }


@dataclass
class Parsing:
    """The parse rate of a task whose scorer parses answers (absent when none does).

    Attributes:
        policy: what an unparsed answer counts as: ``wrong`` (a 0 in the metrics) or
            ``exclude`` (left out of every metric, counted in ``excluded``).
        overall, per_language: the parse rates.
        warn: the overall rate or a language's is above :data:`UNPARSED_WARN` unparsed;
            ``warn_languages`` names those languages.
        excluded: answers left out of the metrics under ``exclude``.
    """

    policy: str
    overall: ParseRate
    per_language: list[ParseRate]
    warn: bool
    warn_languages: list[str]
    excluded: int
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = ("policy", "overall", "per_language", "warn", "warn_languages", "excluded")

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Parsing:
        return cls(
            policy=doc["policy"],
            overall=ParseRate.from_json(doc["overall"]),
            per_language=[ParseRate.from_json(r) for r in doc["per_language"]],
            warn=doc["warn"],
            warn_languages=list(doc["warn_languages"]),
            excluded=doc["excluded"],
            extra=_rest(doc, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "overall": self.overall.to_json(),
            "per_language": [r.to_json() for r in self.per_language],
            "warn": self.warn,
            "warn_languages": self.warn_languages,
            "excluded": self.excluded,
            **self.extra,
        }


@dataclass
class TaskSummary:
    """The results of one task (``suite/task``) of a run.

    Attributes:
        n: samples that went into the metrics; None when an imported source does not say.
        errors, errors_by_language: samples with no answer (the model failed), per language.
        metrics: metric name -> :class:`MetricSummary`, in the order the task declares them.
        unscored, unscored_by_language: samples the scorer could not judge (e.g. a language
            it cannot read), left out of every metric. Always present for generate and
            text-classify runs; None (absent) for classify and imported runs, which have none.
        parsing: the parse rate when the task's scorer parses answers, else None.
        fairness: classify runs: attribute -> demographic parity / equalized odds gaps.
        judge: generate runs scored by a judge model: who judged and where it is validated.
        measured: generate runs scored by a measurable scorer (refusal): ``{"scorer",
            "languages": {lang: measurement or None}}`` — how the scorer was measured in each
            language when the run started (held-out labels or people's labels; None: not
            measured). See :mod:`puhui.evals.scorers.measured`.
        language_from, source_metrics: imported runs: where each sample's language came from,
            and the metrics exactly as the source tool recorded them.
        extra: fields this version does not know, kept as read.
    """

    n: int | None
    errors: int
    errors_by_language: dict[str, int]
    metrics: dict[str, MetricSummary]
    unscored: int | None = None
    unscored_by_language: dict[str, int] | None = None
    parsing: Parsing | None = None
    fairness: dict[str, Any] | None = None
    judge: dict[str, Any] | None = None
    measured: dict[str, Any] | None = None
    language_from: dict[str, int] | None = None
    source_metrics: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = (
        "n",
        "errors",
        "errors_by_language",
        "unscored",
        "unscored_by_language",
        "metrics",
        "parsing",
        "fairness",
        "judge",
        "measured",
        "language_from",
        "source_metrics",
    )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> TaskSummary:
        parsing = doc.get("parsing")
        return cls(
            n=doc["n"],
            errors=doc["errors"],
            errors_by_language=dict(doc["errors_by_language"]),
            metrics={m: MetricSummary.from_json(v) for m, v in doc["metrics"].items()},
            unscored=doc.get("unscored"),
            unscored_by_language=doc.get("unscored_by_language"),
            parsing=None if parsing is None else Parsing.from_json(parsing),
            fairness=doc.get("fairness"),
            judge=doc.get("judge"),
            measured=doc.get("measured"),
            language_from=doc.get("language_from"),
            source_metrics=doc.get("source_metrics"),
            extra=_rest(doc, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n,
            "errors": self.errors,
            "errors_by_language": self.errors_by_language,
        }
        if self.unscored is not None:
            out["unscored"] = self.unscored
        if self.unscored_by_language is not None:
            out["unscored_by_language"] = self.unscored_by_language
        out["metrics"] = {m: v.to_json() for m, v in self.metrics.items()}
        optional = {
            "parsing": None if self.parsing is None else self.parsing.to_json(),
            "fairness": self.fairness,
            "judge": self.judge,
            "measured": self.measured,
            "language_from": self.language_from,
            "source_metrics": self.source_metrics,
        }
        out.update((k, v) for k, v in optional.items() if v is not None)
        return {**out, **self.extra}


@dataclass
class ThresholdResult:
    """One ``task.metric`` threshold of the suite checked against the run.

    Attributes:
        threshold: ``task.metric``; ``rule``: ``{"min": x}`` and/or ``{"max": y}``.
        value: the overall value; None when nothing could be scored.
        passed: the overall value meets the rule; None when it was not checked (no sample of
            the task could be scored for the metric): never a pass.
        languages_failing: languages whose value does not meet the rule.
        languages_not_scored: languages whose samples were all unscored.
    """

    threshold: str
    rule: dict[str, float]
    value: float | None
    passed: bool | None
    languages_failing: list[str]
    languages_not_scored: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = (
        "threshold",
        "rule",
        "value",
        "passed",
        "languages_failing",
        "languages_not_scored",
    )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ThresholdResult:
        return cls(
            threshold=doc["threshold"],
            rule=dict(doc["rule"]),
            value=doc["value"],
            passed=doc["passed"],
            languages_failing=list(doc["languages_failing"]),
            languages_not_scored=list(doc["languages_not_scored"]),
            extra=_rest(doc, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "rule": self.rule,
            "value": self.value,
            "passed": self.passed,
            "languages_failing": self.languages_failing,
            "languages_not_scored": self.languages_not_scored,
            **self.extra,
        }


@dataclass
class RunSummary:
    """What ``summary.json`` of a run folder holds (schema ``run-summary-1``).

    Attributes:
        suite: the suite's name; task keys are ``suite/task``.
        model: what was evaluated: ``name``, ``kind``, ``identity`` (the hash runs and the
            response cache pin) and, for imported runs, what the source said (``source``).
        kind: the task kind when it is not generate (``classify``, ``text-classify``, a
            plugin's kind); None for generate runs and imported runs.
        imported: imported runs: ``format``, ``tool``, ``tool_version``, ``source_sha256``.
        complete: every planned sample was answered (an incomplete run can be resumed).
        samples: samples planned (task × sample × epoch); ``logged``: answered so far.
        tasks: ``suite/task`` -> :class:`TaskSummary`.
        thresholds: the suite's thresholds checked (:class:`ThresholdResult`).
        extra: what a kind adds at the top (text-classify: ``embeddings``), kept as read.
    """

    suite: str
    model: dict[str, Any]
    complete: bool
    samples: int
    logged: int
    tasks: dict[str, TaskSummary]
    thresholds: list[ThresholdResult]
    kind: str | None = None
    imported: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = (
        "suite",
        "model",
        "kind",
        "imported",
        "complete",
        "samples",
        "logged",
        "tasks",
        "thresholds",
    )

    @property
    def model_name(self) -> str:
        return str(self.model["name"])

    @classmethod
    def from_json(cls, doc: Any, where: object) -> RunSummary:
        """Check ``doc`` against ``run-summary-1`` (one-line :class:`PuhuiError` naming
        ``where`` and the field) and return it typed."""
        validate(doc, SCHEMA, where, _hint())
        return cls(
            suite=doc["suite"],
            model=dict(doc["model"]),
            complete=doc["complete"],
            samples=doc["samples"],
            logged=doc["logged"],
            tasks={k: TaskSummary.from_json(t) for k, t in doc["tasks"].items()},
            thresholds=[ThresholdResult.from_json(t) for t in doc["thresholds"]],
            kind=doc.get("kind"),
            imported=doc.get("imported"),
            extra=_rest(doc, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        """The summary as ``summary.json`` holds it (the same keys in the same order)."""
        out: dict[str, Any] = {"suite": self.suite, "model": self.model}
        if self.kind is not None:
            out["kind"] = self.kind
        out.update(self.extra)
        if self.imported is not None:
            out["imported"] = self.imported
        out.update(
            complete=self.complete,
            samples=self.samples,
            logged=self.logged,
            tasks={k: t.to_json() for k, t in self.tasks.items()},
            thresholds=[t.to_json() for t in self.thresholds],
        )
        return out


def check(doc: Any, where: object) -> None:
    """Raise a one-line :class:`PuhuiError` unless ``doc`` is a valid run summary (writers
    call this on what they are about to write)."""
    validate(doc, SCHEMA, where, _hint())


def read_summary(run_folder: Path) -> RunSummary:
    """The summary of the run in ``run_folder``; one-line errors for a missing, unreadable or
    invalid ``summary.json``."""
    path = Path(run_folder) / "summary.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PuhuiError(
            _("{p}: file is missing").format(p=path),
            _("give the `out` folder of an eval run (`puhui eval run` or `puhui eval import`)"),
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise PuhuiError(_("{p}: cannot read ({why})").format(p=path, why=e), _hint()) from None
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise PuhuiError(_("{p}: not valid JSON ({why})").format(p=path, why=e), _hint()) from None
    return RunSummary.from_json(doc, path)
