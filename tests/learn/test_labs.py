"""Labs: the course format's labs (spec, instructions, data), their checks run on artifacts the
real Puhui commands made, zip hand-ins unpacked within bounds, and `puhui learn lab`.

Each lab is done for real (corpus build, eval run on the embedded model, assess + cert issue):
the check passes on the right artifact and answer, and fails on a wrong answer, an artifact
edited after it was made, and a plausible wrong artifact.
"""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from learn_kit import write_course

from puhui.errors import PuhuiError
from puhui.learn import Course, bundled_dir, check_lab, load_course, validate
from puhui.learn.labs import ZIP_MAX_MEMBERS

from conftest import Run, assert_one_line_error

LABS = ("redact-a-corpus", "compare-two-languages", "tamper-a-certificate")


def lab_course(root: Path) -> Path:
    """The tiny course of learn_kit with the bundled testing-ai labs copied in (so these tests
    do not depend on that course's lessons, which translators edit)."""
    folder = write_course(root)

    labs = bundled_dir() / "testing-ai" / "labs"

    def other_languages(where: str, names: list[str]) -> list[str]:
        # only the English instructions (labs/<id>.en.md): the tests expect the other languages
        # to be missing; the labs' data folders are copied whole
        if Path(where) != labs:
            return []
        return [n for n in names if n.count(".") == 2 and n.endswith(".md") and ".en." not in n]

    shutil.copytree(labs, folder / "labs", ignore=other_languages)
    course_yaml = folder / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    course_yaml.write_text(text.replace("labs: []", f"labs: [{', '.join(LABS)}]"), "utf-8")
    return folder


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    return lab_course(tmp_path / "courses")


@pytest.fixture
def course(course_dir: Path) -> Course:
    return load_course(course_dir)


def _lines(folder: Path) -> list[str]:
    return [str(p) for p in validate(folder)]


def _zip(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, (Path(folder.name) / path.relative_to(folder)).as_posix())
    return dest


def _oks(result: object) -> list[bool]:
    return [f.ok for f in result.findings]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- format


def test_the_bundled_course_lists_the_three_labs() -> None:
    course = load_course(bundled_dir() / "testing-ai")
    assert [lab.id for lab in course.labs] == list(LABS)
    for lab in course.labs:
        text = course.lab(lab.id, "en").item
        assert text.title and text.review == "needed" and "puhui " in text.body


def test_labs_load_with_spec_data_and_instructions(course: Course, course_dir: Path) -> None:
    lab = {lab.id: lab for lab in course.labs}["redact-a-corpus"]
    assert (lab.minutes, lab.check, lab.hand_in, lab.answer) == (
        20,
        "corpus-redactions",
        "folder",
        "number",
    )
    assert lab.data == course_dir / "labs" / "redact-a-corpus" and lab.data.is_dir()
    shown = course.lab("redact-a-corpus", "sw")
    assert shown.lang == "en" and shown.fallback_from == "sw" and shown.note
    assert shown.item.question == "How many phone numbers were redacted?"


def test_a_broken_lab_spec_is_reported_with_file_line_and_field(course_dir: Path) -> None:
    spec = course_dir / "labs" / "redact-a-corpus.yaml"
    spec.write_text(
        "id: redact-corpus\nminutes: 0\ncheck: corpus-redaction\nhand_in: folder\n"
        "data: nowhere\nanswer: number\nparams: {pii_type: PHONE}\n",
        encoding="utf-8",
    )
    spec2 = course_dir / "labs" / "compare-two-languages.yaml"
    spec2.write_text(
        spec2.read_text(encoding="utf-8").replace("suite: sib200", "suite: 3, colour: red"),
        encoding="utf-8",
    )
    lines = _lines(course_dir)
    assert any(line.startswith(f"{spec}:1: id: 'redact-corpus' differs") for line in lines)
    assert any(line.startswith(f"{spec}:2: minutes: 0 is not a positive") for line in lines)
    assert any(
        line.startswith(f"{spec}:3: check: 'corpus-redaction' is not a lab check") for line in lines
    )
    assert any(line.startswith(f"{spec}:5: data: labs/nowhere/ does not exist") for line in lines)
    assert any(line.startswith(f"{spec2}:6: params.suite: 3 is not a str") for line in lines)
    assert any(line.startswith(f"{spec2}:6: params.colour: not a parameter") for line in lines)
    assert all(" — " in line and "\n" not in line for line in lines)
    assert len(lines) == 6, lines


def test_lab_list_errors_twice_and_missing_files(course_dir: Path) -> None:
    course_yaml = course_dir / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    course_yaml.write_text(
        text.replace("labs: [", "labs: [redact-a-corpus, no-such-lab, "), encoding="utf-8"
    )
    (course_dir / "labs" / "tamper-a-certificate.en.md").unlink()
    (course_dir / "labs" / "stray.en.md").write_text("---\ntitle: x\nreview: needed\n---\nx\n")
    lines = _lines(course_dir)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("labs:"))
    assert f"{course_yaml}:{line}: labs[2]: 'redact-a-corpus' is listed twice" in "\n".join(lines)
    assert any("labs/no-such-lab.yaml is missing" in x for x in lines)
    assert any("labs/tamper-a-certificate.en.md is missing" in x for x in lines)
    assert any(
        x.startswith(f"{course_dir / 'labs' / 'stray.en.md'}: file: not a lab") for x in lines
    )


def test_a_check_that_needs_another_answer_kind_is_an_error(course_dir: Path) -> None:
    spec = course_dir / "labs" / "compare-two-languages.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("answer: yes_no", "answer: number"), "utf-8"
    )
    (line,) = _lines(course_dir)
    assert line.startswith(f"{spec}:5: answer: the check language-gap needs answer: yes_no")


def test_raw_html_in_a_lesson_is_an_error_naming_its_line(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    lesson = folder / "lessons" / "02-data.en.md"
    lesson.write_text(
        "---\ntitle: Data\nreview: needed\n---\nData is `<b>` in code.\n\n"
        "```\n<div>in a fence</div>\n```\n\nSome <b>bold</b> words\nand more.\n\n"
        "<div>\nblock\n</div>\n",
        encoding="utf-8",
    )
    lines = _lines(folder)
    assert lines == [
        f"{lesson}:11: body: raw HTML is not allowed — write Markdown (headings, lists, "
        "emphasis, links, images)",
        f"{lesson}:14: body: raw HTML is not allowed — write Markdown (headings, lists, "
        "emphasis, links, images)",
    ]


def test_raw_html_in_lab_instructions_is_an_error(course_dir: Path) -> None:
    text = course_dir / "labs" / "redact-a-corpus.en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", "utf-8")
    (line,) = _lines(course_dir)
    assert line.startswith(f"{text}:") and ": body: raw HTML is not allowed" in line


def test_missing_lab_translations_are_notes(puhui: Run, course_dir: Path) -> None:
    proc = puhui("learn", "validate", str(course_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["missing_lab_translations"] == [{"lab": lab, "language": "sw"} for lab in LABS]
    proc = puhui("learn", "validate", str(course_dir))
    assert "note: lab redact-a-corpus is not translated into sw" in proc.stderr


# ---------------------------------------------------------------- engine, fast


def test_a_missing_lab_or_path_is_an_error(course: Course, tmp_path: Path) -> None:
    with pytest.raises(PuhuiError, match="no lab 'nope'"):
        check_lab(course, "nope", tmp_path, None)
    with pytest.raises(PuhuiError, match="does not exist"):
        check_lab(course, "redact-a-corpus", tmp_path / "missing", "3")


def test_a_wrong_hand_in_is_a_failed_finding_not_an_error(course: Course, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for lab in LABS:
        result = check_lab(course, lab, empty, "3")
        assert not result.passed and result.findings and not all(_oks(result))
    result = check_lab(course, "tamper-a-certificate", empty, None)
    assert result.to_json()["findings"][0] == {
        "ok": False,
        "what": "certificate.json is missing or not JSON: copy the issued one.",
    }


def _bad_zip(course: Course, path: Path, *needles: str) -> None:
    with pytest.raises(PuhuiError) as info:
        check_lab(course, "redact-a-corpus", path, "9")
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for needle in needles:
        assert needle in message


def test_zip_with_a_path_outside_is_refused(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("corpus/data.txt", "x")
        zf.writestr("../escape.txt", "x")
    _bad_zip(course, path, "'../escape.txt' points outside")
    assert not (tmp_path.parent / "escape.txt").exists()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("/etc/evil.txt", "x")
    _bad_zip(course, path, "points outside")


def test_zip_with_a_link_is_refused(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("corpus/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    _bad_zip(course, path, "is a link")


def test_zip_with_too_many_members_is_refused(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(ZIP_MAX_MEMBERS + 1):
            zf.writestr(f"c/{i}.txt", "")
    _bad_zip(course, path, f"{ZIP_MAX_MEMBERS + 1} members")


def test_a_zip_bomb_is_refused(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("c/zeros.bin", "w", force_zip64=True) as f,
    ):
        for _i in range(201):
            f.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    _bad_zip(course, path, "larger than 200 MB")


def test_a_file_that_is_not_a_zip_is_refused(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "corpus.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    _bad_zip(course, path, "not a readable zip")


# ---------------------------------------------------------------- CLI, fast


def test_cli_lab_list_show_data(puhui: Run, course_dir: Path, tmp_path: Path) -> None:
    proc = puhui("learn", "lab", "list", str(course_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["id"] for r in rows] == list(LABS)
    assert rows[0]["answer"] == "number" and rows[0]["data"] is True
    proc = puhui("learn", "lab", "show", str(course_dir), "redact-a-corpus", "--lang", "sw")
    assert proc.returncode == 0, proc.stderr
    assert "Not yet translated into sw" in proc.stderr
    assert "puhui corpus build my-lab --out my-corpus" in proc.stdout
    assert "Question: How many phone numbers were redacted?" in proc.stdout
    out = tmp_path / "my-lab"
    proc = puhui("learn", "lab", "data", str(course_dir), "redact-a-corpus", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    data = course_dir / "labs" / "redact-a-corpus"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in data.iterdir())
    again = puhui("learn", "lab", "data", str(course_dir), "redact-a-corpus", "--out", str(out))
    assert_one_line_error(again, "not an empty folder", "--out")
    proc = puhui("learn", "lab", "list", "testing-ai", "--json")
    assert [r["id"] for r in json.loads(proc.stdout)] == list(LABS)


def test_cli_lab_run_unusable_input_exits_2(puhui: Run, course_dir: Path, tmp_path: Path) -> None:
    proc = puhui("learn", "lab", "run", str(course_dir), "no-such", str(tmp_path))
    assert proc.returncode == 2
    assert_one_line_error(proc, "no lab 'no-such'")
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"nonsense")
    proc = puhui("learn", "lab", "run", str(course_dir), "redact-a-corpus", str(bad))
    assert proc.returncode == 2
    assert_one_line_error(proc, "not a readable zip")


# ---------------------------------------------------------------- the labs, for real


@pytest.mark.slow
def test_redact_a_corpus(puhui: Run, course: Course, course_dir: Path, tmp_path: Path) -> None:
    lab, corpus = tmp_path / "my-lab", tmp_path / "my-corpus"
    run = puhui("learn", "lab", "data", str(course_dir), "redact-a-corpus", "--out", str(lab))
    assert run.returncode == 0, run.stderr
    build = puhui("corpus", "build", str(lab), "--out", str(corpus))
    assert build.returncode == 0, build.stderr
    audit = json.loads((corpus / "audit.json").read_text(encoding="utf-8"))
    phones = audit["pii"]["by_type"]["PHONE"]
    assert phones >= 5
    right = check_lab(course, "redact-a-corpus", corpus, str(phones))
    assert right.passed and len(right.findings) == 4, right
    assert _oks(check_lab(course, "redact-a-corpus", corpus, str(phones + 1))) == [
        True,
        True,
        True,
        False,
    ]
    assert not check_lab(course, "redact-a-corpus", corpus, None).passed

    zipped = _zip(corpus, tmp_path / "my-corpus.zip")
    assert check_lab(course, "redact-a-corpus", zipped, str(phones)).passed
    proc = puhui("learn", "lab", "run", str(course_dir), "redact-a-corpus", str(zipped),
                 "--answer", str(phones))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "PASSED" and proc.stdout.count("✓") == 4
    proc = puhui("learn", "lab", "run", str(course_dir), "redact-a-corpus", str(corpus),
                 "--answer", "1", "--json")  # fmt: skip
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["passed"] is False

    # another folder: the lab's data with one notice changed
    other, other_corpus = tmp_path / "other", tmp_path / "other-corpus"
    shutil.copytree(lab, other)
    notice = other / "market-notice-board.txt"
    notice.write_text(notice.read_text(encoding="utf-8") + "\nCall 0799 000 111.\n", "utf-8")
    assert puhui("corpus", "build", str(other), "--out", str(other_corpus)).returncode == 0
    other_phones = json.loads((other_corpus / "audit.json").read_text())["pii"]["by_type"]
    wrong = check_lab(course, "redact-a-corpus", other_corpus, str(other_phones["PHONE"]))
    assert _oks(wrong) == [True, False, True, True]
    assert "not built from the lab's data" in wrong.findings[1].what

    # tampered after the build: a redacted number put back
    data = sorted((corpus / "data").iterdir())[0]
    data.write_bytes(data.read_bytes() + b"\n")
    tampered = check_lab(course, "redact-a-corpus", corpus, str(phones))
    assert _oks(tampered) == [False] and "manifest" in tampered.findings[0].what


@pytest.mark.slow
def test_compare_two_languages(
    puhui: Run, course: Course, course_dir: Path, tmp_path: Path
) -> None:
    run = tmp_path / "my-run"
    proc = puhui("eval", "run", "sib200", "--model", "embedded", "--languages", "en,sw",
                 "--limit", "5", "--out", str(run))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    rows = summary["tasks"]["sib200/topic"]["metrics"]["accuracy"]["per_language"]
    a, b = rows
    apart = a["ci_high"] < b["ci_low"] or b["ci_high"] < a["ci_low"]
    truth, lie = ("yes", "no") if apart else ("no", "yes")
    right = check_lab(course, "compare-two-languages", run, truth)
    assert right.passed, right
    assert _oks(check_lab(course, "compare-two-languages", run, lie))[-1] is False
    proc = puhui("learn", "lab", "run", str(course_dir), "compare-two-languages", str(run),
                 "--answer", truth)  # fmt: skip
    assert proc.returncode == 0 and "PASSED" in proc.stdout, proc.stdout + proc.stderr

    one = tmp_path / "one-language"
    proc = puhui("eval", "run", "sib200", "--model", "embedded", "--languages", "en",
                 "--limit", "5", "--out", str(one))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    single = check_lab(course, "compare-two-languages", one, truth)
    assert not single.passed and "1 languages" in single.findings[-1].what

    summary_file = run / "summary.json"
    summary_file.write_text(summary_file.read_text().replace('"sw"', '"yo"'), encoding="utf-8")
    edited = check_lab(course, "compare-two-languages", run, truth)
    assert _oks(edited) == [False]


@pytest.mark.slow
def test_tamper_a_certificate(puhui: Run, course: Course, course_dir: Path, tmp_path: Path) -> None:
    system, hand_in = tmp_path / "my-system", tmp_path / "hand-in"
    steps = [
        ("learn", "lab", "data", str(course_dir), "tamper-a-certificate", "--out", str(system)),
        ("assess", "new", "--profile", str(system / "profile.yaml"), "--answers",
         str(system / "answers.yaml"), "--out", str(tmp_path / "my-assessment"), "--no-pdf"),
        ("keys", "new", "--out", str(tmp_path / "my-key"), "--name", "My training lab"),
        ("cert", "issue", str(tmp_path / "my-assessment"), "--key", str(tmp_path / "my-key"),
         "--out", str(hand_in / "certificate.json"), "--no-page"),
        ("cert", "verify", str(hand_in / "certificate.json")),
    ]  # fmt: skip
    for step in steps:
        proc = puhui(*step)
        assert proc.returncode == 0, (step, proc.stderr)
    original = (hand_in / "certificate.json").read_text(encoding="utf-8")
    tampered = hand_in / "tampered.json"

    tampered.write_text(original, encoding="utf-8")  # a copy, not changed
    same = check_lab(course, "tamper-a-certificate", hand_in, None)
    assert _oks(same) == [True, False, False]

    tampered.write_text(original.replace("Huduma Assistant", "Huduma Assistant Pro"), "utf-8")
    assert puhui("cert", "verify", str(tampered)).returncode == 1
    result = check_lab(course, "tamper-a-certificate", hand_in, None)
    assert result.passed and _oks(result) == [True, True, True], result
    zipped = _zip(hand_in, tmp_path / "hand-in.zip")
    proc = puhui("learn", "lab", "run", str(course_dir), "tamper-a-certificate", str(zipped))
    assert proc.returncode == 0 and proc.stdout.count("✓") == 3, proc.stdout + proc.stderr

    # editing the certificate itself breaks its signature
    cert = hand_in / "certificate.json"
    cert.write_text(original.replace('"KE"', '"TZ"'), encoding="utf-8")
    edited = check_lab(course, "tamper-a-certificate", hand_in, None)
    assert _oks(edited)[0] is False and "does not verify" in edited.findings[0].what
