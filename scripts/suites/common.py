"""Shared helpers of the suite builders: paths, the fixed seed, seeded sampling, readers of the
source formats, provenance and licence texts, and the language tag of a data set's code.
"""

from __future__ import annotations

import csv
import json
import random
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import langcodes

from puhui.lang import normalize_tag

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "puhui" / "content" / "suites"
SEED = "puhui-suites-v1"  # one fixed seed; each suite derives its own stream from it

csv.field_size_limit(1 << 24)

#: Codes whose tag is worth a note in SOURCE.md although it is the language's plain code.
NOTED_TAGS = frozenset({"kor_Hang", "twi_Latn"})


def bcp47(code: str) -> str:
    """The BCP-47 tag of a data set's language code (``yor_Latn`` -> ``yo``, ``zho_Hans`` ->
    ``zh-Hans``), by :func:`puhui.lang.normalize_tag`.

    Each data set names a language in one script only, so a script with no recorded default for
    the language is dropped too (``acm_Arab`` -> ``acm``).
    """
    out = normalize_tag(code, sole_script=True)
    if not langcodes.tag_is_valid(out):
        raise ValueError(f"{code!r} gave an invalid tag {out!r}")
    return out


def rng(*parts: object) -> random.Random:
    return random.Random("-".join([SEED, *map(str, parts)]))


def sample(items: Iterable[Any], k: int, *parts: object) -> list[Any]:
    """``k`` items (all if fewer) chosen with a seed derived from ``parts``, in input order."""
    pool = list(items)
    if len(pool) <= k:
        return pool
    picked = set(rng(*parts).sample(range(len(pool)), k))
    return [x for i, x in enumerate(pool) if i in picked]


def stratified(
    items: Iterable[Any], key: Callable[[Any], str], k: int, *parts: object
) -> list[Any]:
    """``k`` items spread as evenly as possible over the strata given by ``key``.

    Each stratum is shuffled with a seed; items are then taken round-robin over the sorted
    strata, so strata differ in size by at most one (unless a stratum runs out).
    """
    strata: dict[str, list[Any]] = defaultdict(list)
    for x in items:
        strata[key(x)].append(x)
    queues = {}
    for name in sorted(strata):
        pool = list(strata[name])
        rng(*parts, name).shuffle(pool)
        queues[name] = pool
    out: list[Any] = []
    while len(out) < k and any(queues.values()):
        for name in sorted(queues):
            if queues[name] and len(out) < k:
                out.append(queues[name].pop(0))
    return out


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


_XL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_xlsx_column(path: Path) -> list[str]:
    """First-column cells of the first sheet of an .xlsx file (stdlib only)."""
    with zipfile.ZipFile(path) as z:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{_XL}t"))
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{_XL}si")
        ]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    out = []
    for row in sheet.iter(f"{_XL}row"):
        cell = row.find(f"{_XL}c")
        if cell is None:
            out.append("")
            continue
        value = cell.find(f"{_XL}v")
        if cell.get("t") == "s" and value is not None:
            out.append(shared[int(value.text or 0)])
        elif cell.get("t") == "inlineStr":
            out.append("".join(t.text or "" for t in cell.iter(f"{_XL}t")))
        else:
            out.append(value.text or "" if value is not None else "")
    return out


def provenance(shared: Path, folder: str, repo_hint: str = "") -> tuple[str, str]:
    """(owner/repo, commit) as recorded in the shared SOURCE.md of ``folder``."""
    text = (shared / folder / "SOURCE.md").read_text(encoding="utf-8")
    found = re.findall(r"^### (\S+) @ ([0-9a-f]{7,40})", text, flags=re.M)
    for repo, commit in found:
        if repo_hint in repo:
            return repo, commit
    raise ValueError(f"{folder}/SOURCE.md: no provenance line for {repo_hint!r}")


def cc_by_sa_text(shared: Path) -> str:
    """The CC BY-SA 4.0 legal code, from the copy shipped with Belebele.

    That file continues with unrelated licences (LGPL, GPL); only the CC BY-SA part is kept.
    """
    text = (shared / "belebele_african" / "LICENSE-Belebele-CC-BY-SA4.0").read_text(
        encoding="utf-8"
    )
    end = "Creative Commons may be contacted at creativecommons.org."
    return text[: text.index(end) + len(end)] + "\n"
