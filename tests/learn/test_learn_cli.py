"""`puhui learn list --json` over the bundled courses, and every bundled course validates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from puhui.learn import bundled_dir, list_courses, load_course, validate

from conftest import Run


def test_learn_list_json_shows_the_bundled_courses(puhui: Run) -> None:
    proc = puhui("learn", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    by_id = {r["id"]: r for r in rows}
    assert "ai-for-everyone" in by_id
    course = load_course(bundled_dir() / "ai-for-everyone")
    assert by_id["ai-for-everyone"] == {
        "id": "ai-for-everyone",
        "title": course.title[course.languages[0]],
        "languages": list(course.languages),
        "lessons": len(course.lesson_refs),
        "labs": len(course.labs),
    }
    assert by_id["ai-for-everyone"]["lessons"] >= 6


@pytest.mark.parametrize("folder", list_courses(), ids=lambda p: p.name)
def test_every_bundled_course_validates(folder: Path) -> None:
    assert [str(p) for p in validate(folder)] == []
