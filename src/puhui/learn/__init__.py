"""Learn: AI-literacy courses as plain files a teacher edits and reviews in git.

A course folder holds ``course.yaml``, lessons as Markdown per language
(``lessons/01-what-is-ai.sw.md``), quizzes as YAML (``quizzes/01-what-is-ai.sw.yaml``) and
images. This engine reads and checks courses (:func:`load_course`, :func:`validate`, one line
per problem naming file, line and field), grades quizzes (:func:`grade`, :func:`score`) and
moves quizzes to and from Moodle's GIFT format (:func:`to_gift`, :func:`from_gift`). Labs
(``labs/<id>.yaml`` with instructions and data) are hands-on exercises whose artifact
:func:`check_lab` checks (:mod:`puhui.learn.labs`). The CLI
(``puhui learn``) and the hub are its clients; bundled courses live in ``puhui/content/courses``.
"""

from __future__ import annotations

from pathlib import Path

from puhui.learn.course import (
    Course,
    Lesson,
    LessonRef,
    Option,
    Question,
    Quiz,
    Shown,
    load_course,
    missing_lab_translations,
    missing_translations,
)
from puhui.learn.gift import from_gift, to_gift
from puhui.learn.labs import (
    CHECKS,
    Finding,
    Lab,
    LabResult,
    LabText,
    check_lab,
    copy_lab_data,
    course_folder,
)
from puhui.learn.quiz import Graded, grade, score
from puhui.learn.validate import Problem, validate


def bundled_dir() -> Path:
    """The folder of the courses that ship with Puhui (``puhui/content/courses``)."""
    return Path(__file__).resolve().parent.parent / "content" / "courses"


def list_courses(root: Path | None = None) -> list[Path]:
    """The course folders (those holding a course.yaml) in ``root`` (default: the bundled
    courses), sorted by name; [] when ``root`` does not exist."""
    folder = bundled_dir() if root is None else Path(root)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / "course.yaml").is_file())


__all__ = [
    "CHECKS",
    "Course",
    "Finding",
    "Graded",
    "Lab",
    "LabResult",
    "LabText",
    "Lesson",
    "LessonRef",
    "Option",
    "Problem",
    "Question",
    "Quiz",
    "Shown",
    "bundled_dir",
    "check_lab",
    "copy_lab_data",
    "course_folder",
    "from_gift",
    "grade",
    "list_courses",
    "load_course",
    "missing_lab_translations",
    "missing_translations",
    "score",
    "to_gift",
    "validate",
]
