"""Moving courses and records out of Puhui: `puhui learn pack` (an artifact folder or one zip),
`puhui learn gift export/import` (Moodle's GIFT, through the CLI), and xAPI statements."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import yaml
from learn_kit import write_course

from puhui.artifacts import check
from puhui.learn import bundled_dir, load_course, validate, xapi
from puhui.learn.course import quiz_from_dict, quiz_to_dict

from conftest import Run, assert_one_line_error


def test_pack_writes_a_course_artifact_folder_and_a_zip(puhui: Run, tmp_path: Path) -> None:
    folder = tmp_path / "afe"
    proc = puhui("learn", "pack", "ai-for-everyone", "--out", str(folder), "--json")
    assert proc.returncode == 0, proc.stderr
    manifest = check(folder)  # every file pinned by sha256
    assert manifest.kind == "course"
    assert manifest.provenance["parameters"]["id"] == "ai-for-everyone"
    assert (folder / "course.yaml").is_file()
    assert validate(folder.parent / "afe") != []  # the folder is not named as the id…
    renamed = tmp_path / "ai-for-everyone"
    shutil.copytree(folder, renamed)
    assert validate(renamed) == []  # …but it is the course, file for file
    # packing again replaces a packed course; a foreign folder is refused in one line
    assert puhui("learn", "pack", "ai-for-everyone", "--out", str(folder)).returncode == 0
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me\n", encoding="utf-8")
    proc = puhui("learn", "pack", "ai-for-everyone", "--out", str(other))
    assert_one_line_error(proc, "not a packed course")
    assert (other / "mine.txt").read_text(encoding="utf-8") == "keep me\n"
    # one zip: the plain course folder and its manifest, readable as they are
    zipped = tmp_path / "afe.zip"
    assert puhui("learn", "pack", "ai-for-everyone", "--out", str(zipped)).returncode == 0
    with zipfile.ZipFile(zipped) as zf:
        names = set(zf.namelist())
        listed = {f["path"] for f in json.loads(zf.read("manifest.json"))["files"]}
    assert names == listed | {"manifest.json"}
    assert "lessons/01-what-is-ai.sw.md" in names


def test_pack_refuses_a_broken_course(puhui: Run, tmp_path: Path) -> None:
    course = write_course(tmp_path)
    (course / "course.yaml").write_text("id: [\n", encoding="utf-8")
    proc = puhui("learn", "pack", str(course), "--out", str(tmp_path / "out"))
    assert_one_line_error(proc, "course.yaml")
    assert not (tmp_path / "out").exists()


def test_gift_export_then_import_gives_the_same_quiz(puhui: Run, tmp_path: Path) -> None:
    course = load_course(bundled_dir() / "ai-for-everyone")
    for ref in course.lesson_refs:
        shown = course.quiz(ref.id, "sw")
        assert shown is not None
        gift = tmp_path / f"{ref.id}.gift"
        proc = puhui(
            "learn", "gift", "export", "ai-for-everyone", ref.id, "--lang", "sw", "--out",
            str(gift),
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert gift.read_text(encoding="utf-8").count("::") >= 2 * len(shown.item.questions)
        back = tmp_path / f"{ref.id}.sw.yaml"
        proc = puhui("learn", "gift", "import", str(gift), "--out", str(back))
        assert proc.returncode == 0, proc.stderr
        doc = yaml.safe_load(back.read_text(encoding="utf-8"))
        assert quiz_from_dict(doc) == shown.item
        assert quiz_to_dict(shown.item) == doc


def test_an_imported_quiz_validates_in_a_course(puhui: Run, tmp_path: Path) -> None:
    course = write_course(tmp_path / "c")
    quiz_file = next((course / "quizzes").glob("*.en.yaml"))
    gift = tmp_path / "q.gift"
    proc = puhui("learn", "gift", "export", str(course), quiz_file.name.split(".")[0])
    assert proc.returncode == 0, proc.stderr
    gift.write_text(proc.stdout, encoding="utf-8")
    quiz_file.unlink()
    assert puhui("learn", "gift", "import", str(gift), "--out", str(quiz_file)).returncode == 0
    assert validate(course) == []


def test_gift_import_of_a_bad_file_is_one_line(puhui: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gift"
    bad.write_bytes(b"\xff\xfe not utf-8 \xc3")
    proc = puhui("learn", "gift", "import", str(bad), "--out", str(tmp_path / "q.yaml"))
    assert_one_line_error(proc, "bad.gift")
    proc = puhui("learn", "gift", "export", "ai-for-everyone", "no-such-lesson")
    assert_one_line_error(proc, "no-such-lesson")


def test_xapi_statements_for_a_lesson_a_quiz_and_a_lab() -> None:
    who = xapi.actor("http://hub.example/", "amina")
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    course = "http://hub.example/learn/acme/ai-for-everyone/"
    acts = [
        xapi.Activity(course, {"en": "AI for everyone"}, "quiz", "01-what-is-ai",
                      {"en": "What is AI?"}, when, 80, True),
        xapi.Activity(course, {"en": "AI for everyone"}, "lesson", "01-what-is-ai",
                      {"en": "What is AI?", "sw": "AI ni nini?"}, when.replace(minute=10)),
        xapi.Activity(course, {"en": "AI for everyone"}, "lab", "redact-a-corpus",
                      {"en": "Redact"}, when.replace(hour=10), 0, False),
    ]  # fmt: skip
    out = xapi.statements(who, acts)
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in out] == ["experienced", "passed", "failed"]
    read, quiz, lab = out
    assert read["object"]["id"] == course + "01-what-is-ai/"
    assert read["object"]["definition"]["name"]["sw"] == "AI ni nini?"
    assert "result" not in read
    assert quiz["result"] == {
        "success": True,
        "completion": True,
        "score": {"scaled": 0.8, "raw": 80, "min": 0, "max": 100},
    }
    assert lab["object"]["id"] == course + "labs/redact-a-corpus/"
    assert lab["result"]["success"] is False
    assert quiz["context"]["contextActivities"]["parent"][0]["id"] == course
    assert all(s["version"] == "1.0.3" and s["actor"] == who for s in out)
    assert quiz["timestamp"] == "2026-12-01T09:30:00+00:00"
    # the same activity exports with the same id (an LRS keeps one copy); another, another id
    again = xapi.statements(who, acts)
    assert [s["id"] for s in again] == [s["id"] for s in out]
    assert len({s["id"] for s in out}) == 3
