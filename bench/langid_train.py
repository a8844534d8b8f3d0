"""Train the shipped language-ID model (fastText, char n-grams) from UDHR + SIB-200 dev.

Reproducible and offline. Run it with a Python that has the *training* fastText package
(``fasttext==0.9.3``, which compiles from source) plus ``pycld2``, ``regex`` and ``langcodes``;
keep that out of the project venv, where ``fasttext-predict`` owns the same import name::

    python3 -m venv /tmp/ftvenv
    /tmp/ftvenv/bin/pip install fasttext==0.9.3 pycld2 regex langcodes numpy
    /tmp/ftvenv/bin/python bench/langid_train.py                 # -> src/puhui/content/langid/
    /tmp/ftvenv/bin/python bench/langid_train.py --validation --out /tmp/langid-val

Data (read-only) under ``--data`` (default ``../shared/data`` from the repo root):

* ``sib200/annotated/<lang>_<Script>/dev.tsv`` -- FLORES-200 dev sentences, 99 per variety.
  ``test.tsv`` is never read here: it is a test set.
* ``udhr/udhr/udhr_*.xml`` -- UDHR translations. Articles whose number is divisible by 5
  (5, 10, 15, 20, 25, 30) are held out for evaluation and never trained on.

``--validation`` also holds out UDHR articles 1, 6, 11, 16, 21, 26 and SIB-200 dev sentences
whose index_id is divisible by 5; ``bench/langid_eval.py --split validation`` scores on them.
That split is used to choose hyperparameters, the CLD2 rule and the threshold, so the test
sets are only used to report.

Output: ``model.ftz`` (quantized fastText: only the 160,000 input rows with the largest norms
are kept, then retrained for 5 epochs at lr 0.05, which keeps the file under 5 MB) and
``meta.json`` (labels, trusted CLD2 codes, training record) in ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from puhui.corpus.langid import prepare_text  # noqa: E402
from puhui.lang import detect_script, normalize_tag  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "src" / "puhui" / "content" / "langid"
UDHR_NS = "{http://efele.net/udhr}"

# UDHR label (ISO 639-3 _ ISO 15924, as in its index.xml) -> the FLORES-200 label it joins.
UDHR_MERGE = {
    "cmn_Hans": "zho_Hans",
    "cmn_Hant": "zho_Hant",
    "yue_Hani": "yue_Hans",  # colloquial Cantonese, written in simplified characters
    "ekk_Latn": "est_Latn",  # Standard Estonian; FLORES uses the macrolanguage code
    "gug_Latn": "grn_Latn",  # Paraguayan Guarani is the Guarani of FLORES
    "kng_Latn": "kon_Latn",  # Koongo; FLORES uses the macrolanguage code kon
    "pbu_Arab": "pbt_Arab",  # Northern into Southern Pashto: one written standard
    "src_Latn": "srd_Latn",  # Logudorese into Sardinian
    "lav_Latn": "lvs_Latn",
}
# UDHR files left out: written Chinese "dialect" versions that are near-copies of the Mandarin
# text (no short text can tell them apart), and Vietnamese in Han-Nom.
UDHR_EXCLUDE_FILES = {"cjy", "gan", "hak", "hsn", "nan", "wuu", "vie_han"}
UDHR_TEST_ARTICLES = frozenset({5, 10, 15, 20, 25, 30})
UDHR_VALID_ARTICLES = frozenset({1, 6, 11, 16, 21, 26})
MIN_TRAIN_CHARS = 1500  # a label needs at least this much training text

# CLD2 answers are trusted for a (code, script) when, on the training text, at least this share
# of its reliable answers were right, over at least MIN_CLD2_ANSWERS answers.
CLD2_MIN_PRECISION = 0.97
MIN_CLD2_ANSWERS = 20
# CLD2 codes that langcodes does not map onto our labels by itself.
CLD2_EXTRA = {"no": "nb", "ps": "pbt", "qu": "quy"}


@dataclass(frozen=True)
class Item:
    """One text with its gold label: a SIB-200 sentence or a UDHR paragraph."""

    label: str
    text: str
    source: str  # 'sib200:<split>:<index_id>' or 'udhr:<file>:<article>'


def sib_labels(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "sib200" / "annotated").iterdir() if p.is_dir())


def load_sib(data: Path, split: str) -> list[Item]:
    """SIB-200 sentences of one split ('dev' or 'test') for every language variety."""
    items = []
    for label in sib_labels(data):
        with open(data / "sib200" / "annotated" / label / f"{split}.tsv", encoding="utf-8") as f:
            reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            next(reader)
            for row in reader:
                if len(row) >= 3 and row[2].strip():
                    items.append(Item(label, row[2].strip(), f"sib200:{split}:{row[0]}"))
    return items


def udhr_files(data: Path) -> list[tuple[str, str]]:
    """(file key, label) for each UDHR translation used."""
    folder = data / "udhr" / "udhr"
    root = ET.parse(folder / "index.xml").getroot()
    out = []
    for node in root:
        key, code, script = node.get("f"), node.get("iso639-3"), node.get("iso15924")
        if not key or not code or not script or code == "und" or key in UDHR_EXCLUDE_FILES:
            continue
        if not (folder / f"udhr_{key}.xml").exists():
            continue
        label = f"{code}_{script}"
        out.append((key, UDHR_MERGE.get(label, label)))
    return out


def load_udhr(data: Path) -> list[tuple[Item, int]]:
    """(paragraph, article number) for every UDHR file used; the preamble is article 0."""
    folder = data / "udhr" / "udhr"
    out = []
    for key, label in udhr_files(data):
        root = ET.parse(folder / f"udhr_{key}.xml").getroot()
        for section in root:
            if section.tag == UDHR_NS + "preamble":
                number = 0
            elif section.tag == UDHR_NS + "article":
                try:
                    number = int(section.get("number", "-1"))
                except ValueError:
                    continue
            else:
                continue
            for para in section.iter(UDHR_NS + "para"):
                text = " ".join("".join(para.itertext()).split())
                if any(ch.isalpha() for ch in text):
                    out.append((Item(label, text, f"udhr:{key}:{number}"), number))
    return out


def sib_id(item: Item) -> int:
    return int(item.source.rsplit(":", 1)[1])


def split_data(data: Path, validation: bool) -> tuple[list[Item], list[Item]]:
    """(training items, validation items); the validation list is empty unless asked for."""
    train: list[Item] = []
    valid: list[Item] = []
    for item in load_sib(data, "dev"):
        (valid if validation and sib_id(item) % 5 == 0 else train).append(item)
    for item, number in load_udhr(data):
        if number in UDHR_TEST_ARTICLES:
            continue
        (valid if validation and number in UDHR_VALID_ARTICLES else train).append(item)
    return train, valid


def udhr_test(data: Path, labels: Iterable[str]) -> list[Item]:
    """Held-out UDHR paragraphs (articles 5, 10, ..., 30) of the labels we train."""
    keep = set(labels)
    return [i for i, n in load_udhr(data) if n in UDHR_TEST_ARTICLES and i.label in keep]


def short_windows(text: str, rng: random.Random, count: int) -> list[str]:
    """Random short pieces of a prepared text: 1-6 words, or 4-30 characters when unspaced."""
    words = text.split()
    pieces = []
    for _ in range(count):
        if len(words) >= 3:
            size = rng.randint(1, min(6, len(words)))
            start = rng.randint(0, len(words) - size)
            pieces.append(" ".join(words[start : start + size]))
        elif len(text) > 8:
            size = rng.randint(4, min(30, len(text)))
            start = rng.randint(0, len(text) - size)
            pieces.append(text[start : start + size].strip())
    return [p for p in pieces if p]


def write_training_file(items: list[Item], path: Path, augment: int, seed: int) -> Counter[str]:
    rng = random.Random(seed)
    chars: Counter[str] = Counter()
    lines = []
    for item in items:
        text = prepare_text(item.text)
        if not text:
            continue
        chars[item.label] += len(text)
        lines.append(f"__label__{item.label} {text}")
        for piece in short_windows(text, rng, augment):
            lines.append(f"__label__{item.label} {piece}")
    rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return chars


def cld2_language(code: str) -> str | None:
    """The language subtag a CLD2 code stands for, in our tags' terms (None: not a language)."""
    import langcodes

    if code in ("un", "xxx") or code.startswith("xx-"):
        return None
    base = code.split("-")[0]
    base = CLD2_EXTRA.get(base, base)
    return str(langcodes.Language.get(langcodes.standardize_tag(base, macro=True)).language)


def trusted_cld2(items: list[Item], labels: list[str]) -> tuple[dict[str, str], dict[str, object]]:
    """Map CLD2 answers onto our labels and keep those CLD2 got right often enough.

    Returns ({"<cld2 code>|<script>": label}, a report per code and script).
    """
    import pycld2

    per_language = Counter(lab.partition("_")[0] for lab in labels)
    tag_of = {lab: normalize_tag(lab, per_language[lab.partition("_")[0]] == 1) for lab in labels}
    # label candidates for a (language subtag or macrolanguage, script)
    candidates: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lab in labels:
        code3, _, script = lab.partition("_")
        language = tag_of[lab].split("-")[0]
        candidates[(language, script)].append(lab)
        if code3 != language:
            candidates[(code3, script)].append(lab)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        text = prepare_text(item.text)
        if not text:
            continue
        try:
            reliable, _, details = pycld2.detect(text, isPlainText=True)
        except pycld2.error:
            continue
        if not reliable:
            continue
        code = details[0][1]
        outcomes[f"{code}|{detect_script(text)}"][item.label] += 1
    trusted: dict[str, str] = {}
    report: dict[str, object] = {}
    for key, gold in sorted(outcomes.items()):
        code, _, script = key.partition("|")
        language = cld2_language(code)
        if language is None:
            continue
        script_key = "Hant" if code == "zh-Hant" else script
        options = candidates.get((language, script_key), []) or candidates.get(
            (language, script), []
        )
        if not options:
            continue
        label = max(options, key=lambda lab: (gold[lab], lab == options[0]))
        total = sum(gold.values())
        precision = gold[label] / total
        report[key] = {"label": label, "answers": total, "precision": round(precision, 4)}
        if total >= MIN_CLD2_ANSWERS and precision >= CLD2_MIN_PRECISION:
            trusted[key] = label
    return trusted, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for model.ftz+meta.json")
    ap.add_argument("--work", type=Path, default=Path("/tmp/puhui-langid-train"))
    ap.add_argument("--validation", action="store_true", help="hold out a validation split")
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--minn", type=int, default=1)
    ap.add_argument("--maxn", type=int, default=5)
    ap.add_argument("--epoch", type=int, default=25)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--bucket", type=int, default=400_000)
    ap.add_argument("--augment", type=int, default=4, help="short random pieces per line")
    ap.add_argument(
        "--min-count", type=int, default=1000, help="words rarer than this: n-grams only"
    )
    ap.add_argument("--no-quantize", action="store_true", help="save a plain .bin-size model")
    ap.add_argument(
        "--cutoff", type=int, default=160_000, help="quantize: rows kept, then retrain (0: all)"
    )
    ap.add_argument("--retrain-epoch", type=int, default=5, help="quantize: retraining epochs")
    ap.add_argument("--retrain-lr", type=float, default=0.05, help="quantize: retraining lr")
    ap.add_argument("--dsub", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)

    import fasttext

    data: Path = args.data.resolve()
    print(f"data: {data}")
    train, valid = split_data(data, args.validation)
    args.work.mkdir(parents=True, exist_ok=True)
    chars = Counter[str]()
    for item in train:
        chars[item.label] += len(item.text)
    dropped = sorted(lab for lab, n in chars.items() if n < MIN_TRAIN_CHARS)
    train = [i for i in train if i.label not in dropped]
    valid = [i for i in valid if i.label not in dropped]
    labels = sorted({i.label for i in train})
    languages = {lab.partition("_")[0] for lab in labels}
    print(f"training items: {len(train)}  validation items: {len(valid)}")
    print(f"labels: {len(labels)}  languages (ISO 639-3): {len(languages)}")
    print(f"dropped (< {MIN_TRAIN_CHARS} training chars): {' '.join(dropped) or '-'}")

    train_file = args.work / "train.txt"
    write_training_file(train, train_file, args.augment, args.seed)
    if valid:
        (args.work / "valid.jsonl").write_text(
            "".join(json.dumps(i.__dict__, ensure_ascii=False) + "\n" for i in valid),
            encoding="utf-8",
        )
    params = {
        "loss": "softmax",
        "dim": args.dim,
        "minn": args.minn,
        "maxn": args.maxn,
        "wordNgrams": 1,
        "epoch": args.epoch,
        "lr": args.lr,
        "bucket": args.bucket,
        "minCount": args.min_count,
        "thread": args.threads,
        "seed": args.seed,
        "verbose": 0,
    }
    print(f"fasttext.train_supervised({train_file}, {params})")
    start = time.perf_counter()
    model = fasttext.train_supervised(input=str(train_file), **params)
    print(f"  trained in {time.perf_counter() - start:.0f} s")
    quant = {
        "cutoff": args.cutoff,
        "retrain": args.cutoff > 0,
        "epoch": args.retrain_epoch,
        "lr": args.retrain_lr,
        "dsub": args.dsub,
        "qnorm": True,
    }
    if not args.no_quantize:
        print(f"model.quantize({train_file}, {quant})")
        start = time.perf_counter()
        model.quantize(input=str(train_file), thread=args.threads, **quant)
        print(f"  quantized in {time.perf_counter() - start:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / "model.ftz"
    model.save_model(str(model_path))
    print(f"wrote {model_path} ({model_path.stat().st_size / 1e6:.2f} MB)")

    trusted, report = trusted_cld2(train, labels)
    print(f"CLD2 answers trusted ({len(trusted)}): {' '.join(sorted(trusted))}")
    meta = {
        "labels": labels,
        "cld2_map": {key: str(row["label"]) for key, row in report.items()},  # type: ignore[index]
        "cld2_trusted": trusted,
        "cld2_report": report,
        "training": {
            "script": "bench/langid_train.py",
            "argv": sys.argv[1:] if argv is None else argv,
            "date": dt.date.today().isoformat(),
            "fasttext": getattr(fasttext, "__version__", "0.9.3"),
            "validation_split": args.validation,
            "train_items": len(train),
            "augment": args.augment,
            "params": params,
            "quantize": None if args.no_quantize else quant,
            "cld2_rule": {"min_precision": CLD2_MIN_PRECISION, "min_answers": MIN_CLD2_ANSWERS},
            "udhr_test_articles": sorted(UDHR_TEST_ARTICLES),
            "udhr_merge": UDHR_MERGE,
            "udhr_excluded_files": sorted(UDHR_EXCLUDE_FILES),
            "dropped_labels": dropped,
        },
    }
    (args.out / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.out / 'meta.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
