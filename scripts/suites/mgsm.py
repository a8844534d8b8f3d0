"""Builder of the bundled mgsm suite (``build_mgsm``). MGSM grade-school maths word problems in
eleven languages.
"""

from __future__ import annotations

import csv
from pathlib import Path

from suites.common import SEED, bcp47, provenance, sample
from suites.output import Suite, Task, source_md

MGSM_PER_LANG = 40


def build_mgsm(shared: Path) -> Suite:
    base = shared / "mgsm"
    langs = sorted(p.stem.removeprefix("mgsm_") for p in base.glob("mgsm_*.tsv"))

    def rows(code: str) -> list[list[str]]:
        with (base / f"mgsm_{code}.tsv").open(encoding="utf-8", newline="") as f:
            return [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r]

    n = len(rows("en"))
    chosen = set(sample(range(n), MGSM_PER_LANG, "mgsm"))
    samples = []
    for code in langs:
        for i, (question, answer) in enumerate(rows(code)):
            if i not in chosen:
                continue
            value = float(answer.replace(",", ""))
            samples.append(
                {
                    "id": f"mgsm-{code}-{i:03d}",
                    "lang": bcp47(code),
                    "input": question.strip(),
                    "target": int(value) if value.is_integer() else value,
                    "meta": {"source_id": i},
                }
            )
    repo, commit = provenance(shared, "mgsm")
    task = Task(
        name="math",
        file="data/mgsm.jsonl",
        samples=samples,
        template={
            "instruction_language": "en",
            "user": (
                "Solve this math word problem. Think step by step, then give the final answer "
                'on the last line as "Answer: <number>" (digits only, no units).\n\n'
                "Problem: {input}"
            ),
        },
        scorer="numeric",
        metrics=["accuracy"],
        generation={"max_tokens": 300, "temperature": 0},
    )
    return Suite(
        name="mgsm",
        title="MGSM grade-school math",
        description=(
            "The same grade-school math word problems in 11 languages (incl. Bengali, "
            "Swahili, Telugu, Thai); the target is the numeric answer."
        ),
        license="CC-BY-4.0",
        tasks=[task],
        license_text=(base / "LICENSE").read_text(encoding="utf-8"),
        source_md=source_md(
            "MGSM — bundled subset",
            repo,
            commit,
            "`mgsm/mgsm_<lang>.tsv` for the 11 languages",
            "CC BY 4.0 (file LICENSE, copied as LICENSE).",
            f"{MGSM_PER_LANG} problems per language × {len(langs)} languages = "
            f"{len(samples)} samples; the same problems (parallel) in every language.",
            f"{MGSM_PER_LANG} row numbers drawn at random from the 250 problems with the "
            f"fixed seed `{SEED}`; the same rows used in every language.",
            "- `input`: the question; `target`: the answer column as a number (thousands "
            "separators such as `5,600` removed).\n"
            "- `lang`: the file's language code; id: `mgsm-<lang>-<row>` (row 0-based).\n"
            "- Scorer `numeric`: compare the last number in the reply (the template asks "
            'for "Answer: <number>") with the target.',
        ),
    )
