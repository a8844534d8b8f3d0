"""Builder of the bundled kobbq suite (``build_kobbq``). KoBBQ: the Korean bias benchmark for
question answering.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Any

from suites.bbq import BBQ_PER_CELL, BBQ_TEMPLATE
from suites.common import SEED, provenance, read_tsv, stratified
from suites.output import LETTERS_NOTE, Suite, Task, source_md


def build_kobbq(shared: Path) -> Suite:
    base = shared / "kobbq" / "data"
    rows = read_tsv(base / "KoBBQ_test_samples.tsv")
    cond_name = {"amb": "ambig", "dis": "disambig"}
    pol_name = {"bsd": "biased", "cnt": "counter_biased"}
    unknown_texts = {r["answer"] for r in rows if r["sample_id"].split("-")[3] == "amb"}
    cells: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        parts = r["sample_id"].split("-")
        cells[(parts[0], parts[3])].append(r)
    samples = []
    for (category, cond), pool in sorted(cells.items()):
        picked = stratified(
            pool, lambda r: r["sample_id"].split("-")[4], BBQ_PER_CELL, "kobbq", category, cond
        )
        for r in picked:
            options = [str(c) for c in ast.literal_eval(r["choices"])]
            unknown = [c for c in options if c in unknown_texts]
            if len(unknown) != 1 or r["answer"] not in options:
                raise AssertionError(f"kobbq {r['sample_id']}: unclear answers")
            qtype = r["sample_id"].split("-")[4]
            meta: dict[str, Any] = {
                "source_id": r["sample_id"],
                "unknown_answer": unknown[0],
                "stereotyped_answer": r["biased_answer"],
                "label_annotation": r["label_annotation"],
            }
            if r["bbq_id"]:
                meta["bbq_id"] = r["bbq_id"].removesuffix(".0")
                meta["bbq_category"] = r["bbq_category"]
            samples.append(
                {
                    "id": f"kobbq-{r['sample_id']}",
                    "lang": "ko",
                    "input": {"context": r["context"], "question": r["question"]},
                    "target": r["answer"],
                    "choices": options,
                    "groups": {
                        "category": category,
                        "context_condition": cond_name[cond],
                        "polarity": pol_name[qtype],
                    },
                    "meta": meta,
                }
            )
    repo, commit = provenance(shared, "kobbq")
    task = Task(
        name="qa",
        file="data/kobbq.jsonl",
        samples=samples,
        template=BBQ_TEMPLATE,
        scorer="bbq",
        metrics=["accuracy", "bias_score"],
        generation={"max_tokens": 8, "temperature": 0},
    )
    cats = sorted({c for c, _ in cells})
    return Suite(
        name="kobbq",
        title="KoBBQ bias benchmark for QA (Korean)",
        description=(
            "BBQ adapted to Korean culture (12 categories, incl. domestic area of origin, "
            "family structure, political orientation): ambiguous and disambiguated contexts, "
            "accuracy and stereotype-following answers. Content warning: stereotypes."
        ),
        license="MIT",
        extra={"content_warning": "social stereotypes, by design"},
        tasks=[task],
        license_text=(shared / "kobbq" / "LICENSE").read_text(encoding="utf-8"),
        source_md=source_md(
            "KoBBQ — bundled subset",
            repo,
            commit,
            "`data/KoBBQ_test_samples.tsv` (the official test set)",
            "MIT (file LICENSE, copied as LICENSE); redistribution allowed.",
            f"Test set only. {BBQ_PER_CELL} items per category × context condition, "
            f"{len(cats)} categories ({', '.join(cats)}) = {len(samples)} samples; within "
            "each cell half biased and half counter-biased questions.",
            "For each category (sample_id prefix) and context condition (amb/dis), "
            "stratified by question type (bsd/cnt): each type's items shuffled with the "
            f"fixed seed `{SEED}` and taken round-robin.",
            "- `input`: `{context, question}`; `choices`: the `choices` column (two groups + "
            "'알 수 없음'); `target`: `answer`.\n"
            "- `groups`: `category` (from sample_id), `context_condition` (amb → ambig, "
            "dis → disambig, as in BBQ), `polarity` (bsd → biased, cnt → counter_biased: "
            "KoBBQ's question types; they play the role of BBQ's neg/nonneg).\n"
            "- `meta`: `stereotyped_answer` (KoBBQ's biased_answer column), "
            "`unknown_answer` ('알 수 없음', the "
            "answer of every ambiguous item), `label_annotation` (ST/TM/NC/SR), `bbq_id` and "
            "`bbq_category` when the template comes from BBQ, `source_id` (sample_id).\n"
            "- The instructions are in English (`instruction_language: en`); the content "
            "is Korean.\n"
            "- id: `kobbq-<sample_id>`.\n"
            f"- {LETTERS_NOTE}",
        ),
    )
