"""Build src/puhui/content/suites/sib200-classifier/data from shared/data/sib200 (deterministic)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from suites.common import bcp47, read_tsv  # noqa: E402

SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
OUT = ROOT / "src/puhui/content/suites/sib200-classifier"
TRAIN = ["eng_Latn"]
TEST = [
    "eng_Latn",
    "fra_Latn",
    "arb_Arab",
    "zho_Hans",
    "hin_Deva",
    "ind_Latn",
    "vie_Latn",
    "jav_Latn",
    "swh_Latn",
    "amh_Ethi",
    "hau_Latn",
    "som_Latn",
    "mya_Mymr",
    "khm_Khmr",
    "yor_Latn",
    "ibo_Latn",
    "zul_Latn",
    "twi_Latn",
    "wol_Latn",
    "quy_Latn",
]
base = SHARED / "sib200" / "annotated"


def rows(code: str, split: str) -> list[dict]:
    out = []
    for r in read_tsv(base / code / f"{split}.tsv"):
        sid = r["index_id"]
        out.append(
            {
                "id": f"sib200-{code}-{split}-{int(sid):04d}",
                "lang": bcp47(code),
                "input": r["text"].strip(),
                "target": r["category"],
            }
        )
    return sorted(out, key=lambda s: s["id"])


(OUT / "data").mkdir(parents=True, exist_ok=True)
for name, codes, split in (("train", TRAIN, "dev"), ("test", TEST, "test")):
    samples = [s for c in codes for s in rows(c, split)]
    raw = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in samples).encode()
    (OUT / "data" / f"{name}.jsonl.gz").write_bytes(gzip.compress(raw, 9, mtime=0))
    print(name, len(samples), sorted({s["lang"] for s in samples}))
