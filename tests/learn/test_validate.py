"""`validate` and `puhui learn validate`: one line per problem naming file, line and field; exit 2
on a broken course, exit 0 with missing translations listed as notes on a valid one."""

from __future__ import annotations

import json
from pathlib import Path

from learn_kit import write_course

from puhui.learn import validate

from conftest import Run


def _lines(folder: Path) -> list[str]:
    return [str(p) for p in validate(folder)]


def test_a_valid_course_has_no_problem(tmp_path: Path) -> None:
    assert validate(write_course(tmp_path)) == []


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    quiz = folder / "quizzes" / "01-what-is-ai.en.yaml"
    quiz.write_text("title: x\nreview: needed\nquestions: [\n  - id: q1\n", encoding="utf-8")
    (line,) = _lines(folder)
    assert line.startswith(f"{quiz}:") and ": yaml: not valid YAML" in line
    assert "—" in line and "\n" not in line


def test_an_answer_not_among_the_options_names_its_line_and_field(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    quiz = folder / "quizzes" / "01-what-is-ai.en.yaml"
    text = quiz.read_text(encoding="utf-8").replace(
        'learned", correct: true,', 'learned", correct: false,'
    )
    quiz.write_text(text, encoding="utf-8")
    (line,) = _lines(folder)
    assert line.startswith(f"{quiz}:8: questions[0].options: ")
    assert "not among the options" in line


def test_a_missing_image_names_the_lesson_line(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    (folder / "images" / "diagram.svg").unlink()
    lesson = folder / "lessons" / "01-what-is-ai.en.md"
    (line,) = _lines(folder)
    assert line.startswith(f"{lesson}:9: image: ../images/diagram.svg does not exist")


def test_an_image_outside_the_course_is_a_problem(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    (tmp_path / "secret.svg").write_text("<svg/>", encoding="utf-8")
    lesson = folder / "lessons" / "02-data.en.md"
    lesson.write_text(lesson.read_text() + "![x](../../secret.svg)\n", encoding="utf-8")
    (line,) = _lines(folder)
    assert "02-data.en.md:6: image: ../../secret.svg points outside the course folder" in line


def test_course_yaml_fields_are_checked_with_their_lines(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    course = folder / "course.yaml"
    text = course.read_text(encoding="utf-8")
    text = text.replace("languages: [en, sw]", "languages: [en, xx-!!]")
    text = text.replace('age_band: "12+"', "age_band: 13+\ncolour: red")
    course.write_text(text, encoding="utf-8")
    lines = _lines(folder)
    assert any(line.startswith(f"{course}:4: languages: 'xx-!!' is not a BCP-47") for line in lines)
    assert any(line.startswith(f"{course}:6: age_band: '13+'") for line in lines)
    assert any(line.startswith(f"{course}:7: colour: unknown field") for line in lines)


def test_every_lesson_exists_in_the_first_language(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    (folder / "lessons" / "02-data.en.md").unlink()
    (line,) = _lines(folder)
    assert line.startswith(f"{folder / 'course.yaml'}:14: lessons[1].id: lessons/02-data.en.md")


def test_quiz_questions_must_match_across_languages(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    en = (folder / "quizzes" / "01-what-is-ai.en.yaml").read_text(encoding="utf-8")
    sw = folder / "quizzes" / "01-what-is-ai.sw.yaml"
    sw.write_text(en.replace("id: q5", "id: q6"), encoding="utf-8")
    (line,) = _lines(folder)
    assert line.startswith(f"{sw}: questions: question ids or types differ")


def test_quiz_types_are_checked(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    quiz = folder / "quizzes" / "01-what-is-ai.en.yaml"
    text = quiz.read_text(encoding="utf-8")
    text = text.replace("answer: false", "answer: nope").replace("answer: 4", "answer: four")
    text = text.replace('accept: ["bias", "biased  data"]', "accept: []")
    quiz.write_text(text, encoding="utf-8")
    fields = [line.split(": ")[1] for line in _lines(folder)]
    assert fields == ["questions[2].answer", "questions[3].answer", "questions[4].accept"]


def test_front_matter_needs_title_and_review(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    lesson = folder / "lessons" / "02-data.en.md"
    lesson.write_text("---\ntitle: Data\nreview: maybe\n---\nBody\n", encoding="utf-8")
    (line,) = _lines(folder)
    assert line.startswith(f"{lesson}:3: review: missing or not a review status")


def test_cli_validate_exits_2_with_one_line_per_problem(puhui: Run, tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    (folder / "images" / "diagram.svg").unlink()
    quiz = folder / "quizzes" / "01-what-is-ai.en.yaml"
    quiz.write_text("questions: [\n", encoding="utf-8")
    proc = puhui("learn", "validate", str(folder))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr
    assert any("image:" in line for line in lines) and any("yaml:" in line for line in lines)
    data = json.loads(puhui("learn", "validate", str(folder), "--json").stdout)
    assert data["valid"] is False and len(data["problems"]) == 2


def test_cli_validate_a_valid_course_lists_missing_translations(puhui: Run, tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    proc = puhui("learn", "validate", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "02-data" in proc.stderr and "sw" in proc.stderr and "error" not in proc.stderr
    data = json.loads(puhui("learn", "validate", str(folder), "--json").stdout)
    assert data == {
        "valid": True,
        "problems": [],
        "missing_translations": [{"lesson": "02-data", "language": "sw"}],
        "missing_lab_translations": [],
    }


def test_cli_validate_a_folder_without_course_yaml(puhui: Run, tmp_path: Path) -> None:
    proc = puhui("learn", "validate", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {tmp_path / 'course.yaml'}: course.yaml: not found")
