"""Where a scorer is measured, per language: shipped held-out numbers plus people's labels.

A scorer's measurements come from two places. Puhui ships held-out numbers for the languages it
has independent labels for (the refusal detector's ``refusal_measured.json``, written by
``bench/refusal_eval.py``). People add more: ``puhui eval calibrate TASK --scorer refusal``
compares a rating task's final labels with the scorer's verdicts and writes the result, per
language, into this Puhui home's card for the scorer (``$PUHUI_HOME/cards/<scorer>.json``). A
later calibration of a language replaces the earlier one; the card keeps who measured what,
when, on how many labels and how far the raters agreed (Krippendorff's alpha).

:func:`measurements` merges both (people's labels first) and is what a run freezes into its plan
when it starts, so ``eval show``, the assessment report and the hub say for each language either
"measured on N labels, α = …" or "not measured". A language is never reported as measured
without labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from puhui.artifacts import atomic_write_json
from puhui.config import Settings, state_dir
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.lang import matches

__all__ = ["card_path", "describe", "measurements", "read_card", "write_measurements"]

#: Scorers whose measurements Puhui keeps (judges are ``judge:<model name>``).
CARD_VERSION = 1


def card_path(settings: Settings, scorer: str) -> Path:
    """The card file of ``scorer`` in this Puhui home."""
    safe = scorer.replace(":", "--")
    if not safe or not all(c.isalnum() or c in "-_." for c in safe):
        raise PuhuiError(_("{s!r} is not a scorer name").format(s=scorer), _("e.g. refusal"))
    return state_dir(settings, "cards") / f"{safe}.json"


def read_card(settings: Settings, scorer: str) -> dict[str, Any]:
    """People's measurements of ``scorer`` (``{"scorer", "languages": {lang: {...}}}``)."""
    path = card_path(settings, scorer)
    if not path.is_file():
        return {"scorer": scorer, "version": CARD_VERSION, "languages": {}}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(doc.get("languages"), dict):
            raise ValueError("no languages")
    except ValueError as e:
        raise PuhuiError(
            _("{p}: not a scorer card ({why})").format(p=path, why=e),
            _("remove it and run `puhui eval calibrate` again"),
        ) from None
    return dict(doc)


def write_measurements(
    settings: Settings, scorer: str, languages: Mapping[str, Mapping[str, Any]]
) -> Path:
    """Put ``languages`` (lang -> measurement) into the card of ``scorer``, replacing those
    languages' earlier measurements; atomic. Returns the card's path."""
    card = read_card(settings, scorer)
    card["version"] = CARD_VERSION
    card["languages"].update({lang: dict(m) for lang, m in languages.items()})
    card["languages"] = dict(sorted(card["languages"].items()))
    path = card_path(settings, scorer)
    atomic_write_json(path, card)
    return path


def _shipped(numbers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The numbers a detector ships (its ``measured()``) in the shape of a card's entries:
    ``source`` "held-out" for languages (or data sets) it never saw in training, "estimate"
    for cross-validated estimates in languages it was trained on."""
    out: dict[str, dict[str, Any]] = {}
    for lang, m in numbers.items():
        method = str(m.get("method", "held-out"))
        out[lang] = {
            "source": "estimate" if "estimate" in method else "held-out",
            "n": int(m.get("n", 0)),
            "precision": m.get("precision"),
            "recall": m.get("recall"),
            "alpha": None,
            "dataset": m.get("dataset"),
            "method": method,
        }
    return out


def measurements(
    settings: Settings,
    scorer: str,
    languages: Iterable[str],
    *,
    detector: str | None = None,
    shipped: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any] | None]:
    """For each of ``languages``: how ``scorer`` was measured there, or None (not measured).

    People's labels (this home's card) come first, then ``shipped`` (the numbers the scorer
    ships for its configuration, e.g. ``RefusalDetector(...).measured()``). With ``detector``
    (the scorer's identity), only the card's measurements of that very detector count: a
    calibration of the rules plus the classifier says nothing about the rules alone. A language
    matches a measurement of the same language or of a more general tag (``sw`` for ``sw-KE``).
    """
    card = {
        lang: m
        for lang, m in read_card(settings, scorer)["languages"].items()
        if detector is None or m.get("detector") in (None, detector)
    }
    sources = [card, _shipped(shipped or {})]
    out: dict[str, dict[str, Any] | None] = {}
    for lang in languages:
        found = None
        for source in sources:
            found = source.get(lang) or next(
                (m for tag, m in source.items() if matches(tag, lang)), None
            )
            if found:
                break
        out[lang] = dict(found) if found else None
    return out


def describe(m: Mapping[str, Any] | None) -> str:
    """One short phrase for a measurement: "measured on 240 labels, α = 0.81" or
    "not measured"."""
    if not m:
        return _("not measured")
    alpha = m.get("alpha")
    if m.get("source") == "held-out":
        return _("measured on {n} held-out labels").format(n=m.get("n", 0))
    if m.get("source") == "estimate":
        return _("estimated on {n} labels (cross-validation)").format(n=m.get("n", 0))
    if alpha is None:
        return _("measured on {n} labels").format(n=m.get("n", 0))
    return _("measured on {n} labels, α = {a:.2f}").format(n=m.get("n", 0), a=alpha)
