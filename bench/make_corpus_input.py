#!/usr/bin/env python3
"""Write a deterministic multilingual benchmark input for corpus pipelines.

Usage::

    python3 bench/make_corpus_input.py [OUT_DIR] [--docs 100000] [--files 8] [--gzip] [--seed 0]

OUT_DIR defaults to /tmp/puhui-bench/input (keep it outside the repository: 100k documents are
about 100 MB). It is emptied of earlier ``part-*.jsonl*`` files and then receives ``--files``
JSON-lines files of equal size (``part-00.jsonl`` ...), one document per line::

    {"id": "bench-000001", "text": "...", "kind": "base", "lang": "hau_Latn",
     "origin": "sib200", "dup_of": ""}

``kind``, ``lang``, ``origin`` and ``dup_of`` are ground-truth labels (both tools under test
carry such extra fields through as metadata). The composition actually written is printed and
saved as OUT_DIR/.composition.json (a hidden file, so corpus readers that walk the folder skip it).

Sources (read from ../shared/data beside the repository, or --data):

- SIB-200 / FLORES-200 sentences, ``sib200/annotated/*/{dev,test}.tsv`` (205 languages). Each
  language's sentences are shuffled once per *pass* and cut into runs of 4-6 consecutive
  sentences (more while the text is under 500 characters), so a sentence recurs in several
  documents but two documents rarely share more than one sentence.
- UDHR translations, ``udhr/udhr/udhr_*.xml``: consecutive articles grouped into documents of
  500-1000 characters, in every script the collection has.

Planted on top of those unique *base* documents (shares of the total):

- 5 % ``exact_dup``: the text of an earlier base document, unchanged;
- 5 % ``near_dup``: a base document with one word replaced (two characters in scripts without
  spaces between words);
- 2 % ``pii``: a fresh document with 1-3 synthetic e-mail addresses, phone numbers in national
  formats (NG, KE, GH, ZA, IN, UG, TZ, ET, BR, ID, PH, US, FR) and Luhn-valid card numbers;
- 3 % ``junk``: symbol spam, one line repeated many times, or a very short text.

Everything is drawn from ``random.Random(seed)``: the same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

DEFAULT_OUT = Path("/tmp/puhui-bench/input")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
UDHR_NS = "{http://efele.net/udhr}"
# Scripts written without spaces between words: "one word changed" becomes two characters.
UNSPACED = {"Hani", "Hans", "Hant", "Jpan", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"}
NO_SPACE_JOIN = {"Hani", "Hans", "Hant", "Jpan"}  # sentences are joined without a space

SHARES = {"exact_dup": 0.05, "near_dup": 0.05, "pii": 0.02, "junk": 0.03}


# ---------------------------------------------------------------- sources


def load_sib(data: Path) -> dict[str, list[str]]:
    """language_Script -> its FLORES sentences (dev then test), in file order."""
    out: dict[str, list[str]] = {}
    for lang_dir in sorted((data / "sib200" / "annotated").iterdir()):
        if not lang_dir.is_dir():
            continue
        sents: list[str] = []
        for split in ("dev", "test"):
            path = lang_dir / f"{split}.tsv"
            if not path.exists():
                continue
            with open(path, encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                    text = (row.get("text") or "").strip()
                    if text:
                        sents.append(text)
        if sents:
            out[lang_dir.name] = sents
    return out


def _element_text(el: ET.Element) -> str:
    parts: list[str] = []
    for child in el.iter():
        if child.tag == f"{UDHR_NS}title":
            continue
        if child.text and child.text.strip() and child.tag != f"{UDHR_NS}article":
            parts.append(" ".join(child.text.split()))
    return " ".join(parts)


def load_udhr(data: Path) -> list[tuple[str, list[str]]]:
    """(language_Script, article texts) for each UDHR translation."""
    out: list[tuple[str, list[str]]] = []
    for path in sorted((data / "udhr" / "udhr").glob("udhr_*.xml")):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        lang = root.get("iso639-3") or "und"
        script = root.get("iso15924") or "Zyyy"
        articles = [_element_text(a) for a in root.iter(f"{UDHR_NS}article")]
        articles = [a for a in articles if len(a) >= 20]
        if articles:
            out.append((f"{lang}_{script}", articles))
    return out


def _script(lang: str) -> str:
    return lang.rsplit("_", 1)[-1] if "_" in lang else "Zyyy"


def _join(sents: list[str], script: str, rng: random.Random) -> str:
    sep = "" if script in NO_SPACE_JOIN else " "
    if len(sents) >= 4 and rng.random() < 0.4:  # two paragraphs
        cut = rng.randint(2, len(sents) - 2)
        return sep.join(sents[:cut]) + "\n\n" + sep.join(sents[cut:])
    return sep.join(sents)


def sib_documents(sib: dict[str, list[str]], rng: random.Random, passes: int):
    """Yield (lang, text) base documents, pass by pass, language by language."""
    for p in range(passes):
        for lang, sents in sib.items():
            order = list(range(len(sents)))
            random.Random(f"{rng.random()}-{lang}-{p}").shuffle(order)
            script = _script(lang)
            i = 0
            while i + 4 <= len(order):
                n = rng.randint(4, 6)
                take = order[i : i + n]
                i += n
                while sum(len(sents[j]) for j in take) < 500 and i < len(order) and len(take) < 16:
                    take.append(order[i])
                    i += 1
                yield lang, _join([sents[j] for j in take], script, rng)


def udhr_documents(udhr: list[tuple[str, list[str]]], rng: random.Random):
    """Yield (lang, text): consecutive articles grouped to 500-1000 characters."""
    for lang, articles in udhr:
        script = _script(lang)
        buf: list[str] = []
        target = rng.randint(500, 1000)
        for art in articles:
            buf.append(art)
            if sum(len(a) for a in buf) >= target:
                text = _join(buf, script, rng) if len(buf) > 1 else buf[0]
                yield lang, text[: max(target, 1000)].rstrip()
                buf, target = [], rng.randint(500, 1000)
        if sum(len(a) for a in buf) >= 300:
            yield lang, _join(buf, script, rng)


# ---------------------------------------------------------------- planted documents


def near_duplicate(text: str, lang: str, rng: random.Random) -> str:
    """Change one word (two characters in unspaced scripts), keeping everything else."""
    if _script(lang) in UNSPACED or len(text.split()) < 8:
        chars = [i for i, c in enumerate(text) if c.isalpha()]
        if len(chars) < 10:
            return text + " x"
        pos = chars[rng.randint(len(chars) // 4, 3 * len(chars) // 4)]
        repl = "".join(text[rng.choice(chars)] for _ in range(2))
        if repl == text[pos : pos + 2]:
            repl = "ab"
        return text[:pos] + repl + text[pos + 2 :]
    words = text.split(" ")
    cands = [i for i, w in enumerate(words) if len(w) >= 3 and "\n" not in w]
    if not cands:
        return text + " x"
    i = rng.choice(cands[len(cands) // 5 : max(len(cands) // 5 + 1, 4 * len(cands) // 5)])
    others = [w for w in words if w != words[i] and len(w) >= 3 and "\n" not in w]
    words[i] = rng.choice(others) if others else words[i][::-1] + "a"
    return " ".join(words)


FIRST = [
    "amina",
    "kwame",
    "wanjiru",
    "chidi",
    "thandi",
    "ravi",
    "nguyen",
    "maria",
    "juan",
    "fatou",
    "olu",
    "zanele",
    "abebe",
    "siti",
    "jose",
    "akosua",
    "musa",
    "priya",
    "lerato",
    "kofi",
]
LAST = [
    "okafor",
    "mensah",
    "kamau",
    "naidoo",
    "sharma",
    "tran",
    "silva",
    "diallo",
    "bello",
    "dlamini",
    "tesfaye",
    "rahman",
    "santos",
    "asante",
    "mwangi",
    "patel",
    "mokoena",
    "owusu",
]
DOMAINS = [
    "gmail.com",
    "yahoo.co.ke",
    "mtnonline.ng",
    "example.org",
    "outlook.com",
    "mail.gh",
    "webmail.co.za",
    "rediffmail.com",
    "proton.me",
    "ug.ac.ug",
]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def phone(rng: random.Random) -> tuple[str, str]:
    """A synthetic phone number in one national format: (region, text)."""
    d = lambda n: _digits(rng, n)  # noqa: E731
    forms = [
        ("NG", lambda: f"+234 {rng.choice(['803', '806', '813', '703', '816'])} {d(3)} {d(4)}"),
        ("NG", lambda: f"0{rng.choice(['803', '805', '807', '909'])} {d(3)} {d(4)}"),
        ("KE", lambda: f"+254 7{rng.choice(['12', '22', '33', '01'])} {d(3)} {d(3)}"),
        ("KE", lambda: f"07{rng.choice(['10', '21', '95'])}{d(6)}"),
        ("GH", lambda: f"+233 {rng.choice(['24', '20', '54', '55'])} {d(3)} {d(4)}"),
        ("ZA", lambda: f"+27 {rng.choice(['82', '83', '72', '73'])} {d(3)} {d(4)}"),
        ("ZA", lambda: f"0{rng.choice(['82', '71', '61'])} {d(3)} {d(4)}"),
        ("IN", lambda: f"+91 {rng.choice(['98', '97', '88', '70'])}{d(3)} {d(5)}"),
        ("UG", lambda: f"+256 {rng.choice(['772', '782', '701'])} {d(6)}"),
        ("TZ", lambda: f"+255 {rng.choice(['754', '713', '682'])} {d(3)} {d(3)}"),
        ("ET", lambda: f"+251 9{rng.choice(['1', '2', '3'])} {d(3)} {d(4)}"),
        ("BR", lambda: f"+55 {rng.choice(['11', '21', '31'])} 9{d(4)}-{d(4)}"),
        ("ID", lambda: f"+62 81{rng.randint(1, 3)}-{d(4)}-{d(4)}"),
        ("PH", lambda: f"+63 9{rng.choice(['17', '18', '27'])} {d(3)} {d(4)}"),
        ("US", lambda: f"({rng.choice(['415', '212', '617'])}) {rng.randint(2, 9)}{d(2)}-{d(4)}"),
        ("FR", lambda: f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}"),
    ]
    region, make = rng.choice(forms)
    return region, make()


def luhn_card(rng: random.Random) -> str:
    """A Luhn-valid Visa, Mastercard or Amex number, grouped as printed on cards."""
    kind = rng.choice(["visa", "mc", "amex"])
    if kind == "amex":
        body = rng.choice(["34", "37"]) + _digits(rng, 12)
    elif kind == "mc":
        body = str(rng.randint(51, 55)) + _digits(rng, 13)
    else:
        body = "4" + _digits(rng, 14)
    total = 0
    for i, ch in enumerate(reversed(body)):  # the check digit will sit to the right
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    num = body + str((10 - total % 10) % 10)
    sep = rng.choice([" ", "-", ""])
    if kind == "amex":
        return sep.join([num[:4], num[4:10], num[10:]])
    return sep.join(num[i : i + 4] for i in range(0, 16, 4))


def pii_document(text: str, rng: random.Random) -> tuple[str, Counter]:
    """Insert 1-3 PII items at sentence boundaries of ``text``."""
    counts: Counter = Counter()
    items: list[str] = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["email", "phone", "phone", "card"])
        if kind == "email":
            user = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randint(1, 99)}"
            items.append(f"{user}@{rng.choice(DOMAINS)}")
        elif kind == "phone":
            region, num = phone(rng)
            kind = f"phone_{region}"
            items.append(num)
        else:
            items.append(luhn_card(rng))
        counts[kind] += 1
    pieces = text.split(" ")
    for item in items:
        pos = rng.randint(1, max(1, len(pieces) - 1))
        pieces.insert(pos, rng.choice(["", "tel: ", "☎ ", "✉ ", "— ", "("]) + item)
    return " ".join(pieces), counts


SYMBOLS = [*"#$%&*+=<>|~^@!?/\\[]{}", "★", "☆", "✔", "→", "●", "♥", "💰", "🔥", "👉", "✅"]
SHORT = [
    "ok",
    "Click here",
    "Home | Login",
    "Read more »",
    "404",
    "Share",
    "Next page",
    "Subscribe!",
    "Menu",
    "Loading...",
    "👍",
    "Tap to continue",
]


def junk_document(
    rng: random.Random, sib: dict[str, list[str]], langs: list[str]
) -> tuple[str, str]:
    kind = rng.choice(["symbols", "repeated_lines", "short"])
    if kind == "symbols":
        n = rng.randint(150, 600)
        text = "".join(rng.choice(SYMBOLS) if rng.random() < 0.8 else " " for _ in range(n))
        return kind, text.strip() or "###"
    if kind == "repeated_lines":
        sent = rng.choice(sib[rng.choice(langs)])
        words = sent.split()
        line = " ".join(words[: rng.randint(3, max(3, min(len(words), 8)))])
        return kind, "\n".join([line] * rng.randint(10, 30))
    base = rng.choice(SHORT)
    if rng.random() < 0.5:
        base = f"{base} {rng.randint(1, 9999)}"
    return kind, base


# ---------------------------------------------------------------- main


def build(n_docs: int, seed: int, data: Path) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    sib = load_sib(data)
    udhr = load_udhr(data)
    langs = sorted(sib)
    planted = {k: round(v * n_docs) for k, v in SHARES.items()}
    n_base = n_docs - sum(planted.values())
    n_fresh = n_base + planted["pii"]  # pii docs are fresh base-like texts with PII inserted

    base: list[tuple[str, str, str]] = [(lang, t, "udhr") for lang, t in udhr_documents(udhr, rng)]
    udhr_cap = n_fresh // 10  # at most 10 % from UDHR, the rest from FLORES
    if len(base) > udhr_cap:
        rng.shuffle(base)
        base = base[:udhr_cap]
    per_pass = sum(len(s) for s in sib.values()) // 5
    passes = max(1, -(-(n_fresh - len(base)) // max(per_pass, 1)) + 1)
    seen = {t for _, t, _ in base}
    for lang, text in sib_documents(sib, rng, passes):
        if len(base) >= n_fresh:
            break
        if text not in seen:
            seen.add(text)
            base.append((lang, text, "sib200"))
    if len(base) < n_fresh:
        sys.exit(f"only {len(base)} unique documents could be made; ask for fewer --docs")
    rng.shuffle(base)
    pii_src, base = base[: planted["pii"]], base[planted["pii"] :]

    docs: list[dict] = [
        {"text": t, "kind": "base", "lang": lang, "origin": origin, "dup_of": ""}
        for lang, t, origin in base
    ]
    for i, d in enumerate(docs):
        d["_key"] = f"b{i}"
    pii_counts: Counter = Counter()
    for lang, t, origin in pii_src:
        text, c = pii_document(t, rng)
        pii_counts.update(c)
        docs.append(
            {"text": text, "kind": "pii", "lang": lang, "origin": origin, "dup_of": "", "_key": ""}
        )
    sources = rng.sample(range(len(base)), planted["exact_dup"] + planted["near_dup"])
    for j, src in enumerate(sources):
        b = docs[src]
        exact = j < planted["exact_dup"]
        text = b["text"] if exact else near_duplicate(b["text"], b["lang"], rng)
        docs.append(
            {
                "text": text,
                "kind": "exact_dup" if exact else "near_dup",
                "lang": b["lang"],
                "origin": b["origin"],
                "dup_of": b["_key"],
                "_key": "",
            }
        )
    junk_kinds: Counter = Counter()
    for _ in range(planted["junk"]):
        jk, text = junk_document(rng, sib, langs)
        junk_kinds[jk] += 1
        docs.append(
            {
                "text": text,
                "kind": "junk",
                "lang": "und",
                "origin": f"junk:{jk}",
                "dup_of": "",
                "_key": "",
            }
        )

    # Shuffle: every document gets a random sort key; a planted duplicate gets a key between
    # its original's and 1.0, so it always comes after the original (the copy to keep).
    sort_key: dict[str, float] = {}
    for d in docs:
        if not d["dup_of"]:
            d["_sort"] = rng.random()
            if d["_key"]:
                sort_key[d["_key"]] = d["_sort"]
    for d in docs:
        if d["dup_of"]:
            d["_sort"] = rng.uniform(sort_key[d["dup_of"]], 1.0)
    final = sorted(docs, key=lambda d: d["_sort"])
    key_to_id: dict[str, str] = {}
    for i, d in enumerate(final, 1):
        d["id"] = f"bench-{i:06d}"
        if d["_key"]:
            key_to_id[d["_key"]] = d["id"]
    for d in final:
        if d["dup_of"]:
            d["dup_of"] = key_to_id[d["dup_of"]]
    rows = [
        {
            "id": d["id"],
            "text": d["text"],
            "kind": d["kind"],
            "lang": d["lang"],
            "origin": d["origin"],
            "dup_of": d["dup_of"],
        }
        for d in final
    ]

    chars = [len(r["text"]) for r in rows]
    by_kind = Counter(r["kind"] for r in rows)
    scripts = Counter(_script(r["lang"]) for r in rows if r["kind"] != "junk")
    comp = {
        "documents": len(rows),
        "seed": seed,
        "by_kind": dict(sorted(by_kind.items())),
        "by_origin": dict(sorted(Counter(r["origin"] for r in rows).items())),
        "junk_kinds": dict(sorted(junk_kinds.items())),
        "pii_items": dict(sorted(pii_counts.items())),
        "languages": len({r["lang"] for r in rows if r["kind"] != "junk"}),
        "scripts": dict(scripts.most_common()),
        "characters_total": sum(chars),
        "characters_mean": round(sum(chars) / len(chars), 1),
        "characters_median": sorted(chars)[len(chars) // 2],
        "sib_passes": passes,
    }
    return rows, comp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--gzip", action="store_true", help="write part-NN.jsonl.gz")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)

    out: Path = args.out.resolve()
    repo = Path(__file__).resolve().parent.parent
    if out == repo or repo in out.parents:
        sys.exit(f"refusing to write {out}: keep the benchmark input outside the repository")
    rows, comp = build(args.docs, args.seed, args.data)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl*"):
        old.unlink()
    per = -(-len(rows) // args.files)
    files = []
    for k in range(args.files):
        chunk = rows[k * per : (k + 1) * per]
        if not chunk:
            break
        name = f"part-{k:02d}.jsonl" + (".gz" if args.gzip else "")
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode("utf-8")
        if args.gzip:
            data = gzip.compress(data, compresslevel=6, mtime=0)
        (out / name).write_bytes(data)
        files.append({"name": name, "documents": len(chunk), "bytes": len(data)})
    comp["files"] = files
    comp["bytes_total"] = sum(f["bytes"] for f in files)
    (out / ".composition.json").write_text(json.dumps(comp, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(comp, indent=2, ensure_ascii=False))
    print(f"wrote {len(rows):,} documents in {len(files)} files to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
