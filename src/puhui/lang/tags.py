"""BCP-47 language tags: one normalizer for every part of Puhui, and matching of user requests.

:func:`normalize_tag` turns what data sets, models and users write (``yor_Latn``, ``SWH``,
``zh_hant``, ``arb-Arab``, ``sr``) into the shortest BCP-47 tag Puhui uses everywhere (corpus
records, eval samples and summaries, suite files, the hub):

- case and separators: ``zh_hant`` -> ``zh-Hant``; FLORES-style codes are tags with ``_``;
- ISO 639-3 -> 639-1: a language's own two-letter code when it has one (``yor`` -> ``yo``,
  ``twi`` -> ``tw``); otherwise, for an individual language of a macrolanguage, the
  macrolanguage's code when CLDR folds it so (``swh`` -> ``sw``, ``arb`` -> ``ar``,
  ``cmn`` -> ``zh``, ``zsm`` -> ``ms``); other languages keep their three letters (``acm``);
- the script subtag is dropped when it is the language's default (IANA Suppress-Script, else
  the CLDR likely script; ``Hang`` counts as Korean's ``Kore``) and kept otherwise
  (``ar-Latn``, ``uz-Cyrl``, ``ace-Arab``). Chinese and Serbian always carry it, since their
  texts are split between two scripts in everyday use: ``zh`` -> ``zh-Hans``, ``sr`` ->
  ``sr-Cyrl``. When no default script is recorded for a language, the script is kept unless
  the caller says it is the only script that language has in its data (``sole_script``);
- empty text gives ``und``; something that is not a tag is returned as written.

:func:`matches` says whether a sample's tag answers a user's request: ``sw`` matches ``swh``
(a macrolanguage and its member), ``ar`` matches ``arb``, ``zh`` matches ``zh-Hans`` and
``zho_Hans`` (a bare ``zh`` means ``zh-Hans``, a bare ``sr`` means ``sr-Cyrl``). A script in
the request must match the sample's (a sample tag without one is in the language's default
script, or in any when none is recorded); a request without a script matches any.
"""

from __future__ import annotations

from functools import cache

import langcodes
from langcodes.data_dicts import DEFAULT_SCRIPTS, LIKELY_SUBTAGS, MACROLANGUAGES
from langcodes.tag_parser import LanguageTagError

__all__ = [
    "ALWAYS_SCRIPT",
    "UNDETERMINED",
    "default_script",
    "macrolanguage",
    "matches",
    "normalize_tag",
]

#: Languages whose tag always carries the script (zh-Hans / zh-Hant, sr-Cyrl / sr-Latn).
ALWAYS_SCRIPT = frozenset({"zh", "sr"})
#: The tag of text whose language is not known.
UNDETERMINED = "und"
# CLDR's default script for Korean is "Kore" (Hangul + Han); FLORES and our models write "Hang".
_SCRIPT_ALIAS = {"Hang": "Kore"}


@cache
def default_script(language: str) -> str | None:
    """The script a language is written in unless said otherwise, or None when not recorded.

    The IANA registry's Suppress-Script of the language subtag, else its CLDR likely script.
    """
    if language in DEFAULT_SCRIPTS:
        return str(DEFAULT_SCRIPTS[language])
    likely = LIKELY_SUBTAGS.get(language)
    if likely is None:
        return None
    parts = str(likely).split("-")
    return parts[1] if len(parts) > 1 and len(parts[1]) == 4 else None


@cache
def normalize_tag(tag: str, sole_script: bool = False) -> str:
    """Shortest BCP-47 form of a tag or FLORES-style code (``yor_Latn`` -> ``yo``).

    ``sole_script``: the language has only this script in the caller's data (one FLORES code or
    one model label for it), so the script subtag is dropped even when no default script is
    recorded for the language (``acm_Arab`` -> ``acm`` rather than ``acm-Arab``).
    See the module docstring for the rules.
    """
    raw = tag.strip().replace("_", "-")
    if not raw:
        return UNDETERMINED
    try:
        lang = langcodes.Language.get(langcodes.standardize_tag(raw))
        if lang.language and len(lang.language) == 3:
            # an individual language with no two-letter code of its own: its macrolanguage's
            # when CLDR folds it so (swh -> sw); twi keeps tw, distinct from Akan (ak)
            lang = langcodes.Language.get(langcodes.standardize_tag(raw, macro=True))
    except (ValueError, LanguageTagError):
        return raw
    base = lang.language
    if not base:
        return UNDETERMINED
    default = default_script(base)
    if base in ALWAYS_SCRIPT:
        if not lang.script and default:
            lang = lang.update_dict({"script": default})
    elif lang.script and (
        (default is None and sole_script)
        or (default is not None and _SCRIPT_ALIAS.get(lang.script, lang.script) == default)
    ):
        lang = lang.update_dict({"script": None})
    return str(lang.to_tag())


@cache
def _parts(tag: str) -> tuple[str, str | None]:
    """(language subtag, script subtag or None) of the normalized tag."""
    norm = normalize_tag(tag)
    try:
        lang = langcodes.Language.get(norm)
    except (ValueError, LanguageTagError):
        return norm.lower(), None
    return (lang.language or norm).lower(), lang.script


@cache
def macrolanguage(tag: str) -> str:
    """The macrolanguage a tag's language belongs to (``acm`` -> ``ar``), else its language.

    Two tags with the same answer are varieties of one language for the purpose of telling
    them apart (Arabic dialects and Standard Arabic, Dari and Persian, Cantonese and Chinese).
    """
    code = tag.strip().replace("_", "-").partition("-")[0]
    try:
        short = str(langcodes.Language.get(langcodes.standardize_tag(code)).language)
        fallback = str(langcodes.Language.get(langcodes.standardize_tag(code, macro=True)))
    except (ValueError, LanguageTagError):
        return code.lower()
    return str(MACROLANGUAGES.get(code) or MACROLANGUAGES.get(short) or fallback)


def matches(requested: str, sample_tag: str) -> bool:
    """True when a sample in ``sample_tag`` belongs to the user's ``requested`` language."""
    want_lang, want_script = _parts(requested)
    have_lang, have_script = _parts(sample_tag)
    if want_lang != have_lang:
        return False
    if want_script is None:
        return True
    if have_script is None:
        # a tag without a script is in the language's default one; when none is recorded,
        # which script the data is in is not known, so it is not excluded
        have_script = default_script(have_lang)
        if have_script is None:
            return True
    return have_script == want_script


#: Scripts written right to left (ISO 15924).
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr"})


def is_right_to_left(tag: str) -> bool:
    """Whether text in ``tag`` (a BCP-47 tag) is written right to left: by the tag's script
    subtag, else by the language's default script (``ar`` -> Arab -> True, ``sw`` -> False)."""
    parts = normalize_tag(tag).split("-")
    script = next((p for p in parts[1:] if len(p) == 4), None) or default_script(parts[0])
    return script in RTL_SCRIPTS
