"""Samples, tasks and suites: what an evaluation asks, of whom, in which language.

A *task* is samples (each with a BCP-47 language and optional group attributes) + a prompt
template (its instruction language recorded) + a scorer + metrics. A *suite* is tasks +
thresholds. Suites are YAML files (format: ``evals/FORMAT.md``) that compile to these objects;
bundled suites live in ``puhui/content/suites/``. Every mistake in a suite file is a one-line
:class:`~puhui.errors.PuhuiError` naming the file and the field.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from puhui.errors import PuhuiError, yaml_error
from puhui.i18n import _
from puhui.lang import normalize_tag

SCORERS = ("exact", "choice", "regex", "numeric", "refusal", "bbq", "judge")
METRICS = ("accuracy", "refusal_rate", "compliance_rate", "bias_score")
#: What an answer the scorer could not parse counts as: ``wrong`` (0, in the metrics' n) or
#: ``exclude`` (left out of every metric and counted apart). The first is the default.
UNPARSED = ("wrong", "exclude")
#: Most bytes a suite data file may hold, plain or once decompressed (suite files come from
#: whoever wrote the suite; the cap bounds memory and is enforced while reading).
MAX_DATA_BYTES = 256 * 2**20
_CHUNK = 2**20


@dataclass(frozen=True)
class Sample:
    id: str
    lang: str
    input: str | dict[str, Any]
    target: Any = None
    choices: tuple[str, ...] = ()
    groups: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
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
    """One task of a suite. ``key`` is ``suite/name``."""

    suite: str
    name: str
    samples: tuple[Sample, ...]
    template: Template
    scorer: str
    scorer_options: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[str, ...] = ("accuracy",)
    generation: Mapping[str, Any] = field(default_factory=dict)
    data_sha256: str = ""
    kind: str = "generate"  # generate | classify
    table: Mapping[str, Any] = field(default_factory=dict)  # classify: see evals/classifiers.py
    suite_dir: Path | None = None
    unparsed: str = "wrong"  # what an unparsed answer counts as: see UNPARSED

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.name}"


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    description: str
    license: str
    tasks: tuple[Task, ...]
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    path: Path | None = None
    risk_areas: tuple[str, ...] = ()  # common risk areas (CR-..) the suite speaks to

    @property
    def languages(self) -> list[str]:
        return sorted({s.lang for t in self.tasks for s in t.samples})


# ---------------------------------------------------------------- loading


def bundled_dir() -> Path:
    return Path(str(resources.files("puhui.content").joinpath("suites")))


def bundled_names() -> list[str]:
    root = bundled_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "suite.yaml").is_file())


def find_suite(name_or_path: str) -> Path:
    """A bundled suite name, a folder holding suite.yaml, or a YAML file."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    if p.is_dir() and (p / "suite.yaml").is_file():
        return p / "suite.yaml"
    bundled = bundled_dir() / name_or_path / "suite.yaml"
    if bundled.is_file():
        return bundled
    from puhui.evals import plugins

    plugged = plugins.suite_file(name_or_path)
    if plugged is not None:
        return plugged
    raise PuhuiError(
        _("unknown suite {name!r}").format(name=name_or_path),
        _("see `puhui eval list`, or give a suite folder or YAML file"),
    )


def _need(mapping: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in mapping:
        raise PuhuiError(_("{where}: missing field {key!r}").format(where=where, key=key), None)
    value = mapping[key]
    if not isinstance(value, kind):
        raise PuhuiError(
            _("{where}.{key}: expected {kind}, got {got}").format(
                where=where, key=key, kind=kind.__name__, got=type(value).__name__
            ),
            None,
        )
    return value


def _too_big(path: Path, limit: int) -> PuhuiError:
    return PuhuiError(
        _("{path}: suite data larger than {mib} MiB (once decompressed)").format(
            path=path, mib=limit // 2**20
        ),
        _("split the data into smaller files, one task each"),
    )


def read_data_file(path: Path, limit: int = MAX_DATA_BYTES) -> bytes:
    """The bytes of a suite's data file, gunzipped when it ends in ``.gz``.

    Suite data comes from whoever wrote the suite: at most ``limit`` bytes are read, plain or
    decompressed, and the cap is enforced while reading (a small gzip bomb never inflates past
    it). Beyond it, or for a damaged gzip stream, a one-line error names the file.
    """
    if path.suffix != ".gz":
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size > limit:
                raise _too_big(path, limit)
            raw = f.read(limit + 1)  # the file may have grown since
        if len(raw) > limit:
            raise _too_big(path, limit)
        return raw
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(_CHUNK):  # GzipFile.read(n) inflates at most n bytes
                total += len(chunk)
                if total > limit:
                    raise _too_big(path, limit)
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as e:
        raise PuhuiError(
            _("{path}: not a readable gzip file ({why})").format(path=path, why=e),
            _("compress it again with gzip, or store it uncompressed"),
        ) from None
    return b"".join(chunks)


def _read_samples(path: Path, where: str) -> tuple[tuple[Sample, ...], str]:
    if not path.is_file():
        raise PuhuiError(
            _("{where}: data file {path} does not exist").format(where=where, path=path),
            _("fix the `data:` path (relative to suite.yaml)"),
        )
    raw = read_data_file(path)  # e.g. data/test.jsonl.gz: the hash is of the JSONL itself
    samples: list[Sample] = []
    seen: set[str] = set()
    for n, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        at = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise PuhuiError(
                _("{at}: not valid JSON ({why})").format(at=at, why=e.msg), None
            ) from None
        if not isinstance(obj, dict):
            raise PuhuiError(_("{at}: expected a JSON object").format(at=at), None)
        sid = str(_need(obj, "id", str | int, at))  # type: ignore[arg-type]
        if sid in seen:
            raise PuhuiError(_("{at}: duplicate sample id {sid!r}").format(at=at, sid=sid), None)
        seen.add(sid)
        lang = normalize_tag(str(_need(obj, "lang", str, at)))
        inp = obj.get("input")
        if not isinstance(inp, str | dict):
            raise PuhuiError(_("{at}: field 'input' must be text or an object").format(at=at), None)
        choices = obj.get("choices") or ()
        if not isinstance(choices, list | tuple):
            raise PuhuiError(_("{at}: field 'choices' must be a list").format(at=at), None)
        samples.append(
            Sample(
                id=sid,
                lang=lang,
                input=inp,
                target=obj.get("target"),
                choices=tuple(str(c) for c in choices),
                groups=dict(obj.get("groups") or {}),
                meta=dict(obj.get("meta") or {}),
            )
        )
    return tuple(samples), hashlib.sha256(raw).hexdigest()


def inside_suite(folder: Path, rel: str, at: str) -> Path:
    """``rel`` (a ``data:``-like field of suite.yaml) as a path inside the suite ``folder``.

    A suite may come from anyone: an absolute path, or one that climbs out with ``..`` or
    through a symbolic link (both sides are resolved), is a one-line error naming the field.
    """
    root = folder.resolve()
    full = (root / rel).resolve()
    if Path(rel).is_absolute() or not full.is_relative_to(root):
        raise PuhuiError(
            _("{at}: {rel} leaves the suite folder").format(at=at, rel=rel),
            _("copy the data file into the folder of suite.yaml and give its relative path"),
        )
    return full


def _unparsed(mapping: Mapping[str, Any], default: str, at: str) -> str:
    """The ``unparsed:`` policy of a suite or task (``at`` names the field)."""
    value = mapping.get("unparsed", default)
    if value not in UNPARSED:
        raise PuhuiError(
            _("{at}: expected 'wrong' or 'exclude', got {v!r}").format(at=at, v=value),
            _("unparsed answers count as wrong (default) or are excluded from the metrics"),
        )
    return str(value)


def load_suite(name_or_path: str, *, data_override: Mapping[str, Path] | None = None) -> Suite:
    """Load and validate a suite. ``data_override`` maps task names to the user's full data
    (the user's own choice: it may be anywhere, unlike the suite's ``data:`` paths)."""
    path = find_suite(name_or_path)
    where = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise yaml_error(path, e) from None
    if not isinstance(doc, dict):
        raise PuhuiError(_("{p}: expected a mapping with name and tasks").format(p=path), None)
    name = _need(doc, "name", str, where)
    tasks_raw = _need(doc, "tasks", list, where)
    suite_unparsed = _unparsed(doc, "wrong", f"{where}: unparsed")
    tasks: list[Task] = []
    for i, t in enumerate(tasks_raw):
        at = f"{where}: tasks[{i}]"
        if not isinstance(t, dict):
            raise PuhuiError(_("{at}: expected a mapping").format(at=at), None)
        tname = _need(t, "name", str, at)
        kind = t.get("kind", "generate")
        if kind not in ("generate", "classify", "text-classify"):
            raise PuhuiError(
                _("{at}.kind: must be 'generate', 'classify' or 'text-classify'").format(at=at),
                None,
            )
        if kind == "text-classify":
            from puhui.evals.text_classifier import parse_text_task

            override = (data_override or {}).get(tname)
            tasks.append(parse_text_task(t, at, name, path.parent, override))
            continue
        if kind == "classify":
            from puhui.evals.classifiers import parse_table

            table = parse_table(t, at)
            if table.get("data"):
                inside_suite(path.parent, str(table["data"]), f"{at}.data")
            override = (data_override or {}).get(tname)
            if override is not None:
                table["data_path"] = str(override)
            tasks.append(
                Task(
                    suite=name,
                    name=tname,
                    samples=(),
                    template=Template(user=""),
                    scorer="exact",
                    metrics=tuple(table["metrics"]),
                    kind="classify",
                    table=table,
                    suite_dir=path.parent,
                )
            )
            continue
        tmpl = _need(t, "template", dict, at)
        scorer = _need(t, "scorer", str, at)
        if scorer not in SCORERS:
            from puhui.evals import plugins

            if scorer not in plugins.entry_points(plugins.SCORERS):
                names = [*SCORERS, *plugins.entry_points(plugins.SCORERS)]
                raise PuhuiError(
                    _("{at}.scorer: unknown scorer {s!r}").format(at=at, s=scorer),
                    _("use one of: {names}").format(names=", ".join(names)),
                )
        if scorer == "judge":
            from puhui.evals.scorers.judge import JudgeConfig

            JudgeConfig.parse(t.get("scorer_options") or {}, at)
        metrics = tuple(t.get("metrics") or ("accuracy",))
        for m in metrics:
            if m not in METRICS:
                raise PuhuiError(
                    _("{at}.metrics: unknown metric {m!r}").format(at=at, m=m),
                    _("use one of: {names}").format(names=", ".join(METRICS)),
                )
        lang_mode = tmpl.get("instruction_language", "en")
        if lang_mode not in ("en", "sample"):
            raise PuhuiError(
                _("{at}.template.instruction_language: must be 'en' or 'sample'").format(at=at),
                None,
            )
        data_path = (data_override or {}).get(tname)
        if data_path is None:
            data_path = inside_suite(path.parent, str(_need(t, "data", str, at)), f"{at}.data")
        samples, digest = _read_samples(Path(data_path), at)
        tasks.append(
            Task(
                suite=name,
                name=tname,
                samples=samples,
                template=Template(
                    user=str(_need(tmpl, "user", str, f"{at}.template")),
                    system=tmpl.get("system"),
                    instruction_language=lang_mode,
                ),
                scorer=scorer,
                scorer_options=dict(t.get("scorer_options") or {}),
                metrics=metrics,
                generation=dict(t.get("generation") or {}),
                data_sha256=digest,
                unparsed=_unparsed(t, suite_unparsed, f"{at}.unparsed"),
            )
        )
    thresholds = doc.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise PuhuiError(_("{p}: thresholds must be a mapping").format(p=path), None)
    return Suite(
        name=name,
        title=str(doc.get("title") or name),
        description=str(doc.get("description") or ""),
        license=str(doc.get("license") or "unknown"),
        tasks=tuple(tasks),
        thresholds={str(k): dict(v) for k, v in thresholds.items()},
        path=path,
        risk_areas=tuple(str(a) for a in doc.get("risk_areas") or ()),
    )


def iter_samples(task: Task, languages: list[str] | None, limit: int | None) -> Iterator[Sample]:
    """Samples of ``task`` in the chosen languages, at most ``limit`` per language, in order."""
    from puhui.lang import matches

    counts: dict[str, int] = {}
    for s in task.samples:
        if languages and not any(matches(want, s.lang) for want in languages):
            continue
        if limit is not None and counts.get(s.lang, 0) >= limit:
            continue
        counts[s.lang] = counts.get(s.lang, 0) + 1
        yield s
