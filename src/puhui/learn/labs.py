"""Labs: hands-on exercises in which a learner uses Puhui on bundled data and hands in what it
made; an automatic check reads that artifact and says pass or fail, with reasons.

A course lists its labs in course.yaml (``labs: [id, ...]``); each has a spec
``labs/<id>.yaml`` (minutes, the check, what is handed in, the data folder, the kind of answer,
the check's params), instructions per language ``labs/<id>.<lang>.md`` (front matter ``title``,
``review``, optional ``question``, then Markdown) and optionally a data folder ``labs/<data>/``
the learner starts from (:func:`copy_lab_data`). :func:`check_lab` runs the lab's check on a
folder, a file or a zip of the folder (unzipped safely, within bounds) and returns a
:class:`LabResult`. The checks are registered in :data:`CHECKS`.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.learn.course import Course
from puhui.learn.labcheck import CHECKS, Check, Finding, Handed, Lab, LabText, read_answer

#: Bounds on a handed-in zip.
ZIP_MAX_BYTES = 20 * 1024 * 1024
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_MEMBERS = 2000
_CHUNK = 1024 * 1024
#: The bundled courses (as :func:`puhui.learn.bundled_dir`; importing the package would cycle).
_BUNDLED = Path(__file__).resolve().parent.parent / "content" / "courses"


@dataclass(frozen=True)
class LabResult:
    """What a check said: passed when every finding is ok."""

    lab: str
    passed: bool
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "passed": self.passed,
            "findings": [f.to_json() for f in self.findings],
        }


def course_folder(course: Path | str) -> Path:
    """The folder of ``course``: a course folder (it holds course.yaml) or a bundled course id."""
    folder = Path(course)
    if (folder / "course.yaml").is_file():
        return folder
    bundled = _BUNDLED / str(course)
    if "/" not in str(course) and (bundled / "course.yaml").is_file():
        return bundled
    raise PuhuiError(
        _("{c}: no such course (neither a bundled course id nor a folder with course.yaml)").format(
            c=course
        ),
        _("run `puhui learn list` for the bundled courses"),
    )


def copy_lab_data(course: Course, lab_id: str, out: Path | str) -> Path:
    """Copy the lab's data folder to ``out`` (missing or empty); return ``out``."""
    lab = course.find_lab(lab_id)
    if lab.data is None:
        raise PuhuiError(
            _("lab {id} has no data to start from").format(id=lab_id),
            _("follow its instructions (`puhui learn lab show`)"),
        )
    dest = Path(out)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PuhuiError(
            _("{o}: exists and is not an empty folder").format(o=dest),
            _("choose another `out` folder"),
        )
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted(lab.data.rglob("*")):
        rel = src.relative_to(lab.data)
        if any(part.startswith(".") for part in rel.parts) or src.is_symlink():
            continue
        if src.is_dir():
            (dest / rel).mkdir(exist_ok=True)
        elif src.is_file():
            shutil.copyfile(src, dest / rel)
    return dest


def check_lab(course: Course, lab_id: str, handed_in: Path, answer: str | None) -> LabResult:
    """Run the lab's check on ``handed_in`` (a folder, a file, or a .zip of the folder) with the
    learner's ``answer``. A learner's mistake is a failed finding; unusable input (no such lab,
    a missing path, an unreadable or unsafe zip) raises a one-line :class:`PuhuiError`."""
    lab = course.find_lab(lab_id)
    check: Check = CHECKS[lab.check]
    path = Path(handed_in)
    if not path.exists():
        raise PuhuiError(
            _("{p} does not exist").format(p=path),
            _("give the folder or file you made in the lab"),
        )
    with tempfile.TemporaryDirectory(prefix="puhui-lab-") as tmp:
        if path.is_file() and lab.hand_in == "folder" and path.suffix.lower() == ".zip":
            path = _unzip(path, Path(tmp))
        handed = Handed(
            path=path,
            answer=read_answer(lab.answer, answer),
            params=lab.params,
            data=lab.data,
        )
        findings = tuple(check.run(handed))
    passed = bool(findings) and all(f.ok for f in findings)
    return LabResult(lab.id, passed, findings)


# ---------------------------------------------------------------- zip hand-ins


def _bad_zip(path: Path, why: str) -> PuhuiError:
    return PuhuiError(
        _("{p}: {why}").format(p=path, why=why),
        _("zip the folder you made in the lab (no links, no paths outside it)"),
    )


def _unzip(path: Path, into: Path) -> Path:
    """Unpack the zip ``path`` into ``into`` within the bounds; return the handed-in folder
    (the single top folder of the zip when it holds only that)."""
    size = path.stat().st_size
    if size > ZIP_MAX_BYTES:
        raise _bad_zip(
            path, _("the zip is larger than {n} MB").format(n=ZIP_MAX_BYTES // 1024 // 1024)
        )
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise _bad_zip(
                    path,
                    _("the zip has {n} members, more than {max}").format(
                        n=len(members), max=ZIP_MAX_MEMBERS
                    ),
                )
            declared = sum(m.file_size for m in members)
            if declared > ZIP_MAX_UNPACKED:
                raise _bad_zip(path, _unpacked_too_large())
            root = into / "handed-in"
            root.mkdir()
            written = 0
            for member in members:
                target = root / _safe_name(path, member)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, target.open("wb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > ZIP_MAX_UNPACKED:
                            raise _bad_zip(path, _unpacked_too_large())
                        dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as e:
        raise _bad_zip(path, _("not a readable zip ({why})").format(why=e)) from None
    except OSError as e:
        raise _bad_zip(path, _("cannot be unpacked ({why})").format(why=e)) from None
    entries = list(root.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return root


def _unpacked_too_large() -> str:
    return _("unpacked it would be larger than {n} MB").format(n=ZIP_MAX_UNPACKED // 1024 // 1024)


def _safe_name(path: Path, member: zipfile.ZipInfo) -> Path:
    name = member.filename
    mode = member.external_attr >> 16
    kind = stat.S_IFMT(mode)  # 0 when the zip tool wrote no file type (a plain file)
    if kind and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise _bad_zip(path, _("member {m!r} is a link or a special file").format(m=name))
    pure = PurePosixPath(name.replace("\\", "/"))
    if (
        not name
        or pure.is_absolute()
        or ".." in pure.parts
        or (pure.parts and ":" in pure.parts[0])
        or "\x00" in name
    ):
        raise _bad_zip(path, _("member {m!r} points outside the folder").format(m=name))
    return Path(*pure.parts)


__all__ = [
    "CHECKS",
    "Finding",
    "Lab",
    "LabResult",
    "LabText",
    "check_lab",
    "copy_lab_data",
    "course_folder",
]
