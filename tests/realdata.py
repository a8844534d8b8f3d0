"""Real-data fixtures for the tests: small subsets shipped in tests/data, and the shared data.

The subsets (FLORES-200 sentences from SIB-200, UDHR article 5) are made by
scripts/make_test_data.py; tests/data/SOURCE.md says what was kept. The team's full copies
live in ../shared/data (``SHARED_DATA``), which a fresh clone does not have: tests that need
all of it are marked ``shared_data`` and deselected when it is absent (see conftest.py).
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
SHARED_DATA = TESTS.parents[1] / "shared" / "data"


def sib_test(variety: str, n: int) -> list[str]:
    """The first ``n`` FLORES-200 test sentences of a variety, from tests/data/sib200.

    Never trained on by the bundled language-ID model. Fails (it never skips) when the shipped
    subset holds fewer: raise the count in scripts/make_test_data.py and re-run it.
    """
    path = DATA / "sib200" / variety / "test.tsv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    assert len(rows) >= n, f"{path} keeps {len(rows)} sentences, the test wants {n}"
    return [r[2] for r in rows[:n]]


def sib200_suite() -> dict[str, list[tuple[int, str]]]:
    """FLORES code -> (SIB-200 id, sentence) of the 20 test sentences in the sib200 suite.

    All 205 varieties, the same 20 parallel sentence ids in each, in id order
    (src/puhui/content/suites/sib200/SOURCE.md).
    """
    path = resources.files("puhui.content") / "suites" / "sib200" / "data" / "sib200.jsonl"
    out: dict[str, list[tuple[int, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        sample = json.loads(line)
        code = sample["meta"]["lang_code"]
        out.setdefault(code, []).append((int(sample["meta"]["source_id"]), sample["input"]))
    return {code: sorted(rows) for code, rows in sorted(out.items())}


def udhr_article5() -> list[dict[str, Any]]:
    """Article 5 of each UDHR translation: ``{"file", "script", "text"}`` per translation."""
    with open(DATA / "udhr" / "article5.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
