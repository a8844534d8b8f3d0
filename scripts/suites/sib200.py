"""Builder of the bundled sib200 suite (``build_sib200``). SIB-200 topic classification: the same
FLORES-200 sentences in 205 language varieties.
"""

from __future__ import annotations

from pathlib import Path

import langcodes
from suites.common import NOTED_TAGS, SEED, bcp47, cc_by_sa_text, provenance, read_tsv, stratified
from suites.output import Suite, Task, count_table, source_md

SIB_PER_LANG = 20


def build_sib200(shared: Path) -> Suite:
    base = shared / "sib200" / "annotated"
    codes = sorted(p.name for p in base.iterdir() if (p / "test.tsv").is_file())
    topics = [
        t.strip()
        for t in (base / "eng_Latn" / "labels.txt").read_text(encoding="utf-8").splitlines()
        if t.strip()
    ]
    eng = read_tsv(base / "eng_Latn" / "test.tsv")
    # The same sentence ids in every language (the data is parallel), spread over topics.
    chosen = stratified(eng, lambda r: r["category"], SIB_PER_LANG, "sib200")
    chosen_ids = {r["index_id"] for r in chosen}
    tags: dict[str, str] = {}
    samples = []
    for code in codes:
        tag = bcp47(code)
        if tag in tags.values():
            raise AssertionError(f"sib200: {code} collides on {tag}")
        tags[code] = tag
        rows = {r["index_id"]: r for r in read_tsv(base / code / "test.tsv")}
        for sid in sorted(chosen_ids, key=int):
            r = rows[sid]
            samples.append(
                {
                    "id": f"sib200-{code}-{int(sid):04d}",
                    "lang": tag,
                    "input": r["text"].strip(),
                    "target": r["category"],
                    "choices": topics,
                    "meta": {"lang_code": code, "source_id": sid},
                }
            )
    repo, commit = provenance(shared, "sib200")
    per_topic = count_table([{"lang": r["category"]} for r in chosen])
    # Cases worth reading: a script kept, a macrolanguage fold, a tag worth a note.
    mapping = "; ".join(
        f"{c} → {t}"
        for c, t in tags.items()
        if "-" in t or c in NOTED_TAGS or langcodes.standardize_tag(c.split("_")[0]) != t
    )
    task = Task(
        name="topic",
        file="data/sib200.jsonl",
        samples=samples,
        template={
            "instruction_language": "en",
            "system": "You are a careful annotator.",
            "user": (
                "Classify the topic of the text. Answer with exactly one of these topics: "
                "{choices}.\n\nText: {input}\n\nTopic:"
            ),
        },
        scorer="choice",
        metrics=["accuracy"],
        generation={"max_tokens": 16, "temperature": 0},
    )
    return Suite(
        name="sib200",
        title="SIB-200 topic classification",
        description=(
            "Seven-way topic classification of the same FLORES-200 sentences in 205 language "
            "varieties: a language-parity check (compare accuracy across languages)."
        ),
        license="CC-BY-SA-4.0",
        extra={
            "license_note": (
                "Sentences are FLORES-200 (CC BY-SA 4.0); SIB-200 labels and repository "
                "Apache-2.0. Modified data must stay CC BY-SA 4.0."
            )
        },
        tasks=[task],
        license_text=(
            "SIB-200 subset bundled with Puhui.\n\n"
            "The sentences come from FLORES-200 and are licensed under the Creative Commons "
            "Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0), reproduced "
            "first below. The SIB-200 repository (labels, code) is licensed under the Apache "
            "License 2.0, reproduced second (copied from the repository's LICENSE file).\n\n"
            "=====================================================================\n\n"
            + cc_by_sa_text(shared)
            + "\n=====================================================================\n\n"
            + (shared / "sib200" / "LICENSE").read_text(encoding="utf-8")
        ),
        source_md=source_md(
            "SIB-200 (topic classification) — bundled subset",
            repo,
            commit,
            "`data/annotated/<FLORES code>/test.tsv` (columns index_id, category, text) and "
            "`labels.txt` for every language",
            "sentences from FLORES-200, CC BY-SA 4.0; SIB-200 repository Apache-2.0. The "
            "subset is a modified CC BY-SA 4.0 work and stays under CC BY-SA 4.0.",
            f"Test split only. {SIB_PER_LANG} sentences per language for all {len(codes)} "
            f"language varieties = {len(samples)} samples. The same {SIB_PER_LANG} sentence "
            "ids (parallel translations) are used in every language, so accuracy is "
            f"comparable across languages. Topics of the chosen ids: {per_topic}.",
            f"The {SIB_PER_LANG} ids were chosen from the English test file, stratified by "
            f"topic: each topic's ids shuffled with the fixed seed `{SEED}`, then taken "
            "round-robin over the topics (so each topic has 2 or 3 sentences). The same "
            "ids are then read from every language's test file.",
            "- `input`: the sentence; `target`: its topic; `choices`: the 7 topics in "
            "`labels.txt` order.\n"
            "- `lang`: the shortest BCP-47 tag, made by `puhui.lang.normalize_tag` as "
            "everywhere in Puhui (macrolanguage members folded, e.g. arb → ar, swh → sw; the "
            "script subtag kept only when it is not the language's usual one; Chinese and "
            "Serbian always keep theirs, e.g. zh-Hans, sr-Cyrl; kor_Hang → ko since Hangul is "
            "Korean's usual script; twi_Latn → tw, Twi's own code rather than Akan's). "
            "`meta.lang_code` keeps the FLORES code, "
            "`meta.source_id` the SIB-200 index_id.\n"
            "- id: `sib200-<FLORES code>-<index_id>`.\n\n"
            "Tags that keep a script, fold a macrolanguage member or are noted above "
            f"(all others are the plain ISO 639 code of the FLORES language): {mapping}.",
        ),
    )
