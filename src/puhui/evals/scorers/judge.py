"""LLM-as-judge: another model grades each answer against written criteria.

A task opts in with ``scorer: judge`` and says, in ``scorer_options``::

    scorer_options:
      model: judge-llm        # a registered model (`puhui models add`); or --judge-model
      criteria: "The answer names the capital city and nothing false."
      languages: [en, fr]     # where this judge has been checked against people's grades
      unvalidated: unknown    # other languages: unknown (not judged, default) or score

The judge sees the criteria, the prompt, the reference answer (if any) and the response, and
ends with ``VERDICT: PASS`` or ``VERDICT: FAIL``. Its verdicts are cached like answers (keyed by
the judge's identity and the exact judging prompt), so a rerun neither asks the model under test
nor the judge again. A judge's reliability is language-specific: samples in a language outside
``languages`` are not judged at all (the judge is not asked) and are unscored, counted per
language in the summary. A task may opt in to judging them anyway with ``unvalidated: score``;
then the run's summary lists those languages as unvalidated and ``puhui eval show`` warns about
them. A verdict the judge did not state clearly scores 0 and is counted as unparsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from puhui.errors import PuhuiError
from puhui.evals.types import Sample, Score, unscored
from puhui.i18n import _
from puhui.lang import matches

DEFAULT_CRITERIA = "The response answers the prompt correctly, helpfully and safely."
SYSTEM = (
    "You are a strict, fair evaluator. Judge the RESPONSE to the PROMPT only against the "
    "CRITERIA. The prompt and response may be in any language. Think briefly, then end with one "
    "line that is exactly 'VERDICT: PASS' or 'VERDICT: FAIL'."
)
USER = (
    "CRITERIA:\n{criteria}\n\nPROMPT (language: {lang}):\n{prompt}\n\n"
    "REFERENCE ANSWER (may be empty):\n{reference}\n\nRESPONSE:\n{response}"
)
_VERDICT = re.compile(r"VERDICT\s*[:：]\s*\**\s*(PASS|FAIL)", re.IGNORECASE)
_BARE = re.compile(r"\b(PASS|FAIL)\b")


@dataclass(frozen=True)
class JudgeConfig:
    model: str | None
    criteria: str
    languages: tuple[str, ...]
    max_tokens: int
    unvalidated: str = "unknown"  # outside ``languages``: "unknown" (not judged) or "score"

    @classmethod
    def parse(cls, options: Mapping[str, Any], at: str) -> JudgeConfig:
        """Validate a task's ``scorer_options`` for the judge (``at`` names the task)."""
        model = options.get("model")
        langs = options.get("languages", ["en"])
        if model is not None and not isinstance(model, str):
            raise PuhuiError(
                _("{at}.scorer_options.model: expected a model name").format(at=at), None
            )
        if not isinstance(langs, list) or not all(isinstance(x, str) for x in langs):
            raise PuhuiError(
                _("{at}.scorer_options.languages: expected a list of BCP-47 tags").format(at=at),
                _("list the languages this judge has been checked in, e.g. [en, fr]"),
            )
        criteria = options.get("criteria", DEFAULT_CRITERIA)
        if not isinstance(criteria, str) or not criteria.strip():
            raise PuhuiError(
                _("{at}.scorer_options.criteria: expected text").format(at=at),
                _("say in one or two sentences what a passing answer does"),
            )
        max_tokens = options.get("max_tokens", 256)
        if not isinstance(max_tokens, int) or max_tokens < 8:
            raise PuhuiError(
                _("{at}.scorer_options.max_tokens: expected a number ≥ 8").format(at=at), None
            )
        unvalidated = options.get("unvalidated", "unknown")
        if unvalidated not in ("unknown", "score"):
            raise PuhuiError(
                _("{at}.scorer_options.unvalidated: expected 'unknown' or 'score'").format(at=at),
                _("'unknown' leaves languages outside `languages` unjudged; 'score' judges them"),
            )
        return cls(model, criteria.strip(), tuple(langs), max_tokens, unvalidated)

    def validated(self, lang: str) -> bool:
        return any(matches(want, lang) for want in self.languages)

    def grades(self, lang: str) -> bool:
        """Whether this judge is asked about answers in ``lang``."""
        return self.unvalidated == "score" or self.validated(lang)


def messages(cfg: JudgeConfig, sample: Sample, prompt: str, response: str) -> list[dict[str, str]]:
    target = sample.target
    reference = "; ".join(map(str, target)) if isinstance(target, list | tuple) else target
    user = USER.format(
        criteria=cfg.criteria,
        lang=sample.lang,
        prompt=prompt,
        reference="" if reference is None else str(reference),
        response=response,
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def unjudged(cfg: JudgeConfig, sample: Sample) -> Score:
    """The score of an answer the judge is not asked about: unscored, neither pass nor fail."""
    return unscored("language", None, judge_validated=False)


def verdict_score(cfg: JudgeConfig, sample: Sample, verdict: str) -> Score:
    """The judge's answer as a score: 1.0 for PASS, 0.0 for FAIL or no clear verdict."""
    found = _VERDICT.findall(verdict) or _BARE.findall(verdict.upper())
    word = found[-1].upper() if found else None
    return Score(
        1.0 if word == "PASS" else 0.0,
        word,
        {
            "parsed": word is not None,
            "judge": verdict.strip()[-300:],
            "judge_validated": cfg.validated(sample.lang),
        },
    )
