"""The learn pages: catalogue, course, lesson with its quiz (graded here, on the server), images.

Every page works without JavaScript (a quiz is a form that posts back to its lesson) and stays
small (no script, no web font, inline CSS of the hub's one template). The course is shown in
the language asked for with ``?lang=`` or else the interface language; a lesson missing in that
language falls back to the course's first language with a note, and the lesson's own ``lang``
and ``dir`` are set on it. Progress is recorded in :mod:`puhui.hub.learn.progress`.
"""

from __future__ import annotations

import functools
import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import langcodes
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from puhui.errors import PuhuiError
from puhui.hub.catalog.access import caller_from_session, visible_items
from puhui.hub.catalog.courses import course_of
from puhui.hub.catalog.models import Item
from puhui.hub.learn import progress
from puhui.lang import is_right_to_left, normalize_tag
from puhui.learn import Course, Question, Quiz, grade, score, xapi
from puhui.learn.labs import ZIP_MAX_BYTES, check_lab
from puhui.learn.render import markdown

MAX_ANSWER = 200
MAX_COURSES = 200
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
IMAGE_TYPES[".jpeg"] = "image/jpeg"


def _newest(request: HttpRequest, org: str, name: str) -> Item | None:
    """The newest version of course ``org/name`` the visitor may see, if any."""
    return (
        visible_items(caller_from_session(request))
        .select_related("org")
        .filter(kind="course", org__slug=org, name=name)
        .order_by("-created", "-id")
        .first()
    )


def _latest(request: HttpRequest, org: str, name: str) -> Item:
    item = _newest(request, org, name)
    if item is None:
        raise Http404(_("no such course"))
    return item


def _course(item: Item) -> Course:
    try:
        return course_of(item)
    except PuhuiError:  # validated when published; a file gone from the store since
        raise Http404(_("this course cannot be read on this hub")) from None


def _content_lang(request: HttpRequest, course: Course) -> tuple[str, str]:
    """(language to show the course in, query string that keeps an explicit choice)."""
    by_lower = {lang.lower(): lang for lang in course.languages}
    asked = request.GET.get("lang", "")[:35]
    if asked and asked.lower() in by_lower:
        return by_lower[asked.lower()], "?" + urlencode({"lang": by_lower[asked.lower()]})
    ui = normalize_tag(translation.get_language() or "en")
    return by_lower.get(ui.lower(), ui), ""


@functools.lru_cache(maxsize=512)
def autonym(tag: str) -> str:
    """The language's own name for itself (``Kiswahili``, ``العربية``), else the tag."""
    try:
        name = str(langcodes.Language.get(tag).autonym())
    except (LookupError, ValueError, ImportError):
        return tag
    return name if name and not name.startswith("Unknown") else tag


def _switch(here: str, languages: tuple[str, ...], current: str) -> list[tuple[str, ...]]:
    return [(t, f"{here}?{urlencode({'lang': t})}", "1" if t == current else "", autonym(t))
            for t in languages]  # fmt: skip


def _dir(lang: str) -> str:
    return "rtl" if is_right_to_left(lang) else "ltr"


def _key(item: Item) -> str:
    return f"{item.org.slug}/{item.name}"


def catalogue(request: HttpRequest) -> HttpResponse:
    """Every course the visitor may see, newest version of each."""
    caller = caller_from_session(request)
    items = visible_items(caller).select_related("org").filter(kind="course")
    latest: dict[tuple[str, str], Item] = {}
    for item in items.order_by("-created", "-id")[: MAX_COURSES * 5]:
        latest.setdefault((item.org.slug, item.name), item)
    rows = []
    for item in list(latest.values())[:MAX_COURSES]:
        try:
            course = course_of(item)
        except PuhuiError:
            continue
        lang, query = _content_lang(request, course)
        steps = progress.load(request, _key(item))
        done = sum(1 for ref in course.lesson_refs if ref.id in steps and steps[ref.id].read)
        rows.append(
            {
                "item": item,
                "url": reverse("learn:course", args=[item.org.slug, item.name]) + query,
                "title": course.text(course.title, lang),
                "summary": course.text(course.summary, lang),
                "lang": lang if lang in course.languages else course.first_language,
                "languages": [(t, autonym(t)) for t in course.languages],
                "lessons": len(course.lesson_refs),
                "labs": len(course.labs),
                "done": done,
                "age_band": course.age_band,
            }
        )
    rows.sort(key=lambda r: str(r["title"]).casefold())
    return render(request, "learn/catalogue.html", {"courses": rows})


def _lesson_rows(
    item: Item, course: Course, lang: str, query: str, steps: dict[str, progress.Step]
) -> list[dict[str, Any]]:
    rows = []
    for ref in course.lesson_refs:
        shown = course.lesson(ref.id, lang)
        step = steps.get(ref.id, progress.Step())
        rows.append(
            {
                "id": ref.id,
                "url": reverse("learn:lesson", args=[item.org.slug, item.name, ref.id]) + query,
                "title": shown.item.title,
                "lang": shown.lang,
                "dir": _dir(shown.lang),
                "fallback": shown.fallback_from is not None,
                "minutes": ref.minutes,
                "read": step.read,
                "best": step.best,
                "passed": step.passed,
                "has_quiz": course.quiz(ref.id, lang) is not None,
            }
        )
    return rows


def course_page(request: HttpRequest, org: str, name: str) -> HttpResponse:
    item = _latest(request, org, name)
    course = _course(item)
    lang, query = _content_lang(request, course)
    steps = progress.load(request, _key(item))
    lessons = _lesson_rows(item, course, lang, query, steps)
    here = reverse("learn:course", args=[org, name])
    labs = []
    for lab in course.labs:
        text = course.lab(lab.id, lang)
        labs.append(
            {
                "url": reverse("learn:lab", args=[org, name, lab.id]) + query,
                "title": text.item.title,
                "lang": text.lang,
                "dir": _dir(text.lang),
                "minutes": lab.minutes,
                "passed": steps.get(f"lab:{lab.id}", progress.Step()).passed,
            }
        )
    context = {
        "labs": labs,
        "item": item,
        "course": course,
        "lang": lang if lang in course.languages else course.first_language,
        "dir": _dir(lang if lang in course.languages else course.first_language),
        "title": course.text(course.title, lang),
        "summary": course.text(course.summary, lang),
        "outcomes": course.outcomes.get(lang) or course.outcomes.get(course.first_language, ()),
        "lessons": lessons,
        "done": sum(1 for r in lessons if r["read"]),
        "passed": sum(1 for r in lessons if r["passed"]),
        "quizzes": sum(1 for r in lessons if r["has_quiz"]),
        "switch": _switch(here, course.languages, lang),
        "missing": lang not in course.languages,
    }
    return render(request, "learn/course.html", context)


@dataclass
class _Shown:
    """One question as the page shows it, with the learner's answer and its grade once posted."""

    q: Question
    choices: list[dict[str, Any]]
    text: str = ""
    graded: bool = False
    correct: bool = False
    feedback: str = ""


def _choices(q: Question, given: set[str]) -> list[dict[str, Any]]:
    if q.type in ("single", "multiple"):
        return [
            {"value": str(i), "label": o.text, "checked": str(i) in given}
            for i, o in enumerate(q.options)
        ]
    if q.type == "true_false":
        return [
            {"value": "true", "label": _("True"), "checked": "true" in given},
            {"value": "false", "label": _("False"), "checked": "false" in given},
        ]
    return []


def _grade_post(request: HttpRequest, quiz: Quiz) -> tuple[list[_Shown], int, int, bool]:
    shown: list[_Shown] = []
    answers: dict[str, Any] = {}
    for q in quiz.questions:
        field = f"q-{q.id}"
        if q.type == "multiple":
            values = [v[:8] for v in request.POST.getlist(field)[:20]]
            answer: Any = values
        else:
            answer = request.POST.get(field, "")[:MAX_ANSWER]
            values = [answer] if answer else []
        if q.type in ("single", "true_false") and not answer:
            answer = None
        answers[q.id] = answer
        result = grade(q, answer)
        shown.append(
            _Shown(
                q,
                _choices(q, set(values)),
                text=answer if isinstance(answer, str) else "",
                graded=True,
                correct=result.correct,
                feedback=result.feedback,
            )
        )
    points, total, passed = score(quiz, answers)
    return shown, points, total, passed


def lesson_page(request: HttpRequest, org: str, name: str, lesson: str) -> HttpResponse:
    item = _latest(request, org, name)
    course = _course(item)
    ids = [ref.id for ref in course.lesson_refs]
    if lesson not in ids:
        raise Http404(_("no such lesson"))
    lang, query = _content_lang(request, course)
    key = _key(item)
    shown = course.lesson(lesson, lang)
    quiz_shown = course.quiz(lesson, lang)
    quiz = quiz_shown.item if quiz_shown is not None else None
    questions = [_Shown(q, _choices(q, set())) for q in quiz.questions] if quiz else []
    result = None
    if request.method == "POST" and quiz is not None:
        questions, points, total, passed = _grade_post(request, quiz)
        percent = round(100 * points / total) if total else 0
        result = {"points": points, "total": total, "passed": passed, "percent": percent}
        progress.record(request, key, lesson, progress.Step(True, percent, passed))
    else:
        progress.record(request, key, lesson, progress.Step(read=True))
    i = ids.index(lesson)

    def url(lesson_id: str) -> str:
        return reverse("learn:lesson", args=[org, name, lesson_id]) + query

    def image(file_name: str) -> str:
        return reverse("learn:image", args=[org, name, file_name])

    here = reverse("learn:lesson", args=[org, name, lesson])
    context = {
        "item": item,
        "course_title": course.text(course.title, lang),
        "course_url": reverse("learn:course", args=[org, name]) + query,
        "lesson": shown.item,
        "lesson_lang": shown.lang,
        "lesson_dir": _dir(shown.lang),
        "note": shown.note,
        "body": markdown(image).render(shown.item.body),
        "quiz": quiz,
        "quiz_lang": quiz_shown.lang if quiz_shown else "",
        "quiz_dir": _dir(quiz_shown.lang) if quiz_shown else "",
        "quiz_note": quiz_shown.note if quiz_shown else None,
        "questions": questions,
        "result": result,
        "action": url(lesson),
        "prev": url(ids[i - 1]) if i > 0 else None,
        "next": url(ids[i + 1]) if i + 1 < len(ids) else None,
        "position": i + 1,
        "count": len(ids),
        "switch": _switch(here, course.languages, lang),
    }
    return render(request, "learn/lesson.html", context)


def image(request: HttpRequest, org: str, name: str, file_name: str) -> HttpResponse:
    """An image of the course's images/ folder; an SVG cannot run script (sandboxed)."""
    item = _latest(request, org, name)
    course = _course(item)
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in IMAGE_TYPES:
        raise Http404(_("no such image"))
    try:
        data = course.image(file_name)
    except PuhuiError:
        raise Http404(_("no such image")) from None
    response = HttpResponse(data, content_type=IMAGE_TYPES[suffix])
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def my_statements(request: HttpRequest) -> JsonResponse:
    """The visitor's own learning activity as xAPI statements (JSON, to keep or load into an
    LRS): lessons read, quizzes and labs passed or failed, with scores; nothing else."""
    home = request.build_absolute_uri("/")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    who = xapi.actor(home, user.get_username() if signed_in and user else "anonymous")
    activities: list[xapi.Activity] = []
    for key in progress.courses(request):
        org, _sep, name = key.partition("/")
        item = _newest(request, org, name)
        if item is None:
            continue
        course = _course(item)
        url = request.build_absolute_uri(reverse("learn:course", args=[org, name]))
        titles = dict(course.title)
        for step_id, step in progress.load(request, key).items():
            when = datetime.fromtimestamp(step.when or 0, UTC)
            if step_id.startswith("lab:"):
                lab_id = step_id.removeprefix("lab:")
                activities.append(
                    xapi.Activity(url, titles, "lab", lab_id, {"und": lab_id}, when,
                                  100 if step.passed else 0, step.passed)
                )  # fmt: skip
                continue
            if step_id not in {ref.id for ref in course.lesson_refs}:
                continue
            names = {
                lang: course.lessons[(step_id, lang)].title
                for lang in course.languages
                if (step_id, lang) in course.lessons
            }
            if step.read:
                activities.append(xapi.Activity(url, titles, "lesson", step_id, names, when))
            if step.best is not None:
                activities.append(
                    xapi.Activity(url, titles, "quiz", step_id, names, when, step.best, step.passed)
                )
    response = JsonResponse(xapi.statements(who, activities), safe=False)
    response["Content-Disposition"] = 'attachment; filename="puhui-learning.xapi.json"'
    return response


def _lab_data_zip(folder: Path) -> bytes:
    """The lab's data folder as a zip (small: bounded by the course's own size limit)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not path.is_symlink() and not rel.parts[0].startswith("."):
                zf.write(path, rel.as_posix())
    return buf.getvalue()


def lab_data(request: HttpRequest, org: str, name: str, lab: str) -> HttpResponse:
    """The folder a lab starts from, as a zip (``puhui learn lab data`` without the CLI)."""
    item = _latest(request, org, name)
    course = _course(item)
    found = next((x for x in course.labs if x.id == lab), None)
    if found is None or found.data is None:
        raise Http404(_("no such lab data"))
    response = HttpResponse(_lab_data_zip(found.data), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{found.id}-data.zip"'
    return response


def _receive(upload: UploadedFile, into: Path) -> Path | str:
    """Save an uploaded hand-in under ``into`` (bounded while reading); a path, or why not."""
    suffix = Path(upload.name or "").suffix.lower()
    safe = suffix if suffix in (".zip", ".json", ".jsonl", ".txt", ".csv") else ""
    path = into / f"handed-in{safe}"
    total = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            total += len(chunk)
            if total > ZIP_MAX_BYTES:
                return _("The file is larger than {mb} MB.").format(mb=ZIP_MAX_BYTES // 2**20)
            out.write(chunk)
    return path


def lab_page(request: HttpRequest, org: str, name: str, lab: str) -> HttpResponse:
    """A lab: its steps, the data to start from, and a form to hand in what you made (a zip
    of the folder, or the file) with your answer; the check runs here and says why."""
    item = _latest(request, org, name)
    course = _course(item)
    found = next((x for x in course.labs if x.id == lab), None)
    if found is None:
        raise Http404(_("no such lab"))
    lang, query = _content_lang(request, course)
    shown = course.lab(lab, lang)
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("handed_in")
        answer = request.POST.get("answer", "")[:MAX_ANSWER].strip() or None
        if upload is None:
            error = _("Choose the file to hand in.")
        else:
            with tempfile.TemporaryDirectory(prefix="puhui-lab-upload-") as tmp:
                saved = _receive(upload, Path(tmp))
                if isinstance(saved, str):
                    error = saved
                else:
                    try:
                        result = check_lab(course, lab, saved, answer)
                    except PuhuiError as e:
                        error = e.message
        if result is not None:
            step = progress.Step(passed=result.passed, best=100 if result.passed else 0)
            progress.record(request, _key(item), f"lab:{lab}", step)
    here = reverse("learn:lab", args=[org, name, lab])
    context = {
        "item": item,
        "course_title": course.text(course.title, lang),
        "course_url": reverse("learn:course", args=[org, name]) + query,
        "lab": found,
        "text": shown.item,
        "text_lang": shown.lang,
        "text_dir": _dir(shown.lang),
        "note": shown.note,
        "body": markdown().render(shown.item.body),
        "data_url": reverse("learn:lab_data", args=[org, name, lab]) if found.data else "",
        "action": here + query,
        "result": result,
        "error": error,
        "switch": _switch(here, course.languages, lang),
        "zip": found.hand_in == "folder",
    }
    return render(request, "learn/lab.html", context, status=400 if error else 200)
