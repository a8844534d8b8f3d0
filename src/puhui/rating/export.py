"""A rating task's final labels as a labelled set: an artifact others can publish and reuse.

``puhui rate export TASK --out DIR --license CC-BY-4.0`` writes, for the real items with a final
label (majority of at least two raters; gold items and ties left out):

* ``labels.jsonl`` — one answer per line: ``id``, ``lang``, ``prompt``, ``response``, the final
  label of each question, the votes per value and the number of raters (never who they were);
* ``croissant.json`` — Croissant 1.0 metadata with one record set over ``labels.jsonl``;
* ``LICENSE`` — the licence the owner chose for the labels, and what it does not cover (the
  prompts keep their suite's licence and the answers the model's terms);
* ``README.md`` — what the set is, agreement per language, how it was made;
* ``manifest.json`` of kind ``labels`` (``puhui hub publish DIR`` puts it on a hub).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from puhui._version import __version__
from puhui.artifacts import (
    Manifest,
    atomic_write_json,
    atomic_write_text,
    sha256_file,
    write_manifest,
)
from puhui.config import Settings
from puhui.corpus.croissant import CROISSANT_1_0, CROISSANT_CONTEXT
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.rating.stats import task_stats
from puhui.rating.task import current_labels, load_task, read_labels
from puhui.rating.types import QUESTIONS

__all__ = ["LICENSES", "export_labels"]

#: Licences a labelled set can be given here (SPDX id -> deed). Others: publish by hand.
LICENSES = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}


def _rows(task: Any, labels: Any) -> list[dict[str, Any]]:
    votes: dict[str, dict[str, dict[str, str]]] = {}
    for (item_id, rater, question), lab in current_labels(labels).items():
        votes.setdefault(item_id, {}).setdefault(question, {})[rater] = lab.value
    from puhui.rating.agreement import majority

    rows: list[dict[str, Any]] = []
    for item in task.items:
        if item.is_gold or item.id not in votes:
            continue
        given = votes[item.id]
        row: dict[str, Any] = {
            "id": item.id,
            "lang": item.lang,
            "prompt": item.prompt,
            "response": item.response,
        }
        final_any = False
        counts: dict[str, dict[str, int]] = {}
        for q in task.questions:
            if QUESTIONS[q].kind == "text":
                continue
            values = list(given.get(q, {}).values())
            counts[q] = {v: values.count(v) for v in sorted(set(values))}
            label = majority(values) if len(values) >= 2 else None
            row[q] = label
            final_any = final_any or label is not None
        if not final_any:
            continue
        row["votes"] = counts
        row["raters"] = len({r for q in given.values() for r in q})
        rows.append(row)
    return rows


def export_labels(
    settings: Settings,
    task_id: str,
    out: Path,
    *,
    license_id: str,
    name: str | None = None,
) -> Manifest:
    """Write task ``task_id``'s final labels into the new folder ``out`` (see the module)."""
    if license_id not in LICENSES:
        raise PuhuiError(
            _("`license_id` {l!r} is not one Puhui writes").format(l=license_id),
            _("choose one of: {ls}").format(ls=", ".join(LICENSES)),
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PuhuiError(
            _("`out` {p} exists and is not an empty folder").format(p=out), _("give a new folder")
        )
    task = load_task(settings, task_id)
    labels = read_labels(settings, task)
    rows = _rows(task, labels)
    if not rows:
        raise PuhuiError(
            _("task {t} has no final labels yet").format(t=task.id),
            _("an answer needs labels from at least two raters who agree"),
        )
    stats = task_stats(task, labels)
    name = name or f"puhui-labels-{task.id}"
    out.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    atomic_write_text(out / "labels.jsonl", text)
    langs = sorted({r["lang"] for r in rows})
    scored = [q for q in task.questions if QUESTIONS[q].kind != "text"]
    fields = [
        ("id", "sc:Text", _("The answer's id in the rating task.")),
        ("lang", "sc:Text", _("The answer's language (BCP-47).")),
        ("prompt", "sc:Text", _("What the model was asked.")),
        ("response", "sc:Text", _("What the model answered.")),
        *[
            (
                q,
                "sc:Text",
                _("Final label ({vs}), majority of raters; null on a tie.").format(
                    vs=", ".join(QUESTIONS[q].values)
                ),
            )
            for q in scored
        ],
        ("raters", "sc:Integer", _("How many people labelled the answer.")),
    ]
    croissant = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_1_0,
        "name": name,
        "description": _(
            "Model answers labelled by people ({qs}) in {langs}, final labels by majority of "
            "{k} raters per answer, made with Puhui {v}."
        ).format(qs=", ".join(scored), langs=", ".join(langs), k=task.overlap, v=__version__),
        "license": LICENSES[license_id],
        "url": "",
        "version": "1.0.0",
        "inLanguage": langs,
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": "labels.jsonl",
                "name": "labels.jsonl",
                "contentUrl": "labels.jsonl",
                "encodingFormat": "application/jsonlines",
                "sha256": sha256_file(out / "labels.jsonl"),
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "labels",
                "name": "labels",
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"labels/{f}",
                        "name": f,
                        "description": desc,
                        "dataType": dtype,
                        "source": {"fileObject": {"@id": "labels.jsonl"}, "extract": {"column": f}},
                    }
                    for f, dtype, desc in fields
                ],
            }
        ],
    }
    atomic_write_json(out / "croissant.json", croissant)
    atomic_write_text(
        out / "LICENSE",
        _(
            "The labels in this folder (the final labels, votes and rater counts in "
            "labels.jsonl) are licensed under {lic}: {url}\n\n"
            "Not covered by this licence: the prompts keep the licence of the suite they come "
            "from ({suite}); the responses were written by a model ({model}) and are under its "
            "provider's terms. Check both before you redistribute the text.\n"
        ).format(
            lic=license_id,
            url=LICENSES[license_id],
            suite=task.run.get("suite") or "?",
            model=task.run.get("model") or "?",
        ),
    )
    lines = [
        f"# {name}",
        "",
        _("{n} model answers labelled by people, from rating task {t} ({title}).").format(
            n=len(rows), t=task.id, title=task.title
        ),
        "",
        "| " + _("language") + " | " + _("answers") + " | alpha | 95% CI |",
        "| --- | --- | --- | --- |",
    ]
    for lang in langs:
        s = stats["languages"].get(lang, {})
        lo, hi = s.get("ci_low"), s.get("ci_high")
        ci = "–" if lo is None else f"{lo:.2f}–{hi:.2f}"
        alpha = "–" if s.get("alpha") is None else f"{s['alpha']:.2f}"
        count = sum(1 for r in rows if r["lang"] == lang)
        lines.append(f"| {lang} | {count} | {alpha} | {ci} |")
    lines += [
        "",
        _(
            "Final label: the majority of the raters; answers where raters tied, planted gold "
            "items and answers with one label are left out. Rater identities are not included."
        ),
        "",
        _("Licence: {lic} (see LICENSE).").format(lic=license_id),
        "",
    ]
    atomic_write_text(out / "README.md", "\n".join(lines))
    return write_manifest(
        out,
        "labels",
        parameters={
            "name": name,
            "task": task.id,
            "items": len(rows),
            "languages": langs,
            "questions": scored,
            "license": license_id,
            "suite": task.run.get("suite"),
            "model": task.run.get("model"),
        },
        inputs=[{"name": "run", **{k: v for k, v in task.run.items() if k in ("sha256",)}}],
        command="puhui rate export",
    )
