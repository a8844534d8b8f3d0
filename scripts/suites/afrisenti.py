"""Builder of the bundled afrisenti suite (``build_afrisenti``). AfriSenti tweet sentiment in
African languages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suites.common import SEED, bcp47, provenance, read_tsv, stratified
from suites.output import Suite, Task, count_table, source_md

AFRISENTI_PER_LANG = 40
AFRISENTI_TAGS = {"por": "pt-MZ"}  # Mozambican Portuguese


def build_afrisenti(shared: Path) -> Suite:
    base = shared / "afrisenti" / "data"
    codes = sorted(p.name for p in base.iterdir() if (p / "test.tsv").is_file())
    labels = ["positive", "neutral", "negative"]
    samples = []
    for code in codes:
        seen: set[str] = set()
        rows = []
        for i, r in enumerate(read_tsv(base / code / "test.tsv")):
            text = (r.get("tweet") or "").strip()
            if r.get("label") not in labels or not text or text in seen:
                continue
            seen.add(text)
            rows.append((i, r, text))
        picked = stratified(rows, lambda x: x[1]["label"], AFRISENTI_PER_LANG, "afrisenti", code)
        for i, r, text in picked:
            meta: dict[str, Any] = {"lang_code": code, "source_row": i}
            if r.get("ID"):
                meta["source_id"] = r["ID"]
            samples.append(
                {
                    "id": f"afrisenti-{code}-{i:04d}",
                    "lang": AFRISENTI_TAGS.get(code) or bcp47(code),
                    "input": text,
                    "target": r["label"],
                    "choices": labels,
                    "meta": meta,
                }
            )
    repo, commit = provenance(shared, "afrisenti")
    task = Task(
        name="sentiment",
        file="data/afrisenti.jsonl",
        samples=samples,
        template={
            "instruction_language": "en",
            "system": "You are a careful annotator.",
            "user": (
                "What is the sentiment of this tweet? Answer with one word: positive, neutral "
                "or negative.\n\nTweet: {input}\n\nSentiment:"
            ),
        },
        scorer="choice",
        metrics=["accuracy"],
        generation={"max_tokens": 8, "temperature": 0},
    )
    tag_map = "; ".join(f"{c} → {AFRISENTI_TAGS.get(c) or bcp47(c)}" for c in codes)
    return Suite(
        name="afrisenti",
        title="AfriSenti tweet sentiment (14 African languages)",
        description=(
            "Three-way sentiment (positive/neutral/negative) of tweets in 14 African "
            "languages, including Nigerian Pidgin, Algerian and Moroccan Arabic, and "
            "Mozambican Portuguese."
        ),
        license="CC-BY-4.0",
        tasks=[task],
        license_text=(
            "AfriSenti has no LICENSE file upstream; its README states CC BY 4.0. The note "
            "below is copied from the shared data (LICENSE-NOTE.md). Full licence text: "
            "https://creativecommons.org/licenses/by/4.0/legalcode\n\n"
            + (shared / "afrisenti" / "LICENSE-NOTE.md").read_text(encoding="utf-8")
        ),
        source_md=source_md(
            "AfriSenti (SemEval-2023 Task 12) — bundled subset",
            repo,
            commit,
            "`data/<lang>/test.tsv` for the 14 languages (columns tweet, label; orm also ID)",
            "CC BY 4.0 as stated in the upstream README (no LICENSE file; the note is copied "
            "as LICENSE). The content is tweets (user mentions and links already replaced by "
            "@user and URL upstream).",
            f"Test split only. {AFRISENTI_PER_LANG} tweets per language × {len(codes)} "
            f"languages = {len(samples)} samples. Per language and label: "
            + count_table([{"lang": f"{s['meta']['lang_code']}/{s['target']}"} for s in samples])
            + ".",
            "Exact duplicate tweets within a language are dropped first (the first row "
            "kept). Each language's tweets are then sampled stratified by label — each "
            f"label shuffled with the fixed seed `{SEED}` and taken round-robin — so the "
            "three labels are (near) balanced (14/13/13). This differs from the natural, "
            "skewed label distribution: report accuracy per label or language, not as an "
            "estimate of the shared task's F1.",
            "- `input`: the tweet; `target`: its label; `choices`: positive, neutral, "
            "negative.\n"
            f"- `lang`: BCP-47 ({tag_map}); `meta.lang_code` keeps the AfriSenti code "
            "(note `twi` → tw, `kin` → rw, `orm` → om, `por` → pt-MZ).\n"
            "- id: `afrisenti-<code>-<row>` (0-based data row of test.tsv).",
        ),
    )
