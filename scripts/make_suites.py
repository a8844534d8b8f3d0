"""Build the bundled evaluation suites (src/puhui/content/suites/<suite>/) from shared data.

For each suite it writes ``suite.yaml`` (tasks, templates, scorers, metrics, default
thresholds), ``data/*.jsonl`` (samples in the format of ``src/puhui/evals/FORMAT.md``, one per
line, sorted by id), ``LICENSE`` (the dataset's licence text or note, copied from the shared
data) and ``SOURCE.md`` (origin and commit, what was kept, how it was sampled and how it was
turned into our format). Subsets are small and sampled evenly per language with fixed seeds, so
that the whole folder stays a few megabytes.

Usage: python scripts/make_suites.py [SHARED_DATA_DIR] [OUT_DIR]
    SHARED_DATA_DIR  default: ../shared/data next to the repository
    OUT_DIR          default: src/puhui/content/suites
Deterministic: the same data gives byte-identical files.

Each suite's builder is its own module, scripts/suites/<suite>.py (``build_<suite>``); shared
helpers are in scripts/suites/common.py and the writer in scripts/suites/output.py.

Content warning: the safety and bias suites contain offensive text by design.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from suites.afrisenti import build_afrisenti
from suites.ailuminate import build_ailuminate
from suites.bbq import build_bbq
from suites.belebele import build_belebele
from suites.common import DEFAULT_OUT, DEFAULT_SHARED
from suites.crows_pairs import build_crows
from suites.kobbq import build_kobbq
from suites.mgsm import build_mgsm
from suites.multijail import build_multijail
from suites.output import Suite, write_suite
from suites.sib200 import build_sib200
from suites.simplesafety import build_simplesafety
from suites.winobias import build_winobias
from suites.xcopa import build_xcopa
from suites.xsafety import build_xsafety
from suites.xstest import build_xstest

BUILDERS: dict[str, Callable[[Path], Suite]] = {
    "sib200": build_sib200,
    "belebele": build_belebele,
    "xcopa": build_xcopa,
    "mgsm": build_mgsm,
    "afrisenti": build_afrisenti,
    "multijail": build_multijail,
    "xsafety": build_xsafety,
    "ailuminate": build_ailuminate,
    "simplesafety": build_simplesafety,
    "xstest": build_xstest,
    "bbq": build_bbq,
    "kobbq": build_kobbq,
    "crows-pairs": build_crows,
    "winobias": build_winobias,
}


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    if not shared.is_dir():
        print(f"error: shared data folder {shared} not found", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, build in BUILDERS.items():
        suite = build(shared)
        info = write_suite(suite, out)
        size = sum(p.stat().st_size for p in (out / name).rglob("*") if p.is_file())
        total += size
        print(
            f"{name:14} {info['samples']:5} samples  {len(info['languages']):3} languages  "
            f"{size / 1024:7.0f} KiB  {suite.license}"
        )
    print(f"{'total':14} {total / 1024:.0f} KiB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
