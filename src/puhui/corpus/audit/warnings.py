"""The audit's warnings: what a data steward should look at, most serious first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from puhui.i18n import _

FEW_DOCUMENTS = 20  # warn for languages with fewer kept documents
DOMINANT_SHARE = 0.9  # warn when one language holds more than this share of documents
UND_SHARE = 0.10  # warn when more than this share of documents has no identified language
FILTERED_SHARE = 0.5  # warn when filters removed more than this share of a language
FILTERED_MIN_DOCS = 10  # ... and the language had at least this many documents
LOW_CONFIDENCE = 0.5  # warn when a language's mean language-ID confidence is below this
HIGH_DEDUP = 0.3  # note a dedup rate above this


def _fmt_share(x: float) -> str:
    return f"{x * 100:.0f}%"


def audit_warnings(audit: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Things a data steward should look at, most serious first."""
    out: list[dict[str, Any]] = []
    totals = audit["totals"]
    langs: Mapping[str, Any] = audit["languages"]
    docs = int(totals["documents"])

    def warn(code: str, severity: str, message: str, languages: Sequence[str] = ()) -> None:
        item: dict[str, Any] = {"code": code, "severity": severity, "message": message}
        if languages:
            item["languages"] = list(languages)
        out.append(item)

    if docs == 0:
        warn(
            "empty",
            "error",
            _("the corpus has no documents: every input was removed or unreadable"),
        )
    real = {t: v for t, v in langs.items() if t != "und" and v["documents"] > 0}
    if real and docs:
        top, top_v = max(real.items(), key=lambda kv: kv[1]["documents"])
        share = top_v["documents"] / docs
        if len(real) >= 2 and share > DOMINANT_SHARE:
            warn(
                "dominant_language",
                "warning",
                _(
                    "{share} of the documents are in one language ({lang}); the others are "
                    "thinly represented"
                ).format(share=_fmt_share(share), lang=top),
                [top],
            )
    few = [t for t, v in real.items() if v["documents"] < FEW_DOCUMENTS]
    if few:
        warn(
            "few_documents",
            "warning",
            _(
                "languages with fewer than {min} documents ({n}): too few to train or evaluate "
                "on, and their statistics are unreliable"
            ).format(n=len(few), min=FEW_DOCUMENTS),
            few,
        )
    und = langs.get("und", {}).get("documents", 0)
    steps = audit["build"]["steps"]
    if docs and und and steps is not None and "langid" not in steps:
        warn(
            "langid_not_run",
            "warning",
            _(
                "language identification did not run, so documents are labelled und; the "
                "per-language statistics and the representation check are not meaningful"
            ),
            ["und"],
        )
    elif docs and und / docs > UND_SHARE:
        warn(
            "high_und",
            "warning",
            _(
                "{share} of the documents have no identified language (und); check the "
                "language-ID threshold or add a model for these languages"
            ).format(share=_fmt_share(und / docs)),
            ["und"],
        )
    erased = []
    for tag, v in langs.items():
        filtered = v["removed"] - v["dedup_removed"]
        seen = v["documents"] + filtered
        rate = v["filtered_rate"]
        if seen >= FILTERED_MIN_DOCS and rate is not None and rate > FILTERED_SHARE:
            erased.append(tag)
    if erased:
        warn(
            "high_removal",
            "warning",
            _(
                "filters removed more than half of the documents of these languages ({n}); "
                "check that the quality thresholds suit them"
            ).format(n=len(erased)),
            erased,
        )
    unsure = [
        t
        for t, v in real.items()
        if v["documents"] >= FEW_DOCUMENTS
        and v["mean_lang_confidence"] is not None
        and v["mean_lang_confidence"] < LOW_CONFIDENCE
    ]
    if unsure:
        warn(
            "low_lang_confidence",
            "warning",
            _(
                "language ID was unsure (mean confidence below {c}) for these languages "
                "({n}); check their samples by hand"
            ).format(c=LOW_CONFIDENCE, n=len(unsure)),
            unsure,
        )
    quarantined = int(audit["quarantine"]["count"])
    if quarantined:
        warn(
            "quarantine",
            "warning",
            _("inputs that could not be read: {n}; they are listed in quarantine/").format(
                n=quarantined
            ),
        )
    skipped = int(audit["skipped_inputs"]["count"])
    if skipped:
        warn(
            "skipped_inputs",
            "warning",
            _(
                "paths under the inputs that were not read: {n} (links that leave the input "
                "folder, broken links, folder links, pipes or devices); see Skipped inputs"
            ).format(n=skipped),
        )
    pii = audit["pii"]
    if pii["step_ran"] is False:
        warn(
            "pii_not_checked",
            "warning",
            _("the PII step did not run: personal data was not looked for"),
        )
    elif pii["total"] and pii["mode"] == "tag":
        warn(
            "pii_in_text",
            "warning",
            _("{n} PII items were found and left in the text (pii.mode = tag)").format(
                n=pii["total"]
            ),
        )
    elif pii["total"] and pii["mode"]:
        warn(
            "pii_found",
            "info",
            _("PII items found: {n}, in {d} documents; handled with pii.mode = {m}").format(
                n=pii["total"], d=pii["documents_with_pii"], m=pii["mode"]
            ),
        )
    elif pii["total"]:
        warn(
            "pii_found",
            "info",
            _(
                "PII items found: {n}, in {d} documents (the build configuration, which says "
                "how they were handled, was not found)"
            ).format(n=pii["total"], d=pii["documents_with_pii"]),
        )
    if totals["dedup_rate"] is not None and totals["dedup_rate"] > HIGH_DEDUP:
        warn(
            "high_dedup",
            "info",
            _("{share} of the documents were duplicates; the sources repeat a lot").format(
                share=_fmt_share(totals["dedup_rate"])
            ),
        )
    rep = audit["representation"]
    missing = [t for t in rep["uncovered_languages"] if t != "und"]
    if missing:
        warn(
            "representation_uncovered",
            "info",
            _(
                "the representation check has no lexicon for these languages ({n}), so it "
                "was not measured for them"
            ).format(n=len(missing)),
            missing,
        )
    if any(audit["unreadable_lines"].values()):
        warn(
            "unreadable_lines",
            "warning",
            _(
                "lines of the corpus files that could not be read: {n}; the files may be damaged"
            ).format(n=sum(audit["unreadable_lines"].values())),
        )
    order = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda w: order.get(w["severity"], 3))
    return out
