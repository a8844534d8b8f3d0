"""The system profile: what is assessed (purpose, sector, users, languages, jurisdictions, model,
data), read from YAML and validated against ``puhui/schemas/profile-1.schema.json``.

Every problem is a one-line :class:`~puhui.errors.PuhuiError` naming the file and the field, e.g.
``profile.yaml: field system.languages: required``. Frameworks named in ``frameworks:`` and risk
areas named anywhere must exist in the taxonomy (``puhui assess frameworks`` lists them).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from puhui.artifacts import sha256_file
from puhui.assess import taxonomy
from puhui.errors import PuhuiError
from puhui.i18n import _

SCHEMA = "profile-1.schema.json"
_HINT = _("fix the profile; see puhui/schemas/{s} and examples/profile.yaml").format(s=SCHEMA)


@dataclass(frozen=True)
class Profile:
    """A validated profile. ``data`` is the YAML as read (plain dicts and lists)."""

    path: Path
    sha256: str
    data: dict[str, Any]

    @property
    def system(self) -> dict[str, Any]:
        return dict(self.data["system"])

    @property
    def model(self) -> dict[str, Any]:
        return dict(self.data["model"])

    @property
    def dataset(self) -> dict[str, Any]:
        return dict(self.data["data"])

    @property
    def frameworks(self) -> list[str]:
        return list(self.data.get("frameworks") or [])

    @property
    def risks(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in (self.data.get("risks") or {}).items()}

    @property
    def owners(self) -> dict[str, Any]:
        return dict(self.data.get("owners") or {})

    @property
    def assessment(self) -> dict[str, Any]:
        return dict(self.data.get("assessment") or {})

    def owner_for(self, area: str) -> str | None:
        owners = self.owners
        risk_owner = self.risks.get(area, {}).get("owner")
        return risk_owner or (owners.get("areas") or {}).get(area) or owners.get("default")


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of a profile."""
    text = resources.files("puhui.schemas").joinpath(SCHEMA).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _where(error: jsonschema.ValidationError) -> str:
    parts: list[str] = []
    for p in error.absolute_path:
        parts.append(f"[{p}]" if isinstance(p, int) else (f".{p}" if parts else str(p)))
    return "".join(parts)


def _values(error: jsonschema.ValidationError) -> list[Any]:
    value: Any = error.validator_value
    return list(value) if isinstance(value, list | tuple) else []


def _explain(error: jsonschema.ValidationError) -> tuple[str, str]:
    """(field, why) for a schema error, phrased for a person."""
    where = _where(error)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in _values(error) if p not in error.instance]
        name = missing[0] if missing else "?"
        return (f"{where}.{name}" if where else name), _("required")
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        sub = error.schema if isinstance(error.schema, dict) else {}
        allowed = set(sub.get("properties") or {})
        extra = sorted(k for k in error.instance if k not in allowed)
        name = extra[0] if extra else "?"
        return (f"{where}.{name}" if where else name), _("unknown field (allowed: {a})").format(
            a=", ".join(sorted(allowed))
        )
    if error.validator == "enum":
        return where or "(top level)", _("{v!r} is not one of: {a}").format(
            v=error.instance, a=", ".join(str(x) for x in _values(error))
        )
    if error.validator == "minItems":
        return where or "(top level)", _("must not be empty")
    if error.validator == "pattern" and "languages" in where:
        return where, _("{v!r} is not a BCP-47 language tag (like sw, ar, zh-Hans)").format(
            v=error.instance
        )
    if error.validator == "pattern" and "jurisdictions" in where:
        return where, _("{v!r} is not an ISO 3166 country code (like KE) or EU").format(
            v=error.instance
        )
    return where or "(top level)", error.message


def load(path: str | Path) -> Profile:
    """Read and validate a profile; a one-line :class:`PuhuiError` naming the field if it is not
    complete or names an unknown framework or risk area."""
    p = Path(path)
    if not p.is_file():
        raise PuhuiError(
            _("profile {p} does not exist").format(p=p),
            _(
                "give a profile YAML (see examples/profile.yaml), or omit --profile to answer "
                "questions interactively"
            ),
        )
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise PuhuiError(_("{p}: not UTF-8 text").format(p=p), _("save it as UTF-8")) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise PuhuiError(
            _("{p}{line}: not valid YAML ({why})").format(
                p=p, line=line, why=getattr(e, "problem", None) or e
            ),
            _("fix the YAML syntax"),
        ) from None
    if not isinstance(doc, dict):
        raise PuhuiError(
            _("{p}: expected a mapping with system, model and data").format(p=p), _HINT
        )
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(e.absolute_path), e.message))
    error = jsonschema.exceptions.best_match(errors)
    if error is not None:
        where, why = _explain(error)
        raise PuhuiError(_("{p}: field {f}: {why}").format(p=p, f=where, why=why), _HINT)
    tax = taxonomy.load()
    known = {f.id for f in tax.frameworks}
    for i, fw in enumerate(doc.get("frameworks") or []):
        if fw not in known:
            raise PuhuiError(
                _("{p}: field frameworks[{i}]: unknown framework {fw!r}").format(p=p, i=i, fw=fw),
                _("known frameworks: {ids}").format(ids=", ".join(sorted(known))),
            )
    areas = {a.id for a in tax.areas}
    named: list[tuple[str, str]] = [(f"risks.{k}", k) for k in doc.get("risks") or {}]
    named += [(f"owners.areas.{k}", k) for k in (doc.get("owners") or {}).get("areas") or {}]
    for suite, ids in (doc.get("suite_risk_areas") or {}).items():
        named += [(f"suite_risk_areas.{suite}", a) for a in ids]
    for where, area in named:
        if area not in areas:
            raise PuhuiError(
                _("{p}: field {f}: unknown risk area {a!r}").format(p=p, f=where, a=area),
                _("risk areas are {first} to {last}").format(
                    first=tax.areas[0].id, last=tax.areas[-1].id
                ),
            )
    return Profile(path=p, sha256=sha256_file(p), data=doc)


def dump(data: dict[str, Any]) -> str:
    """A profile as YAML text (used by the interactive mode)."""
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return "# Puhui system profile (see examples/profile.yaml for every field)\n" + text
