"""The language of an imported sample: from a metadata value (``sw``, ``swh_Latn``, ``Swahili``)
or from an lm-eval task name (``xnli_sw``, ``belebele_swh_Latn``, ``global_mmlu_full_yo_…``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# lm-eval task families whose language code follows a fixed prefix rather than ending the name.
PREFIX_FAMILIES = (
    "global_mmlu_full_",
    "global_mmlu_",
    "mmlu_prox_lite_",
    "mmlu_prox_",
    "afrimgsm_",
    "afrimmlu_",
    "afrixnli_",
    "global_piqa_parallel_generation_",
    "global_piqa_parallel_",
)


def _known(tag: str) -> bool:
    import langcodes

    if tag == "und" or not langcodes.tag_is_valid(tag):
        return False
    return bool(langcodes.Language.get(tag).language)


def language_of_value(value: Any) -> str | None:
    """A BCP-47 tag for a metadata value (``sw``, ``swh_Latn``, ``en-US``, ``Swahili``), or None."""
    from puhui.lang import normalize_tag

    if not isinstance(value, str) or not value.strip():
        return None
    tag = normalize_tag(value)
    if _known(tag):
        return tag
    import langcodes

    try:  # a language name, e.g. "Swahili" or "Kiswahili"
        return normalize_tag(str(langcodes.find(value.strip())))
    except LookupError:
        return None


def _code(token: str, script: str | None = None) -> str | None:
    """The tag of a task-name token that is unambiguously a language code, else None."""
    from puhui.lang import normalize_tag

    if script is not None:
        if not re.fullmatch(r"[a-z]{3}", token) or not re.fullmatch(r"[A-Za-z][a-z]{3}", script):
            return None
        raw = f"{token}-{script.title()}"
    elif re.fullmatch(r"[a-z]{2,3}", token):
        raw = token
    else:
        return None
    import langcodes

    if not langcodes.tag_is_valid(raw):
        return None
    tag = normalize_tag(raw)
    return tag if _known(tag) else None


def language_from_task_name(name: str, siblings: Iterable[str] = ()) -> tuple[str, str, str]:
    """(base name, BCP-47 tag or ``und``, how) for an lm-eval task name.

    Conservative: a FLORES code (``_swh_Latn``) or a two-letter code (``_sw``) ending the name;
    a three-letter code (``_amh``) ending it only when another task in ``siblings`` has the same
    base with another three-letter code; or the code right after a known family prefix
    (``global_mmlu_full_yo_college_chemistry``). Anything else is ``und``.
    """
    parts = name.split("_")
    if len(parts) >= 3 and (tag := _code(parts[-2], parts[-1])):
        return "_".join(parts[:-2]), tag, f"task name suffix {parts[-2]}_{parts[-1]}"
    if len(parts) >= 2 and len(parts[-1]) == 2 and (tag := _code(parts[-1])):
        return "_".join(parts[:-1]), tag, f"task name suffix {parts[-1]}"
    if len(parts) >= 2 and len(parts[-1]) == 3 and (tag := _code(parts[-1])):
        base = "_".join(parts[:-1])
        others = {
            s.rsplit("_", 1)[1]
            for s in siblings
            if s != name and s.rsplit("_", 1)[0] == base and _code(s.rsplit("_", 1)[-1])
        }
        if others - {parts[-1]}:
            return base, tag, f"task name suffix {parts[-1]} (sibling tasks share the base)"
    for prefix in PREFIX_FAMILIES:
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix) :].split("_")
        if len(rest) >= 2 and (tag := _code(rest[0], rest[1])):
            base = prefix + "_".join(rest[2:])
            return base.rstrip("_"), tag, f"task family {prefix}<{rest[0]}_{rest[1]}>"
        if rest and (tag := _code(rest[0])):
            base = prefix + "_".join(rest[1:])
            return base.rstrip("_"), tag, f"task family {prefix}<{rest[0]}>"
        break
    return name, "und", "none"
