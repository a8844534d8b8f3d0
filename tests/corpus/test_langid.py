"""Behaviour of the offline language identifier (puhui.corpus.langid)."""

from __future__ import annotations

import pickle
from importlib import resources

import langcodes
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puhui.corpus.langid import LangGuess, LanguageIdentifier, prepare_text
from puhui.lang import detect_script, normalize_tag
from realdata import sib200_suite, sib_test


@pytest.fixture(scope="module")
def ident() -> LanguageIdentifier:
    return LanguageIdentifier()


# Held-out FLORES sentences: (variety, expected tag, expected script).
FLORES_CASES = [
    ("yor_Latn", "yo", "Latn"),
    ("hau_Latn", "ha", "Latn"),
    ("ibo_Latn", "ig", "Latn"),
    ("swh_Latn", "sw", "Latn"),
    ("wol_Latn", "wo", "Latn"),
    ("zul_Latn", "zu", "Latn"),
    ("amh_Ethi", "am", "Ethi"),
    ("tir_Ethi", "ti", "Ethi"),
    ("arb_Arab", "ar", "Arab"),
    ("zho_Hans", "zh-Hans", "Hans"),
    ("zho_Hant", "zh-Hant", "Hant"),
    ("hin_Deva", "hi", "Deva"),
    ("srp_Cyrl", "sr-Cyrl", "Cyrl"),
    ("quy_Latn", "quy", "Latn"),
    ("eng_Latn", "en", "Latn"),
    ("jpn_Jpan", "ja", "Jpan"),
    ("kor_Hang", "ko", "Hang"),
]


# Written Chinese in traditional characters and the (formal) FLORES Cantonese text are close:
# a known weakness (bench/RESULTS.md), so fewer right answers are required there.
MIN_RIGHT = {"zho_Hant": 7}


@pytest.mark.parametrize(("variety", "tag", "script"), FLORES_CASES)
def test_flores_sentences_get_the_right_tag_and_script(
    ident: LanguageIdentifier, variety: str, tag: str, script: str
) -> None:
    sentences = sib_test(variety, 10)
    guesses = [ident.identify(s) for s in sentences]
    assert all(g.script == script for g in guesses), guesses
    right = [g for g in guesses if g.lang == tag]
    assert len(right) >= MIN_RIGHT.get(variety, 9), f"{variety}: {guesses}"


@pytest.mark.parametrize(
    ("text", "tag", "script"),
    [
        ("The committee will publish its report on the new school next week.", "en", "Latn"),
        (
            "Le comité publiera son rapport sur la nouvelle école la semaine prochaine.",
            "fr",
            "Latn",
        ),
        ("这是一个关于语言识别的简单句子，我们用它来测试。", "zh-Hans", "Hans"),
        # Short traditional-character Mandarin is sometimes taken for Cantonese (yue): the
        # FLORES Cantonese text is formal written Chinese (see bench/RESULTS.md).
        ("我們今天在台北的會議上討論了教育政策和經濟發展的問題。", "zh-Hant", "Hant"),
        ("Привет, как дела? Сегодня хорошая погода в Москве.", "ru", "Cyrl"),
    ],
)
def test_written_sentences(ident: LanguageIdentifier, text: str, tag: str, script: str) -> None:
    guess = ident.identify(text)
    assert (guess.lang, guess.script) == (tag, script), guess


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "12345 67.89", "!!! ??? ...", "2024-01-01"])
def test_no_letters_is_und(ident: LanguageIdentifier, text: str) -> None:
    guess = ident.identify(text)
    assert guess == LangGuess("und", "Zyyy", 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "hello\x00world this is english text",
        "bad \ud800 surrogate \udfff in english text",
        "noncharacters \ufffe\uffff\U0010ffff in here",
        "control \x01\x02\x1b[31m characters \x7f\x9f here",
        "\ud83d",
        "@user https://t.co/xyz www.example.org a@b.org",
    ],
)
def test_bad_input_does_not_crash(ident: LanguageIdentifier, text: str) -> None:
    guess = ident.identify(text)
    assert isinstance(guess, LangGuess)
    assert 0.0 <= guess.confidence <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_any_text_gives_a_valid_answer(text: str) -> None:
    guess = LanguageIdentifier(threshold=0.0).identify(text)
    assert 0.0 <= guess.confidence <= 1.0
    assert guess.lang == "und" or langcodes.tag_is_valid(guess.lang)
    assert len(guess.script) == 4


def test_one_or_two_words_are_usually_und(ident: LanguageIdentifier) -> None:
    assert ident.identify("ok").lang == "und"
    assert ident.identify("Habari").lang == "und"
    assert ident.identify("Habari yako rafiki, karibu nyumbani").lang == "sw"


def test_short_chinese_uses_the_script(ident: LanguageIdentifier) -> None:
    guess = ident.identify("今天天气很好")
    assert (guess.lang, guess.script) == ("zh-Hans", "Hans")


def test_prepare_text_removes_what_cld2_rejects() -> None:
    out = prepare_text("A\x00b \ud800 c\ufffe d\x01 'quoted' don't 123 https://x.org @me")
    assert out == "a b c d quoted don't"


def test_languages_are_many_valid_bcp47_tags(ident: LanguageIdentifier) -> None:
    tags = ident.languages()
    assert "und" in tags
    real = [t for t in tags if t != "und"]
    assert len(real) >= 200
    assert all(langcodes.tag_is_valid(t) for t in real)
    for tag in ("yo", "ha", "ig", "sw", "am", "ar", "zh-Hans", "zh-Hant", "hi", "wo", "ti"):
        assert tag in tags
    assert len({t.split("-")[0] for t in real}) >= 200


def test_shortest_tags() -> None:
    assert normalize_tag("yor_Latn") == "yo"
    assert normalize_tag("swh_Latn") == "sw"
    assert normalize_tag("arb_Arab") == "ar"
    assert normalize_tag("arb_Latn") == "ar-Latn"
    assert normalize_tag("zho_Hans") == "zh-Hans"
    assert normalize_tag("zho_Hant") == "zh-Hant"
    assert normalize_tag("srp_Cyrl") == "sr-Cyrl"
    assert normalize_tag("kor_Hang") == "ko"
    assert normalize_tag("zsm_Latn") == "ms"
    assert normalize_tag("uzn_Cyrl") == "uz-Cyrl"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Hello мир мир мир", "Cyrl"),
        ("Hello world, привет", "Latn"),
        ("東京は日本の首都です", "Jpan"),
        ("한국어 문장입니다", "Hang"),
        ("这是中文", "Hans"),
        ("這是中文", "Hant"),
        ("ሰላም ነው", "Ethi"),
        ("مرحبا بالعالم and some", "Arab"),
        ("नमस्ते दुनिया 123", "Deva"),
        ("ߒߞߏ ߞߊ߲", "Nkoo"),
        ("123 !!! 😀", "Zyyy"),
        ("", "Zyyy"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_script_of_mixed_text_follows_the_majority(ident: LanguageIdentifier) -> None:
    text = "Москва — столица России, а London is a city"
    assert detect_script(text) == "Cyrl"
    assert ident.identify(text).script == "Cyrl"


def test_threshold_turns_unsure_answers_into_und() -> None:
    text = "Le comité publiera son rapport."
    assert LanguageIdentifier(threshold=0.0).identify(text).lang == "fr"
    strict = LanguageIdentifier(threshold=1.0).identify(text)
    assert strict.lang == "und"
    assert strict.script == "Latn"
    with pytest.raises(ValueError):
        LanguageIdentifier(threshold=1.5)
    with pytest.raises(ValueError):
        LanguageIdentifier(strategy="nope")


def test_identify_lines(ident: LanguageIdentifier) -> None:
    text = "The weather is very nice today in the city.\n\nHali ya hewa ni nzuri sana leo mjini."
    guesses = ident.identify_lines(text)
    assert [g.lang for g in guesses] == ["en", "und", "sw"]


def test_long_documents_are_sampled(ident: LanguageIdentifier) -> None:
    sentences = sib_test("hau_Latn", 60)
    doc = " ".join(sentences)
    assert len(doc) > 5000
    assert ident.identify(doc).lang == "ha"


def test_pickles_small_and_works_after(ident: LanguageIdentifier) -> None:
    ident.identify("warm up so the model is loaded")
    blob = pickle.dumps(ident)
    assert len(blob) < 1000
    copy = pickle.loads(blob)
    assert copy.identify("The weather is very nice today in the city.").lang == "en"


def test_strategies_agree_on_easy_text() -> None:
    text = "Ina son in tafi kasuwa gobe da safe domin in sayi abinci."
    for strategy in ("combined", "ours", "cld2-trusted", "cld2"):
        assert LanguageIdentifier(strategy=strategy).identify(text).lang == "ha", strategy


def test_held_out_accuracy_over_every_flores_language(ident: LanguageIdentifier) -> None:
    """A broad check on held-out sentences: 205 varieties x 20 sentences, at least 90% right.

    The sentences are the sib200 suite's (FLORES-200 test split, never trained on).
    """
    suite = sib200_suite()
    assert len(suite) == 205
    right = total = 0
    for variety, rows in suite.items():
        expected = normalize_tag(variety)
        assert len(rows) == 20, variety
        for _, sentence in rows:
            total += 1
            right += ident.identify(sentence).lang.split("-")[0] == expected.split("-")[0]
    assert right / total >= 0.9, f"{right}/{total}"


def test_shipped_files() -> None:
    folder = resources.files("puhui.content.langid")
    model = folder.joinpath("model.ftz")
    assert model.is_file()
    with resources.as_file(model) as path:
        assert path.stat().st_size < 20_000_000
    for name in ("meta.json", "LICENSE", "SOURCE.md"):
        assert folder.joinpath(name).is_file(), name
