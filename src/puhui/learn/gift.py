"""GIFT (Moodle's plain-text quiz format): :func:`to_gift` writes a :class:`Quiz`,
:func:`from_gift` reads one, so quizzes move between Puhui and Moodle both ways.

How our question types are written (``from_gift(to_gift(q)) == q`` for every quiz we load):

- ``single``: ``{=right#feedback ~wrong#feedback}``;
- ``multiple``: ``{~%50%right#feedback ~%-100%wrong#feedback}`` (correct = positive weight);
- ``true_false``: ``{TRUE#feedback when wrong#feedback when right}`` (Moodle's order);
- ``numeric``: ``{#3:0.5#feedback when right####feedback when wrong}`` (the wrong feedback is
  GIFT's general feedback: Moodle has no "any other number" answer);
- ``short_text``: ``{=bias#right =biased data#right =%0%*#wrong}`` (``*`` is Moodle's
  "any other answer").

``::id::`` titles carry question ids; ``//`` lines are comments, and the quiz's own fields are
kept in ``// puhui: title: ...`` comments Moodle ignores. Special characters are escaped with a
backslash (``\\: \\= \\~ \\# \\{ \\} \\\\``) and a line break inside a text is ``\\n``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.learn.course import Option, Question, QuestionType, Quiz

SPECIAL = "\\~=#{}:"
_META = re.compile(r"//\s*puhui:\s*(title|review|pass_percent):\s?(.*)$")


def escape(text: str) -> str:
    """``text`` with GIFT's special characters backslash-escaped and line breaks as ``\\n``."""
    out = "".join("\\" + c if c in SPECIAL else c for c in text)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    """The inverse of :func:`escape` (``\\n`` becomes a line break)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt if nxt in SPECIAL else c + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _weight(w: float) -> str:
    return str(int(w)) if float(w).is_integer() else f"{w:.5f}".rstrip("0")


def _fb(text: str) -> str:
    return "#" + escape(text) if text else ""


def to_gift(quiz: Quiz) -> str:
    """The quiz as GIFT text (one question per paragraph)."""
    lines = [
        f"// puhui: title: {quiz.title}",
        f"// puhui: review: {quiz.review}",
        f"// puhui: pass_percent: {quiz.pass_percent}",
        "",
    ]
    for q in quiz.questions:
        head = f"::{escape(q.id)}:: {escape(q.prompt)} {{"
        if q.type == "single":
            body = [
                f"\t{'=' if o.correct else '~'}{escape(o.text)}{_fb(o.feedback)}" for o in q.options
            ]
        elif q.type == "multiple":
            right = sum(o.correct for o in q.options)
            weights = [_weight(100 / right) if o.correct else "-100" for o in q.options]
            body = [
                f"\t~%{w}%{escape(o.text)}{_fb(o.feedback)}"
                for w, o in zip(weights, q.options, strict=True)
            ]
        elif q.type == "true_false":
            fb = ""
            if q.feedback_correct or q.feedback_wrong:
                fb = f"#{escape(q.feedback_wrong)}#{escape(q.feedback_correct)}"
            lines += [f"{head}{'TRUE' if q.answer else 'FALSE'}{fb}}}", ""]
            continue
        elif q.type == "numeric":
            assert isinstance(q.answer, int | float)
            general = f"####{escape(q.feedback_wrong)}" if q.feedback_wrong else ""
            lines += [
                f"{head}#{_number(q.answer)}:{_number(q.tolerance)}{_fb(q.feedback_correct)}"
                f"{general}}}",
                "",
            ]
            continue
        else:
            body = [f"\t={escape(a)}{_fb(q.feedback_correct)}" for a in q.accept]
            if q.feedback_wrong:
                body.append(f"\t=%0%*{_fb(q.feedback_wrong)}")
        lines += [head, *body, "}", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- reading


def _find(text: str, chars: str, start: int = 0) -> int:
    """Index of the first unescaped character of ``chars`` in ``text`` from ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            return i
        i += 1
    return -1


def _weight_of(token: str) -> tuple[float | None, str]:
    m = re.match(r"%(-?\d+(?:\.\d+)?)%", token)
    return (float(m.group(1)), token[m.end() :]) if m else (None, token)


def _text_fb(token: str) -> tuple[str, str]:
    """(text, feedback) of an answer token (its leading = or ~ and weight already cut)."""
    i = _find(token, "#")
    if i == -1:
        return unescape(token.strip()), ""
    return unescape(token[:i].strip()), unescape(token[i + 1 :].strip())


def from_gift(text: str, where: str) -> Quiz:
    """A quiz from GIFT ``text``; ``where`` names the source in errors (a file name)."""
    meta: dict[str, str] = {}
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        m = _META.match(line.strip())
        if m:
            meta[m.group(1)] = m.group(2).strip()
        elif not line.lstrip().startswith("//"):
            kept.append(line)
    blocks = re.split(r"\n[ \t]*\n", "\n".join(kept))
    questions: list[Question] = []
    for block in blocks:
        if block.strip() and not block.strip().startswith("$CATEGORY:"):
            questions.append(_question(block.strip(), len(questions) + 1, where))
    if not questions:
        raise PuhuiError(
            _("{w}: no GIFT questions found").format(w=where),
            _("write questions as ::id:: text {{=right ~wrong}}, one paragraph each"),
        )
    try:
        percent = int(meta.get("pass_percent", "70"))
    except ValueError:
        percent = 70
    return Quiz(
        title=meta.get("title") or _("Quiz"),
        questions=tuple(questions),
        review=meta.get("review") or "needed",
        pass_percent=percent,
    )


def _question(block: str, n: int, where: str) -> Question:
    def fail(why: str) -> PuhuiError:
        return PuhuiError(
            _("{w}: question {n}: {why}").format(w=where, n=n, why=why),
            _("fix the GIFT text (see Moodle's GIFT format)"),
        )

    qid = f"q{n}"
    if block.startswith("::"):
        end = block.find("::", 2)
        while end != -1 and block[end - 1] == "\\":
            end = block.find("::", end + 1)
        if end == -1:
            raise fail(_("the title is not closed with ::"))
        qid = unescape(block[2:end].strip()) or qid
        block = block[end + 2 :].lstrip()
    block = re.sub(r"^\[[a-z]+\]", "", block)
    start = _find(block, "{")
    if start == -1:
        raise fail(_("no answers in {...}"))
    stop = _find(block, "}", start)
    if stop == -1:
        raise fail(_("the answers' {{ is not closed with }}"))
    before, after = block[:start].strip(), block[stop + 1 :].strip()
    prompt = unescape(before) + (" _____ " + unescape(after) if after else "")
    answers = block[start + 1 : stop].strip()
    general = ""
    g = answers.find("####")
    if g != -1:
        general = unescape(answers[g + 4 :].strip())
        answers = answers[:g].strip()
    if not answers:
        raise fail(_("essay questions ({}) are not supported"))
    if answers.startswith("#"):
        return _numeric(qid, prompt, answers[1:].strip(), general, fail)
    head = answers.split("#", 1)[0].strip().upper()
    if head in ("T", "TRUE", "F", "FALSE"):
        parts = [unescape(p.strip()) for p in _cut(answers, "#")]
        return Question(
            id=qid,
            type="true_false",
            prompt=prompt,
            answer=head.startswith("T"),
            feedback_wrong=parts[1] if len(parts) > 1 else "",
            feedback_correct=parts[2] if len(parts) > 2 else "",
        )
    if _find(answers, "=~") == -1:
        raise fail(_("answers start with = (right) or ~ (wrong)"))
    tokens = _cut(answers, "=~", keep=True)
    if any("->" in t for t in tokens):
        raise fail(_("matching questions (->) are not supported"))
    if all(t.startswith("=") for t in tokens):
        return _short(qid, prompt, tokens, fail)
    options, weighted = [], False
    for t in tokens:
        weight, rest = _weight_of(t[1:].strip())
        weighted |= weight is not None
        correct = t.startswith("=") or (weight is not None and weight > 0)
        text, fb = _text_fb(rest)
        options.append(Option(text, correct, fb))
    right = sum(o.correct for o in options)
    kind: QuestionType = "multiple" if weighted else "single"
    if right == 0 or (kind == "single" and right != 1):
        raise fail(_("{n} answers are marked right").format(n=right))
    return Question(id=qid, type=kind, prompt=prompt, options=tuple(options))


def _cut(text: str, chars: str, keep: bool = False) -> list[str]:
    """``text`` split at each unescaped character of ``chars``; ``keep`` keeps the character at
    the start of each part (and drops what comes before the first)."""
    parts: list[str] = []
    start = 0 if not keep else _find(text, chars)
    if start == -1:
        return [text]
    i = _find(text, chars, start + (1 if keep else 0))
    while i != -1:
        parts.append(text[start:i].strip())
        start = i if keep else i + 1
        i = _find(text, chars, i + 1)
    parts.append(text[start:].strip())
    return parts if not keep else [p for p in parts if p]


def _numeric(
    qid: str, prompt: str, body: str, general: str, fail: Callable[[str], PuhuiError]
) -> Question:
    tokens = _cut(body, "=", keep=True) if body.startswith("=") else ["=" + body]
    for t in tokens:
        weight, rest = _weight_of(t[1:].strip())
        if weight not in (None, 100.0):
            continue
        value, fb = _text_fb(rest)
        try:
            if ".." in value:
                low, high = (float(v) for v in value.split(".."))
                answer, tolerance = (low + high) / 2, (high - low) / 2
            else:
                number, _sep, tol = value.partition(":")
                answer, tolerance = float(number), float(tol or 0)
        except ValueError:
            break
        return Question(
            id=qid,
            type="numeric",
            prompt=prompt,
            answer=answer,
            tolerance=abs(tolerance),
            feedback_correct=fb,
            feedback_wrong=general,
        )
    raise fail(_("no full-credit number in {#...}"))


def _short(qid: str, prompt: str, tokens: list[str], fail: Callable[[str], PuhuiError]) -> Question:
    accept: list[str] = []
    right_fb = wrong_fb = ""
    for t in tokens:
        weight, rest = _weight_of(t[1:].strip())
        text, fb = _text_fb(rest)
        if text == "*" and (weight or 0) <= 0:
            wrong_fb = fb
        elif weight is None or weight == 100:
            accept.append(text)
            right_fb = right_fb or fb
    if not accept:
        raise fail(_("no full-credit answer"))
    return Question(
        id=qid,
        type="short_text",
        prompt=prompt,
        accept=tuple(accept),
        feedback_correct=right_fb,
        feedback_wrong=wrong_fb,
    )
