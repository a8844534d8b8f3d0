"""A course as typed values: :class:`Course` (course.yaml), :class:`Lesson` (front matter +
Markdown kept as text), :class:`Quiz` of :class:`Question` and :class:`Option`.

:func:`load_course` reads a course folder (checked by :func:`puhui.learn.validate.check`, so
what loads is what validates) and raises one :class:`~puhui.errors.PuhuiError` naming the first
problem's file, line and field. :meth:`Course.lesson` and :meth:`Course.quiz` fall back to the
course's first language and say so (:attr:`Shown.fallback_from`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.learn.labcheck import Lab, LabText
from puhui.learn.reading import IMAGE_MAX, TooLarge, read_bytes
from puhui.learn.validate import Checked, check

QuestionType = Literal["single", "multiple", "true_false", "numeric", "short_text"]


@dataclass(frozen=True)
class Option:
    """One choice of a single or multiple choice question."""

    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    """One question. Which fields matter depends on :attr:`type`:

    - ``single`` / ``multiple``: :attr:`options` (feedback per option);
    - ``true_false``: :attr:`answer` (a bool);
    - ``numeric``: :attr:`answer` (a number) and :attr:`tolerance`;
    - ``short_text``: :attr:`accept` (answers compared case-folded, spaces collapsed, NFC).

    :attr:`feedback_correct` / :attr:`feedback_wrong` are shown for the last three types.
    """

    id: str
    type: QuestionType
    prompt: str
    options: tuple[Option, ...] = ()
    answer: bool | float | None = None
    tolerance: float = 0.0
    accept: tuple[str, ...] = ()
    feedback_correct: str = ""
    feedback_wrong: str = ""


@dataclass(frozen=True)
class Quiz:
    """A lesson's quiz in one language; question ids are the same in every language."""

    title: str
    questions: tuple[Question, ...]
    review: str = "needed"
    pass_percent: int = 70


@dataclass(frozen=True)
class Lesson:
    """One lesson in one language: front matter fields and the Markdown body as written."""

    id: str
    lang: str
    title: str
    review: str
    body: str
    path: Path


@dataclass(frozen=True)
class LessonRef:
    """A lesson as course.yaml lists it."""

    id: str
    minutes: int


T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """What to show for a request in ``requested``: :attr:`item` is in :attr:`lang`, which is the
    course's first language when the requested one is missing; then :attr:`fallback_from` is the
    requested language and :attr:`note` the sentence pages show."""

    item: T
    lang: str
    requested: str
    fallback_from: str | None = None

    @property
    def note(self) -> str | None:
        if self.fallback_from is None:
            return None
        return _("Not yet translated into {want}; shown in {lang}.").format(
            want=self.fallback_from, lang=self.lang
        )


@dataclass(frozen=True)
class Course:
    """A course folder, loaded: course.yaml's fields, lessons and quizzes per language."""

    id: str
    version: str
    license: str
    languages: tuple[str, ...]
    title: Mapping[str, str]
    lesson_refs: tuple[LessonRef, ...]
    folder: Path
    audience: str = ""
    age_band: str = "all"
    authors: tuple[str, ...] = ()
    summary: Mapping[str, str] = field(default_factory=dict)
    outcomes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labs: tuple[Lab, ...] = ()
    lessons: Mapping[tuple[str, str], Lesson] = field(default_factory=dict)
    quizzes: Mapping[tuple[str, str], Quiz] = field(default_factory=dict)

    @property
    def first_language(self) -> str:
        return self.languages[0]

    def text(self, values: Mapping[str, str], lang: str) -> str:
        """A per-language field (``title``, ``summary``) in ``lang`` or the first language."""
        return values.get(lang) or values.get(self.first_language, "")

    def lesson(self, lesson_id: str, lang: str) -> Shown[Lesson]:
        """The lesson in ``lang``, or in the first language with a fallback note."""
        return self._shown(self.lessons, lesson_id, lang, _("lesson"))

    def find_lab(self, lab_id: str) -> Lab:
        """The lab ``lab_id``; a one-line error naming the course's labs."""
        for lab in self.labs:
            if lab.id == lab_id:
                return lab
        ids = ", ".join(lab.id for lab in self.labs)
        raise PuhuiError(
            _("course {c}: no lab {id!r}").format(c=self.id, id=lab_id),
            _("choose one of {ids}").format(ids=ids) if ids else _("this course has no labs"),
        )

    def lab(self, lab_id: str, lang: str) -> Shown[LabText]:
        """The lab's instructions in ``lang``, or in the first language with a fallback note."""
        texts = self.find_lab(lab_id).instructions
        if lang in texts:
            return Shown(texts[lang], lang, lang)
        first = self.first_language
        return Shown(texts[first], first, lang, fallback_from=lang)

    def quiz(self, lesson_id: str, lang: str) -> Shown[Quiz] | None:
        """The lesson's quiz in ``lang`` (or the first language), None when it has none."""
        if (lesson_id, self.first_language) not in self.quizzes:
            return None
        return self._shown(self.quizzes, lesson_id, lang, _("quiz"))

    def _shown(
        self, items: Mapping[tuple[str, str], T], lesson_id: str, lang: str, what: str
    ) -> Shown[T]:
        if (lesson_id, lang) in items:
            return Shown(items[(lesson_id, lang)], lang, lang)
        first = self.first_language
        if (lesson_id, first) not in items:
            raise PuhuiError(
                _("course {c}: no {what} {id!r}").format(c=self.id, what=what, id=lesson_id),
                _("choose one of {ids}").format(ids=", ".join(r.id for r in self.lesson_refs)),
            )
        return Shown(items[(lesson_id, first)], first, lang, fallback_from=lang)

    def image(self, name: str) -> bytes:
        """The bytes of ``images/<name>`` (bounded; the name may not leave images/)."""
        folder = (self.folder / "images").resolve()
        path = (folder / name).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise PuhuiError(
                _("{p}: no such image in course {c}").format(p=name, c=self.id),
                _("link an image of the course's images/ folder"),
            )
        try:
            return read_bytes(path, IMAGE_MAX)
        except TooLarge as e:
            raise PuhuiError(f"{path}: {e}", _("make the image smaller")) from None


def missing_translations(course: Course) -> list[tuple[str, str]]:
    """(lesson id, language) of every lesson not written in a language of the course (shown in
    the first language instead). Notes, not errors."""
    return [
        (ref.id, lang)
        for ref in course.lesson_refs
        for lang in course.languages[1:]
        if (ref.id, lang) not in course.lessons
    ]


def missing_lab_translations(course: Course) -> list[tuple[str, str]]:
    """(lab id, language) of every lab whose instructions are not written in a language of the
    course (shown in the first language instead). Notes, not errors."""
    return [
        (lab.id, lang)
        for lab in course.labs
        for lang in course.languages[1:]
        if lang not in lab.instructions
    ]


def load_course(folder: Path | str) -> Course:
    """The course in ``folder``; a one-line :class:`PuhuiError` naming the first problem."""
    checked = check(folder)
    if checked.problems:
        first, more = checked.problems[0], len(checked.problems) - 1
        hint = _("run `puhui learn validate {f}` to see all").format(f=folder) if more else None
        message = str(first) if not more else _("{p} (and {n} more)").format(p=first, n=more)
        raise PuhuiError(message, hint)
    data = checked.course
    lessons = {
        key: Lesson(
            id=key[0],
            lang=key[1],
            title=str(front["title"]),
            review=str(front["review"]),
            body=body,
            path=path,
        )
        for key, (front, body, path) in checked.lessons.items()
    }
    quizzes = {key: quiz_from_dict(doc) for key, (doc, _path) in checked.quizzes.items()}
    return Course(
        id=data["id"],
        version=data["version"],
        license=data["license"],
        languages=tuple(data["languages"]),
        title=dict(data["title"]),
        lesson_refs=tuple(LessonRef(e["id"], e["minutes"]) for e in data["lessons"]),
        folder=Path(folder),
        audience=data.get("audience") or "",
        age_band=data.get("age_band") or "all",
        authors=tuple(data.get("authors") or ()),
        summary=dict(data.get("summary") or {}),
        outcomes={k: tuple(v) for k, v in (data.get("outcomes") or {}).items()},
        labs=tuple(_lab(checked, lab_id) for lab_id in checked.labs),
        lessons=lessons,
        quizzes=quizzes,
    )


def _lab(checked: Checked, lab_id: str) -> Lab:
    spec, _path = checked.labs[lab_id]
    data = spec.get("data")
    return Lab(
        id=lab_id,
        minutes=spec["minutes"],
        check=spec["check"],
        hand_in=spec["hand_in"],
        data=checked.folder / "labs" / data if data else None,
        answer=spec["answer"],
        params=dict(spec.get("params") or {}),
        instructions={
            lang: LabText(
                title=str(front["title"]),
                review=str(front["review"]),
                question=str(front.get("question") or ""),
                body=body,
            )
            for (lid, lang), (front, body, _p) in checked.lab_texts.items()
            if lid == lab_id
        },
    )


def quiz_from_dict(doc: Mapping[str, Any]) -> Quiz:
    """A :class:`Quiz` from a checked quiz file's data."""
    questions = []
    for q in doc["questions"]:
        feedback = q.get("feedback") or {}
        answer = q.get("answer")
        if q["type"] == "numeric":
            answer = float(answer)
        questions.append(
            Question(
                id=q["id"],
                type=q["type"],
                prompt=q["prompt"],
                options=tuple(
                    Option(o["text"], bool(o.get("correct", False)), o.get("feedback") or "")
                    for o in q.get("options") or ()
                ),
                answer=answer,
                tolerance=float(q.get("tolerance", 0)),
                accept=tuple(q.get("accept") or ()),
                feedback_correct=feedback.get("correct", ""),
                feedback_wrong=feedback.get("wrong", ""),
            )
        )
    return Quiz(
        title=doc["title"],
        questions=tuple(questions),
        review=doc["review"],
        pass_percent=int(doc.get("pass_percent", 70)),
    )


def quiz_to_dict(quiz: Quiz) -> dict[str, Any]:
    """The quiz as a quiz file holds it (the inverse of :func:`quiz_from_dict`)."""
    questions: list[dict[str, Any]] = []
    for q in quiz.questions:
        doc: dict[str, Any] = {"id": q.id, "type": q.type, "prompt": q.prompt}
        if q.type in ("single", "multiple"):
            options = []
            for o in q.options:
                option: dict[str, Any] = {"text": o.text}
                if o.correct:
                    option["correct"] = True
                if o.feedback:
                    option["feedback"] = o.feedback
                options.append(option)
            doc["options"] = options
        elif q.type == "true_false":
            doc["answer"] = bool(q.answer)
        elif q.type == "numeric":
            value = float(q.answer or 0)
            doc["answer"] = int(value) if value.is_integer() else value
            if q.tolerance:
                doc["tolerance"] = q.tolerance
        else:
            doc["accept"] = list(q.accept)
        if q.type not in ("single", "multiple") and (q.feedback_correct or q.feedback_wrong):
            doc["feedback"] = {
                k: v for k, v in (("correct", q.feedback_correct), ("wrong", q.feedback_wrong)) if v
            }
        questions.append(doc)
    return {
        "title": quiz.title,
        "review": quiz.review,
        "pass_percent": quiz.pass_percent,
        "questions": questions,
    }
