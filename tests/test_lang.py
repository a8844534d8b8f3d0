"""puhui.lang: the one tag normalizer, tag matching, script detection and text folding."""

from __future__ import annotations

import ast
import json
import unicodedata
from collections import Counter
from importlib import resources
from pathlib import Path

import langcodes
import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from puhui.lang import (
    ALWAYS_SCRIPT,
    ARABIC_MARKS,
    detect_script,
    fold_arabic,
    fold_diacritics,
    fold_for_matching,
    is_right_to_left,
    macrolanguage,
    matches,
    normalize_tag,
    strip_combining,
)

LANG_PACKAGE = Path(__file__).resolve().parents[1] / "src" / "puhui" / "lang"
_META = json.loads(
    resources.files("puhui.content.langid").joinpath("meta.json").read_text(encoding="utf-8")
)
LABELS: list[str] = sorted(_META["labels"])


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("yor_Latn", "yo"),
        ("swh_Latn", "sw"),
        ("SWH", "sw"),
        ("arb_Arab", "ar"),
        ("arb_Latn", "ar-Latn"),
        ("cmn", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh_hant", "zh-Hant"),
        ("zho_Hant", "zh-Hant"),
        ("sr", "sr-Cyrl"),
        ("srp_Cyrl", "sr-Cyrl"),
        ("srp_Latn", "sr-Latn"),
        ("kor_Hang", "ko"),
        ("zsm_Latn", "ms"),
        ("uzn_Cyrl", "uz-Cyrl"),
        ("ace_Arab", "ace-Arab"),
        ("twi", "tw"),  # its own two-letter code, not Akan's
        ("fat", "ak"),  # Fante has none: the macrolanguage's
        ("pt_MZ", "pt-MZ"),
        ("en-us", "en-US"),
        ("acm_Arab", "acm-Arab"),  # no default script recorded: the script is information
        ("", "und"),
        ("  ", "und"),
        ("not a tag!", "not a tag!"),
    ],
)
def test_normalize_tag(raw: str, tag: str) -> None:
    assert normalize_tag(raw) == tag


def test_sole_script_drops_an_unrecorded_script_only() -> None:
    assert normalize_tag("acm_Arab", sole_script=True) == "acm"
    assert normalize_tag("pbt_Arab", True) == "pbt"
    # a recorded default still decides: a non-default script stays, Chinese keeps its script
    assert normalize_tag("ace_Arab", sole_script=True) == "ace-Arab"
    assert normalize_tag("zho_Hans", sole_script=True) == "zh-Hans"
    assert normalize_tag("srp_Cyrl", sole_script=True) == "sr-Cyrl"
    assert normalize_tag("twi_Latn", sole_script=True) == "tw"


@given(st.sampled_from(LABELS), st.booleans(), st.booleans())
def test_normalized_tags_are_valid_fixed_points(label: str, sole: bool, upper: bool) -> None:
    raw = label.upper() if upper else label
    tag = normalize_tag(raw, sole)
    assert langcodes.tag_is_valid(tag), (label, tag)
    assert normalize_tag(tag, sole) == tag
    assert normalize_tag(tag.replace("-", "_").lower(), sole) == tag
    assert matches(tag, label) and matches(label, tag)
    base = tag.split("-")[0]
    if base not in ALWAYS_SCRIPT:  # a bare zh or sr means its default script
        assert matches(base, label)  # a request without a script matches any script


def test_language_identifier_tags_are_distinct_per_label() -> None:
    """Every label of the shipped model has its own tag (twi and aka no longer merge)."""
    per_language = Counter(label.partition("_")[0] for label in LABELS)
    tags = [normalize_tag(lab, per_language[lab.partition("_")[0]] == 1) for lab in LABELS]
    merged = {t: n for t, n in Counter(tags).items() if n > 1}
    # members of one macrolanguage the model keeps apart share the macrolanguage's tag
    assert all(macrolanguage(t) == t.split("-")[0] for t in merged), merged
    assert "tw" in tags and "ak" in tags


def test_matches() -> None:
    assert matches("sw", "swh") and matches("swh", "sw")
    assert matches("ar", "arb_Arab") and matches("ar", "ar-Latn")
    assert matches("zh", "zho_Hans") and matches("zh-Hant", "zho_Hant")
    assert matches("sr-Cyrl", "sr") and matches("sr-Latn", "srp_Latn")
    # a bare zh or sr is written in its default script (as the corpus tags such text)
    assert not matches("zh", "zh-Hant") and not matches("sr", "sr-Latn")
    assert not matches("zh-Hant", "zh-Hans")
    # no default script recorded for Mesopotamian Arabic: the suites' "acm" is not excluded
    assert matches("acm_Arab", "acm") and matches("acm", "acm-Arab")
    assert not matches("ar-Latn", "ar")
    assert not matches("en", "fr")
    assert not matches("ak", "tw")


def test_macrolanguage() -> None:
    assert macrolanguage("acm_Arab") == "ar"
    assert macrolanguage("arb_Arab") == "ar"
    assert macrolanguage("yue_Hant") == macrolanguage("zho_Hans") == "zh"
    assert macrolanguage("twi_Latn") == macrolanguage("aka_Latn") == "ak"
    assert macrolanguage("yor_Latn") == "yo"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Hello мир мир мир", "Cyrl"),
        ("東京は日本の首都です", "Jpan"),
        ("한국어 문장입니다", "Hang"),
        ("这是中文", "Hans"),
        ("這是中文", "Hant"),
        ("中文", "Hani"),
        ("ሰላም ነው", "Ethi"),
        ("مَرْحَبًا بالعالم and", "Arab"),
        ("नमस्ते दुनिया 123", "Deva"),
        ("123 !!! 😀", "Zyyy"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_detect_script_samples_long_texts_evenly() -> None:
    text = "a" * 3000 + "б" * 9000
    assert detect_script(text) == "Cyrl"
    assert detect_script(text, sample=100) == "Cyrl"
    assert detect_script("б" * 10 + "a" * 30, sample=100) == "Latn"


def test_fold_arabic() -> None:
    assert fold_arabic("مَدْرَسَةٌ") == "مدرسه"
    assert fold_arabic("أحمد إلى آخر ٱلكتاب") == "احمد الي اخر الكتاب"
    assert fold_arabic("عـــربي") == "عربي"  # tatweel
    assert fold_arabic("ٱلرَّحْمَٰنِ") == "الرحمن"  # superscript alef
    assert fold_arabic("صَلَّىٰ ٱللَّهُ عَلَيْهِ وَسَلَّمَ ﷺ ۖ") == "صلي الله عليه وسلم ﷺ "
    # a decomposed hamza (alef + U+0654), as NFD text writes it, folds like the composed one
    assert fold_arabic(unicodedata.normalize("NFD", "أ")) == fold_arabic("أ") == "ا"
    assert fold_arabic("Yorùbá, 中文") == "Yorùbá, 中文"


def test_arabic_marks_cover_both_former_ranges_and_every_arabic_mark() -> None:
    marks = regex.compile(f"[{ARABIC_MARKS}]")
    audit_range = regex.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
    refusal_range = regex.compile("[\u064b-\u0652\u0670\u0640]")
    arabic_mark = regex.compile(r"[\p{scx=Arab}&&\p{Mn}]", regex.V1)
    for cp in range(0x0600, 0x0900):
        ch = chr(cp)
        if audit_range.match(ch) or refusal_range.match(ch) or arabic_mark.match(ch):
            assert marks.match(ch), f"U+{cp:04X} is not folded"
        elif marks.match(ch):
            assert unicodedata.category(ch) != "Lo", f"U+{cp:04X} is a letter"


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_fold_arabic_is_idempotent_and_leaves_non_arabic_text(text: str) -> None:
    once = fold_arabic(text)
    assert fold_arabic(once) == once
    if not regex.search(r"[\p{scx=Arab}\u0640]", text):
        assert once == text


@given(st.text())
def test_fold_for_matching_is_idempotent(text: str) -> None:
    for foldings in ((), ("arabic",), ("fold_diacritics",), ("ethiopic", "devanagari")):
        once = fold_for_matching(text, foldings)
        assert fold_for_matching(once, foldings) == once


def test_fold_for_matching_and_marks() -> None:
    assert fold_for_matching("Straße\u200b\u200c", ()) == "strasse\u200b"
    assert fold_for_matching("YORÙBÁ ɗan", ("fold_diacritics",)) == "yoruba dan"
    assert fold_for_matching("ሐበሻ", ("ethiopic",)) == "ሀበሻ"
    assert fold_diacritics("Hawaiʻi") == "Hawai i"
    assert strip_combining("Ìbàdàn ɗan", hooks=True) == "Ibadan dan"
    # the nukta goes, vowel signs and the anusvara (combining class 0) stay
    assert strip_combining("क़िंला") == "किंला"


def test_lang_is_foundation_layer() -> None:
    """puhui.lang imports no other part of Puhui but the foundation (errors, i18n)."""
    allowed = {"puhui", "puhui.lang", "puhui.errors", "puhui.i18n"}
    for path in LANG_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("puhui"):
                    assert name in allowed or name.startswith("puhui.lang."), (path.name, name)


@pytest.mark.parametrize(
    ("tag", "rtl"),
    [
        ("ar", True),
        ("arb_Arab", True),
        ("ur", True),
        ("he", True),
        ("fa", True),
        ("ff-Adlm", True),
        ("sw", False),
        ("en", False),
        ("zh", False),
        ("ha", False),
        ("pa-Arab", True),
        ("pa", False),
    ],
)
def test_right_to_left_follows_the_script(tag: str, rtl: bool) -> None:
    assert is_right_to_left(tag) is rtl
