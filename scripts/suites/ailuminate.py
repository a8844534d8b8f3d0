"""Builder of the bundled ailuminate suite (``build_ailuminate``). AILuminate demo prompts by
hazard (English and French).
"""

from __future__ import annotations

from pathlib import Path

from suites.common import SEED, bcp47, provenance, read_csv, stratified
from suites.output import Suite, Task, source_md

AILUMINATE_PER_HAZARD = 9
AILUMINATE_HAZARDS = {
    "vcr": "Violent Crimes",
    "src": "Sex-Related Crimes",
    "cse": "Child Sexual Exploitation",
    "ssh": "Suicide & Self-Harm",
    "iwp": "Indiscriminate Weapons (CBRNE)",
    "ipv": "Intellectual Property Violations",
    "dfm": "Defamation",
    "ncr": "Non-Violent Crimes",
    "hte": "Hate",
    "prv": "Privacy Violations",
    "sxc_prn": "Sexual Content; pornographic",
}


def build_ailuminate(shared: Path) -> Suite:
    base = shared / "ailuminate_demo"
    files = sorted(base.glob("airr_official_1.0_demo_*_prompt_set_release.csv"))
    samples = []
    for path in files:
        rows = [r for r in read_csv(path) if r["hazard"] in AILUMINATE_HAZARDS]
        locale = rows[0]["locale"]
        picked = stratified(
            rows,
            lambda r: r["hazard"],
            AILUMINATE_PER_HAZARD * len(AILUMINATE_HAZARDS),
            "ailuminate",
            locale,
        )
        for r in picked:
            samples.append(
                {
                    "id": f"ailuminate-{locale}-{r['release_prompt_id']}",
                    "lang": bcp47(locale),
                    "input": r["prompt_text"].strip(),
                    "target": "refuse",
                    "groups": {"hazard": r["hazard"], "persona": r["persona"]},
                    "meta": {
                        "lang_code": locale,
                        "hazard_name": AILUMINATE_HAZARDS[r["hazard"]],
                        "prompt_hash": r["prompt_hash"],
                    },
                }
            )
    repo, commit = provenance(shared, "ailuminate_demo")
    task = Task(
        name="hazards",
        file="data/ailuminate.jsonl",
        samples=samples,
        template={"instruction_language": "sample", "user": "{input}"},
        scorer="refusal",
        metrics=["refusal_rate"],
        generation={"max_tokens": 256, "temperature": 0},
    )
    hazards = ", ".join(f"{k} ({v})" for k, v in AILUMINATE_HAZARDS.items())
    return Suite(
        name="ailuminate",
        title="MLCommons AILuminate v1.0 demo prompts (en, fr)",
        description=(
            "Hazard prompts from the MLCommons AILuminate demo set in US English and French, "
            "11 hazard categories, skilled and unskilled personas; a safe model declines. "
            "Content warning: harmful text."
        ),
        license="CC-BY-4.0",
        extra={"content_warning": "harmful and offensive prompts, by design"},
        tasks=[task],
        license_text=(
            "AILuminate v1.0 DEMO prompt set, subset bundled with Puhui.\n\n"
            "Data licence (from the upstream README, section License): MLCommons licenses "
            "this data under a Creative Commons Attribution 4.0 International License "
            "(https://creativecommons.org/licenses/by/4.0/legalcode). The repository's "
            "LICENSE.md (Apache-2.0, covering the repository) is reproduced below.\n\n"
            "=====================================================================\n\n"
            + (base / "LICENSE.md").read_text(encoding="utf-8")
        ),
        source_md=source_md(
            "MLCommons AILuminate v1.0 DEMO prompt set — bundled subset",
            repo,
            commit,
            "`airr_official_1.0_demo_en_us_prompt_set_release.csv`, "
            "`airr_official_1.0_demo_fr_fr_prompt_set_release.csv`",
            "data CC BY 4.0 (upstream README, section License); repository LICENSE.md "
            "Apache-2.0 (copied into LICENSE with the data-licence statement).",
            f"{AILUMINATE_PER_HAZARD} prompts per hazard × {len(AILUMINATE_HAZARDS)} hazards "
            f"× 2 locales = {len(samples)} samples: {hazards}.\n\n"
            "Left out: the specialized-advice categories (spc_ele, spc_fin, spc_hlt, "
            "spc_lgl; 100 prompts per locale). For them the expected behaviour is a "
            "qualified, safe answer rather than a refusal, so a refuse/comply target does "
            "not fit; they need a judge.",
            "Per locale, stratified by hazard: each hazard's prompts shuffled with the fixed "
            f"seed `{SEED}` and the first {AILUMINATE_PER_HAZARD} kept. The en and fr files "
            "are not parallel, so each is sampled on its own.",
            "- `input`: prompt_text, sent as is (template `{input}`, "
            "`instruction_language: sample`); `target`: `refuse`.\n"
            "- `groups`: `hazard` (code) and `persona` (skilled/unskilled); "
            "`meta`: locale, hazard name, prompt_hash.\n"
            "- `lang`: the locale as BCP-47 (en_US → en-US, fr_FR → fr-FR).\n"
            "- id: `ailuminate-<locale>-<release_prompt_id>`.",
            "No threshold: AILuminate grades whether a response is hazardous, not whether "
            "it refuses, and some prompts can be answered safely; the refusal rate is a "
            "proxy. Use per-hazard and per-language differences.",
        ),
    )
