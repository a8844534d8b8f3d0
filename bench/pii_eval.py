"""Evaluate puhui's PII redactor (and Presidio's offline no-NLP analyzer as a baseline).

Quality: precision, recall and F1 per PII type on bench/pii_labelled.jsonl.  A prediction
matches a gold span when the types are equal and the spans **overlap** (one-to-one, greedy in
text order); the micro row is also given for **exact** span equality.  "Leak rate" is the share
of gold spans that no prediction of any type overlaps (what would survive redaction).

Speed: documents per second on one core (the process is pinned to CPU 0 where possible) for
(a) clean ~700-character multilingual documents without PII, built from the prose below, and
(b) the labelled set.  Phone-region cost: recall and speed for no national regions,
Presidio's 8 default regions and our DEFAULT_REGIONS, plus the share of random digit strings
(dates/amount-like groupings) reported as phones.

Presidio runs in a separate virtual environment, because it pulls in spaCy:
    python3 -m venv /tmp/presidio-venv && /tmp/presidio-venv/bin/pip install presidio-analyzer
    .venv/bin/python bench/pii_eval.py --presidio-python /tmp/presidio-venv/bin/python
Without --presidio-python (or if it fails) the baseline is skipped with a note.
``--write`` replaces the "## PII detection" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from puhui.corpus.pii import DEFAULT_REGIONS, PII_TYPES, PiiRedactor

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "pii_labelled.jsonl"
RESULTS = HERE / "RESULTS.md"
SECTION = "## PII detection"
PRESIDIO_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")

Span = tuple[int, int, str]

# Ordinary prose (no PII) in the project's languages, with the years, prices, percentages and
# counts that real documents contain.  Written for this benchmark.
PROSE = [
    "Wakulima wa kahawa katika kaunti ya Nyeri walisema mvua za mwaka 2023 zilichelewa, na "
    "mavuno yakapungua kwa asilimia 15. Serikali iliahidi kutoa mbegu bora kabla ya msimu ujao.",
    "Àwọn àgbẹ̀ ní ìpínlẹ̀ Ọ̀yọ́ sọ pé òjò ọdún yìí dára ju ti ọdún 2021 lọ, wọ́n sì retí "
    "ìkórè tó pọ̀ ní oṣù kẹjọ. Ọjà àgbàdo ní Bodija ti kún fún àwọn oníbàárà.",
    "Manoma a jihar Kano sun ce damina ta bana ta fara da wuri, kuma farashin masara ya sauka "
    "da kashi 10 cikin 100. Ma'aikatar noma ta raba taki ga manoma 5,000.",
    "የአዲስ አበባ ከተማ አስተዳደር በ2016 ዓ.ም. አዳዲስ ትምህርት ቤቶችን ገንብቷል። ተማሪዎች በየቀኑ ከጠዋቱ 2 ሰዓት ጀምሮ ትምህርት ይጀምራሉ።",
    "قال المزارعون في دلتا النيل إن محصول القمح هذا العام أفضل من العام الماضي بنسبة 12 في "
    "المئة، وإن الأسعار استقرت بعد شهر رمضان.",
    "गाँव के स्कूल में इस साल 320 बच्चों ने दाख़िला लिया। पंचायत ने बताया कि 2024 में नई "
    "लाइब्रेरी खोली जाएगी और शिक्षकों की संख्या बढ़ाई जाएगी।",
    "এ বছর বর্ষা দেরিতে আসায় ধানের চাষ কিছুটা পিছিয়েছে। কৃষি বিভাগ জানিয়েছে, উৎপাদন "
    "গত বছরের তুলনায় ৮ শতাংশ কম হতে পারে।",
    "Pemerintah desa membangun jembatan baru sepanjang 45 meter pada tahun 2022. Warga kini "
    "dapat membawa hasil panen ke pasar kecamatan dalam waktu kurang dari satu jam.",
    "Năm 2023, hợp tác xã đã xuất khẩu 1.200 tấn cà phê sang châu Âu. Người nông dân cho biết "
    "giá cà phê tăng gần 20% so với năm trước.",
    "今年春季，村里的合作社种植了三百亩茶树。负责人介绍说，2022年的收入比前一年增长了百分之十五。",
    "A cooperativa de agricultores do interior da Bahia colheu 3 mil sacas de café em 2023. "
    "Segundo o presidente, a chuva de março ajudou a melhorar a qualidade dos grãos.",
    "En la sierra de Puebla, las lluvias de 2022 favorecieron la cosecha de maíz. Las familias "
    "venden el grano en el mercado del domingo a 8 pesos el kilo.",
    "À Thiès, les producteurs d'arachide ont récolté plus tôt cette année. Selon la chambre "
    "d'agriculture, la production a augmenté de 7 % par rapport à 2021.",
    "The county health office reported that 1,250 children were vaccinated in March 2024. "
    "Community health volunteers visited 48 villages and held 12 information meetings.",
    "Kikundi cha akina mama kilianzisha mradi wa ufugaji nyuki mwaka 2019, na sasa kina "
    "mizinga 60. Asali yao huuzwa katika masoko ya Arusha na Moshi kila wiki.",
    "Nigeria's rainy season began in April; farmers in Benue planted yam and cassava on "
    "about 2.5 million hectares, according to the state ministry.",
]


def clean_docs(n: int, target: int = 700, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < target:
            parts.append(rng.choice(PROSE))
        docs.append(" ".join(parts)[: target + 60])
    return docs


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ------------------------------------------------------------------------------ scoring


def match(gold: Sequence[Span], pred: Sequence[Span], exact: bool) -> tuple[int, int, int]:
    """(tp, fp, fn) for one document, type-aware, one-to-one."""
    used: set[int] = set()
    tp = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i in used or p[2] != g[2]:
                continue
            ok = (p[0], p[1]) == (g[0], g[1]) if exact else (p[0] < g[1] and g[0] < p[1])
            if ok:
                used.add(i)
                tp += 1
                break
    return tp, len(pred) - tp, len(gold) - tp


def score(docs: Sequence[dict[str, Any]], preds: Sequence[Sequence[Span]]) -> dict[str, Any]:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    exact = Counter[str]()
    leaked = 0
    total_gold = 0
    for doc, pred in zip(docs, preds, strict=True):
        gold = [(s["start"], s["end"], s["type"]) for s in doc["spans"]]
        total_gold += len(gold)
        leaked += sum(1 for g in gold if not any(p[0] < g[1] and g[0] < p[1] for p in pred))
        types = {g[2] for g in gold} | {p[2] for p in pred}
        for t in types:
            tp, fp, fn = match(
                [g for g in gold if g[2] == t], [p for p in pred if p[2] == t], exact=False
            )
            per[t].update(tp=tp, fp=fp, fn=fn)
        tp, fp, fn = match(gold, pred, exact=True)
        exact.update(tp=tp, fp=fp, fn=fn)
    micro = Counter[str]()
    for c in per.values():
        micro.update(c)
    return {"per": dict(per), "micro": micro, "exact": exact, "leak": leaked / max(1, total_gold)}


def prf(c: Counter[str]) -> tuple[float, float, float]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp else 0.0
    return p, r, f


def fmt3(x: float) -> str:
    return "–" if x != x else f"{x:.2f}"


def error_lines(
    docs: Sequence[dict[str, Any]], preds: Sequence[Sequence[Span]], limit: int = 12
) -> list[str]:
    """Missed and extra findings (overlap rule), as short markdown lines."""
    lines = []
    for doc, pred in zip(docs, preds, strict=True):
        text = doc["text"]
        gold = [(s["start"], s["end"], s["type"]) for s in doc["spans"]]
        for g in gold:
            if not any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for p in pred):
                lines.append(f"missed {g[2]} `{text[g[0] : g[1]]}` in “{text}”")
        for p in pred:
            if not any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for g in gold):
                lines.append(f"extra {p[2]} `{text[p[0] : p[1]]}` in “{text}”")
    uniq = sorted(set(lines))
    more = len(uniq) - limit
    return uniq[:limit] + ([f"... and {more} more"] if more > 0 else []) if lines else ["none"]


# ------------------------------------------------------------------------------ ours


def ours_predict(red: PiiRedactor, docs: Sequence[dict[str, Any]]) -> list[list[Span]]:
    return [[(f.start, f.end, f.type) for f in red.find(d["text"])] for d in docs]


def rate(fn: Callable[[str], object], texts: Sequence[str], min_seconds: float = 2.0) -> float:
    """Documents per second (best of a few passes, each at least ``min_seconds`` long)."""
    best = 0.0
    for _ in range(3):
        n = 0
        t0 = time.perf_counter()
        while True:
            for t in texts:
                fn(t)
            n += len(texts)
            el = time.perf_counter() - t0
            if el >= min_seconds:
                break
        best = max(best, n / el)
    return best


FP_LAYOUTS = ("8", "10", "0+9", "4 4", "3 3 3", "2 2 2 2")


def random_digits(layout: str, rng: random.Random) -> str:
    """A random digit string: ``"4 4"`` -> ``"3817 0264"``; ``"0+9"`` -> ``"0"`` + 9 digits."""
    if layout == "0+9":
        return "0" + "".join(rng.choice("0123456789") for _ in range(9))
    return " ".join(
        "".join(rng.choice("0123456789") for _ in range(int(g))) for g in layout.split()
    )


def random_digit_fp(red: PiiRedactor, n: int = 2000, seed: int = 3) -> dict[str, float]:
    """Per layout, the share of random digit strings reported as PHONE (no context word)."""
    rng = random.Random(seed)
    out = {}
    for layout in FP_LAYOUTS:
        hits = sum(
            any(f.type == "PHONE" for f in red.find(f"Kiasi ni {random_digits(layout, rng)} tu."))
            for _ in range(n)
        )
        out[layout] = hits / n
    return out


# ------------------------------------------------------------------------------ presidio

PRESIDIO_SCRIPT = r"""
import json, sys, time, logging
logging.disable(logging.WARNING)
import tldextract, tldextract.tldextract as _t
_t.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
import presidio_analyzer.predefined_recognizers as pr

class BlankSpacyEngine(SpacyNlpEngine):
    def __init__(self):
        super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])
    def load(self):
        self.nlp = {"en": spacy.blank("en")}

MAP = {"EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "IP_ADDRESS": "IP_ADDRESS",
       "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN", "IN_AADHAAR": "IN_AADHAAR",
       "IN_PAN": "IN_PAN", "NG_NIN": "NG_NIN", "ZA_ID_NUMBER": "ZA_ID", "TH_TNIN": "TH_ID",
       "ZA_MOBILE_NUMBER": "PHONE", "ZA_TELEPHONE_NUMBER": "PHONE"}

def build(tuned, regions):
    eng = BlankSpacyEngine(); eng.load()
    reg = RecognizerRegistry(supported_languages=["en"])
    reg.load_predefined_recognizers(languages=["en"], nlp_engine=eng)
    if tuned:
        reg.remove_recognizer("PhoneRecognizer")
        reg.add_recognizer(pr.PhoneRecognizer(supported_regions=tuple(regions)))
        for cls in (pr.NgNinRecognizer, pr.InAadhaarRecognizer, pr.InPanRecognizer,
                    pr.ZaIdNumberRecognizer, pr.ZaMobileNumberRecognizer):
            reg.add_recognizer(cls())
        reg.add_recognizer(pr.ThTninRecognizer(supported_language="en"))
    ents = sorted({e for r in reg.recognizers for e in r.supported_entities} & set(MAP))
    return AnalyzerEngine(nlp_engine=eng, registry=reg, supported_languages=["en"]), ents

def predict(an, ents, text):
    res = an.analyze(text=text, language="en", entities=ents)
    # resolve overlaps like the anonymizer: higher score, then longer span
    res = sorted(res, key=lambda r: (-r.score, -(r.end - r.start), r.start))
    out = []
    for r in res:
        if any(r.start < o[1] and o[0] < r.end for o in out):
            continue
        out.append((r.start, r.end, MAP[r.entity_type]))
    return sorted(out)

cfg = json.load(open(sys.argv[1]))
labelled = [json.loads(l) for l in open(cfg["labelled"], encoding="utf-8")]
clean = json.load(open(cfg["clean"], encoding="utf-8"))
result = {}
for name, tuned in (("default", False), ("tuned", True)):
    an, ents = build(tuned, cfg["regions"])
    predict(an, ents, "warm up 0712 345 678")
    preds = [predict(an, ents, d["text"]) for d in labelled]
    speeds = {}
    for label, texts in (("clean", clean), ("labelled", [d["text"] for d in labelled])):
        best = 0.0
        for _ in range(2):
            t0 = time.perf_counter()
            for t in texts:
                an.analyze(text=t, language="en", entities=ents)
            best = max(best, len(texts) / (time.perf_counter() - t0))
        speeds[label] = best
    result[name] = {"preds": preds, "speed": speeds, "entities": ents}
json.dump(result, sys.stdout)
"""


def run_presidio(python: str, clean: Sequence[str]) -> dict[str, Any] | str:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "cfg.json"
        cl = Path(tmp) / "clean.json"
        cl.write_text(json.dumps(list(clean)), encoding="utf-8")
        cfg.write_text(
            json.dumps({"labelled": str(LABELLED), "clean": str(cl), "regions": DEFAULT_REGIONS}),
            encoding="utf-8",
        )
        script = Path(tmp) / "presidio_run.py"
        script.write_text(PRESIDIO_SCRIPT, encoding="utf-8")
        cmd = [python, str(script), str(cfg)]
        if hasattr(os, "sched_setaffinity"):
            cmd = ["taskset", "-c", "0", *cmd]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"could not run {python}: {e}"
        if proc.returncode != 0:
            return f"presidio run failed: {proc.stderr.strip().splitlines()[-1:]}"
        result: dict[str, Any] = json.loads(proc.stdout)
        for v in result.values():
            v["preds"] = [[tuple(p) for p in doc] for doc in v["preds"]]
        return result


# ------------------------------------------------------------------------------ report


def type_table(rows: dict[str, dict[str, Any]], docs: Sequence[dict[str, Any]]) -> list[str]:
    gold_n = Counter(s["type"] for d in docs for s in d["spans"])
    names = list(rows)
    head = "| type | gold | " + " | ".join(f"{n} P / R / F1" for n in names) + " |"
    lines = [head, "|" + " --- |" * (2 + len(names))]
    seen = {t for r in rows.values() for t in r["per"]} | set(gold_n)
    for t in [t for t in PII_TYPES if t in seen]:
        cells = []
        for n in names:
            c = rows[n]["per"].get(t, Counter())
            p, r, f = prf(c)
            cells.append(f"{fmt3(p)} / {fmt3(r)} / {fmt3(f)}")
        lines.append(f"| {t} | {gold_n.get(t, 0)} | " + " | ".join(cells) + " |")
    for label, key in (("**micro, overlap**", "micro"), ("micro, exact span", "exact")):
        cells = []
        for n in names:
            p, r, f = prf(rows[n][key])
            cells.append(f"{fmt3(p)} / {fmt3(r)} / {fmt3(f)}")
        lines.append(f"| {label} | {sum(gold_n.values())} | " + " | ".join(cells) + " |")
    leak = " | ".join(f"{rows[n]['leak']:.1%}" for n in names)
    lines.append(f"| leak rate (gold not covered by any finding) | | {leak} |")
    return lines


def replace_section(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == SECTION), None)
    new = body.rstrip("\n").splitlines()
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *new]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        tail = lines[end:]
        lines = lines[:start] + new + (["", *tail] if tail else [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--presidio-python", help="python of a venv with presidio-analyzer")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    ap.add_argument("--clean-docs", type=int, default=1000)
    args = ap.parse_args(list(argv) if argv is not None else None)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    docs = load(LABELLED)
    clean = clean_docs(args.clean_docs)
    avg_clean = sum(map(len, clean)) / len(clean)
    texts = [d["text"] for d in docs]

    red = PiiRedactor()
    our_preds = ours_predict(red, docs)
    rows: dict[str, dict[str, Any]] = {"puhui": score(docs, our_preds)}
    speed: dict[str, dict[str, float]] = {
        "puhui": {
            "clean": rate(red.find, clean),
            "labelled": rate(red.find, texts),
            "clean_process": rate(red.process, clean),
        }
    }

    note = ""
    if args.presidio_python:
        res = run_presidio(args.presidio_python, clean)
        if isinstance(res, str):
            note = f"Presidio baseline skipped: {res}"
        else:
            for name, v in res.items():
                key = f"presidio-{name}"
                rows[key] = score(docs, v["preds"])
                speed[key] = v["speed"]
    else:
        note = "Presidio baseline skipped (no --presidio-python given)."

    # phone regions: cost vs recall
    region_rows = []
    phone_docs = [d for d in docs if any(s["type"] == "PHONE" for s in d["spans"])]
    for label, regions in (
        ("none (international `+`/`00` only)", ()),
        ("Presidio's 8 defaults", PRESIDIO_REGIONS),
        (f"DEFAULT_REGIONS ({len(DEFAULT_REGIONS)})", DEFAULT_REGIONS),
    ):
        r = PiiRedactor(regions=regions)
        sc = score(phone_docs, ours_predict(r, phone_docs))["per"].get("PHONE", Counter())
        p, rec, _ = prf(sc)
        fp = random_digit_fp(r)
        region_rows.append(
            f"| {label} | {fmt3(p)} | {fmt3(rec)} | {rate(r.find, clean, 1.0):,.0f} | "
            f"{rate(r.find, [d['text'] for d in phone_docs], 1.0):,.0f} | "
            + " | ".join(f"{fp[k]:.0%}" for k in FP_LAYOUTS)
            + " |"
        )

    langs = Counter(d["lang"].split("-")[0] for d in docs)
    n_spans = sum(len(d["spans"]) for d in docs)
    n_neg = sum(1 for d in docs if not d["spans"])
    out = [
        SECTION,
        "",
        "Command: `.venv/bin/python bench/pii_eval.py --presidio-python "
        "/tmp/presidio-venv/bin/python --write` (`src/puhui/corpus/pii.py`; data "
        "`bench/pii_labelled.jsonl` from `bench/pii_make_labelled.py`).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared; timings are noisy, "
        f"±20%), Python {platform.python_version()}, one core (process pinned to CPU 0). "
        f"Presidio {('not run' if note else '2.2.x, no-NLP blank spaCy engine, language `en`')}.",
        "",
        f"Labelled set: {len(docs)} synthetic documents ({n_neg} with no PII), {n_spans} gold "
        f"spans, languages: " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())) + ". "
        "Generated values only (random numbers completed with valid check digits; phone numbers "
        "valid per phonenumbers metadata), plus hard negatives: dates, times, prices in 12 "
        "currencies, order numbers, ISBNs, EAN barcodes, version strings, postal codes, "
        "population counts and invalid-checksum look-alikes (Aadhaar, CPF, card, CN ID, IBAN, "
        "ZA ID).",
        "",
        "Match rule: same type and **overlapping** spans, one-to-one (micro row also for exact "
        "spans). Presidio is given only the entity types that map to ours; `tuned` adds its "
        "NG NIN, IN Aadhaar/PAN, ZA ID/mobile and TH TNIN recognizers (off by default) and our "
        f"{len(DEFAULT_REGIONS)} phone regions.",
        "",
        *type_table(rows, docs),
        "",
    ]
    if note:
        out += [note, ""]
    out += [
        f"Throughput, documents/s on one core (clean = {len(clean)} PII-free documents of "
        f"~{avg_clean:.0f} characters; labelled = the set above, ~"
        f"{sum(map(len, texts)) / len(texts):.0f} characters each):",
        "",
        "| system | clean docs/s | labelled docs/s |",
        "| --- | --- | --- |",
    ]
    for name, sp in speed.items():
        out.append(f"| {name} `find`/`analyze` | {sp['clean']:,.0f} | {sp['labelled']:,.0f} |")
    out.append(f"| puhui `process` (redact) | {speed['puhui']['clean_process']:,.0f} | |")
    out += [
        "",
        "Phone regions, cost vs recall (PHONE only, on the documents that contain a phone). "
        "The last columns are the share of random digit strings, in the layout shown and with "
        "no context word (`Kiasi ni … tu.`), reported as PHONE - the false-positive rate on "
        "arbitrary numbers:",
        "",
        "| national regions | P | R | clean docs/s | phone docs/s | "
        + " | ".join(f"`{k}`" for k in FP_LAYOUTS)
        + " |",
        "|" + " --- |" * (5 + len(FP_LAYOUTS)),
        *region_rows,
        "",
    ]
    out += [
        "Notes:",
        "",
        "- The labelled set and the detector were written by the same person, and a few rules "
        "(veto words, thousands layouts, currency suffixes) were added after reading the "
        "detector's errors on it, so puhui's scores here are optimistic: read them as a "
        "regression test of formats, not as an unbiased estimate. Presidio was not tuned to it.",
        "- Presidio checks NG NIN with a Verhoeff digit; the NINs here are random (NIMC publishes "
        "no checksum), so about 9 in 10 fail its check. Its IN_PAN pattern is case-insensitive "
        "and fires on Yoruba words; its PHONE misses contiguous Chinese mobiles.",
        "- Remaining puhui errors on the set:",
        *[f"  - {e}" for e in error_lines(docs, our_preds)],
        "",
    ]
    report = "\n".join(out)
    print(report)
    if args.write:
        replace_section(RESULTS, report)
        print(f"\nwrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
