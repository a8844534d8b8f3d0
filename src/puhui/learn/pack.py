"""A course as an artifact: its files and a ``manifest.json`` of kind ``course``, as a folder or
one zip — what a hub publishes (``puhui hub publish``) and what a teacher hands to another
(``puhui learn pack``). No SCORM: the zip holds the plain course folder, readable as it is.

The course is validated first (a broken course is never packed); the manifest pins every file by
sha256, so a hub (or :func:`puhui.artifacts.check`) sees any later change.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from pathlib import Path

from puhui.artifacts import Manifest, check, input_ref, write_manifest
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.learn.course import load_course
from puhui.learn.labs import course_folder

#: A course is text and a few pictures; these bound what packing copies.
MAX_FILES = 2000
MAX_BYTES = 50 * 1024 * 1024
KIND = "course"


def course_files(folder: Path) -> list[str]:
    """The course's files, relative POSIX paths, sorted; hidden paths and links are left out.
    Refuses a course over :data:`MAX_FILES` files or :data:`MAX_BYTES` bytes."""
    rels: list[str] = []
    total = 0
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.is_symlink():
            continue
        if not path.is_file() or rel.as_posix() == "manifest.json":
            continue
        total += path.stat().st_size
        rels.append(rel.as_posix())
        if len(rels) > MAX_FILES or total > MAX_BYTES:
            raise PuhuiError(
                _("{f}: a course may hold at most {n} files and {mb} MB").format(
                    f=folder, n=MAX_FILES, mb=MAX_BYTES // (1024 * 1024)
                ),
                _("move large data out of the course folder"),
            )
    return rels


def _write_folder(folder: Path, dest: Path) -> Manifest:
    course = load_course(folder)
    rels = course_files(folder)
    for rel in rels:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / rel, target)
    return write_manifest(
        dest,
        KIND,
        parameters={
            "id": course.id,
            "name": course.id,
            "version": course.version,
            "title": course.text(course.title, course.first_language),
            "summary": course.text(course.summary, course.first_language),
            "languages": list(course.languages),
            "lessons": len(course.lesson_refs),
            "labs": len(course.labs),
            "license": course.license,
            "age_band": course.age_band,
        },
        inputs=[input_ref(folder, course.id)],
        command="puhui learn pack",
        files=rels,
    )


def pack_course(course: Path | str, out: Path | str) -> Path:
    """Write ``course`` (a bundled course id or a course folder) as an artifact in ``out``: a
    folder, or one zip file when ``out`` ends in ``.zip``. Written atomically; an existing
    ``out`` is replaced only if it is a course artifact (or zip) itself. Returns ``out``."""
    folder = course_folder(course)
    out = Path(out)
    as_zip = out.suffix.lower() == ".zip"
    if out.exists():
        replaceable = (
            out.is_file() and zipfile.is_zipfile(out)
            if as_zip
            else out.is_dir() and (not any(out.iterdir()) or _is_course_artifact(out))
        )
        if not replaceable:
            raise PuhuiError(
                _("{o}: exists and is not a packed course").format(o=out),
                _("choose another `out`"),
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        staged = tmp / "course"
        staged.mkdir()
        manifest = _write_folder(folder, staged)
        if as_zip:
            zipped = tmp / "course.zip"
            with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
                for rel in [*(f["path"] for f in manifest.files), "manifest.json"]:
                    zf.write(staged / rel, rel)
            zipped.replace(out)
        else:
            staged.chmod(0o755)
            if out.exists():
                shutil.rmtree(out)
            staged.rename(out)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
    return out


def _is_course_artifact(folder: Path) -> bool:
    try:
        return check(folder).kind == KIND
    except PuhuiError:
        return False
