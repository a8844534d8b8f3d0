"""The evals contract as types: what a suite is made of and how a run is asked for.

Everything here is plain, frozen data with no dependency inside :mod:`puhui.evals`: suite
loading (:mod:`puhui.evals.tasks`), the task kinds (:mod:`puhui.evals.kinds`), scorers and the
run folder all import these types, never the other way round. The docstrings are the spec:
parameters, attributes and the invariants every part may rely on.

Suites come from YAML (``evals/FORMAT.md``); a program may also build these objects itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from puhui.config import Settings

#: The progress callback of an evaluation: ``progress(done, total)``, called from the thread
#: that runs the evaluation with the number of units (samples × epochs, test rows, texts to
#: embed) finished so far and the number there are in all. ``total`` may change once, when a
#: run learns how much of its work is already in the log or the cache.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Sample:
    """One item of a task: what is asked, in which language, and what a right answer is.

    Parameters
    ----------
    id : str
        Unique within its task; a run's log and the resume set key on ``(task, id, epoch)``.
    lang : str
        The sample's language as a normalized BCP-47 tag (``sw``, ``zh-Hans``); ``zxx`` for
        rows of a table that have no language.
    input : str or dict
        The text put into the template's ``{input}``, or named fields for several slots.
    target : any, default None
        The right answer: a string, a list of acceptable strings, a number, a label, or for
        refusal tasks ``"refuse"`` / ``"comply"``. None when the scorer needs none.
    choices : tuple of str, default ()
        Answer options of a multiple-choice sample (the target is one of them).
    groups : mapping, default {}
        Attributes to disaggregate metrics by (e.g. ``{"category": "Age"}``).
    meta : mapping, default {}
        Anything else worth keeping; scorers may read it (BBQ's ``stereotyped_answer``).

    Invariants: frozen; ``id`` unique within a task; ``lang`` already normalized.
    """

    id: str
    lang: str
    input: str | dict[str, Any]
    target: Any = None
    choices: tuple[str, ...] = ()
    groups: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """The prompt of a ``generate`` task.

    Parameters
    ----------
    user : str
        The user message, with placeholders ``{input}`` (or ``{FIELD}`` of an object input),
        ``{choices}``, ``{choices_lettered}`` and ``{lang}``. Unknown placeholders stay as
        written.
    system : str or None, default None
        An optional system message, with the same placeholders.
    instruction_language : {"en", "sample"}, default "en"
        The language the instructions are written in: English, or each sample's own.
    """

    user: str
    system: str | None = None
    instruction_language: str = "en"  # "en" or "sample"

    def render(self, sample: Sample) -> list[dict[str, str]]:
        """The chat messages for ``sample``."""
        slots: dict[str, Any] = {"lang": sample.lang}
        if isinstance(sample.input, dict):
            slots.update(sample.input)
            slots["input"] = "\n".join(f"{k}: {v}" for k, v in sample.input.items())
        else:
            slots["input"] = sample.input
        slots["choices"] = "; ".join(sample.choices)
        slots["choices_lettered"] = "\n".join(
            f"{chr(65 + i)}. {c}" for i, c in enumerate(sample.choices)
        )
        messages = []
        if self.system:
            messages.append({"role": "system", "content": _fill(self.system, slots)})
        messages.append({"role": "user", "content": _fill(self.user, slots)})
        return messages


class _Slots(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, slots: dict[str, Any]) -> str:
    return text.format_map(_Slots(slots))


@dataclass(frozen=True)
class Task:
    """One task of a suite: samples, how to ask for them, and how to score and measure.

    Parameters
    ----------
    suite, name : str
        The suite's name and the task's name inside it; :attr:`key` is ``suite/name``.
    samples : tuple of Sample
        The task's samples in file order (empty for ``classify`` tasks, whose rows live in a
        table read when the task runs).
    template : Template
        The prompt (``generate``); an empty template for the classifier kinds.
    scorer : str
        A name in the scorer registry (:data:`puhui.evals.scoring.SCORERS`) or a plugin's.
    scorer_options : mapping, default {}
        Scorer-specific options from suite.yaml, validated when the suite is loaded.
    metrics : tuple of str, default ("accuracy",)
        Metrics the kind accepts (:mod:`puhui.evals.metrics`), in the order they are reported.
    generation : mapping, default {}
        Generation parameters (``max_tokens``, ``temperature``) for ``generate`` tasks.
    data_sha256 : str, default ""
        sha256 of the (decompressed) data file, frozen in the run's plan.
    kind : str, default "generate"
        The task kind (:mod:`puhui.evals.kinds`): ``generate``, ``classify``,
        ``text-classify`` or a plugin's.
    table : mapping, default {}
        The kind's own validated fields (the classify table, the text classifier's training
        set); opaque to everything but the kind.
    suite_dir : Path or None, default None
        The folder of suite.yaml, for kinds that read files when they run.
    unparsed : {"wrong", "exclude"}, default "wrong"
        What an answer the scorer could not parse counts as.

    Invariants: frozen; every field was validated by the kind's ``parse``.
    """

    suite: str
    name: str
    samples: tuple[Sample, ...]
    template: Template
    scorer: str
    scorer_options: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[str, ...] = ("accuracy",)
    generation: Mapping[str, Any] = field(default_factory=dict)
    data_sha256: str = ""
    kind: str = "generate"
    table: Mapping[str, Any] = field(default_factory=dict)
    suite_dir: Path | None = None
    unparsed: str = "wrong"

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.name}"


@dataclass(frozen=True)
class Suite:
    """Tasks and the thresholds they are held to, as loaded from a suite.yaml.

    Parameters
    ----------
    name, title, description, license : str
        What the suite is and under which licence its bundled data is.
    tasks : tuple of Task
        In suite.yaml order. A run runs the tasks of one kind only.
    thresholds : mapping, default {}
        ``"task.metric" -> {"min": x, "max": y}`` pass/fail lines.
    path : Path or None, default None
        The suite.yaml it was loaded from.
    risk_areas : tuple of str, default ()
        Common risk areas (``CR-..``) the suite speaks to.

    Attributes
    ----------
    languages : list of str
        The sorted languages of all samples.
    """

    name: str
    title: str
    description: str
    license: str
    tasks: tuple[Task, ...]
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    path: Path | None = None
    risk_areas: tuple[str, ...] = ()

    @property
    def languages(self) -> list[str]:
        return sorted({s.lang for t in self.tasks for s in t.samples})


@dataclass(frozen=True)
class Score:
    """A scorer's verdict on one answer.

    Parameters
    ----------
    value : float or None
        1.0 (right, or the desired behaviour) or 0.0; None when the scorer cannot judge the
        answer (see :func:`unscored`): such a sample is in no metric and counted apart.
    answer : str or None, default None
        What the scorer read the answer as (the picked option, the number, the verdict).
    extras : mapping, default {}
        Named facts metrics use (``parsed``, ``refused``, ``expected``, ``biased``); they are
        written into the log record after ``value`` and ``answer``.
    """

    value: float | None
    answer: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "answer": self.answer, **self.extras}


def unscored(why: str, answer: str | None = "unknown", **extras: Any) -> Score:
    """A score for an answer the scorer cannot judge: counted apart, in no metric.

    ``why`` is a short code kept in the log (``language``: the scorer cannot read, or is not
    validated in, the sample's language).
    """
    return Score(None, answer, {**extras, "unscored": why})


@dataclass(frozen=True)
class RunOptions:
    """How a suite is run; frozen in the run's plan (a resume must ask for the same).

    Parameters
    ----------
    limit : int or None, default None
        At most this many samples per language per task (in file order); None for all.
    languages : tuple of str, default ()
        BCP-47 tags to keep (``sw`` matches ``swh``); empty for every language.
    concurrency : int, default 4
        Requests in flight (``generate``); lowered on rate limits.
    max_retries : int, default 4
        Retries with backoff on rate limits, server errors and timeouts.
    seed : int, default 0
        Generation seed (epoch ``e`` uses ``seed + e``), also the classifiers' training seed
        and the bootstrap's.
    epochs : int, default 1
        Times each sample is asked.
    judge_model : str or None, default None
        The registered model that grades ``scorer: judge`` tasks naming none.
    """

    limit: int | None = None
    languages: tuple[str, ...] = ()
    concurrency: int = 4
    max_retries: int = 4
    seed: int = 0
    epochs: int = 1
    judge_model: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The options as the plan of a ``generate`` run records them."""
        out: dict[str, Any] = {
            "limit": self.limit,
            "languages": list(self.languages),
            "concurrency": self.concurrency,
            "max_retries": self.max_retries,
            "seed": self.seed,
            "epochs": self.epochs,
        }
        if self.judge_model:
            out["judge_model"] = self.judge_model
        return out


@dataclass(frozen=True)
class TaskKind:
    """A task kind: how tasks of one ``kind:`` are read from suite.yaml, run and summarized.

    The registry (:mod:`puhui.evals.kinds`) holds the built-ins ``generate``, ``classify`` and
    ``text-classify``; a package adds one through the ``puhui.task_kinds`` entry points (an
    object with these five attributes; a ``TaskKind`` is the simplest).

    Parameters
    ----------
    name : str
        The ``kind:`` value of suite.yaml that selects it.
    default_model : callable (settings) -> str
        The model a run uses when the caller names none.
    parse : callable (task, at, suite_name, suite_dir, data_override) -> Task
        Validate one task mapping of suite.yaml (``at`` names it in errors, e.g.
        ``suite.yaml: tasks[0]``) and read what it needs; ``data_override`` is the user's own
        data file for the task, or None. Fields the suite sets for every task (``unparsed``)
        are already merged into the mapping. Mistakes are one-line ``PuhuiError`` errors naming
        ``at`` and the field.
    run : callable (suite, model, out, options, settings, progress) -> dict
        Run (or resume) every task of ``suite`` (all of this kind; refuse others with a
        one-line error) on ``model`` into the run folder ``out``
        (:mod:`puhui.evals.runfolder`) and return the summary it sealed.
    finish : callable (out) -> dict
        Rebuild and seal the summary of the run in ``out`` from its plan and log.

    Invariants: a run folder's ``plan.json`` names its kind in ``kind`` (absent for
    ``generate``), so that :func:`puhui.evals.runner.finish` finds the kind again.
    """

    name: str
    default_model: Callable[[Settings], str]
    parse: Callable[[Mapping[str, Any], str, str, Path, Path | None], Task]
    run: Callable[[Suite, str, Path, RunOptions, Settings, Progress | None], dict[str, Any]]
    finish: Callable[[Path], dict[str, Any]]
