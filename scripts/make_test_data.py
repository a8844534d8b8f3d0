"""Build the small real-data test fixtures (tests/data/sib200, tests/data/udhr) from shared data.

The tests of language ID, corpus builds and quality rules read these files, so that a fresh
clone runs them without the team's shared data folder. What is kept, and why, is written in
tests/data/SOURCE.md; tests/test_test_data.py re-runs this script when ../shared/data exists and
checks that the shipped files are what it produces.

- ``sib200/<variety>/test.tsv``: the header and the first N lines of SIB-200's
  ``data/annotated/<variety>/test.tsv``, byte for byte (FLORES-200 test sentences, never
  trained on by the bundled language-ID model).
- ``udhr/article5.jsonl``: article 5 of every UDHR translation that has one (held out from the
  language-ID model's training), one JSON line per translation.

Usage: python scripts/make_test_data.py [SHARED_DATA_DIR [OUT_DIR]]
       (defaults: ../shared/data and tests/data). Deterministic.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NS = "{http://efele.net/udhr}"

# FLORES variety -> how many test sentences to keep (the most any test reads).
SIB_KEEP = {
    # tests/corpus/test_langid.py: 10 sentences of each FLORES_CASES variety
    **dict.fromkeys(
        [
            "ibo_Latn",
            "wol_Latn",
            "tir_Ethi",
            "zho_Hant",
            "srp_Cyrl",
            "quy_Latn",
            "jpn_Jpan",
            "kor_Hang",
        ],
        10,
    ),
    # tests/corpus/test_corpus_build.py: 6 documents of 4 sentences in each of its 12 languages
    # (several are also FLORES_CASES varieties, which need only 10)
    **dict.fromkeys(
        [
            "yor_Latn",
            "swh_Latn",
            "amh_Ethi",
            "arb_Arab",
            "hin_Deva",
            "zho_Hans",
            "ind_Latn",
            "jav_Latn",
            "eng_Latn",
            "fra_Latn",
            "zul_Latn",
        ],
        24,
    ),
    # tests/corpus/test_langid.py: a document of 60 sentences (over 5,000 characters)
    "hau_Latn": 60,
}
UDHR_ARTICLE = "5"


def sib200(shared: Path, out: Path) -> None:
    for variety, keep in sorted(SIB_KEEP.items()):
        src = shared / "sib200" / "annotated" / variety / "test.tsv"
        lines = src.read_bytes().split(b"\n")
        if len(lines) < keep + 2:
            raise SystemExit(f"{src}: fewer than {keep} sentences")
        dest = out / "sib200" / variety / "test.tsv"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"\n".join(lines[: keep + 1]) + b"\n")


def udhr_article(shared: Path, out: Path) -> None:
    rows = []
    for path in sorted((shared / "udhr" / "udhr").glob("udhr_*.xml")):
        root = ET.parse(path).getroot()
        for art in root.iter(NS + "article"):
            if art.get("number") != UDHR_ARTICLE:
                continue
            paras = [" ".join("".join(p.itertext()).split()) for p in art.iter(NS + "para")]
            rows.append(
                {
                    "file": path.name,
                    "script": root.get("iso15924"),
                    "text": "\n".join(paras),
                }
            )
    dest = out / "udhr" / f"article{UDHR_ARTICLE}.jsonl"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    out = Path(argv[2]) if len(argv) > 2 else ROOT / "tests" / "data"
    sib200(shared, out)
    udhr_article(shared, out)


if __name__ == "__main__":
    main(sys.argv)
