"""Rosters and attendance files (puhui.programmes.roster): every bad row named in one line with
its row and column, nothing read half-done, synonyms people type, CSV and XLSX, the bounds on
untrusted files (rows, an XLSX zip bomb), and write → read round trips."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from puhui.errors import PuhuiError
from puhui.programmes.roster import (
    MAX_ROWS,
    XLSX_MAX_MEMBERS,
    RosterError,
    read_attendance,
    read_roster,
    write_roster,
)
from puhui.programmes.types import ROSTER_COLUMNS, Attendance, Person

HEADER = "name,email,phone,country,organisation,gender,age_band,consent,guardian_consent"
GOOD = "Amina Odhiambo,amina@example.org,,KE,Ministry of ICT,woman,25-34,yes,"


def _csv(tmp_path: Path, *lines: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _problems(path: Path) -> tuple[str, ...]:
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert all("\n" not in line for line in caught.value.problems)
    return caught.value.problems


# Each kind of bad row: (row after the header and a good row, the column named, words said).
BAD_ROWS = {
    "consent missing": (
        "Ben Tan,ben@example.org,,,,man,,,",
        "consent",
        "missing",
    ),
    "consent no": ("Ben Tan,ben@example.org,,,,man,,no,", "consent", "did not consent"),
    "consent neither yes nor no": (
        "Ben Tan,ben@example.org,,,,man,,maybe,",
        "consent",
        "neither yes nor no",
    ),
    "under 18 without guardian": (
        "Ben Tan,ben@example.org,,,,man,under-18,yes,",
        "guardian_consent",
        "under 18 needs a guardian's consent",
    ),
    "under 18 guardian said no": (
        "Ben Tan,ben@example.org,,,,man,<18,yes,no",
        "guardian_consent",
        "under 18 needs a guardian's consent",
    ),
    "malformed e-mail": (
        "Ben Tan,ben@example,,,,,,yes,",
        "email",
        "'ben@example' is not an e-mail",
    ),
    "malformed phone": ("Ben Tan,,12-ab-34,,,,,yes,", "phone", "'12-ab-34' is not a phone number"),
    "phone too short": ("Ben Tan,,+254 12,,,,,yes,", "phone", "is not a phone number"),
    "no e-mail nor phone": (
        "Ben Tan,,,KE,,,,yes,",
        "email",
        "neither an e-mail address nor a phone number",
    ),
    "unknown country": ("Ben Tan,ben@example.org,,Kenya,,,,yes,", "country", "'Kenya' is not"),
    "private-use country": ("Ben Tan,ben@example.org,,ZZ,,,,yes,", "country", "'ZZ' is not"),
    "unknown gender": ("Ben Tan,ben@example.org,,,,robot,,yes,", "gender", "'robot' is not"),
    "unknown age band": ("Ben Tan,ben@example.org,,,,,30ish,yes,", "age_band", "'30ish' is not"),
    "same person twice": (
        "Amina O.,AMINA@example.org ,,,,,,yes,",
        "email",
        "the same person as on row 2",
    ),
    "field too long": (
        "Ben Tan,ben@example.org,,," + "o" * 301 + ",,,yes,",
        "organisation",
        "longer than 300 characters (301)",
    ),
    "empty name": (",ben@example.org,,,,,,yes,", "name", "empty"),
    "more fields than the header": (
        "Ben Tan,ben@example.org,,,,,,yes,,surplus",
        "column 10",
        "a value beyond the header's 9 columns",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_each_kind_of_bad_row_is_one_line_naming_row_and_column(tmp_path: Path, kind: str) -> None:
    row, column, words = BAD_ROWS[kind]
    path = _csv(tmp_path, HEADER, GOOD, row)
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3: {column}: "), problems[0]
    assert words in problems[0]
    assert " — " in problems[0]  # what to do follows


def test_several_bad_rows_are_all_listed_and_nothing_is_read(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        HEADER,
        GOOD,  # 2
        "Ben,ben@example.org,,XX,,,,yes,",  # 3 country
        "",  # 4: blank lines are skipped but keep the numbering
        "Chen Li,chen@example.org,,CN,,女,,是,",  # 5 fine
        "Dee,,,,,,,yes,",  # 6 no contact
        "Eve,eve@example.org,,,,,under-18,,",  # 7 consent missing and guardian
        "Amina again,amina@example.org,,,,,,yes,",  # 8 duplicate of row 2
    )
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    problems = caught.value.problems
    assert [p.split(":")[1] for p in problems] == ["3", "6", "7", "8"]
    assert "consent: missing" in problems[2] and "guardian_consent:" in problems[2]
    assert "the same person as on row 2" in problems[3]
    assert str(caught.value) == problems[0] + " (and 3 more)"
    assert isinstance(caught.value, PuhuiError)


def test_a_good_csv_reads_with_synonyms_bom_semicolons_and_any_column_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(
        "\ufeffCONSENT;Name;Gender;Age Band;E-mail;Phone;Country;Role;Sector;guardian_consent\n"
        "oui;Amina Odhiambo;Femme;25 – 34;amina@example.org;;ke;statistician;public;\n"
        "ndiyo;Juma Mwangi;mwanaume;<18;;+254 712 345678;KEN;student;;sí\n"
        "是;Chen Li;;65 or over;CHEN@example.org;;cn;;;\n".encode()
    )
    assert read_roster(path) == [
        Person(
            name="Amina Odhiambo",
            email="amina@example.org",
            country="KE",
            role="statistician",
            sector="public",
            gender="woman",
            age_band="25-34",
        ),
        Person(
            name="Juma Mwangi",
            phone="+254 712 345678",
            country="KE",
            role="student",
            gender="man",
            age_band="under-18",
            guardian_consent=True,
        ),
        Person(name="Chen Li", email="CHEN@example.org", country="CN", age_band="65+"),
    ]


def test_a_good_xlsx_reads_to_people(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Phone", "Email", "Gender", "Consent", "Country"])
    sheet.append(["Fatima Diallo", 221771234567, None, "F", True, "sn"])
    sheet.append(["Omar Haddad", None, "omar@example.org", "رجل", "نعم", "EG"])
    sheet.append([None, None, None, None, None, None])  # an empty row is skipped
    sheet.append(["Lucía Pérez", None, "lucia@example.org", "mujer", 1, "AR"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert read_roster(path) == [
        Person(name="Fatima Diallo", phone="221771234567", country="SN", gender="woman"),
        Person(name="Omar Haddad", email="omar@example.org", country="EG", gender="man"),
        Person(name="Lucía Pérez", email="lucia@example.org", country="AR", gender="woman"),
    ]


def test_a_bad_xlsx_row_is_named_by_its_sheet_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A3"], sheet["B3"] = "name", "consent"  # the header need not be on row 1
    sheet["A4"], sheet["B4"] = "Ann", "yes"  # no contact
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    problems = _problems(path)
    assert problems == (
        f"{path}:4: email: neither an e-mail address nor a phone number — give one of them, "
        "so the person can be told apart from others",
    )


def test_write_then_read_round_trips_and_guards_formulas(tmp_path: Path) -> None:
    people = [
        Person(
            name='=HYPERLINK("http://evil","x")',
            email="eq@example.org",
            organisation="+ Plus Org",
            role="-minus",
            sector="@at",
            gender="another",
            age_band="45-54",
        ),
        Person(
            name="'Quoted, with comma\nand a newline",
            phone="+254 712 345678",
            country="TZ",
            age_band="under-18",
            guardian_consent=True,
        ),
        Person(name="Chen Li", email="chen@example.org", gender="woman", age_band="unspecified"),
    ]
    path = tmp_path / "out" / "roster.csv"
    path.parent.mkdir()
    write_roster(people, path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ",".join(ROSTER_COLUMNS)
    assert "'=HYPERLINK" in text and "'+ Plus Org" in text and "'-minus" in text
    assert "'@at" in text and "'+254 712 345678" in text
    assert "\n=" not in text and ",=" not in text and ",+" not in text
    assert read_roster(path) == people
    assert list(tmp_path.joinpath("out").iterdir()) == [path]  # no temporary file left


@pytest.mark.parametrize(
    ("typed", "gender"),
    [
        ("Female", "woman"), ("f", "woman"), ("femme", "woman"), ("Mujer", "woman"),
        ("mulher", "woman"), ("mwanamke", "woman"), ("امرأة", "woman"), ("女", "woman"),
        ("MALE", "man"), ("m", "man"), ("homme", "man"), ("hombre", "man"), ("homem", "man"),
        ("mwanaume", "man"), ("رجل", "man"), ("男", "man"),
        ("other", "another"), ("Non-binary", "another"), ("autre", "another"),
        ("otro", "another"), ("outro", "another"),
        ("Prefer not to say", "unspecified"), ("", "unspecified"), ("unspecified", "unspecified"),
    ],
)  # fmt: skip
def test_gender_synonyms(tmp_path: Path, typed: str, gender: str) -> None:
    path = _csv(tmp_path, "name,email,gender,consent", f"Ann,ann@example.org,{typed},yes")
    assert read_roster(path)[0].gender == gender


@pytest.mark.parametrize(
    "yes", ["yes", "Y", "TRUE", "1", "oui", "sí", "si", "sim", "ndiyo", "نعم", "是"]
)
@pytest.mark.parametrize("no", ["no", "N", "false", "0", "non", "não", "nao", "hapana", "لا", "否"])
def test_yes_no_synonyms(tmp_path: Path, yes: str, no: str) -> None:
    path = _csv(
        tmp_path,
        "name,email,consent,guardian_consent",
        f"Ann,ann@example.org,{yes},{no}",
        f"Bob,bob@example.org,{yes},{yes}",
    )
    assert [p.guardian_consent for p in read_roster(path)] == [False, True]
    refused = _csv(tmp_path, "name,email,consent", f"Ann,ann@example.org,{no}", name="no.csv")
    assert "consent: the person did not consent" in _problems(refused)[0]


@pytest.mark.parametrize(
    ("typed", "band"),
    [("18-24", "18-24"), ("18 – 24", "18-24"), ("<18", "under-18"), ("Under 18", "under-18"),
     ("65+", "65+"), ("65 or over", "65+"), ("", "unspecified"), ("55-64", "55-64")],
)  # fmt: skip
def test_age_band_synonyms(tmp_path: Path, typed: str, band: str) -> None:
    path = _csv(
        tmp_path, "name,email,age_band,consent,guardian_consent", f"A,a@example.org,{typed},y,y"
    )
    assert read_roster(path)[0].age_band == band


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (["name,email,consent,shoe_size", "A,a@example.org,yes,42"], "column 'shoe_size'"),
        (["name,email", "A,a@example.org"], ":1: consent: the column is missing"),
        (["email,consent", "a@example.org,yes"], ":1: name: the column is missing"),
        (["name,email,Email,consent"], ":1: email: the column appears twice"),
        ([""], "the file is empty"),
    ],
)
def test_file_level_errors_are_one_line(tmp_path: Path, lines: list[str], words: str) -> None:
    path = _csv(tmp_path, *lines)
    problems = _problems(path)
    assert len(problems) == 1 and words in problems[0], problems


def test_text_that_is_not_utf8_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"name,email,consent\nJos\xe9,jose@example.org,yes\n")
    assert _problems(path) == (
        f"{path}:2: not UTF-8 text — save the file as CSV UTF-8 (or as .xlsx)",
    )


def test_a_file_over_the_row_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"P{i},p{i}@example.org,yes\n" for i in range(MAX_ROWS + 1))
    path.write_text("name,email,consent\n" + rows, encoding="utf-8")
    problems = _problems(path)
    assert problems == (
        f"{path}:{MAX_ROWS + 2}: more than {MAX_ROWS} rows — split the file into smaller ones",
    )


def _workbook_bytes(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "email", "consent"])
    sheet.append(["Ann", "ann@example.org", "yes"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert len(read_roster(path)) == 1
    return path


def test_an_xlsx_declaring_a_huge_member_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = _workbook_bytes(tmp_path)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # first central-directory entry
    struct.pack_into("<I", data, entry + 24, 0xFFFF0000)  # its uncompressed size: ~4 GB
    path.write_bytes(bytes(data))
    assert _problems(path) == (
        f"{path}: the XLSX file unpacks to more than 100 MB — split the workbook into smaller "
        "files",
    )


def test_an_xlsx_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = _workbook_bytes(tmp_path)
    with zipfile.ZipFile(path, "a") as zf:
        for i in range(XLSX_MAX_MEMBERS):
            zf.writestr(f"xl/media/pad{i}.bin", b"")
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: the XLSX file holds ")
    assert f"parts, more than {XLSX_MAX_MEMBERS}" in problems[0]


def test_a_file_that_is_not_a_workbook_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    problems = _problems(path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: not a readable XLSX file")


def test_good_attendance_reads_keys_and_marks(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Email,Session,Present",
        "Amina@Example.org,Day 1,yes",
        "+254 712 345678,Day 1,x",
        "amina@example.org,Day 2,",
        "+254 712 345678,Day 2,absent",
        "chen@example.org,Day 2,1",
        name="attendance.csv",
    )
    assert read_attendance(path) == [
        Attendance("mailto:amina@example.org", "Day 1", True),
        Attendance("tel:+254712345678", "Day 1", True),
        Attendance("mailto:amina@example.org", "Day 2", False),
        Attendance("tel:+254712345678", "Day 2", False),
        Attendance("mailto:chen@example.org", "Day 2", True),
    ]


def test_good_attendance_from_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["email", "session", "present"])
    sheet.append(["ann@example.org", "Day 1", 1])
    sheet.append([254712345678, "Day 1", 0])
    path = tmp_path / "attendance.xlsx"
    workbook.save(path)
    assert read_attendance(path) == [
        Attendance("mailto:ann@example.org", "Day 1", True),
        Attendance("tel:+254712345678", "Day 1", False),
    ]


def test_bad_attendance_rows_are_all_listed(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "email,session,present",
        "ann@example.org,Day 1,yes",  # 2 fine
        "ANN@example.org ,Day 1,no",  # 3 the same (person, session) again
        "ann@,Day 2,yes",  # 4 malformed e-mail
        "not a contact,Day 2,yes",  # 5 neither e-mail nor phone
        "bob@example.org,,yes",  # 6 no session
        "bob@example.org,Day 2,maybe",  # 7 not present/absent
        ",Day 2,yes",  # 8 nobody
        name="attendance.csv",
    )
    with pytest.raises(RosterError) as caught:
        read_attendance(path)
    problems = caught.value.problems
    assert [p.split(": ")[0] for p in problems] == [f"{path}:{n}" for n in (3, 4, 5, 6, 7, 8)]
    assert "session: this person is already marked for this session on row 2" in problems[0]
    assert "email: 'ann@' is not an e-mail address" in problems[1]
    assert "email: 'not a contact' is neither an e-mail address nor a phone number" in problems[2]
    assert "session: empty" in problems[3]
    assert "present: 'maybe' is neither present nor absent" in problems[4]
    assert "email: empty" in problems[5]


def test_attendance_needs_all_its_columns(tmp_path: Path) -> None:
    path = _csv(tmp_path, "email,session", "a@example.org,Day 1", name="attendance.csv")
    with pytest.raises(RosterError, match=r":1: present: the column is missing"):
        read_attendance(path)
