"""Check a course folder against the course format (docs in :mod:`puhui.learn`) and say, one
line per problem, which file, line and field is wrong and what to do.

:func:`check` reads every file once (bounded, :mod:`puhui.learn.reading`) and returns what it
read with the problems; :func:`validate` returns only the problems. :func:`~puhui.learn.course.
load_course` builds a course from what :func:`check` read, so what loads is what validates.
Missing translations are not problems (a lesson falls back to the course's first language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import langcodes
import yaml
from markdown_it import MarkdownIt

from puhui.i18n import _
from puhui.lang import normalize_tag
from puhui.learn.labcheck import ANSWER_KINDS, CHECKS, HAND_IN_KINDS, param_problems
from puhui.learn.reading import (
    COURSE_YAML_MAX,
    IMAGE_MAX,
    KIB,
    TEXT_MAX,
    Marked,
    TooLarge,
    load_marked,
    read_text,
)

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QUESTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
AGE_BANDS = ("all", "12+", "16+", "18+")
QUESTION_TYPES = ("single", "multiple", "true_false", "numeric", "short_text")
REVIEW = re.compile(r"needed|reviewed by .+ on \d{4}-\d{2}-\d{2}")
COURSE_FIELDS = {
    "id", "version", "license", "languages", "audience", "age_band", "authors", "title",
    "summary", "outcomes", "lessons", "labs",
}  # fmt: skip
REQUIRED_COURSE_FIELDS = ("id", "version", "license", "languages", "title", "lessons")
LAB_FIELDS = {"id", "minutes", "check", "hand_in", "data", "answer", "params"}
REQUIRED_LAB_FIELDS = ("id", "minutes", "check", "hand_in", "answer")
#: Files of labs/ that are neither a spec nor instructions (notes on the labs' data).
LAB_NOTES = ("SOURCE.md", "README.md")
QUIZ_FIELDS = {"title", "review", "pass_percent", "questions"}
QUESTION_FIELDS = {
    "single": {"id", "type", "prompt", "options"},
    "multiple": {"id", "type", "prompt", "options"},
    "true_false": {"id", "type", "prompt", "answer", "feedback"},
    "numeric": {"id", "type", "prompt", "answer", "tolerance", "feedback"},
    "short_text": {"id", "type", "prompt", "accept", "feedback"},
}
#: ``![alt](target "title")`` in a lesson's Markdown.
IMAGE_REF = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a course, rendered as ``FILE:LINE: field: what — what to do``."""

    file: str
    line: int | None
    field: str
    what: str
    todo: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.what} — {self.todo}"


@dataclass
class Checked:
    """What :func:`check` read: course.yaml, lessons and quizzes by (lesson id, language), lab
    specs by lab id (in course.yaml's order) and lab instructions by (lab id, language)."""

    folder: Path
    course: dict[str, Any] = field(default_factory=dict)
    #: (lesson id, language) -> (front matter, Markdown body, file)
    lessons: dict[tuple[str, str], tuple[dict[str, Any], str, Path]] = field(default_factory=dict)
    quizzes: dict[tuple[str, str], tuple[dict[str, Any], Path]] = field(default_factory=dict)
    labs: dict[str, tuple[dict[str, Any], Path]] = field(default_factory=dict)
    lab_texts: dict[tuple[str, str], tuple[dict[str, Any], str, Path]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class _Report:
    def __init__(self, problems: list[Problem], file: Path) -> None:
        self.problems, self.file = problems, str(file)

    def add(self, line: int | None, name: str, what: str, todo: str) -> None:
        self.problems.append(Problem(self.file, line, name, what, todo))


def validate(folder: Path | str) -> list[Problem]:
    """Every problem in the course at ``folder`` (empty when it follows the format)."""
    return check(folder).problems


def check(folder: Path | str) -> Checked:
    """Read and check the course at ``folder``; see :class:`Checked`."""
    root = Path(folder)
    out = Checked(root)
    course_file = root / "course.yaml"
    report = _Report(out.problems, course_file)
    if not course_file.is_file():
        report.add(
            None,
            "course.yaml",
            _("not found"),
            _("give the folder of a course (it holds course.yaml)"),
        )
        return out
    doc = _read_yaml(course_file, COURSE_YAML_MAX, report)
    if doc is None:
        return out
    if not isinstance(doc.value, dict):
        report.add(doc.line(), "course", _("not a mapping"), _("write `key: value` fields"))
        return out
    out.course = doc.value
    languages = _check_course(root, doc, report)
    lesson_ids = [
        str(entry["id"])
        for entry in doc.value.get("lessons") or []
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    ]
    if not languages:
        return out
    _check_lessons(root, doc, lesson_ids, languages, out)
    _check_quizzes(root, lesson_ids, languages, out)
    _check_labs(root, doc, languages, out)
    return out


# ---------------------------------------------------------------- course.yaml


def _check_course(root: Path, doc: Marked, report: _Report) -> list[str]:
    """Check course.yaml's fields; the languages when they are usable, else []."""
    data: dict[str, Any] = doc.value
    for key in data:
        if key not in COURSE_FIELDS:
            report.add(
                doc.line([key]), str(key), _("unknown field"), _("remove it or fix its spelling")
            )
    for key in REQUIRED_COURSE_FIELDS:
        if key not in data:
            report.add(doc.line(), key, _("missing"), _("add it (see the course format)"))
    cid = data.get("id")
    if "id" in data:
        if not isinstance(cid, str) or not ID_PATTERN.fullmatch(cid):
            report.add(
                doc.line(["id"]),
                "id",
                _("{v!r} is not a course id").format(v=cid),
                _("use lowercase letters, digits and hyphens"),
            )
        elif cid != root.resolve().name:
            report.add(
                doc.line(["id"]),
                "id",
                _("{v!r} differs from the folder name {f!r}").format(v=cid, f=root.resolve().name),
                _("name the folder as the id"),
            )
    version = data.get("version")
    if "version" in data and not (
        isinstance(version, str) and re.fullmatch(r"\d+\.\d+\.\d+", version)
    ):
        report.add(
            doc.line(["version"]),
            "version",
            _("{v!r} is not MAJOR.MINOR.PATCH").format(v=version),
            _("write it like 0.1.0"),
        )
    for key in ("license", "audience"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            report.add(doc.line([key]), key, _("not a text"), _("write one line of text"))
    if "age_band" in data and data["age_band"] not in AGE_BANDS:
        report.add(
            doc.line(["age_band"]),
            "age_band",
            _("{v!r} is not an age band").format(v=data["age_band"]),
            _("write one of {c} (quoted)").format(c=", ".join(AGE_BANDS)),
        )
    if "authors" in data and not _texts(data["authors"]):
        report.add(
            doc.line(["authors"]), "authors", _("not a list of names"), _("write [Name, ...]")
        )
    languages = _check_languages(doc, report)
    for key in ("title", "summary", "outcomes"):
        if key in data:
            _check_per_language(doc, key, languages, report)
    _check_lesson_list(doc, report)
    labs = data.get("labs", [])
    if labs is not None and not _texts(labs, allow_empty=True):
        report.add(doc.line(["labs"]), "labs", _("not a list of lab ids"), _("write [] for none"))
    return languages


def _check_languages(doc: Marked, report: _Report) -> list[str]:
    raw = doc.value.get("languages")
    if "languages" not in doc.value:
        return []
    if not _texts(raw):
        report.add(
            doc.line(["languages"]),
            "languages",
            _("not a list of language tags"),
            _("write e.g. [en, sw]; the first is the fallback language"),
        )
        return []
    good: list[str] = []
    for i, tag in enumerate(raw):
        line = doc.line(["languages", i])
        if not langcodes.tag_is_valid(tag):
            report.add(
                line,
                "languages",
                _("{t!r} is not a BCP-47 language tag").format(t=tag),
                _("write a tag such as sw, ar or zh-Hans"),
            )
        elif normalize_tag(tag) != tag:
            norm = normalize_tag(tag)
            report.add(
                line,
                "languages",
                _("{t!r} is written {n!r} in Puhui").format(t=tag, n=norm),
                _("write {n} (and name its files .{n}.md / .{n}.yaml)").format(n=norm),
            )
        elif tag in good:
            report.add(line, "languages", _("{t!r} is listed twice").format(t=tag), _("remove one"))
        else:
            good.append(tag)
    return good if len(good) == len(raw) else []


def _check_per_language(doc: Marked, key: str, languages: list[str], report: _Report) -> None:
    value = doc.value[key]
    if not isinstance(value, dict):
        report.add(
            doc.line([key]),
            key,
            _("not a mapping of language to text"),
            _("write {{{l}: ...}}").format(l=languages[0] if languages else "en"),
        )
        return
    for lang, text in value.items():
        ok = _texts(text) if key == "outcomes" else isinstance(text, str) and bool(text.strip())
        if languages and lang not in languages:
            report.add(
                doc.line([key, lang]),
                key,
                _("language {l!r} is not in `languages`").format(l=lang),
                _("add it to languages or remove this entry"),
            )
        elif not ok:
            report.add(
                doc.line([key, lang]),
                key,
                _("the {l} entry is empty or not text").format(l=lang),
                _("write a list of texts") if key == "outcomes" else _("write one text"),
            )
    if languages and languages[0] not in value:
        report.add(
            doc.line([key]),
            key,
            _("no entry in the first language {l!r}").format(l=languages[0]),
            _("add it: the first language is the fallback"),
        )


def _check_lesson_list(doc: Marked, report: _Report) -> None:
    lessons = doc.value.get("lessons")
    if "lessons" not in doc.value:
        return
    if not isinstance(lessons, list) or not lessons:
        report.add(
            doc.line(["lessons"]),
            "lessons",
            _("not a non-empty list"),
            _("write - {id: 01-slug, minutes: 15} per lesson"),
        )
        return
    seen: set[str] = set()
    for i, entry in enumerate(lessons):
        line = doc.line(["lessons", i])
        if not isinstance(entry, dict):
            report.add(
                line, "lessons", _("entry is not a mapping"), _("write {id: ..., minutes: N}")
            )
            continue
        lid, minutes = entry.get("id"), entry.get("minutes")
        for key in entry:
            if key not in ("id", "minutes"):
                report.add(
                    doc.line(["lessons", i, key]),
                    f"lessons[{i}].{key}",
                    _("unknown field"),
                    _("remove it or fix its spelling"),
                )
        if not isinstance(lid, str) or not ID_PATTERN.fullmatch(lid):
            report.add(
                doc.line(["lessons", i, "id"]),
                f"lessons[{i}].id",
                _("{v!r} is not a lesson id").format(v=lid),
                _("use lowercase letters, digits and hyphens, e.g. 01-what-is-ai"),
            )
        elif lid in seen:
            report.add(
                doc.line(["lessons", i, "id"]),
                f"lessons[{i}].id",
                _("{v!r} is listed twice").format(v=lid),
                _("give each lesson its own id"),
            )
        else:
            seen.add(lid)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            report.add(
                doc.line(["lessons", i, "minutes"]),
                f"lessons[{i}].minutes",
                _("{v!r} is not a positive number of minutes").format(v=minutes),
                _("write e.g. minutes: 15"),
            )


# ---------------------------------------------------------------- lessons


def _split_name(path: Path, suffix: str) -> tuple[str, str] | None:
    """(lesson id, language) of ``<id>.<lang><suffix>``, or None."""
    name = path.name
    if not name.endswith(suffix) or name.count(".") < 2:
        return None
    lid, _sep, rest = name[: -len(suffix)].partition(".")
    return lid, rest


def _check_lessons(
    root: Path, doc: Marked, lesson_ids: list[str], languages: list[str], out: Checked
) -> None:
    folder = root / "lessons"
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    for path in files:
        report = _Report(out.problems, path)
        parts = _split_name(path, ".md")
        if parts is None or parts[0] not in lesson_ids or parts[1] not in languages:
            report.add(
                None,
                "file",
                _("not named <lesson id>.<language>.md after course.yaml"),
                _("rename it, or add its lesson and language to course.yaml"),
            )
            continue
        lesson = _read_lesson(root, path, report)
        if lesson is not None:
            out.lessons[parts] = (*lesson, path)
    first = languages[0]
    for i, lid in enumerate(lesson_ids):
        if (lid, first) not in out.lessons and not (folder / f"{lid}.{first}.md").is_file():
            _Report(out.problems, root / "course.yaml").add(
                doc.line(["lessons", i, "id"]),
                f"lessons[{i}].id",
                _("lessons/{f} is missing").format(f=f"{lid}.{first}.md"),
                _("write the lesson in the first language {l}").format(l=first),
            )


def _read_lesson(
    root: Path, path: Path, report: _Report, empty_todo: str | None = None
) -> tuple[dict[str, Any], str] | None:
    try:
        text = read_text(path, TEXT_MAX)
    except TooLarge as e:
        report.add(None, "file", str(e), _("split the lesson"))
        return None
    except (OSError, UnicodeDecodeError) as e:
        report.add(None, "file", _("cannot be read ({why})").format(why=e), _("save it as UTF-8"))
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        report.add(
            1,
            "front matter",
            _("missing"),
            _("start the file with ---, title: ..., review: needed, ---"),
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        report.add(1, "front matter", _("not closed"), _("end it with a line ---"))
        return None
    front = _parse_yaml("".join(lines[1:end]), report, first_line=2)
    if front is None:
        return None
    meta = front.value if isinstance(front.value, dict) else {}
    if not isinstance(front.value, dict):
        report.add(2, "front matter", _("not a mapping"), _("write title: ... and review: ..."))
    _check_title_review(front, meta, report)
    body = "".join(lines[end + 1 :])
    if not body.strip():
        todo = empty_todo or _("write the lesson below the front matter")
        report.add(end + 2, "body", _("empty"), todo)
    for n, line in enumerate(body.splitlines(), start=end + 2):
        for m in IMAGE_REF.finditer(line):
            _check_image(root, path, m.group(1), n, report)
    for n in raw_html_lines(body):
        report.add(
            n + end + 2,
            "body",
            _("raw HTML is not allowed"),
            _("write Markdown (headings, lists, emphasis, links, images)"),
        )
    return meta, body


def raw_html_lines(markdown: str) -> list[int]:
    """The lines (0-based, in order, once each) of ``markdown`` where raw HTML is written, as
    a CommonMark parser sees it (``html_block`` and ``html_inline`` tokens): a ``<b>`` in a
    code span or a fenced block is text, not HTML."""
    found: set[int] = set()
    for token in MarkdownIt("commonmark", {"html": True}).parse(markdown):
        if token.map is None:
            continue
        if token.type == "html_block":
            found.add(token.map[0])
        elif token.type == "inline":
            line = token.map[0]
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "html_inline":
                    found.add(line)
    return sorted(found)


def _check_title_review(doc: Marked, meta: dict[str, Any], report: _Report) -> None:
    title, review = meta.get("title"), meta.get("review")
    if not (isinstance(title, str) and title.strip()):
        report.add(doc.line(["title"]), "title", _("missing or empty"), _("write title: ..."))
    if not (isinstance(review, str) and REVIEW.fullmatch(review.strip())):
        report.add(
            doc.line(["review"]),
            "review",
            _("missing or not a review status"),
            _('write review: needed, or review: "reviewed by NAME on YYYY-MM-DD"'),
        )


def _check_image(root: Path, lesson: Path, target: str, line: int, report: _Report) -> None:
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", target):
        report.add(
            line,
            "image",
            _("{t} is not a file of the course").format(t=target),
            _("put the image in images/ and link ../images/NAME (courses work offline)"),
        )
        return
    image = (lesson.parent / target).resolve()
    if not image.is_relative_to(root.resolve()):
        report.add(
            line,
            "image",
            _("{t} points outside the course folder").format(t=target),
            _("put the image in images/ and link ../images/NAME"),
        )
    elif not image.is_file():
        report.add(
            line,
            "image",
            _("{t} does not exist").format(t=target),
            _("add the file or fix the link"),
        )
    elif image.stat().st_size > IMAGE_MAX:
        report.add(
            line,
            "image",
            _("{t} is larger than {n} KiB").format(t=target, n=IMAGE_MAX // KIB),
            _("make the image smaller"),
        )


# ---------------------------------------------------------------- quizzes


def _check_quizzes(root: Path, lesson_ids: list[str], languages: list[str], out: Checked) -> None:
    folder = root / "quizzes"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in files:
        report = _Report(out.problems, path)
        parts = _split_name(path, ".yaml")
        if parts is None or parts[0] not in lesson_ids or parts[1] not in languages:
            report.add(
                None,
                "file",
                _("not named <lesson id>.<language>.yaml after course.yaml"),
                _("rename it, or add its lesson and language to course.yaml"),
            )
            continue
        doc = _read_yaml(path, TEXT_MAX, report)
        if doc is None:
            continue
        if _check_quiz(doc, report):
            out.quizzes[parts] = (doc.value, path)
    first = languages[0]
    for (lid, lang), (quiz, path) in sorted(out.quizzes.items()):
        report = _Report(out.problems, path)
        if (lid, first) not in out.quizzes:
            if not (folder / f"{lid}.{first}.yaml").is_file():
                report.add(
                    None,
                    "file",
                    _("no quiz in the first language {l}").format(l=first),
                    _("write quizzes/{f}").format(f=f"{lid}.{first}.yaml"),
                )
            continue
        if lang == first:
            continue
        base = [(q["id"], q["type"]) for q in out.quizzes[(lid, first)][0]["questions"]]
        mine = [(q["id"], q["type"]) for q in quiz["questions"]]
        if base != mine:
            report.add(
                None,
                "questions",
                _("question ids or types differ from quizzes/{f}").format(f=f"{lid}.{first}.yaml"),
                _("keep the same questions, in the same order, in every language"),
            )


def _check_quiz(doc: Marked, report: _Report) -> bool:
    """Check one quiz; True when its questions can be compared and graded."""
    if not isinstance(doc.value, dict):
        report.add(doc.line(), "quiz", _("not a mapping"), _("write title, review, questions"))
        return False
    data: dict[str, Any] = doc.value
    before = len(report.problems)
    for key in data:
        if key not in QUIZ_FIELDS:
            report.add(
                doc.line([key]), str(key), _("unknown field"), _("remove it or fix its spelling")
            )
    _check_title_review(doc, data, report)
    percent = data.get("pass_percent", 70)
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        report.add(
            doc.line(["pass_percent"]),
            "pass_percent",
            _("{v!r} is not a whole number from 0 to 100").format(v=percent),
            _("write e.g. 70"),
        )
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        report.add(
            doc.line(["questions"]),
            "questions",
            _("missing or empty"),
            _("write a list of questions"),
        )
        return False
    seen: set[str] = set()
    for i, q in enumerate(questions):
        _check_question(doc, i, q, seen, report)
    return len(report.problems) == before


def _check_question(doc: Marked, i: int, q: Any, seen: set[str], report: _Report) -> None:
    at: list[str | int] = ["questions", i]
    name = f"questions[{i}]"
    if not isinstance(q, dict):
        report.add(doc.line(at), name, _("not a mapping"), _("write id, type, prompt, ..."))
        return
    qid, kind = q.get("id"), q.get("type")
    if not isinstance(qid, str) or not QUESTION_ID.fullmatch(qid):
        report.add(
            doc.line([*at, "id"]),
            f"{name}.id",
            _("{v!r} is not a question id").format(v=qid),
            _("write e.g. id: q1"),
        )
    elif qid in seen:
        report.add(
            doc.line([*at, "id"]),
            f"{name}.id",
            _("{v!r} is used twice").format(v=qid),
            _("give each question its own id"),
        )
    else:
        seen.add(qid)
    if kind not in QUESTION_TYPES:
        report.add(
            doc.line([*at, "type"]),
            f"{name}.type",
            _("{v!r} is not a question type").format(v=kind),
            _("write one of {c}").format(c=", ".join(QUESTION_TYPES)),
        )
        return
    for key in q:
        if key not in QUESTION_FIELDS[kind]:
            report.add(
                doc.line([*at, key]),
                f"{name}.{key}",
                _("not a field of a {t} question").format(t=kind),
                _("remove it"),
            )
    if not (isinstance(q.get("prompt"), str) and q["prompt"].strip()):
        report.add(
            doc.line([*at, "prompt"]),
            f"{name}.prompt",
            _("missing or empty"),
            _("write the question"),
        )
    if kind in ("single", "multiple"):
        _check_options(doc, at, name, kind, q.get("options"), report)
        return
    if kind == "true_false" and not isinstance(q.get("answer"), bool):
        report.add(
            doc.line([*at, "answer"]),
            f"{name}.answer",
            _("{v!r} is not true or false").format(v=q.get("answer")),
            _("write answer: true or answer: false"),
        )
    if kind == "numeric":
        for key in ("answer", "tolerance"):
            value = q.get(key, 0)
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or (key == "tolerance" and value < 0)
                or (key == "answer" and "answer" not in q)
            ):
                report.add(
                    doc.line([*at, key]),
                    f"{name}.{key}",
                    _("{v!r} is not a number").format(v=q.get(key)) if key in q else _("missing"),
                    _("write a number, e.g. {key}: 3").format(key=key),
                )
    if kind == "short_text":
        accept = q.get("accept")
        if not _texts(accept):
            report.add(
                doc.line([*at, "accept"]),
                f"{name}.accept",
                _("missing or empty"),
                _('write the accepted answers, e.g. accept: ["bias"]'),
            )
    feedback = q.get("feedback", {})
    if (
        not isinstance(feedback, dict)
        or not set(feedback) <= {"correct", "wrong"}
        or not all(isinstance(v, str) for v in feedback.values())
    ):
        report.add(
            doc.line([*at, "feedback"]),
            f"{name}.feedback",
            _("not {correct: ..., wrong: ...}"),
            _("write feedback: {correct: text, wrong: text}"),
        )


def _check_options(
    doc: Marked, at: list[str | int], name: str, kind: str, options: Any, report: _Report
) -> None:
    if not isinstance(options, list) or not 2 <= len(options) <= 8:
        report.add(
            doc.line([*at, "options"]),
            f"{name}.options",
            _("not a list of 2 to 8 options"),
            _("write - {text: ..., correct: true} per option"),
        )
        return
    correct = 0
    for j, opt in enumerate(options):
        where = doc.line([*at, "options", j])
        oname = f"{name}.options[{j}]"
        if not isinstance(opt, dict) or not (
            isinstance(opt.get("text"), str) and opt["text"].strip()
        ):
            report.add(where, oname, _("has no text"), _("write {text: ..., correct: true}"))
            continue
        extra = set(opt) - {"text", "correct", "feedback"}
        if extra:
            report.add(
                where,
                oname,
                _("unknown field {k}").format(k=sorted(extra)[0]),
                _("use text, correct and feedback"),
            )
        if not isinstance(opt.get("correct", False), bool):
            report.add(where, f"{oname}.correct", _("not true or false"), _("write correct: true"))
        if not isinstance(opt.get("feedback", ""), str):
            report.add(where, f"{oname}.feedback", _("not a text"), _("write feedback: ..."))
        correct += opt.get("correct") is True
    if kind == "single" and correct != 1:
        report.add(
            doc.line([*at, "options"]),
            f"{name}.options",
            _("no option is marked correct; the answer is not among the options")
            if correct == 0
            else _("{n} options are marked correct").format(n=correct),
            _("mark exactly one option correct: true (or make the question type multiple)"),
        )
    if kind == "multiple" and correct == 0:
        report.add(
            doc.line([*at, "options"]),
            f"{name}.options",
            _("no option is marked correct; the answer is not among the options"),
            _("mark at least one option correct: true"),
        )


# ---------------------------------------------------------------- labs


def _check_labs(root: Path, doc: Marked, languages: list[str], out: Checked) -> None:
    raw = doc.value.get("labs") or []
    if not _texts(raw, allow_empty=True):
        return  # reported with course.yaml's fields
    course_report = _Report(out.problems, root / "course.yaml")
    folder = root / "labs"
    ids: list[str] = []
    for i, lid in enumerate(raw):
        line = doc.line(["labs", i])
        if not ID_PATTERN.fullmatch(lid):
            course_report.add(
                line,
                f"labs[{i}]",
                _("{v!r} is not a lab id").format(v=lid),
                _("use lowercase letters, digits and hyphens, e.g. redact-a-corpus"),
            )
        elif lid in ids:
            course_report.add(
                line,
                f"labs[{i}]",
                _("{v!r} is listed twice").format(v=lid),
                _("list each lab once"),
            )
        else:
            ids.append(lid)
    first = languages[0]
    specs: dict[str, tuple[dict[str, Any], Path]] = {}
    for lid in ids:
        line = doc.line(["labs", raw.index(lid)])
        where = f"labs[{raw.index(lid)}]"
        spec = folder / f"{lid}.yaml"
        if not spec.is_file():
            course_report.add(
                line,
                where,
                _("labs/{f} is missing").format(f=f"{lid}.yaml"),
                _("write the lab's spec (id, minutes, check, hand_in, answer)"),
            )
        else:
            checked = _check_lab_spec(root, spec, lid, out.problems)
            if checked is not None:
                specs[lid] = (checked, spec)
        if not (folder / f"{lid}.{first}.md").is_file():
            course_report.add(
                line,
                where,
                _("labs/{f} is missing").format(f=f"{lid}.{first}.md"),
                _("write the lab's instructions in the first language {l}").format(l=first),
            )
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    for path in files:
        report = _Report(out.problems, path)
        if path.name in LAB_NOTES or path.name.startswith("."):
            continue
        if path.suffix == ".yaml" and path.stem in ids:
            continue
        parts = _split_name(path, ".md")
        if parts is None or parts[0] not in ids or parts[1] not in languages:
            report.add(
                None,
                "file",
                _("not a lab of course.yaml (<lab id>.yaml or <lab id>.<language>.md)"),
                _("rename it, or add its lab and language to course.yaml"),
            )
            continue
        text = _read_lesson(root, path, report, _("write the lab's steps below the front matter"))
        if text is None:
            continue
        front, body = text
        question = front.get("question", "")
        if not isinstance(question, str):
            report.add(2, "question", _("not a text"), _("write question: ... on one line"))
        out.lab_texts[parts] = (front, body, path)
    for lid, (data, spec_path) in specs.items():
        if (lid, first) in out.lab_texts:
            out.labs[lid] = (data, spec_path)


def _check_lab_spec(
    root: Path, path: Path, lab_id: str, problems: list[Problem]
) -> dict[str, Any] | None:
    """Check ``labs/<id>.yaml``; its data when it has no problem, else None."""
    report = _Report(problems, path)
    before = len(problems)
    doc = _read_yaml(path, TEXT_MAX, report)
    if doc is not None and not isinstance(doc.value, dict):
        report.add(doc.line(), "lab", _("not a mapping"), _("write id, minutes, check, ..."))
    if doc is None or not isinstance(doc.value, dict):
        return None
    data: dict[str, Any] = doc.value
    for key in data:
        if key not in LAB_FIELDS:
            report.add(
                doc.line([key]), str(key), _("unknown field"), _("remove it or fix its spelling")
            )
    for key in REQUIRED_LAB_FIELDS:
        if key not in data:
            report.add(doc.line(), key, _("missing"), _("add it (see the lab format)"))
    if "id" in data and data["id"] != lab_id:
        report.add(
            doc.line(["id"]),
            "id",
            _("{v!r} differs from the file name {f!r}").format(v=data["id"], f=path.name),
            _("name the file <id>.yaml, as course.yaml lists it"),
        )
    minutes = data.get("minutes")
    if "minutes" in data and (
        not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0
    ):
        report.add(
            doc.line(["minutes"]),
            "minutes",
            _("{v!r} is not a positive number of minutes").format(v=minutes),
            _("write e.g. minutes: 20"),
        )
    for key, allowed in (("hand_in", HAND_IN_KINDS), ("answer", ANSWER_KINDS)):
        if key in data and data[key] not in allowed:
            report.add(
                doc.line([key]),
                key,
                _("{v!r} is not one of {c}").format(v=data[key], c=", ".join(allowed)),
                _("write one of {c}").format(c=", ".join(allowed)),
            )
    name = data.get("check")
    check = CHECKS.get(name) if isinstance(name, str) else None
    if "check" in data and check is None:
        report.add(
            doc.line(["check"]),
            "check",
            _("{v!r} is not a lab check").format(v=name),
            _("write one of {c}").format(c=", ".join(sorted(CHECKS))),
        )
    if check is not None:
        for key, want in (("answer", check.answer), ("hand_in", check.hand_in)):
            if key in data and data[key] in (ANSWER_KINDS + HAND_IN_KINDS) and data[key] != want:
                report.add(
                    doc.line([key]),
                    key,
                    _("the check {c} needs {key}: {want}").format(c=name, key=key, want=want),
                    _("write {key}: {want}").format(key=key, want=want),
                )
        for fname, what, todo in param_problems(check, data.get("params", {})):
            report.add(doc.line(fname.split(".")), fname, what, todo)
    folder = data.get("data")
    if "data" in data:
        if not isinstance(folder, str) or not ID_PATTERN.fullmatch(folder):
            report.add(
                doc.line(["data"]),
                "data",
                _("{v!r} is not a folder name of labs/").format(v=folder),
                _("write the name of a folder in labs/, e.g. data: {id}").format(id=lab_id),
            )
        elif not (root / "labs" / folder).is_dir():
            report.add(
                doc.line(["data"]),
                "data",
                _("labs/{f}/ does not exist").format(f=folder),
                _("add the folder the learner starts from, or remove data"),
            )
    return data if len(problems) == before else None


# ---------------------------------------------------------------- helpers


def _texts(value: Any, allow_empty: bool = False) -> bool:
    """``value`` is a list of non-empty texts (non-empty unless ``allow_empty``)."""
    return (
        isinstance(value, list)
        and (allow_empty or bool(value))
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def _read_yaml(path: Path, limit: int, report: _Report) -> Marked | None:
    try:
        text = read_text(path, limit)
    except TooLarge as e:
        report.add(None, "file", str(e), _("make the file smaller"))
        return None
    except (OSError, UnicodeDecodeError) as e:
        report.add(None, "file", _("cannot be read ({why})").format(why=e), _("save it as UTF-8"))
        return None
    return _parse_yaml(text, report)


def _parse_yaml(text: str, report: _Report, first_line: int = 1) -> Marked | None:
    try:
        return load_marked(text, first_line)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + first_line if mark is not None else None
        why = getattr(e, "problem", None) or str(e).splitlines()[0]
        report.add(
            line, "yaml", _("not valid YAML ({why})").format(why=why), _("fix the YAML syntax")
        )
        return None
