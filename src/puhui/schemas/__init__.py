"""JSON Schemas of Puhui artifacts (package data) and the one way to check a document against them.

Each ``<name>.schema.json`` here is a versioned contract between the part that writes an
artifact and the parts that read it (``manifest-1``, ``profile-1``, ``crosswalk-1``,
``run-summary-1``, ``assessment-1``). :func:`validate` checks a document against one of them
and raises a one-line :class:`~puhui.errors.PuhuiError` naming the file and the field, so every
writer and every reader reports a broken artifact the same way.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema

from puhui.errors import PuhuiError
from puhui.i18n import _


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The schema ``name`` (e.g. ``"run-summary-1"``), parsed."""
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """A compiled validator for the schema ``name``."""
    return jsonschema.Draft202012Validator(load(name))


def field_of(error: jsonschema.ValidationError) -> str:
    """The dotted path of the field an error is about (``tasks["a/b"].n``); for a missing
    field, the path of the field that is missing."""
    parts: list[str] = []
    for p in error.absolute_path:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif parts and ("/" in p or "." in p or " " in p):
            parts.append(f"[{p!r}]")
        else:
            parts.append(f".{p}" if parts else str(p))
    where = "".join(parts)
    if error.validator == "required" and isinstance(error.instance, dict):
        wanted: Any = error.validator_value
        missing = [k for k in wanted if k not in error.instance]
        if missing:
            return f"{where}.{missing[0]}" if where else str(missing[0])
    return where or "(top level)"


def problem(doc: Any, name: str) -> tuple[str, str] | None:
    """``(field, why)`` of the most relevant way ``doc`` breaks schema ``name``, or None."""
    error = jsonschema.exceptions.best_match(validator(name).iter_errors(doc))
    if error is None:
        return None
    if error.validator == "required":
        return field_of(error), _("missing")
    return field_of(error), error.message


def validate(doc: Any, name: str, where: object, hint: str | None = None) -> None:
    """Raise a one-line :class:`PuhuiError` unless ``doc`` matches schema ``name``.

    ``where`` names the document for a person (usually its file path); ``hint`` says what to do
    (default: the artifact does not match what this Puhui reads; rebuild it with this version).
    """
    found = problem(doc, name)
    if found is None:
        return
    field, why = found
    raise PuhuiError(
        _("{where}: field {field}: {why} (schema {name})").format(
            where=where, field=field, why=why, name=name
        ),
        hint or _("the file does not match what this Puhui reads; write it again with Puhui"),
    )
