"""Corpus steps: the protocol every pipeline step follows, the built-in steps, and users' steps.

A *step* has a ``name``, its ``options`` (a JSON-ready mapping) and a ``run`` method that takes
an iterable of :class:`~puhui.corpus.records.Record` objects, yields the ones it keeps (it may
change them: text, language, ``meta``) and reports every record it drops through ``drop``::

    class NoDigits:
        name = "nodigits"

        def __init__(self, max_digits: int = 0) -> None:
            self.options = {"max_digits": max_digits}

        def run(self, records, drop):
            for rec in records:
                n = sum(c.isdigit() for c in rec.text)
                if n > self.options["max_digits"]:
                    drop(rec, "too_many_digits", f"{n} digits")
                    continue
                yield rec

``drop(record, rule, detail)`` names the rule with one word (letters, digits, ``_``, ``-``); the
record goes to ``removed/`` with reason ``<step name>.<rule>`` (here ``nodigits.too_many_digits``)
and ``detail``, and is counted in the build summary, ``stats/``, the audit and the datasheet
like the built-in reasons (``quality.too_short``, ``dedup.near``...).

A pipeline file names a user's step by import path, with the keyword arguments that make it::

    steps:
      - normalize
      - step: mypackage.filters:NoDigits
        options: {max_digits: 10}
      - dedup

The object at the path is called with ``options`` as keyword arguments (a class, or a function
returning a step). Its ``name`` and ``options`` go into the build's configuration, so resuming
a build checks them like the built-in steps' options, and a changed option needs ``--restart``
or a new output folder. Each worker process makes its own instance from the import path, so
the module must be importable there (it is, for the local executor, when it is on
``sys.path`` or installed; Ray workers need it installed).

The built-in steps (:class:`NormalizeStep`, :class:`LangIdStep`, :class:`QualityStep`,
:class:`PiiStep`, :class:`DedupStep`) follow the same protocol. In a sharded build ``dedup`` runs
in two stages instead (signatures per unit, decisions across the whole run, see
:mod:`puhui.corpus.pipeline`); :meth:`DedupStep.run` gives the same decisions on one stream.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from puhui.corpus.dedup import Deduplicator, DedupOptions, exact_key, signature
from puhui.corpus.normalize import NormalizeOptions, normalize
from puhui.corpus.quality import QualityOptions
from puhui.corpus.quality import check as quality_check
from puhui.corpus.records import Record
from puhui.errors import PuhuiError
from puhui.i18n import _

BUILTIN_STEPS = ("normalize", "langid", "quality", "pii", "dedup")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_RULE = re.compile(r"[A-Za-z0-9_-]{1,60}")
_IMPORT_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")

#: ``drop(record, rule, detail)``: the pipeline's callback for a record a step removes.
Drop = Callable[[Record, str, str], None]


@runtime_checkable
class Step(Protocol):
    """What a corpus step provides (see the module docstring)."""

    @property
    def name(self) -> str:
        """Short lowercase name (``[a-z][a-z0-9_]*``): the first part of its drop reasons."""
        ...

    @property
    def options(self) -> Mapping[str, Any]:
        """JSON-ready options that change what the step does (recorded with the build)."""
        ...

    def run(self, records: Iterable[Record], drop: Drop) -> Iterator[Record]:
        """Yield the records kept, in order; call ``drop`` once for each record removed."""
        ...


def check_rule(step: str, rule: object) -> str:
    """The reason ``<step>.<rule>`` for a drop, or a one-line error for a malformed rule."""
    if not isinstance(rule, str) or not _RULE.fullmatch(rule):
        raise PuhuiError(
            _("step {step!r} dropped a record with rule {rule!r}").format(step=step, rule=rule),
            _("name the rule with one word of letters, digits, _ or -"),
        )
    return f"{step}.{rule}"


# ---------------------------------------------------------------- built-in steps


@dataclass(frozen=True)
class LangIdOptions:
    threshold: float | None = None  # None: the identifier's measured default
    drop_und: bool = False  # drop documents whose language is unknown
    line_level: bool = False  # also label each line; counts go to meta.line_langs


@dataclass(frozen=True)
class PiiOptions:
    mode: str = "redact"  # redact | tag | hash
    regions: tuple[str, ...] | None = None  # None: the redactor's default regions
    types: tuple[str, ...] | None = None  # None: every type
    salt_env: str = "PUHUI_PII_SALT"  # hash mode: the salt is read from this variable


class NormalizeStep:
    """Unicode and whitespace normalisation; drops documents left empty (``normalize.empty``)."""

    name = "normalize"

    def __init__(self, opts: NormalizeOptions = NormalizeOptions()) -> None:
        self.opts = opts

    @property
    def options(self) -> dict[str, Any]:
        return dataclasses.asdict(self.opts)

    def run(self, records: Iterable[Record], drop: Drop) -> Iterator[Record]:
        for rec in records:
            rec.text = normalize(rec.text, self.opts)
            if not rec.text:
                drop(rec, "empty", "no text after normalization")
                continue
            yield rec


class LangIdStep:
    """Language and script identification; with ``drop_und``, drops ``langid.und``."""

    name = "langid"

    def __init__(self, opts: LangIdOptions = LangIdOptions()) -> None:
        from puhui.corpus.langid import LanguageIdentifier

        self.opts = opts
        if opts.threshold is None:
            self.identifier = LanguageIdentifier()
        else:
            self.identifier = LanguageIdentifier(threshold=opts.threshold)

    @property
    def options(self) -> dict[str, Any]:
        return dataclasses.asdict(self.opts)

    def run(self, records: Iterable[Record], drop: Drop) -> Iterator[Record]:
        for rec in records:
            guess = self.identifier.identify(rec.text)
            rec.lang, rec.script, rec.lang_confidence = guess.lang, guess.script, guess.confidence
            if self.opts.line_level:
                lines = Counter(
                    g.lang for g in self.identifier.identify_lines(rec.text) if g.lang != "und"
                )
                rec.meta["line_langs"] = dict(sorted(lines.items()))
            if self.opts.drop_und and rec.lang == "und":
                drop(rec, "und", f"confidence {guess.confidence:.2f}")
                continue
            yield rec


class QualityStep:
    """Heuristic quality filters measured per script (``quality.too_short`` and the like).

    ``fill_script``: find the script of records that no language identification labelled.
    """

    name = "quality"

    def __init__(self, opts: QualityOptions = QualityOptions(), *, fill_script: bool = True):
        self.opts = opts
        self.fill_script = fill_script

    @property
    def options(self) -> dict[str, Any]:
        return dataclasses.asdict(self.opts)

    def run(self, records: Iterable[Record], drop: Drop) -> Iterator[Record]:
        from puhui.lang import detect_script

        for rec in records:
            if self.fill_script and rec.script == "Zyyy":
                rec.script = detect_script(rec.text)
            dropped = quality_check(rec.text, rec.script, self.opts)
            if dropped is not None:
                drop(rec, dropped.reason.removeprefix("quality."), dropped.detail)
                continue
            yield rec


class PiiStep:
    """Find personal data and redact, tag or hash it (``rec.pii`` counts it); drops nothing.

    ``salt`` is the secret for ``mode: hash`` (see :func:`puhui.corpus.pipeline.pii_salt`).
    """

    name = "pii"

    def __init__(self, opts: PiiOptions = PiiOptions(), *, salt: bytes | None = None) -> None:
        from puhui.corpus.pii import PiiRedactor

        self.opts = opts
        kw: dict[str, Any] = {"mode": opts.mode}
        if opts.regions is not None:
            kw["regions"] = opts.regions
        if opts.types is not None:
            kw["types"] = opts.types
        if opts.mode == "hash":
            kw["salt"] = salt
        self.redactor = PiiRedactor(**kw)

    @property
    def options(self) -> dict[str, Any]:
        return dataclasses.asdict(self.opts)

    def run(self, records: Iterable[Record], drop: Drop) -> Iterator[Record]:
        for rec in records:
            rec.text, counts = self.redactor.process(rec.text)
            rec.pii = {k: v for k, v in sorted(counts.items()) if v}
            yield rec


class DedupStep:
    """Exact and near-duplicate removal over one stream (``dedup.exact``, ``dedup.near``)."""

    name = "dedup"

    def __init__(self, opts: DedupOptions = DedupOptions(), *, against: Sequence[Path] = ()):
        self.opts = opts
        self.against = tuple(against)

    @property
    def options(self) -> dict[str, Any]:
        return dataclasses.asdict(self.opts)

    def run(self, records: Iterable[Record], drop: Drop) -> Iterator[Record]:
        dd = Deduplicator(self.opts)
        for old in self.against:
            dd.preload(old / "dedup" / "signatures.npy")
        for rec in records:
            sig = np.asarray(signature(rec.text, rec.script, self.opts), np.uint32)
            decision = dd.add(rec.id, exact_key(rec.text), sig)
            if decision is not None:
                drop(rec, decision.reason.removeprefix("dedup."), decision.detail)
                continue
            yield rec


# ---------------------------------------------------------------- users' steps


@dataclass(frozen=True)
class StepRef:
    """A user's step named in a pipeline file: where to import it and how to make it."""

    path: str  # "package.module:Name"
    args: dict[str, Any] = field(default_factory=dict)  # keyword arguments from the YAML
    name: str = ""  # the step's own name, read when the pipeline file is loaded
    options: dict[str, Any] = field(default_factory=dict)  # the step's options, ditto

    def to_json(self) -> dict[str, Any]:
        """What the build records (and compares on resume): the import path and the options."""
        return {"step": self.path, **self.options}

    def make(self, where: str = "") -> Step:
        """Import and make the step; every failure is a one-line error naming ``where``."""
        return make_step(self.path, self.args, where or self.path)


def _import(path: str, where: str) -> Any:
    if not _IMPORT_PATH.fullmatch(path):
        raise PuhuiError(
            _("{where}.step: {path!r} is not an import path").format(where=where, path=path),
            _("write it as package.module:Name"),
        )
    module_name, _sep, attr = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise PuhuiError(
            _("{where}.step: cannot import {module!r} ({why})").format(
                where=where, module=module_name, why=e
            ),
            _("install the package or put its folder on PYTHONPATH"),
        ) from None
    except Exception as e:  # the module itself fails: say so on one line
        raise PuhuiError(
            _("{where}.step: importing {module!r} failed: {kind}: {why}").format(
                where=where, module=module_name, kind=type(e).__name__, why=e
            ),
            _("fix the error in that module"),
        ) from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise PuhuiError(
                _("{where}.step: {module!r} has no {name!r}").format(
                    where=where, module=module_name, name=attr
                ),
                _("check the name after the colon"),
            )
        obj = getattr(obj, part)
    return obj


def make_step(path: str, args: Mapping[str, Any], where: str) -> Step:
    """Import ``path`` and call it with ``args``; check that the result is a step."""
    factory = _import(path, where)
    if not callable(factory):
        raise PuhuiError(
            _("{where}.step: {path!r} is not a corpus step").format(where=where, path=path),
            _("point at a class or function that makes a step (name, options, run)"),
        )
    try:
        step = factory(**args)
    except TypeError as e:
        raise PuhuiError(
            _("{where}.options: {path} does not take these options ({why})").format(
                where=where, path=path, why=e
            ),
            _("fix the options in the pipeline file"),
        ) from None
    run = getattr(step, "run", None)
    name = getattr(step, "name", None)
    options = getattr(step, "options", None)
    if not callable(run) or not isinstance(name, str) or not isinstance(options, Mapping):
        raise PuhuiError(
            _("{where}.step: {path!r} is not a corpus step").format(where=where, path=path),
            _("a step has `name` (text), `options` (a mapping) and `run(records, drop)`"),
        )
    return step  # type: ignore[no-any-return]


def load_step_ref(path: object, args: object, where: str, taken: Sequence[str]) -> StepRef:
    """Validate a pipeline file's ``- step: PATH`` item: import, make and check it once."""
    if not isinstance(path, str):
        raise PuhuiError(
            _("{where}.step: expected an import path like package.module:Name").format(where=where),
            None,
        )
    if args is None:
        args = {}
    if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
        raise PuhuiError(
            _("{where}.options: expected a mapping of options").format(where=where),
            _("write options as `name: value` pairs"),
        )
    step = make_step(path, args, where)
    name = step.name
    if not _NAME.fullmatch(name) or name in ("reader", "steps", "shard_mb", *BUILTIN_STEPS):
        raise PuhuiError(
            _("{where}.step: {path} is named {name!r}, which a pipeline cannot use").format(
                where=where, path=path, name=name
            ),
            _("name it with lowercase letters, digits and _, unlike a built-in step"),
        )
    if name in taken:
        raise PuhuiError(_("{where}: step {name!r} appears twice").format(where=where, name=name))
    options = dict(step.options)
    try:
        options = json.loads(json.dumps(options))
    except (TypeError, ValueError) as e:
        raise PuhuiError(
            _("{where}.step: the options of {path} are not JSON ({why})").format(
                where=where, path=path, why=e
            ),
            _("return plain values (text, numbers, lists, mappings) from `options`"),
        ) from None
    if "step" in options:
        raise PuhuiError(
            _("{where}.step: {path} has an option named 'step'").format(where=where, path=path),
            _("rename that option: `step` holds the import path"),
        )
    return StepRef(path=path, args=dict(args), name=name, options=options)
