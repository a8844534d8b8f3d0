"""Rosters and attendance files: reading them from CSV or XLSX, checked row by row, and writing
rosters back in the same CSV shape.

A roster's first non-empty row names its columns (:data:`~puhui.programmes.types.ROSTER_COLUMNS`,
any order, any case; ``name`` and ``consent`` are required). Every row is checked; when any is
bad, :class:`RosterError` lists each bad row as one line ``FILE:ROW: column: what — what to do``
(ROW as a spreadsheet numbers it, the header being row 1 in a file that starts with it) and
nothing is returned: a roster is read whole or not at all. Values people type in several
languages are accepted (``femme``, ``ndiyo``, ``是``, ``<18`` ...). An attendance file
(:data:`~puhui.programmes.types.ATTENDANCE_COLUMNS`) is read the same way.

Files are untrusted: the size, the number of rows and each field's length are bounded while
reading, and an XLSX file's zip members (how many, how large unpacked) are checked before
openpyxl opens it. Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)
are written with a leading ``'`` and read back without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.programmes.types import (
    AGE_BANDS,
    ATTENDANCE_COLUMNS,
    GENDERS,
    ROSTER_COLUMNS,
    AgeBand,
    Attendance,
    Gender,
    Person,
    contact_key,
)

#: Bounds on a file read (CSV or XLSX).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_FIELD = 300
#: Bounds on an XLSX file's zip, checked before it is opened as a workbook.
XLSX_MAX_MEMBERS = 2000
XLSX_MAX_UNPACKED = 100 * 1024 * 1024
#: Columns of an XLSX sheet read at most (cells further right are not looked at).
_XLSX_MAX_COLUMNS = 256
#: A cell starting with one of these is written with a leading ``'`` (CSV formula injection);
#: ``'`` itself is in the set so that any value round-trips.
_FORMULA_START = frozenset("=+-@'\t\r")


class RosterError(PuhuiError):
    """A roster or attendance file that cannot be read as a whole. :attr:`problems` holds one
    line per bad row (or one line for the whole file); the message is the first of them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        more = len(self.problems) - 1
        message = self.problems[0] if self.problems else _("the file cannot be read")
        if more > 0:
            message += " " + _("(and {n} more)").format(n=more)
        super().__init__(message)


# ------------------------------------------------------------------------------ vocabularies


def _fold(value: str) -> str:
    return " ".join(value.casefold().split())


_YES = frozenset(
    {"yes", "y", "true", "1", "oui", "sí", "si", "sim", "ndiyo", "ndio", "نعم", "是", "是的"}
)
_NO = frozenset({"no", "n", "false", "0", "non", "não", "nao", "hapana", "la", "لا", "否", "不"})
_PRESENT = _YES | {"x", "present", "présent", "presente", "yupo", "alihudhuria", "حاضر", "出席"}
_ABSENT = _NO | {"absent", "ausente", "hayupo", "غائب", "缺席", ""}

_GENDER_WORDS: dict[Gender, tuple[str, ...]] = {
    "woman": (
        "woman", "women", "female", "f", "w", "femme", "féminin", "mujer", "femenino",
        "mulher", "feminino", "mwanamke", "امرأة", "انثى", "أنثى", "女", "女性",
    ),
    "man": (
        "man", "men", "male", "m", "homme", "masculin", "hombre", "masculino", "homem",
        "mwanaume", "رجل", "ذكر", "男", "男性",
    ),
    "another": (
        "another", "another identity", "other", "non-binary", "nonbinary", "non binary",
        "autre", "otro", "otra", "outro", "outra", "nyingine", "آخر", "其他",
    ),
    "unspecified": (
        "", "unspecified", "prefer not to say", "not stated", "préfère ne pas dire",
        "préfère ne pas répondre", "prefiero no decir", "prefiro não dizer", "sipendi kusema",
        "أفضل عدم القول", "不愿透露",
    ),
}  # fmt: skip
_GENDERS: dict[str, Gender] = {w: g for g, words in _GENDER_WORDS.items() for w in words}

_AGE_WORDS: dict[str, AgeBand] = {band: band for band in AGE_BANDS}
_AGE_WORDS.update(
    {
        "": "unspecified",
        "<18": "under-18",
        "under 18": "under-18",
        "under18": "under-18",
        "0-17": "under-18",
        "65 or over": "65+",
        "65 and over": "65+",
        ">=65": "65+",
        "≥65": "65+",
        "prefer not to say": "unspecified",
    }
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9 ()./-]+")
#: Region codes that name no country (groupings, private use) or no longer name one.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "AA"})


@lru_cache(maxsize=1024)
def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code (upper case) for ``value`` — a two-letter code in any case, a
    common three-letter code (``KEN``), or ``UK`` for GB — or None when it names no country."""
    import langcodes
    from langcodes.data_dicts import TERRITORY_REPLACEMENTS

    code = value.strip()
    if not code.isascii() or not code.isalpha() or len(code) not in (2, 3):
        return None
    low = code.lower()
    if low == "uk":
        return "GB"
    if len(code) == 3:
        code = TERRITORY_REPLACEMENTS.get(low, "")
        if len(code) != 2 or not code.isalpha():
            return None
    elif low in TERRITORY_REPLACEMENTS:  # a withdrawn code (SU, YU, AN ...)
        return None
    code = code.upper()
    if code in _NOT_COUNTRIES or (code[0] in "QX" and code != "XK"):
        return None
    name = str(langcodes.Language.make(territory=code).territory_name())
    return None if name.startswith("Unknown") else code


# ------------------------------------------------------------------------------- reading rows


def _file_error(path: Path, what: str, todo: str, row: int | None = None) -> RosterError:
    where = f"{path}:{row}" if row is not None else str(path)
    return RosterError([f"{where}: {what} — {todo}"])


def _too_large(path: Path) -> RosterError:
    return _file_error(
        path,
        _("the file is larger than {n} MB").format(n=MAX_FILE_BYTES // 1024 // 1024),
        _("split it into smaller files"),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _too_large(path)
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _file_error(path, _("no such file"), _("check the `path`")) from None
    except IsADirectoryError:
        raise _file_error(path, _("a folder, not a file"), _("give a .csv or .xlsx file")) from None
    except OSError as e:
        raise _file_error(
            path, _("cannot be read ({why})").format(why=e.strerror or e), _("check the file")
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(path)
    return data


def _cell_text(value: object) -> str:
    """A cell's value as the text a person sees (XLSX cells may be numbers, dates, booleans)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _csv_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise _file_error(
            path,
            _("not UTF-8 text"),
            _("save the file as CSV UTF-8 (or as .xlsx)"),
            row=line,
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as e:
        raise _file_error(
            path, _("not readable as CSV ({why})").format(why=e), _("fix the row"), row=number + 1
        ) from None


def _xlsx_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    bad = _("save it again from the spreadsheet as .xlsx, or as CSV UTF-8")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as e:
        raise _file_error(path, _("not a readable XLSX file ({why})").format(why=e), bad) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise _file_error(
            path,
            _("the XLSX file holds {n} parts, more than {max}").format(
                n=len(members), max=XLSX_MAX_MEMBERS
            ),
            bad,
        )
    if sum(m.file_size for m in members) > XLSX_MAX_UNPACKED:
        raise _file_error(
            path,
            _("the XLSX file unpacks to more than {n} MB").format(
                n=XLSX_MAX_UNPACKED // 1024 // 1024
            ),
            _("split the workbook into smaller files"),
        )
    import openpyxl

    workbook: Any = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = workbook.worksheets
            if not sheets:
                raise _file_error(path, _("the workbook has no sheet"), bad)
            sheet = sheets[0]
            sheet.reset_dimensions()  # do not trust the size the file declares
            rows = sheet.iter_rows(min_row=1, max_col=_XLSX_MAX_COLUMNS, values_only=True)
            number = 0
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    break
                number += 1
                end = len(values)  # the row is padded to the widest row: drop the padding
                while end and values[end - 1] is None:
                    end -= 1
                yield number, [_cell_text(v) for v in values[:end]]
    except RosterError:
        raise
    except Exception as e:  # openpyxl raises many kinds on a malformed workbook
        raise _file_error(path, _("not a readable XLSX file ({why})").format(why=e), bad) from None
    finally:
        if workbook is not None:
            workbook.close()


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of ``path``'s first sheet, cells stripped, the formula guard removed."""
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _file_error(
            path,
            _("an old-style .xls workbook"),
            _("save it from the spreadsheet as .xlsx or as CSV UTF-8"),
        )
    xlsx = suffix in (".xlsx", ".xlsm") or (suffix != ".csv" and data[:4] == b"PK\x03\x04")
    raw = _xlsx_rows(path, data) if xlsx else _csv_rows(path, data)
    for number, cells in raw:
        yield number, [_unguard(c.strip()) for c in cells]


def _unguard(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def _guard(value: str) -> str:
    return "'" + value if value and value[0] in _FORMULA_START else value


def _header_key(cell: str) -> str:
    key = re.sub(r"[\s-]+", "_", cell.strip().casefold())
    return "email" if key == "e_mail" else key


def _header(
    path: Path,
    rows: Iterator[tuple[int, list[str]]],
    known: Sequence[str],
    required: Sequence[str],
) -> tuple[int, list[str]]:
    """The header's row number and its column names; raises on a header that cannot be used."""
    for number, cells in rows:
        if not any(cells):
            continue
        while cells and not cells[-1]:
            cells.pop()
        names: list[str] = []
        for index, cell in enumerate(cells, start=1):
            key = _header_key(cell)
            if not key:
                raise _file_error(
                    path,
                    _("column {n}: the header names no column").format(n=index),
                    _("name the column or delete it"),
                    row=number,
                )
            if key not in known:
                raise _file_error(
                    path,
                    _("column {c!r}: not a known column").format(c=_show(cell)),
                    _("use only these columns: {cols}").format(cols=", ".join(known)),
                    row=number,
                )
            if key in names:
                raise _file_error(
                    path,
                    _("{c}: the column appears twice").format(c=key),
                    _("keep one of them"),
                    row=number,
                )
            names.append(key)
        for column in required:
            if column not in names:
                raise _file_error(
                    path,
                    _("{c}: the column is missing").format(c=column),
                    _("add a `{c}` column to the header row").format(c=column),
                    row=number,
                )
        return number, names
    raise _file_error(
        path,
        _("the file is empty"),
        _("the first row names the columns: {cols}").format(cols=", ".join(known)),
    )


def _show(value: str, width: int = 40) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


#: One problem in a row: (column, what is wrong, what to do).
Issue = tuple[str, str, str]


class _Table:
    """The data rows of a file under its header: each row as {column: value} plus the issues
    of its shape (extra cells, over-long fields); counts rows against :data:`MAX_ROWS`."""

    def __init__(self, path: Path, known: Sequence[str], required: Sequence[str]) -> None:
        self.path = path
        self._rows = _rows(path)
        _, self.columns = _header(path, self._rows, known, required)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str], list[Issue]]]:
        width = len(self.columns)
        count = 0
        for number, cells in self._rows:
            if not any(cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise _file_error(
                    self.path,
                    _("more than {n} rows").format(n=MAX_ROWS),
                    _("split the file into smaller ones"),
                    row=number,
                )
            issues: list[Issue] = []
            extra = next((i for i in range(width, len(cells)) if cells[i]), None)
            if extra is not None:
                issues.append(
                    (
                        _("column {n}").format(n=extra + 1),
                        _("a value beyond the header's {n} columns").format(n=width),
                        _("delete it, or name its column in the header"),
                    )
                )
            values: dict[str, str] = {}
            for column, value in zip(self.columns, cells, strict=False):
                if len(value) > MAX_FIELD:
                    issues.append(
                        (
                            column,
                            _("longer than {max} characters ({n})").format(
                                max=MAX_FIELD, n=len(value)
                            ),
                            _("shorten it"),
                        )
                    )
                    value = ""
                values[column] = value
            yield number, values, issues

    def line(self, number: int, issues: list[Issue]) -> str:
        return f"{self.path}:{number}: " + "; ".join(
            f"{column}: {what} — {todo}" for column, what, todo in issues
        )


# ----------------------------------------------------------------------------- field checks


def _has(issues: list[Issue], *columns: str) -> bool:
    """Whether ``issues`` already say something about one of ``columns``."""
    return any(column in columns for column, _what, _todo in issues)


def _yes_no(column: str, value: str, issues: list[Issue]) -> bool | None:
    folded = _fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    issues.append(
        (column, _("{v!r} is neither yes nor no").format(v=_show(value)), _("write yes or no"))
    )
    return None


def _email_ok(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None and len(value) <= 254


def _phone_ok(value: str) -> bool:
    if _PHONE.fullmatch(value) is None:
        return False
    digits = sum(ch.isdigit() for ch in value)
    return 7 <= digits <= 15


def _bad_email(value: str) -> Issue:
    return (
        "email",
        _("{v!r} is not an e-mail address").format(v=_show(value)),
        _("write it as name@example.org, or leave it empty and give a phone number"),
    )


def _bad_phone(value: str) -> Issue:
    return (
        "phone",
        _("{v!r} is not a phone number").format(v=_show(value)),
        _("write 7 to 15 digits, with the country code after a +, e.g. +254 712 345678"),
    )


def _person(values: dict[str, str], issues: list[Issue]) -> Person | None:
    """The person in one row, or None after adding to ``issues`` what is wrong with it."""
    name = values.get("name", "")
    if not name and not _has(issues, "name"):
        issues.append(("name", _("empty"), _("write the person's name")))
    email = values.get("email", "")
    phone = values.get("phone", "")
    if email and not _email_ok(email):
        issues.append(_bad_email(email))
    if phone and not _phone_ok(phone):
        issues.append(_bad_phone(phone))
    if not email and not phone and not _has(issues, "email", "phone"):
        issues.append(
            (
                "email",
                _("neither an e-mail address nor a phone number"),
                _("give one of them, so the person can be told apart from others"),
            )
        )
    country = ""
    if values.get("country"):
        found = country_code(values["country"])
        if found is None:
            issues.append(
                (
                    "country",
                    _("{v!r} is not a country code").format(v=_show(values["country"])),
                    _("write the ISO 3166-1 two-letter code, e.g. KE, or leave it empty"),
                )
            )
        else:
            country = found
    gender = _GENDERS.get(_fold(values.get("gender", "")))
    if gender is None:
        issues.append(
            (
                "gender",
                _("{v!r} is not a gender the roster records").format(v=_show(values["gender"])),
                _("write one of {vals}, or leave it empty").format(vals=", ".join(GENDERS)),
            )
        )
    age = values.get("age_band", "")
    band = _AGE_WORDS.get(re.sub(r"\s*[-–—]\s*", "-", _fold(age)))
    if band is None:
        issues.append(
            (
                "age_band",
                _("{v!r} is not an age band").format(v=_show(age)),
                _("write one of {vals}, or leave it empty").format(vals=", ".join(AGE_BANDS)),
            )
        )
    consent_text = values.get("consent", "")
    consent: bool | None = None
    if not consent_text:
        if not _has(issues, "consent"):
            issues.append(
                (
                    "consent",
                    _("missing"),
                    _("write yes once the person has agreed, or leave them off the roster"),
                )
            )
    else:
        consent = _yes_no("consent", consent_text, issues)
        if consent is False:
            issues.append(
                (
                    "consent",
                    _("the person did not consent"),
                    _("leave them off the roster"),
                )
            )
    guardian = False
    if values.get("guardian_consent"):
        guardian = bool(_yes_no("guardian_consent", values["guardian_consent"], issues))
    if band == "under-18" and not guardian and not _has(issues, "guardian_consent"):
        issues.append(
            (
                "guardian_consent",
                _("a person under 18 needs a guardian's consent"),
                _("write yes once a parent or guardian has agreed, or leave them off the roster"),
            )
        )
    if issues or gender is None or band is None or not consent:
        return None
    return Person(
        name=name,
        email=email,
        phone=phone,
        country=country,
        organisation=values.get("organisation", ""),
        role=values.get("role", ""),
        sector=values.get("sector", ""),
        gender=gender,
        age_band=band,
        consent=True,
        guardian_consent=guardian,
    )


def _row_key(email: str, phone: str) -> str:
    """The contact key of a row, or "" when its e-mail address or phone number is malformed."""
    if email:
        return contact_key(email=email) if _email_ok(email) else ""
    return contact_key(phone=phone) if phone and _phone_ok(phone) else ""


# ------------------------------------------------------------------------------ public API


def read_roster(path: str | os.PathLike[str]) -> list[Person]:
    """The people on the roster at ``path`` (.csv or .xlsx), in file order; raises
    :class:`RosterError` listing every bad row when any row is bad."""
    table = _Table(Path(path), ROSTER_COLUMNS, required=("name", "consent"))
    people: list[Person] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, values, issues in table:
        person = _person(values, issues)
        key = _row_key(values.get("email", ""), values.get("phone", ""))
        if key:
            first = seen.setdefault(key, number)
            if first != number:
                column = "email" if key.startswith("mailto:") else "phone"
                issues.append(
                    (
                        column,
                        _("the same person as on row {n}").format(n=first),
                        _("remove one of the two rows"),
                    )
                )
                person = None
        if issues:
            problems.append(table.line(number, issues))
        elif person is not None and not problems:
            people.append(person)
    if problems:
        raise RosterError(problems)
    return people


def write_roster(people: Iterable[Person], path: str | os.PathLike[str]) -> None:
    """Write ``people`` to ``path`` as a CSV roster (UTF-8 with a byte-order mark, so that
    spreadsheets read it as UTF-8; all :data:`ROSTER_COLUMNS`; yes/no for the booleans)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".roster-", suffix=".csv", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(ROSTER_COLUMNS)
            for p in people:
                row: list[str] = []
                for column in ROSTER_COLUMNS:
                    value = getattr(p, column)
                    if isinstance(value, bool):
                        row.append("yes" if value else "no")
                    else:
                        row.append(_guard(str(value)))
                writer.writerow(row)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_attendance(path: str | os.PathLike[str]) -> list[Attendance]:
    """Who was at which session, from the attendance file at ``path`` (.csv or .xlsx; columns
    ``email`` — an e-mail address or a phone number —, ``session``, ``present``); raises
    :class:`RosterError` listing every bad row when any row is bad. An empty ``present`` cell
    means absent (a sheet marked with ``x`` leaves the others empty)."""
    table = _Table(Path(path), ATTENDANCE_COLUMNS, required=ATTENDANCE_COLUMNS)
    marks: list[Attendance] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values, issues in table:
        contact, session = values["email"], " ".join(values["session"].split())
        key = ""
        if contact and "@" in contact:
            if _email_ok(contact):
                key = contact_key(email=contact)
            else:
                issues.append(_bad_email(contact))
        elif contact:
            if _phone_ok(contact):
                key = contact_key(phone=contact)
            else:
                issues.append(
                    (
                        "email",
                        _("{v!r} is neither an e-mail address nor a phone number").format(
                            v=_show(contact)
                        ),
                        _("write the person's e-mail address or phone number as on the roster"),
                    )
                )
        elif not _has(issues, "email"):
            issues.append(
                ("email", _("empty"), _("write the person's e-mail address or phone number"))
            )
        if not session and not _has(issues, "session"):
            issues.append(("session", _("empty"), _("write the session's name")))
        folded = _fold(values["present"])
        present = folded in _PRESENT
        if not present and folded not in _ABSENT:
            issues.append(
                (
                    "present",
                    _("{v!r} is neither present nor absent").format(v=_show(values["present"])),
                    _("write yes, no, x (present) or leave it empty (absent)"),
                )
            )
        if key and session:
            first = seen.setdefault((key, session), number)
            if first != number:
                issues.append(
                    (
                        "session",
                        _("this person is already marked for this session on row {n}").format(
                            n=first
                        ),
                        _("remove one of the two rows"),
                    )
                )
        if issues:
            problems.append(table.line(number, issues))
        elif not problems:
            marks.append(Attendance(key=key, session=session, present=present))
    if problems:
        raise RosterError(problems)
    return marks
