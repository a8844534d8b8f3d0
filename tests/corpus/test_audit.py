"""Tests for the corpus audit, the identity-term lexicon, Croissant metadata and the datasheet.

Each test builds a small corpus folder in the layout of ``puhui corpus build`` (zstd JSON
Lines under data/ and removed/, JSON Lines under quarantine/) and checks what the audit,
audit.html, croissant.json and datasheet.md say about it.

Over 600 lines: each concern of ``puhui.corpus.audit`` (reading, statistics, lexicon,
warnings, HTML) and of Croissant and the datasheet is checked on the same small corpus builder; the
Croissant and datasheet tests are the part to move to a module of their own next.
"""

from __future__ import annotations

import json
import math
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import zstandard

from puhui.corpus.audit import (
    LENGTH_EDGES,
    LengthSketch,
    build_audit,
    count_words,
    load_lexicon,
    write_audit,
)
from puhui.corpus.croissant import write_croissant
from puhui.corpus.datasheet import write_datasheet

# ---------------------------------------------------------------- helpers


def write_zst(path: Path, rows: list[dict[str, Any]], *, frames: int = 1) -> None:
    """Write rows as zstd JSON Lines, split over ``frames`` concatenated zstd frames."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
    cctx = zstandard.ZstdCompressor()
    size = max(1, math.ceil(len(lines) / frames))
    blob = b"".join(
        cctx.compress("".join(lines[i : i + size]).encode("utf-8"))
        for i in range(0, max(len(lines), 1), size)
    )
    path.write_bytes(blob)


_n = 0


def doc(text: str, lang: str, script: str = "Latn", **extra: Any) -> dict[str, Any]:
    global _n
    _n += 1
    rec: dict[str, Any] = {
        "id": f"doc{_n:05d}",
        "text": text,
        "lang": lang,
        "script": script,
        "lang_confidence": 0.95,
        "source": f"input.jsonl:{_n}",
        "chars": len(text),
    }
    rec.update(extra)
    return rec


def removed(text: str, lang: str, reason: str, script: str = "Latn") -> dict[str, Any]:
    return {**doc(text, lang, script), "reason": reason, "detail": "test"}


EN_PLANTED = (
    "The women and the men of the village, Muslim and Christian refugees, a disabled "
    "teacher, elderly farmers and gay activists met poor families."
)
EN_NONE = "The river rises after the rains and the bridge is closed until the water falls."
SW_PLANTED = "Wanawake na wanaume Waislamu na wakimbizi walikutana na wazee na walemavu."
AR_PLANTED = "التقت النساء المسلمات واللاجئون مع الأطفال في المدينة."
ZH_PLANTED = "妇女和穆斯林难民带着儿童来到城市。"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Kept: en 3, sw 2, ar 1, zh-Hans 1, und 1, qaa 1; removed: en 2, sw 3; 3 quarantined."""
    root = tmp_path / "corpus"
    write_zst(
        root / "data" / "part-00000.jsonl.zst",
        [
            doc(EN_PLANTED, "en", pii={"EMAIL": 2, "PHONE": 1}),
            doc(EN_NONE, "en"),
            doc("A third English document, about markets and prices." * 3, "en"),
            doc(SW_PLANTED, "sw", pii={"PHONE": 2}),
        ],
    )
    write_zst(
        root / "data" / "part-00001.jsonl.zst",
        [
            doc("Habari za asubuhi, leo tunazungumza kuhusu mvua na mavuno.", "sw"),
            doc(AR_PLANTED, "ar", "Arab"),
            doc(ZH_PLANTED, "zh-Hans", "Hans"),
            doc("zzkq vvbn ttrw", "und", "Latn"),
            doc("Ama ekoro ne nnipa nyinaa wɔ ha.", "qaa"),
        ],
        frames=3,
    )
    write_zst(
        root / "removed" / "part-00000.jsonl.zst",
        [
            removed(EN_NONE, "en", "dedup.exact"),
            removed("short", "en", "quality.too_short"),
            removed(SW_PLANTED, "sw", "dedup.near"),
        ],
    )
    write_zst(
        root / "removed" / "part-00001.jsonl.zst",
        [
            removed(SW_PLANTED + "!", "sw", "dedup.near"),
            removed("$$$ ### %%%", "sw", "quality.symbol_ratio"),
        ],
    )
    q = root / "quarantine"
    q.mkdir()
    (q / "part-00000.jsonl").write_text(
        "\n".join(
            json.dumps(x)
            for x in (
                {"source": "bad.jsonl:3", "error": "not valid JSON: Expecting value"},
                {"source": "bad.jsonl:7", "error": "not valid JSON: Expecting value"},
                {"source": "b.csv#2", "error": "line is not UTF-8 (JSON must be UTF-8)"},
            )
        )
        + "\n",
        encoding="utf-8",
    )
    return root


def write_config(root: Path, *, mode: str = "redact") -> None:
    """A .work/config.json in the shape `puhui corpus build` writes."""
    cfg = {
        "config": {
            "reader": {"text_field": "text", "txt_unit": "file"},
            "steps": ["normalize", "langid", "quality", "pii", "dedup"],
            "normalize": {"nfc": True},
            "langid": {"threshold": 0.5, "drop_und": False},
            "quality": {"min_chars": 20, "min_words": 3},
            "pii": {"mode": mode, "regions": ["KE", "NG"], "types": None},
            "dedup": {"exact": True, "near": True, "threshold": 0.8},
            "shard_mb": 32.0,
        },
        "inputs": [["sw/news.jsonl", 1200], ["en/blog.txt", 800]],
        "against": [],
        "started": "2026-11-27T10:00:00Z",
        "name": "test-corpus",
    }
    (root / ".work").mkdir(parents=True, exist_ok=True)
    (root / ".work" / "config.json").write_text(json.dumps(cfg), encoding="utf-8")


# ---------------------------------------------------------------- counts


def test_counts_per_language_reasons_and_dedup_rates(corpus: Path) -> None:
    a = build_audit(corpus)
    langs = a["languages"]
    assert {t: v["documents"] for t, v in langs.items()} == {
        "en": 3,
        "sw": 2,
        "ar": 1,
        "zh-Hans": 1,
        "qaa": 1,
        "und": 1,
    }
    assert list(langs)[:2] == ["en", "sw"]  # most documents first
    assert a["totals"]["documents"] == 9
    assert a["totals"]["languages"] == 6
    assert a["totals"]["removed"] == 5
    assert a["removed"]["by_reason"] == {
        "dedup.near": 2,
        "dedup.exact": 1,
        "quality.symbol_ratio": 1,
        "quality.too_short": 1,
    }
    assert a["removed"]["by_step"] == {"dedup": 3, "quality": 2}
    assert langs["en"]["removed_by_reason"] == {"dedup.exact": 1, "quality.too_short": 1}
    assert langs["sw"]["removed_by_reason"] == {"dedup.near": 2, "quality.symbol_ratio": 1}
    # dedup rate = dedup removals / (kept + dedup removals)
    assert langs["en"]["dedup_rate"] == pytest.approx(1 / 4, abs=1e-4)
    assert langs["sw"]["dedup_rate"] == pytest.approx(2 / 4, abs=1e-4)
    assert langs["ar"]["dedup_rate"] == 0.0
    assert a["totals"]["dedup_rate"] == pytest.approx(3 / 12, abs=1e-4)
    assert langs["sw"]["filtered_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert a["totals"]["characters"] == sum(v["characters"] for v in langs.values())
    assert langs["en"]["scripts"] == {"Latn": 3}
    assert a["scripts"]["Latn"]["documents"] == 7  # en 3, sw 2, und 1, qaa 1
    assert a["scripts"]["Arab"]["languages"] == {"ar": 1}
    assert a["scripts"]["Latn"]["removed"] == 5


def test_pii_sums(corpus: Path) -> None:
    a = build_audit(corpus)
    assert a["pii"]["by_type"] == {"PHONE": 3, "EMAIL": 2}
    assert a["pii"]["total"] == 5
    assert a["pii"]["documents_with_pii"] == 2
    assert a["languages"]["en"]["pii"] == {"EMAIL": 2, "PHONE": 1}
    assert a["languages"]["sw"]["pii"] == {"PHONE": 2}
    assert a["languages"]["ar"]["documents_with_pii"] == 0
    assert a["pii"]["mode"] is None  # no build configuration


def test_quarantine_counted_with_error_kinds(corpus: Path) -> None:
    q = build_audit(corpus)["quarantine"]
    assert q["count"] == 3
    assert q["top_errors"][0] == {
        "kind": "not valid JSON",
        "count": 2,
        "example_source": "bad.jsonl:3",
    }
    assert q["top_errors"][1]["kind"] == "line is not UTF-8 (JSON must be UTF-8)"


def test_length_distribution_quantiles_and_histogram(tmp_path: Path) -> None:
    lengths = [1, 5, 12, 40, 40, 77, 150, 420, 999, 2500]
    write_zst(tmp_path / "data" / "part-00000.jsonl.zst", [doc("x" * n, "sw") for n in lengths])
    length = build_audit(tmp_path)["languages"]["sw"]["length"]
    ordered = sorted(lengths)
    for q in (5, 25, 50, 75):  # exact below 1,024 characters: nearest rank
        assert length[f"p{q}"] == ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]
    assert length["p95"] == 2500  # clamped to the maximum
    assert (length["min"], length["max"]) == (1, 2500)
    # fixed bins [0,10) [10,30) [30,100) [100,300) [300,1000) [1000,3000) ...
    assert length["histogram"][:6] == [2, 1, 3, 1, 2, 1]
    assert len(length["histogram"]) == len(LENGTH_EDGES)
    assert sum(length["histogram"]) == len(lengths)


def test_length_sketch_is_close_for_long_documents() -> None:
    sketch = LengthSketch()
    values = [1_000 + 37 * i for i in range(5_000)]
    for v in values:
        sketch.add(v)
    for q in (5, 50, 95):
        exact = sorted(values)[math.ceil(q / 100 * len(values)) - 1]
        got = sketch.quantile(q)
        assert got is not None
        assert abs(got - exact) / exact < 0.025


def test_words_count_characters_in_unspaced_scripts() -> None:
    assert count_words("Habari za asubuhi") == 3
    assert count_words("妇女和难民") == 5
    assert count_words("महिलाओं और बच्चे") == 3  # vowel signs stay inside words
    assert count_words("ሴቶች እና ልጆች") == 3


# ---------------------------------------------------------------- representation


def test_representation_finds_planted_terms(corpus: Path) -> None:
    rep = build_audit(corpus)["representation"]
    en = rep["languages"]["en"]
    assert en["covered"] and en["unit"] == "words"
    for category in (
        "gender",
        "religion",
        "ethnicity_nationality",
        "disability",
        "age",
        "sexual_orientation",
        "socioeconomic",
    ):
        assert en["counts"][category] >= 1, category
        assert en["per_10k"][category] > 0, category
    assert en["groups"]["gender"] == {"female": 1, "male": 1}
    assert en["documents_with"]["gender"] == 1  # only the planted document
    assert en["counts"]["religion"] == 2  # Muslim, Christian
    words = en["units"]
    assert en["per_10k"]["religion"] == pytest.approx(2 * 10_000 / words, abs=0.01)

    sw = rep["languages"]["sw"]
    assert sw["counts"]["gender"] == 2  # wanawake, wanaume
    assert sw["counts"]["religion"] == 1  # Waislamu
    assert sw["counts"]["ethnicity_nationality"] == 1  # wakimbizi
    assert sw["counts"]["age"] == 1 and sw["counts"]["disability"] == 1

    ar = rep["languages"]["ar"]
    assert ar["counts"]["gender"] == 1  # النساء (article stripped)
    assert ar["counts"]["religion"] == 1  # المسلمات
    assert ar["counts"]["ethnicity_nationality"] == 1  # واللاجئون (two clitics)
    assert ar["counts"]["age"] == 1  # الأطفال

    zh = rep["languages"]["zh-Hans"]
    assert zh["unit"] == "characters"
    assert zh["counts"] == {
        "gender": 1,
        "religion": 1,
        "ethnicity_nationality": 1,
        "disability": 0,
        "age": 1,
        "sexual_orientation": 0,
        "socioeconomic": 0,
    }

    assert rep["languages"]["qaa"]["covered"] is False
    assert "lexicon" in rep["languages"]["qaa"]["note"]
    assert "qaa" in rep["uncovered_languages"]
    assert {"en", "sw", "ar", "zh-Hans"} <= set(rep["covered_languages"])


def test_representation_reports_zero_for_text_without_terms(tmp_path: Path) -> None:
    write_zst(tmp_path / "data" / "part-00000.jsonl.zst", [doc(EN_NONE, "en")])
    en = build_audit(tmp_path)["representation"]["languages"]["en"]
    assert en["covered"] is True
    assert en["units"] == count_words(EN_NONE)
    assert set(en["counts"].values()) == {0}
    assert set(en["per_10k"].values()) == {0.0}
    assert en["top_terms"] == []


def test_lexicon_matching_is_script_aware() -> None:
    lex = load_lexicon()
    en = lex.entry_for("en", "Latn")
    assert en is not None

    def found(entry: Any, text: str) -> list[str]:
        return [t.text for t in entry.find(text)]

    assert found(en, "A manifold of human mandates.") == []  # whole words only
    assert found(en, "Her mother tongue has many proverbs.") == []  # ignored phrase
    assert found(en, "non binary and non-binary people") == ["non-binary", "non-binary"]
    assert found(en, "The elderly women") == ["the elderly", "women"]
    assert found(en, "REFUGEES") == ["refugees"]

    yo = lex.entry_for("yo", "Latn")
    assert yo is not None
    assert found(yo, "Àwọn obinrin") == ["àwọn obìnrin"]  # tones folded on both sides

    am = lex.entry_for("am", "Ethi")
    assert am is not None
    assert found(am, "የሴቶች መብት") == ["ሴቶች"]  # prefix የ stripped

    hi = lex.entry_for("hi", "Deva")
    assert hi is not None
    assert found(hi, "लडकियों और लड़कियों") == ["लड़कियों", "लड़कियों"]  # nukta folded

    zh = lex.entry_for("zh-Hans", "Hans")
    assert zh is not None
    assert found(zh, "新教材和老师") == []  # no substring false positive for 新教
    assert found(zh, "同性恋者和异性恋者") == ["同性恋", "异性恋"]

    # tags and scripts
    assert lex.entry_for("swh", "Latn") is lex.entry_for("sw", "Latn")
    assert lex.entry_for("cmn", "Hans") is zh
    assert lex.entry_for("zh", "Hani") is zh
    assert lex.entry_for("zh-Hant", "Hant") is None
    assert lex.entry_for("hi", "Latn") is None  # romanised Hindi is not covered
    assert lex.entry_for("und", "Latn") is None
    assert lex.entry_for("qaa", "Latn") is None


def test_lexicon_file_is_small_and_licensed() -> None:
    folder = Path(__file__).parents[2] / "src" / "puhui" / "content" / "lexicon"
    data = json.loads((folder / "identity_terms.json").read_text(encoding="utf-8"))
    assert (folder / "identity_terms.json").stat().st_size < 200_000
    assert data["license"] == "CC-BY-SA-4.0"
    assert "HolisticBias" in data["attribution"]
    required = {"en", "fr", "es", "pt", "ar", "sw", "yo", "ha", "am", "hi", "zh-Hans", "id"}
    assert required <= set(data["languages"])
    for tag in required - {"en"}:
        assert "native speakers" in data["languages"][tag]["review"], tag
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert "first draft" in source and "native speakers" in source
    assert "Attribution-ShareAlike 4.0" in (folder / "LICENSE").read_text(encoding="utf-8")


# ---------------------------------------------------------------- warnings


def codes(audit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["code"]: w for w in audit["warnings"]}


def test_warnings(corpus: Path) -> None:
    w = codes(build_audit(corpus))
    assert set(w["few_documents"]["languages"]) == {"en", "sw", "ar", "zh-Hans", "qaa"}
    assert "quarantine" in w
    assert "qaa" in w["representation_uncovered"]["languages"]
    assert "dominant_language" not in w
    assert "high_und" in w  # 1 of 9 documents is und (11%)


def test_dominant_language_and_filter_losses(tmp_path: Path) -> None:
    kept = [doc(f"Sentence number {i} about farming.", "sw") for i in range(38)]
    kept += [doc("Un texte en français.", "fr") for _ in range(2)]
    write_zst(tmp_path / "data" / "part-00000.jsonl.zst", kept)
    lost = [removed("x" * 5, "fr", "quality.too_short") for _ in range(10)]
    write_zst(tmp_path / "removed" / "part-00000.jsonl.zst", lost)
    w = codes(build_audit(tmp_path))
    assert w["dominant_language"]["languages"] == ["sw"]
    assert w["high_removal"]["languages"] == ["fr"]
    assert w["few_documents"]["languages"] == ["fr"]
    assert "quarantine" not in w and "high_und" not in w


def test_empty_corpus(tmp_path: Path) -> None:
    a = write_audit(tmp_path)
    assert a["totals"]["documents"] == 0
    assert codes(a)["empty"]["severity"] == "error"
    assert (tmp_path / "audit.html").is_file()


def test_damaged_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "data" / "part-00000.jsonl.zst"
    path.parent.mkdir(parents=True)
    raw = (json.dumps(doc("Good line.", "sw")) + "\n{not json\n[1, 2]\n").encode()
    path.write_bytes(zstandard.ZstdCompressor().compress(raw))
    a = build_audit(tmp_path)
    assert a["totals"]["documents"] == 1
    assert a["unreadable_lines"] == {"data": 2}
    assert "unreadable_lines" in codes(a)


# ---------------------------------------------------------------- build configuration


def test_build_config_is_used_when_present(corpus: Path) -> None:
    write_config(corpus, mode="tag")
    a = build_audit(corpus)
    assert a["build"]["steps"] == ["normalize", "langid", "quality", "pii", "dedup"]
    assert a["build"]["input_count"] == 2 and a["build"]["input_bytes"] == 2000
    assert a["pii"]["mode"] == "tag" and a["pii"]["step_ran"] is True
    assert "pii_in_text" in codes(a)

    write_config(corpus, mode="redact")
    text = write_datasheet(corpus, build_audit(corpus), name="test-corpus")
    assert "pii.mode = redact" in text
    assert "`sw/news.jsonl`" in text
    assert "quality: heuristic quality filters" in text and "min_chars=20" in text
    assert "2026-11-27T10:00:00Z" in text


# ---------------------------------------------------------------- HTML


class _Checker(HTMLParser):
    VOID = frozenset(
        {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col", "area", "base"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.external: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name in {"src", "href", "srcset", "action", "poster", "data", "xlink:href"} and (
                v.startswith(("http:", "https:", "//"))
            ):
                self.external.append(f"{tag} {name}={value}")
        if tag == "style":
            self._in_style = True
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def check_html(path: Path) -> _Checker:
    checker = _Checker()
    checker.feed(path.read_text(encoding="utf-8"))
    checker.close()
    return checker


def test_html_is_self_contained_and_well_formed(corpus: Path) -> None:
    write_audit(corpus)
    html_path = corpus / "audit.html"
    text = html_path.read_text(encoding="utf-8")
    c = check_html(html_path)
    assert c.errors == [] and c.stack == []
    assert c.external == []
    assert "@import" not in "".join(c.styles) and "url(" not in "".join(c.styles)
    tags = [t for t, _a in c.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    assert ("html", {"lang": "en"}) in c.tags
    assert ("meta", {"charset": "utf-8"}) in c.tags
    assert tags.count("svg") >= 3  # languages, reasons, PII, length charts
    assert any(t == "p" and a.get("dir") == "auto" and a.get("lang") == "ar" for t, a in c.tags)
    assert "التقت النساء" in text and "妇女" in text  # other scripts as-is
    # every http(s) URL left is an SVG namespace, never something fetched
    for chunk in text.split("http")[1:]:
        assert chunk.startswith("://www.w3.org/2000/svg"), chunk[:60]


def test_html_stays_small_for_400_languages(tmp_path: Path) -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    tags = [f"q{a}{b}" for a in letters[:20] for b in letters][:400]  # private-use qaa..qtz
    rows = [doc(f"Document {i} in {t} with some words.", t) for t in tags for i in range(2)]
    write_zst(tmp_path / "data" / "part-00000.jsonl.zst", rows)
    write_zst(
        tmp_path / "removed" / "part-00000.jsonl.zst",
        [removed("tiny", t, "quality.too_short") for t in tags],
    )
    a = write_audit(tmp_path)
    assert a["totals"]["languages"] == 400
    size = (tmp_path / "audit.html").stat().st_size
    assert size < 200_000, size
    assert check_html(tmp_path / "audit.html").errors == []


def test_audit_is_deterministic_and_atomic(corpus: Path) -> None:
    write_audit(corpus)
    first = (corpus / "audit.json").read_bytes(), (corpus / "audit.html").read_bytes()
    write_audit(corpus)
    assert ((corpus / "audit.json").read_bytes(), (corpus / "audit.html").read_bytes()) == first
    assert not [p for p in corpus.iterdir() if p.name.endswith(".tmp")]
    assert json.loads(first[0])["languages"]["en"]["documents"] == 3


# ---------------------------------------------------------------- Croissant


# rdflib, used inside mlcroissant, warns about its own deprecated API.
RDFLIB_WARNING = "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"


def _validate(path: Path) -> Any:
    import mlcroissant as mlc  # declared in the test extra

    dataset = mlc.Dataset(jsonld=str(path))  # raises ValidationError on any error
    assert dataset.metadata.ctx.issues.errors == set()
    return dataset


@pytest.mark.filterwarnings(RDFLIB_WARNING)
def test_croissant_validates_offline(corpus: Path, tmp_path: Path) -> None:
    audit = write_audit(corpus)
    doc_ = write_croissant(
        corpus,
        audit,
        name="test-corpus",
        description="Swahili and other texts for tests.",
        license="https://creativecommons.org/licenses/by/4.0/",
        version="1.0.0",
        cite_as="Puhui test corpus (2026).",
        date_published="2026-11-27",
    )
    path = corpus / "croissant.json"
    assert json.loads(path.read_text(encoding="utf-8")) == doc_
    assert "http://mlcommons.org/croissant/1.0" in doc_["conformsTo"]
    assert doc_["@context"]["cr"] == "http://mlcommons.org/croissant/"
    assert doc_["@context"]["rai"] == "http://mlcommons.org/croissant/RAI/"
    assert set(doc_["inLanguage"]) == {"en", "sw", "ar", "zh-Hans", "qaa"}
    files = {d["contentUrl"]: d for d in doc_["distribution"] if d["@type"] == "cr:FileObject"}
    from puhui.artifacts import sha256_file

    assert set(files) == {"data/part-00000.jsonl.zst", "data/part-00001.jsonl.zst"}
    for url, entry in files.items():
        assert entry["sha256"] == sha256_file(corpus / url)
    fields = {f["name"] for f in doc_["recordSet"][0]["field"]}
    assert {"id", "text", "lang", "script", "source"} <= fields
    for key in (
        "rai:dataCollection",
        "rai:dataPreprocessingProtocol",
        "rai:personalSensitiveInformation",
        "rai:dataBiases",
        "rai:dataLimitations",
        "rai:dataUseCases",
    ):
        assert doc_[key], key
    assert "TODO" in doc_["rai:dataUseCases"][0]
    assert any("EMAIL 2" in s for s in doc_["rai:personalSensitiveInformation"])
    assert any("zh-Hans" in s for s in doc_["rai:dataBiases"])

    dataset = _validate(path)
    assert dataset.metadata.ctx.issues.warnings == set()

    # mlcroissant cannot decompress zstd: check the record mapping on a decompressed copy.
    copy = tmp_path / "plain"
    shutil.copytree(corpus, copy)
    dctx = zstandard.ZstdDecompressor()
    for part in (copy / "data").iterdir():
        with open(part, "rb") as f, dctx.stream_reader(f, read_across_frames=True) as r:
            plain = r.read()
        part.write_bytes(plain)
    records = list(_validate(copy / "croissant.json").records("documents"))
    assert len(records) == 9
    assert {r["documents/lang"] for r in records} >= {b"en", b"sw", b"ar", b"zh-Hans"}
    texts = {r["documents/text"].decode("utf-8") for r in records}
    assert AR_PLANTED in texts and ZH_PLANTED in texts


@pytest.mark.filterwarnings(RDFLIB_WARNING)
def test_croissant_without_optional_fields_or_data_still_validates(tmp_path: Path) -> None:
    audit = write_audit(tmp_path)
    doc_ = write_croissant(tmp_path, audit, name="empty")
    assert "license" not in doc_ and doc_["inLanguage"] == []
    assert "TODO (data steward)" in doc_["description"]
    _validate(tmp_path / "croissant.json")


# ---------------------------------------------------------------- datasheet


SECTIONS = (
    "## 1. Motivation",
    "## 2. Composition",
    "## 3. Collection process",
    "## 4. Preprocessing, cleaning and labelling",
    "## 5. Uses",
    "## 6. Distribution",
    "## 7. Maintenance",
)


def test_datasheet_has_every_section_and_marks_blanks(corpus: Path) -> None:
    audit = write_audit(corpus)
    text = write_datasheet(corpus, audit, name="test-corpus")
    assert (corpus / "datasheet.md").read_text(encoding="utf-8") == text
    assert text.startswith("# Datasheet: test-corpus")
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    blanks = text.count("> **TO FILL IN (data steward):**")
    assert blanks >= 25
    # each section has at least one blank for the steward
    for i, s in enumerate(SECTIONS):
        end = text.index(SECTIONS[i + 1]) if i + 1 < len(SECTIONS) else len(text)
        assert "TO FILL IN" in text[text.index(s) : end], s
    # answers computed from the data
    assert "9 documents" in text
    assert "| en | 3 |" in text
    assert "`dedup.near`: 2" in text
    assert "email" in text.lower() and "PHONE 3" in text
    assert "Identity-term mentions in sw" in text
    assert "licence (e.g. CC BY 4.0)" in text  # licence left blank


def test_datasheet_answers_what_it_is_given(corpus: Path) -> None:
    audit = write_audit(corpus)
    text = write_datasheet(
        corpus, audit, name="x", description="A corpus for Swahili radio ASR.", license="CC-BY-4.0"
    )
    assert "A corpus for Swahili radio ASR." in text
    assert "Licence: CC-BY-4.0." in text
    assert "licence (e.g. CC BY 4.0)" not in text


def test_warns_when_language_id_did_not_run(tmp_path: Path) -> None:
    write_zst(tmp_path / "data" / "part-00000.jsonl.zst", [doc(EN_NONE, "und")])
    write_config(tmp_path)
    cfg_path = tmp_path / ".work" / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["config"]["steps"] = ["normalize", "quality", "dedup"]
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    w = codes(build_audit(tmp_path))
    assert "langid_not_run" in w and "high_und" not in w
    assert "pii_not_checked" in w
