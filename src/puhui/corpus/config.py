"""Corpus build configuration: the pipeline's steps and their options, from defaults or YAML.

Users' documentation of the pipeline file: ``docs/corpus-pipeline.md``.

A pipeline file lists steps in order; any step left out is not run, and options left out keep
their defaults::

    reader: {text_field: text, txt_unit: file}
    steps:
      - normalize: {}
      - langid: {threshold: 0.5}
      - quality: {min_words: 3, min_terminal_lines: null}
      - pii: {mode: redact, regions: [NG, GH, KE]}
      - dedup: {threshold: 0.8}
    shard_mb: 8

``dedup`` always runs last because it compares documents across the whole run.

A step of your own is named by import path, with the keyword arguments that make it (see
:mod:`puhui.corpus.steps` for what a step is)::

    steps:
      - normalize
      - step: mypackage.filters:NoDigits
        options: {max_digits: 10}
      - dedup

``reader:`` also holds the limits that keep a build's memory bounded on hostile or odd input
(see :mod:`puhui.corpus.readers`); what passes one goes to ``quarantine/`` with a reason naming
it::

    reader: {max_record_mb: 8, max_file_mb: 32, max_expansion: 100}
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from puhui.corpus.dedup import DedupOptions
from puhui.corpus.normalize import NormalizeOptions
from puhui.corpus.quality import QualityOptions
from puhui.corpus.readers import ReaderOptions
from puhui.corpus.steps import BUILTIN_STEPS, LangIdOptions, PiiOptions, StepRef, load_step_ref
from puhui.errors import PuhuiError, yaml_error
from puhui.i18n import _

STEP_NAMES = BUILTIN_STEPS

__all__ = ["STEP_NAMES", "BuildConfig", "LangIdOptions", "PiiOptions", "load_config"]


@dataclass(frozen=True)
class BuildConfig:
    reader: ReaderOptions = ReaderOptions()
    steps: tuple[str, ...] = STEP_NAMES
    normalize: NormalizeOptions = NormalizeOptions()
    langid: LangIdOptions = LangIdOptions()
    quality: QualityOptions = QualityOptions()
    pii: PiiOptions = PiiOptions()
    dedup: DedupOptions = DedupOptions()
    shard_mb: float = 8.0  # input megabytes per unit of work (one output shard each)
    extra: dict[str, Any] = field(default_factory=dict)
    user_steps: tuple[StepRef, ...] = ()  # users' steps, by name in ``steps``

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("extra")
        data.pop("user_steps")
        for name in STEP_NAMES:
            if name not in self.steps:
                data.pop(name)
        for ref in self.user_steps:
            data[ref.name] = ref.to_json()
        return data

    def digest(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()


_SECTIONS: dict[str, type] = {
    "reader": ReaderOptions,
    "normalize": NormalizeOptions,
    "langid": LangIdOptions,
    "quality": QualityOptions,
    "pii": PiiOptions,
    "dedup": DedupOptions,
}


def _options(cls: type, raw: Any, where: str) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise PuhuiError(
            _("{where}: expected a mapping of options").format(where=where),
            _("write options as `name: value` pairs"),
        )
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            raise PuhuiError(
                _("{where}: unknown option {key!r}").format(where=where, key=key),
                _("use one of: {names}").format(names=", ".join(fields)),
            )
        default = getattr(cls(), key)
        if isinstance(value, list):
            value = tuple(value)
        ok = (
            value is None
            or default is None
            or isinstance(value, type(default))
            or (
                isinstance(default, float)
                and isinstance(value, int)
                and not isinstance(value, bool)
            )
        )
        if isinstance(default, bool) and not isinstance(value, bool):
            ok = False
        if not ok:
            raise PuhuiError(
                _("{where}.{key}: {value!r} should be like {default!r}").format(
                    where=where, key=key, value=value, default=default
                ),
                _("fix the value in the pipeline file"),
            )
        values[key] = float(value) if isinstance(default, float) and value is not None else value
    return cls(**values)


def load_config(path: Path | None, **overrides: Any) -> BuildConfig:
    """Read a pipeline YAML file (or use defaults) and apply command-line overrides.

    Every mistake raises a one-line :class:`PuhuiError` naming the file and the field.
    """
    raw: dict[str, Any] = {}
    where = str(path) if path else "defaults"
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise PuhuiError(
                _("cannot read pipeline file {p}: {why}").format(p=path, why=e.strerror),
                _("check the path"),
            ) from None
        except yaml.YAMLError as e:
            raise yaml_error(path, e) from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise PuhuiError(
                _("{p}: expected a mapping with `steps:`").format(p=path),
                _("see `puhui corpus build --help`"),
            )
        raw = loaded
    known = {"reader", "steps", "shard_mb"}
    for key in raw:
        if key not in known:
            raise PuhuiError(
                _("{p}: unknown section {key!r}").format(p=where, key=key),
                _("use reader, steps and shard_mb"),
            )
    sections: dict[str, Any] = {
        "reader": _options(ReaderOptions, raw.get("reader"), f"{where}: reader")
    }
    steps: list[str] = list(STEP_NAMES)
    user_steps: list[StepRef] = []
    if "steps" in raw:
        steps = []
        if not isinstance(raw["steps"], list):
            raise PuhuiError(
                _("{p}: steps must be a list").format(p=where), _("write `- name: {options}` items")
            )
        for i, item in enumerate(raw["steps"]):
            if isinstance(item, dict) and "step" in item:
                extra = sorted(set(item) - {"step", "options"})
                if extra:
                    raise PuhuiError(
                        _("{p}: steps[{i}]: unknown key {key!r}").format(
                            p=where, i=i, key=extra[0]
                        ),
                        _("a step of your own has `step:` and `options:`"),
                    )
                ref = load_step_ref(
                    item["step"], item.get("options"), f"{where}: steps[{i}]", steps
                )
                steps.append(ref.name)
                user_steps.append(ref)
                continue
            if isinstance(item, str):
                name, opts = item, None
            elif isinstance(item, dict) and len(item) == 1:
                name, opts = next(iter(item.items()))
            else:
                raise PuhuiError(
                    _("{p}: steps[{i}] should be `- name: {{options}}`").format(p=where, i=i),
                    None,
                )
            if name not in STEP_NAMES:
                raise PuhuiError(
                    _("{p}: steps[{i}]: unknown step {name!r}").format(p=where, i=i, name=name),
                    _("use: {names}, or `step: package.module:Name` for your own").format(
                        names=", ".join(STEP_NAMES)
                    ),
                )
            if name in steps:
                raise PuhuiError(
                    _("{p}: step {name!r} appears twice").format(p=where, name=name), None
                )
            steps.append(name)
            sections[name] = _options(_SECTIONS[name], opts, f"{where}: steps[{i}].{name}")
        if "dedup" in steps:
            steps.remove("dedup")
            steps.append("dedup")
    shard_mb = raw.get("shard_mb", 8.0)
    if not isinstance(shard_mb, int | float) or isinstance(shard_mb, bool) or shard_mb <= 0:
        raise PuhuiError(_("{p}: shard_mb must be a positive number").format(p=where), None)
    cfg = BuildConfig(
        steps=tuple(steps), shard_mb=float(shard_mb), user_steps=tuple(user_steps), **sections
    )
    for section, values in overrides.items():
        if values:
            cfg = dataclasses.replace(
                cfg, **{section: dataclasses.replace(getattr(cfg, section), **values)}
            )
    if cfg.pii.mode not in ("redact", "tag", "hash"):
        raise PuhuiError(
            _("{p}: pii.mode {m!r} is not redact, tag or hash").format(p=where, m=cfg.pii.mode),
            None,
        )
    for name in ("max_record_mb", "max_file_mb"):
        value = getattr(cfg.reader, name)
        if value is None or value <= 0:
            raise PuhuiError(
                _("{p}: reader.{name} must be a positive number of megabytes").format(
                    p=where, name=name
                ),
                None,
            )
    if cfg.reader.max_expansion is not None and cfg.reader.max_expansion < 1:
        raise PuhuiError(
            _("{p}: reader.max_expansion must be at least 1 (or null: no check)").format(p=where),
            None,
        )
    if cfg.reader.txt_unit not in ("file", "paragraph", "line"):
        raise PuhuiError(
            _("{p}: reader.txt_unit must be file, paragraph or line").format(p=where), None
        )
    return cfg
