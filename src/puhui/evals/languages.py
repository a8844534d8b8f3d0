"""Language tags for evaluations: normalize dataset codes to BCP-47 and match user requests.

``sw`` matches ``swh`` (Swahili, a macrolanguage and its member), ``ar`` matches ``arb``,
``zh`` matches ``zh-Hans`` and ``zho_Hans``; FLORES-style codes (``yor_Latn``) are accepted
anywhere a tag is. A script in the request must match; a request without a script matches any.
"""

from __future__ import annotations

from functools import cache

import langcodes
from langcodes.tag_parser import LanguageTagError

# Languages whose tag always carries the script, as in the corpus language ID (zh-Hans, sr-Cyrl).
ALWAYS_SCRIPT = frozenset({"zh", "sr"})
# CLDR's default script for Korean is "Kore" (Hangul + Han); FLORES writes "Hang".
_SCRIPT_ALIAS = {"Hang": "Kore"}


@cache
def normalize_tag(tag: str) -> str:
    """Shortest BCP-47 form of a tag or FLORES-style code (``yor_Latn`` → ``yo``)."""
    raw = tag.strip().replace("_", "-")
    if not raw:
        return "und"
    try:
        lang = langcodes.Language.get(langcodes.standardize_tag(raw))
        if lang.language and len(lang.language) == 3:
            # an individual language with no two-letter code: use its macrolanguage's when CLDR
            # does (swh -> sw, arb -> ar, cmn -> zh); twi keeps tw, distinct from Akan (ak)
            lang = langcodes.Language.get(langcodes.standardize_tag(raw, macro=True))
    except (ValueError, LanguageTagError):
        return raw
    base = lang.language
    if not base:
        return "und"
    default_script = langcodes.Language.get(base).maximize().script
    if base in ALWAYS_SCRIPT:
        if not lang.script:
            lang = lang.update_dict({"script": default_script})
    elif lang.script and _SCRIPT_ALIAS.get(lang.script, lang.script) == default_script:
        lang = lang.update_dict({"script": None})
    return str(lang.to_tag())


@cache
def _parts(tag: str) -> tuple[str, str | None]:
    norm = normalize_tag(tag)
    try:
        lang = langcodes.Language.get(norm)
    except (ValueError, LanguageTagError):
        return norm.lower(), None
    return (lang.language or norm).lower(), lang.script


def matches(requested: str, sample_tag: str) -> bool:
    """True when a sample in ``sample_tag`` belongs to the user's ``requested`` language."""
    want_lang, want_script = _parts(requested)
    have_lang, have_script = _parts(sample_tag)
    if want_lang != have_lang:
        return False
    if want_script is None:
        return True
    have = have_script or langcodes.Language.get(have_lang).maximize().script
    return have == want_script
