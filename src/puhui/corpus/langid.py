"""Offline language identification for corpus building: BCP-47 tag, script and confidence.

Works without a network on a plain CPU. Two models are combined:

* **pycld2** (CLD2 tables inside the wheel, 165 languages): very fast and very accurate on the
  languages it knows, but it mistakes the hundreds of languages it does not know for ones it
  does (many Austronesian languages for Indonesian, Bantu languages for Swahili, ...).
* **Our fastText model** (``puhui/content/langid/model.ftz``, run with ``fasttext-predict``):
  trained by ``bench/langid_train.py`` on FLORES-200 dev sentences (SIB-200) and UDHR
  translations, one label per language variety such as ``yor_Latn`` or ``zho_Hant``
  (496 labels, 474 languages).

The default rule (``strategy="combined"``, chosen by measurement): a reliable CLD2 answer
for a language whose CLD2 answers were measured to be precise is final; otherwise our model
answers, and a reliable CLD2 answer replaces it only when our model is unsure between
languages CLD2 knows (``KNOWN_MARGIN``) or within one macrolanguage (``FAMILY_MARGIN``).

Before either model runs, :func:`puhui.lang.detect_script` finds the dominant Unicode script of
the text; only labels written in that script can win, and a script used by a single known
language (Hangul, Georgian, Thai, ...) decides on its own. The label is turned into the shortest
BCP-47 tag by :func:`puhui.lang.normalize_tag` (``yo``, ``sw``, ``ar``, ``zh-Hant``,
``sr-Cyrl``, ``ar-Latn``).

Long documents are sampled (see ``max_chars``) so that one document costs well under a
millisecond. Text that is empty, has no letters, or scores below ``threshold`` gives ``und``.
Measured accuracy and speed: ``bench/RESULTS.md`` (section "Language identification").
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from puhui.lang import NO_SCRIPT, UNDETERMINED, detect_script, macrolanguage, normalize_tag

__all__ = ["LangGuess", "LanguageIdentifier", "prepare_text"]

#: Default minimum confidence; below it :meth:`LanguageIdentifier.identify` answers ``und``.
#: Chosen on the validation split by ``bench/langid_eval.py --tune`` (see bench/RESULTS.md).
DEFAULT_THRESHOLD = 0.4
#: Characters of a long document that are looked at (half from the start, half from the middle).
DEFAULT_MAX_CHARS = 500

#: Our model overrides a reliable CLD2 answer, when its own answer is a language CLD2 also
#: knows, only with at least this probability.
KNOWN_MARGIN = 0.7
#: Our model overrides a reliable CLD2 answer of the same macrolanguage (Arabic dialect vs
#: Standard Arabic, Dari vs Persian, Cantonese vs Chinese) only with at least this probability.
FAMILY_MARGIN = 0.5
#: Texts with fewer letters than this get a proportionally lower confidence.
SHORT_TEXT_LETTERS = 16
#: Characters (spread over the sample) looked at to find the dominant script.
SCRIPT_SAMPLE = 160

_UND = UNDETERMINED
_NO_SCRIPT = NO_SCRIPT

# --------------------------------------------------------------------------------------------
# Text preparation (shared with bench/langid_train.py so training and inference match)
# --------------------------------------------------------------------------------------------

# Everything that is not a letter, a combining mark or an apostrophe is a word boundary.
# Removing it also removes what pycld2 rejects (NUL, other controls, noncharacters, lone
# surrogates).
_NON_WORD_RE = regex.compile(r"[^\p{L}\p{M}'\u2019]+")
_APOSTROPHES = "'\u2019"

# Web addresses, e-mail addresses and @handles say nothing about the language.
_NOISE_RE = regex.compile(r"(?:https?://|www\.)\S*|\S+@\S+|@\w+", regex.IGNORECASE)


def prepare_text(text: str) -> str:
    """Normalise text for the models: NFC, lower case, words of letters separated by one space.

    URLs, e-mail addresses and @handles are removed first. The result never contains
    controls, NUL, surrogates or other characters pycld2 rejects.
    """
    if "@" in text or "://" in text or "www." in text:
        text = _NOISE_RE.sub(" ", text)
    cleaned = _NON_WORD_RE.sub(" ", text)
    if "'" in cleaned or "\u2019" in cleaned:  # keep apostrophes inside words only
        cleaned = " ".join(w for w in (w.strip(_APOSTROPHES) for w in cleaned.split()) if w)
    else:
        cleaned = cleaned.strip()
    if not cleaned:
        return ""
    if not cleaned.isascii():
        cleaned = unicodedata.normalize("NFC", cleaned)
    return cleaned.lower()


def _sample(text: str, max_chars: int) -> str:
    """At most about ``max_chars`` characters: half from the start, half from the middle."""
    if len(text) <= max_chars:
        return text
    half = max_chars // 2
    middle = len(text) // 2
    return text[:half] + " " + text[middle : middle + half]


# --------------------------------------------------------------------------------------------
# Labels and BCP-47 tags
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# The shipped model
# --------------------------------------------------------------------------------------------

# Scripts that a label may have when the text's dominant script is the key.
_COMPATIBLE_SCRIPTS: dict[str, frozenset[str]] = {
    "Hans": frozenset({"Hans", "Hani"}),  # simplified-only characters seen: no Hant label
    "Hant": frozenset({"Hant", "Hani"}),
    "Hani": frozenset({"Hans", "Hant", "Hani"}),
    "Hang": frozenset({"Hang", "Kore"}),
    "Kore": frozenset({"Hang", "Kore"}),
}
_HAN_FAMILY = frozenset({"Hans", "Hant", "Hani"})
_DENSE_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore", "Hang", "Yiii"})
_PREFIX = "__label__"


@dataclass(frozen=True)
class _Resources:
    model: Any  # fasttext_pybind.fasttext (fasttext-predict has no type stubs)
    labels: tuple[str, ...]
    tags: dict[str, str]  # label -> BCP-47 tag
    by_script: dict[str, tuple[str, ...]]  # label script -> labels
    cld2_map: dict[str, str]  # "<CLD2 code>|<text script>" -> label
    cld2_known: frozenset[str]  # labels CLD2 can answer
    # text script -> labels whose reliable CLD2 answer is final
    cld2_trusted_labels: dict[str, frozenset[str]]
    family: dict[str, str]  # label -> macrolanguage (or language) subtag


def _compatible(script: str) -> frozenset[str]:
    return _COMPATIBLE_SCRIPTS.get(script, frozenset({script}))


@cache
def _resources(model_dir: str | None = None) -> _Resources:
    """Load the model and its metadata, once per process (and per ``model_dir``)."""
    import fasttext

    if model_dir is None:
        folder = resources.files("puhui.content.langid")
        meta = json.loads(folder.joinpath("meta.json").read_text(encoding="utf-8"))
        with resources.as_file(folder.joinpath("model.ftz")) as path:
            model = fasttext.load_model(str(path)).f
    else:
        meta = json.loads(Path(model_dir, "meta.json").read_text(encoding="utf-8"))
        model = fasttext.load_model(str(Path(model_dir, "model.ftz"))).f
    labels = tuple(str(label) for label in meta["labels"])
    per_language = Counter(label.partition("_")[0] for label in labels)
    tags = {lab: normalize_tag(lab, per_language[lab.partition("_")[0]] == 1) for lab in labels}
    by_script: dict[str, list[str]] = {}
    for label in labels:
        by_script.setdefault(label.partition("_")[2], []).append(label)
    cld2_map = {str(k): str(v) for k, v in meta["cld2_map"].items()}
    trusted: dict[str, set[str]] = {}
    for key, label in meta["cld2_trusted"].items():
        trusted.setdefault(str(key).partition("|")[2], set()).add(str(label))
    return _Resources(
        family={lab: macrolanguage(lab) for lab in labels},
        model=model,
        labels=labels,
        tags=tags,
        by_script={s: tuple(v) for s, v in by_script.items()},
        cld2_map=cld2_map,
        cld2_known=frozenset(cld2_map.values()),
        cld2_trusted_labels={s: frozenset(v) for s, v in trusted.items()},
    )


@dataclass(frozen=True)
class LangGuess:
    """One answer of the language identifier."""

    lang: str  # BCP-47 tag, shortest form ('yo', 'sw', 'zh-Hans', 'sr-Cyrl'); 'und' when unsure
    script: str  # ISO 15924 ('Latn', 'Arab', 'Hans', ...); 'Zyyy' when there are no letters
    confidence: float  # 0..1


STRATEGIES = ("combined", "ours", "cld2-trusted", "cld2")


class LanguageIdentifier:
    """Language and script of texts; cheap to create and to pickle (the model loads lazily).

    ``threshold``: answers below this confidence become ``und``. ``max_chars``: longer texts
    are sampled (half from the start, half from the middle). ``model_dir``: a folder with
    ``model.ftz`` and ``meta.json`` to use instead of the shipped model (for evaluation).

    ``strategy`` says how CLD2 and our model are combined (the default was chosen by
    measurement, see bench/RESULTS.md):

    * ``combined``: a reliable CLD2 answer for a language whose CLD2 answers were measured to be
      precise is final. Otherwise both run: CLD2's reliable answer wins when our model's answer
      is also a language CLD2 knows (CLD2 separates its own languages better); our model wins
      when it names a language CLD2 does not know.
    * ``cld2-trusted``: only the first step, then our model.
    * ``ours``: our fastText model alone. ``cld2``: CLD2 alone (its languages only).
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
        strategy: str = "combined",
        model_dir: str | None = None,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        if max_chars < 1:
            raise ValueError(f"max_chars must be positive, not {max_chars}")
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        self.threshold = threshold
        self.max_chars = max_chars
        self.strategy = strategy
        self.model_dir = model_dir

    def __repr__(self) -> str:
        return (
            f"LanguageIdentifier(threshold={self.threshold}, max_chars={self.max_chars}, "
            f"strategy={self.strategy!r}, model_dir={self.model_dir!r})"
        )

    def identify(self, text: str) -> LangGuess:
        """Language, script and confidence of one text (a sentence or a document).

        Texts with fewer than ``SHORT_TEXT_LETTERS`` letters get a proportionally lower
        confidence: one or two words rarely say which language they are in.
        """
        label, script, confidence = self.identify_label(text)
        if label is None or confidence < self.threshold:
            return LangGuess(_UND, script, confidence if label is not None else 0.0)
        return LangGuess(_resources(self.model_dir).tags[label], script, confidence)

    def identify_lines(self, text: str) -> list[LangGuess]:
        """One guess per line of ``text`` (``str.splitlines``); blank lines give ``und``."""
        return [self.identify(line) for line in text.splitlines()]

    def languages(self) -> list[str]:
        """Every BCP-47 tag :meth:`identify` can answer, ``und`` included, sorted."""
        res = _resources(self.model_dir)
        labels = set(res.cld2_map.values()) if self.strategy == "cld2" else res.labels
        return sorted({*(res.tags[lab] for lab in labels), _UND})

    def identify_label(self, text: str) -> tuple[str | None, str, float]:
        """The model label (e.g. ``yor_Latn``) or None, the script and the confidence.

        No threshold is applied; :meth:`identify` applies it. Meant for evaluation and tools.
        """
        sample = prepare_text(_sample(text, self.max_chars))
        if not sample:
            return None, _NO_SCRIPT, 0.0
        label, script, confidence = self._label(sample)
        if len(sample) < SHORT_TEXT_LETTERS:
            letters = len(sample) - sample.count(" ")
            if script in _DENSE_SCRIPTS:  # a Han or Hangul character carries a syllable or word
                letters *= 3
            confidence *= min(1.0, letters / SHORT_TEXT_LETTERS)
        return label, script, confidence

    def _label(self, sample: str) -> tuple[str | None, str, float]:
        script = detect_script(sample, SCRIPT_SAMPLE)
        if script == _NO_SCRIPT:
            return None, script, 0.0
        res = _resources(self.model_dir)
        allowed = _compatible(script)
        candidates = [lab for s in allowed for lab in res.by_script.get(s, ())]
        if not candidates:
            return None, script, 0.0
        if len(candidates) == 1 and self.strategy != "cld2":
            return candidates[0], script, 1.0
        cld2: tuple[str, float] | None = None
        if self.strategy != "ours":
            cld2 = _cld2_label(sample, script, res)
            if cld2 is not None and (
                self.strategy == "cld2" or (cld2[0] in res.cld2_trusted_labels.get(script, ()))
            ):
                return cld2[0], _label_script(cld2[0], script), cld2[1]
            if self.strategy == "cld2":
                return None, script, 0.0
        label, prob = _fasttext_label(sample, allowed, res)
        if (
            cld2 is not None
            and self.strategy == "combined"
            and (
                label is None
                or label == cld2[0]
                or (label in res.cld2_known and prob < KNOWN_MARGIN)
                or (res.family[label] == res.family[cld2[0]] and prob < FAMILY_MARGIN)
            )
        ):
            return cld2[0], _label_script(cld2[0], script), max(cld2[1], prob)
        if label is None:
            return None, script, 0.0
        return label, _label_script(label, script), prob


def _label_script(label: str, text_script: str) -> str:
    """The script to report: the label's for Han texts (Hans/Hant), else the text's."""
    label_script = label.partition("_")[2]
    return label_script if label_script in _HAN_FAMILY else text_script


def _cld2_label(sample: str, script: str, res: _Resources) -> tuple[str, float] | None:
    """CLD2's reliable answer as one of our labels, with its share of the text; else None."""
    import pycld2

    try:
        reliable, _, details = pycld2.detect(sample, isPlainText=True)
    except (pycld2.error, ValueError, UnicodeError):
        return None
    if not reliable:
        return None
    code, percent = details[0][1], details[0][2]
    label = res.cld2_map.get(f"{code}|{script}")
    if label is None:
        return None
    return label, min(1.0, percent / 100.0)


def _fasttext_label(
    sample: str, allowed: frozenset[str], res: _Resources
) -> tuple[str | None, float]:
    """Best fastText label whose script is allowed, with its probability.

    When the model's favourite labels are in other scripts (short text whose n-grams it has
    rarely seen, e.g. a few Chinese characters), the probability is renormalised over the
    labels of the text's script: the script is known, so only they are in the running.
    """
    text = sample + "\n"
    predictions: list[tuple[float, str]] = res.model.predict(text, 5, 0.0, "replace")
    if predictions and predictions[0][1][len(_PREFIX) :].partition("_")[2] in allowed:
        return predictions[0][1][len(_PREFIX) :], min(1.0, max(0.0, float(predictions[0][0])))
    best: str | None = None
    best_prob = total = 0.0
    for prob, raw in res.model.predict(text, -1, 0.0, "replace"):
        label = raw[len(_PREFIX) :]
        if label.partition("_")[2] in allowed:
            total += prob
            if best is None:
                best, best_prob = label, prob
    if best is None or total <= 0.0:
        return None, 0.0
    return best, min(1.0, best_prob / total)
