"""Builder of the bundled belebele suite (``build_belebele``). Belebele reading comprehension
(African languages and English).
"""

from __future__ import annotations

from pathlib import Path

from suites.common import SEED, bcp47, cc_by_sa_text, provenance, read_jsonl, sample
from suites.output import LETTERS_NOTE, Suite, Task, source_md

BELEBELE_PER_LANG = 40


def build_belebele(shared: Path) -> Suite:
    base = shared / "belebele_african" / "belebele"
    files = sorted(base.glob("belebele*.jsonl"))
    eng = read_jsonl(base / "belebele.jsonl")
    keys = [(r["link"], int(r["question_number"])) for r in eng]
    index = {k: i for i, k in enumerate(keys)}
    data = {path: read_jsonl(path) for path in files}
    # Questions whose four options are not all different in some language (translation
    # slips, e.g. ['4', '2', '5', '2']) cannot be scored by option text: skip them everywhere.
    repeated = {
        (r["link"], int(r["question_number"]))
        for rows in data.values()
        for r in rows
        if len({r[f"mc_answer{i}"].strip() for i in range(1, 5)}) < 4
    }
    usable = [k for k in keys if k not in repeated]
    chosen = set(sample(usable, BELEBELE_PER_LANG, "belebele"))
    samples = []
    for path in files:
        for r in data[path]:
            k = (r["link"], int(r["question_number"]))
            if k not in chosen:
                continue
            code = r["dialect"]
            options = [r[f"mc_answer{i}"].strip() for i in range(1, 5)]
            samples.append(
                {
                    "id": f"belebele-{code}-{index[k]:03d}",
                    "lang": bcp47(code),
                    "input": {"passage": r["flores_passage"].strip(), "question": r["question"]},
                    "target": options[int(r["correct_answer_num"]) - 1],
                    "choices": options,
                    "meta": {
                        "lang_code": code,
                        "correct_answer_num": int(r["correct_answer_num"]),
                        "link": r["link"],
                        "question_number": int(r["question_number"]),
                    },
                }
            )
    repo, commit = provenance(shared, "belebele_african")
    langs = sorted({s["lang"] for s in samples})
    task = Task(
        name="reading",
        file="data/belebele.jsonl",
        samples=samples,
        template={
            "instruction_language": "en",
            "system": "You are a careful reader.",
            "user": (
                "Read the passage and answer the question. Reply with the letter (A, B, C or "
                "D) of the correct answer only.\n\nPassage: {passage}\n\nQuestion: {question}"
                "\n\n{choices_lettered}\n\nAnswer:"
            ),
        },
        scorer="choice",
        metrics=["accuracy"],
        generation={"max_tokens": 8, "temperature": 0},
    )
    return Suite(
        name="belebele",
        title="Belebele reading comprehension (11 African languages + English)",
        description=(
            "Four-option multiple-choice reading comprehension on the same FLORES passages in "
            "11 African languages, with English as the reference: compares understanding "
            "across languages."
        ),
        license="CC-BY-SA-4.0",
        tasks=[task],
        license_text=(
            "Belebele subset bundled with Puhui.\n\n"
            "The Belebele data is licensed under the Creative Commons Attribution-ShareAlike "
            "4.0 International licence (CC BY-SA 4.0), reproduced below (copied from "
            "LICENSE-Belebele-CC-BY-SA4.0 in the source repository). The source repository "
            "also ships LICENSE-Belebele-CC-BY-NC4.0, which covers other parts of the "
            "upstream Belebele release, not this data.\n\n"
            "=====================================================================\n\n"
            + cc_by_sa_text(shared)
        ),
        source_md=source_md(
            "Belebele (African languages) — bundled subset",
            repo,
            commit,
            "`data/evaluation_benchmarks_afr_release/belebele/belebele*.jsonl` "
            "(12 files: English + 11 African languages)",
            "Belebele data CC BY-SA 4.0 (file LICENSE-Belebele-CC-BY-SA4.0; the repository "
            "also holds a CC BY-NC 4.0 file for other parts of the upstream release; "
            "repository code MIT). The subset stays under CC BY-SA 4.0.",
            f"{BELEBELE_PER_LANG} questions per language for {len(langs)} languages "
            f"({', '.join(langs)}) = {len(samples)} samples. English is kept as the "
            "reference language for parity comparisons. The same questions (parallel "
            "translations) in every language.",
            f"{BELEBELE_PER_LANG} (link, question_number) keys drawn at random with the "
            f"fixed seed `{SEED}` from the {len(usable)} of {len(keys)} questions whose four "
            "options differ in every language (the other "
            f"{len(repeated)} repeat an option in at least one translation, so the answer "
            "text is ambiguous); the same keys read from every language file.",
            "- `input`: `{passage, question}` (flores_passage, question); `choices`: "
            "mc_answer1–4 in order; `target`: the option at correct_answer_num.\n"
            "- `lang`: BCP-47 from the `dialect` FLORES code (kept in `meta.lang_code`).\n"
            "- id: `belebele-<FLORES code>-<position of the question in the English file>`.\n"
            f"- {LETTERS_NOTE}",
        ),
    )
