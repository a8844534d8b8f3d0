"""Builder of the bundled xcopa suite (``build_xcopa``). XCOPA causal commonsense reasoning in
eleven languages.
"""

from __future__ import annotations

from pathlib import Path

from suites.common import SEED, bcp47, provenance, read_jsonl, sample
from suites.output import LETTERS_NOTE, Suite, Task, source_md

XCOPA_PER_LANG = 50


def build_xcopa(shared: Path) -> Suite:
    base = shared / "xcopa" / "data"
    langs = sorted(p.name for p in base.iterdir() if p.is_dir())
    ref = read_jsonl(base / langs[0] / f"test.{langs[0]}.jsonl")
    chosen = {r["idx"] for r in sample(ref, XCOPA_PER_LANG, "xcopa")}
    samples = []
    for code in langs:
        for r in read_jsonl(base / code / f"test.{code}.jsonl"):
            if r["idx"] not in chosen:
                continue
            options = [r["choice1"], r["choice2"]]
            samples.append(
                {
                    "id": f"xcopa-{code}-{int(r['idx']):03d}",
                    "lang": bcp47(code),
                    "input": {"premise": r["premise"], "question": r["question"]},
                    "target": options[int(r["label"])],
                    "choices": options,
                    "meta": {"lang_code": code, "source_id": r["idx"], "label": r["label"]},
                }
            )
    repo, commit = provenance(shared, "xcopa")
    task = Task(
        name="causal",
        file="data/xcopa.jsonl",
        samples=samples,
        template={
            "instruction_language": "en",
            "user": (
                "Premise: {premise}\n\nWhich option is the more plausible {question} of the "
                "premise?\n\n{choices_lettered}\n\nReply with the letter (A or B) only.\n"
                "Answer:"
            ),
        },
        scorer="choice",
        metrics=["accuracy"],
        generation={"max_tokens": 8, "temperature": 0},
    )
    return Suite(
        name="xcopa",
        title="XCOPA causal commonsense reasoning",
        description=(
            "Choose the more plausible cause or effect of a premise (2 options) in 11 "
            "languages, including Quechua, Haitian Creole, Swahili and Tamil."
        ),
        license="CC-BY-4.0",
        tasks=[task],
        license_text=(shared / "xcopa" / "LICENSE.md").read_text(encoding="utf-8"),
        source_md=source_md(
            "XCOPA — bundled subset",
            repo,
            commit,
            "`data/<lang>/test.<lang>.jsonl` for the 11 languages",
            "CC BY 4.0 (file LICENSE.md, copied as LICENSE).",
            f"Test split only. {XCOPA_PER_LANG} items per language × {len(langs)} languages "
            f"= {len(samples)} samples; the same item ids (parallel translations of COPA) in "
            "every language.",
            f"{XCOPA_PER_LANG} `idx` values drawn at random from the 500 test items with the "
            f"fixed seed `{SEED}`; the same ids used in every language.",
            "- `input`: `{premise, question}` where question is `cause` or `effect`; "
            "`choices`: [choice1, choice2]; `target`: the choice at `label`.\n"
            "- `lang`: the XCOPA ISO 639-1 code (qu stays qu); id: `xcopa-<lang>-<idx>`.\n"
            f"- {LETTERS_NOTE}",
        ),
    )
