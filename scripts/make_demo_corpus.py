"""Build the bundled demo raw corpus (src/puhui/content/demo_corpus/raw) from shared data.

A small, messy, multilingual folder that exercises every corpus step: UDHR articles and
SIB-200 (FLORES-200 dev) sentences in 14 languages, spread over the formats a data steward
meets (JSONL.gz forum export, CSV, TXT in a legacy encoding, HTML pages, a WARC, Parquet), with
planted exact and near duplicates, personal data (synthetic), junk, and broken files.

Usage: python scripts/make_demo_corpus.py [SHARED_DATA_DIR]   (default: ../shared/data)
Deterministic: the same data gives the same files.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "puhui" / "content" / "demo_corpus"
NS = {"u": "http://efele.net/udhr"}

# (UDHR file, SIB-200 folder, BCP-47)
LANGS = [
    ("yor", "yor_Latn", "yo"),
    ("hau_NG", "hau_Latn", "ha"),
    ("ibo", "ibo_Latn", "ig"),
    ("aka_asante", "twi_Latn", "tw"),
    ("swh", "swh_Latn", "sw"),
    ("amh", "amh_Ethi", "am"),
    ("zul", "zul_Latn", "zu"),
    ("wol", "wol_Latn", "wo"),
    ("arb", "arb_Arab", "ar"),
    ("hin", "hin_Deva", "hi"),
    ("ind", "ind_Latn", "id"),
    ("jav", "jav_Latn", "jv"),
    ("cmn_hans", "zho_Hans", "zh-Hans"),
    ("eng", "eng_Latn", "en"),
]

# Synthetic personal data (never real people): valid checksums where the format has one.
PII_SNIPPETS = [
    "Ẹ kọ sí mi ní adebayo.okonkwo@example.ng tàbí pè mí ní +234 803 555 0142.",
    "Piga simu 0712 345 678 au tuma barua pepe kwa wanjiru.kamau@example.co.ke.",
    "Nambari yangu ya kitambulisho ni 12345678, tafadhali usiishiriki.",
    "Call our Accra office on +233 24 555 0199 or write to info@example.com.gh.",
    "मेरा आधार नंबर 2345 6789 0124 है, कृपया इसे साझा न करें।",
    "Meu CPF é 529.982.247-25 e o cartão 4111 1111 1111 1111 venceu.",
    "Transfer to IBAN GB82 WEST 1234 5698 7654 32 before Friday, server 192.168.10.24.",
    "Hubungi saya di +62 812-3456-7890 atau budi.santoso@example.co.id.",
    "للتواصل: ‎+20 10 1234 5678 أو البريد layla.hassan@example.eg",
]

JUNK = [
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.",
    "function init() { var x = {a: 1}; if (x.a > 0) { return [x]; } }; init();",
    "BUY NOW!!! $$$ ### @@@ %%% !!! $$$ ### @@@ %%% !!! $$$ ### @@@ %%% !!!",
    "ok",
    ("click here " * 60).strip(),
]


def udhr_articles(data: Path, key: str) -> list[str]:
    tree = ET.parse(data / "udhr" / "udhr" / f"udhr_{key}.xml")
    out = []
    for art in tree.getroot().findall("u:article", NS):
        paras = [" ".join("".join(p.itertext()).split()) for p in art.iter(f"{{{NS['u']}}}para")]
        text = "\n".join(p for p in paras if p)
        if text:
            out.append(text)
    return out


def sib_docs(data: Path, folder: str, per_doc: int = 4) -> list[str]:
    rows = list(
        csv.reader(
            (data / "sib200" / "annotated" / folder / "dev.tsv").open(encoding="utf-8"),
            delimiter="\t",
        )
    )[1:]
    sentences = [r[2] for r in rows]
    return [" ".join(sentences[i : i + per_doc]) for i in range(0, len(sentences), per_doc)]


def _digits(text: str) -> str:
    """12 stable hex digits from text (Python's hash() changes every run)."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def warc_record(url: str, html: str) -> bytes:
    body = html.encode("utf-8")
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {url}\r\n"
        "WARC-Date: 2024-05-01T00:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{_digits(url)}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def page(title: str, paragraphs: list[str], lang: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        "</head><body><nav><a href='/'>Home</a> | <a href='/about'>About</a> | Login</nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>© 2024 Community Radio · Privacy · Terms</footer></body></html>"
    )


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    rng = random.Random(7)
    raw = OUT / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    for sub in ("forum", "news", "web", "ocr", "tables"):
        (raw / sub).mkdir(parents=True)

    forum: list[dict[str, str]] = []
    news_rows: list[dict[str, str]] = []
    spare: list[str] = []  # unused documents to carry the personal data
    for udhr_key, sib, tag in LANGS:
        articles = udhr_articles(data, udhr_key)[:6]
        all_sentences = sib_docs(data, sib)
        sentences = all_sentences[:10]
        spare.append(all_sentences[12])
        for i, text in enumerate(sentences):
            forum.append({"id": f"{tag}-f{i}", "user": f"u{rng.randint(1, 99)}", "body": text})
        for i, text in enumerate(articles):
            news_rows.append({"id": f"{tag}-n{i}", "lang_hint": tag, "text": text})

    # Personal data and junk inside the forum export; an exact and a near duplicate.
    for i, snippet in enumerate(PII_SNIPPETS):
        forum.append({"id": f"pii-{i}", "user": "u1", "body": snippet + " " + spare[i]})
    for i, junk in enumerate(JUNK):
        forum.append({"id": f"junk-{i}", "user": "bot", "body": junk})
    forum.append(dict(forum[3], id="dup-exact"))
    near = forum[15]["body"].split(" ")
    near[len(near) // 2] = "kabisa"  # one word changed
    forum.append({"id": "dup-near", "user": "u2", "body": " ".join(near) + " !"})
    rng.shuffle(forum)
    lines = [json.dumps(r, ensure_ascii=False) for r in forum]
    lines.insert(5, '{"id": "broken", "body": "unterminated')  # invalid JSON line
    lines.insert(9, '{"id": "no-text", "user": "u3"}')  # no text field
    (raw / "forum" / "export.jsonl.gz").write_bytes(
        gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)
    )

    with (raw / "news" / "articles.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "lang_hint", "text"])
        w.writeheader()
        w.writerows(news_rows[: len(news_rows) // 2])
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(
        pa.Table.from_pylist(news_rows[len(news_rows) // 2 :]),
        raw / "tables" / "articles.parquet",
        compression="zstd",
    )

    # OCR'd text in legacy encodings and with mojibake.
    fr_like = udhr_articles(data, "eng")[6]
    (raw / "ocr" / "scan-001.txt").write_bytes(
        ("Déclaration scannée — " + fr_like + "\nPage 1 of 3").encode("cp1252", errors="replace")
    )
    mojibake = udhr_articles(data, "yor")[7].encode("utf-8").decode("latin-1", errors="replace")
    (raw / "ocr" / "scan-002.txt").write_text(mojibake, encoding="utf-8")
    (raw / "ocr" / "scan-003.txt").write_text(
        udhr_articles(data, "hau_NG")[8] + "\n", encoding="utf-16"
    )
    (raw / "ocr" / "photo.jpg").write_bytes(bytes(range(256)) * 8)  # not a text format
    (raw / "ocr" / "scan-004.txt").write_bytes(bytes(range(256)) * 8)  # binary in disguise
    whole = gzip.compress("\n".join(udhr_articles(data, "swh")[20:26]).encode(), mtime=0)
    (raw / "ocr" / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])

    # Web pages and a small crawl.
    warc = b""
    for udhr_key, _sib, tag in LANGS[:8]:
        paras = udhr_articles(data, udhr_key)[10:13]
        (raw / "web" / f"page-{tag}.html").write_text(
            page(f"UDHR ({tag})", paras, tag), encoding="utf-8"
        )
        warc += warc_record(
            f"https://radio.example.org/{tag}/udhr",
            page(tag, udhr_articles(data, udhr_key)[13:15], tag),
        )
    (raw / "web" / "crawl.warc.gz").write_bytes(warc)
    print(f"wrote {sum(1 for _ in raw.rglob('*') if _.is_file())} files under {raw}")


if __name__ == "__main__":
    main()
