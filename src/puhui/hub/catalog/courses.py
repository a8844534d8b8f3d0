"""Courses as catalog items: checked when published, laid out again as a course folder to be read.

A course is published like any artifact (``puhui learn pack`` writes its manifest); the hub then
validates it with the learn engine before keeping a byte, so every course item loads. To show
one, the item's blobs are copied once into ``<hub_dir>/learn/<content sha256>/`` (the layout
the engine reads; a new version is a new folder, so a cached one never changes) and loaded with
:func:`puhui.learn.load_course`, kept in a small in-process cache.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from puhui.errors import PuhuiError
from puhui.hub.catalog import storage
from puhui.hub.catalog.models import Item
from puhui.learn import Course, load_course, validate

_CACHE: OrderedDict[str, Course] = OrderedDict()
_CACHE_SIZE = 32
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_LOCK = threading.Lock()


def _copy_into(sources: Mapping[str, Path], dest: Path) -> None:
    for rel, src in sources.items():
        if rel == "manifest.json":
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)


def _folder_name(course_id: object) -> str:
    """The folder a course is laid out in: its id (course.yaml must say the same)."""
    text = str(course_id or "")
    return text if _ID_RE.match(text) else "course"


def check_upload(sources: Mapping[str, Path], course_id: object) -> dict[str, Any]:
    """Validate the course made of ``sources`` (path in the course -> file), whose manifest
    says its id is ``course_id``, and return what the catalog keeps about it (:func:`describe`).
    A course that does not follow the format raises a one-line :class:`PuhuiError` naming its
    first problem, paths relative to the course."""
    with tempfile.TemporaryDirectory(prefix="puhui-course-") as tmp:
        root = Path(tmp) / _folder_name(course_id)
        _copy_into(sources, root)
        problems = validate(root)
        if problems:
            shown = str(problems[0]).replace(str(root) + "/", "")
            if len(problems) > 1:
                shown = _("{p} (and {n} more)").format(p=shown, n=len(problems) - 1)
            raise PuhuiError(_("the course does not validate: {p}").format(p=shown))
        return describe(load_course(root))


def folder_of(item: Item) -> Path:
    """The course folder of a course item (written on first use), named as its id."""
    base = Path(settings.PUHUI["hub_dir"]) / "learn"
    meta = item.metadata.get("course") if isinstance(item.metadata, dict) else None
    name = _folder_name(meta.get("id") if isinstance(meta, dict) else None)
    dest = base / item.content_sha256
    if (dest / name).is_dir():
        return dest / name
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    sources = {f.path: storage.blob_path(f.sha256) for f in item.files.all()}
    tmp = Path(tempfile.mkdtemp(prefix=".course-", dir=base))
    try:
        _copy_into(sources, tmp / name)
        try:
            tmp.rename(dest)
        except OSError:  # another request wrote it first
            if not (dest / name).is_dir():
                raise
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
    return dest / name


def course_of(item: Item) -> Course:
    """The loaded course of a course item (cached by content)."""
    key = item.content_sha256
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    try:
        course = load_course(folder_of(item))
    except PuhuiError:  # published before a stricter check: the folder may be stale, rebuild it
        shutil.rmtree(Path(settings.PUHUI["hub_dir"]) / "learn" / key, ignore_errors=True)
        course = load_course(folder_of(item))
    with _LOCK:
        _CACHE[key] = course
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return course


def describe(course: Course) -> dict[str, Any]:
    """What the catalog keeps about a course (item metadata), in every language it has."""
    return {
        "id": course.id,
        "version": course.version,
        "license": course.license,
        "age_band": course.age_band,
        "audience": course.audience[:300],
        "titles": {lang: course.text(course.title, lang)[:300] for lang in course.languages},
        "lessons": [
            {
                "id": ref.id,
                "minutes": ref.minutes,
                "title": course.lesson(ref.id, course.first_language).item.title[:300],
            }
            for ref in course.lesson_refs
        ],
        "labs": len(course.labs),
    }
