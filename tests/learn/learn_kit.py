"""A small course written into a test's folder, in the course format (two languages, one lesson
translated and one not, a quiz with every question type, an image)."""

from __future__ import annotations

from pathlib import Path

COURSE_YAML = """\
id: tiny-course
version: 0.1.0
license: CC-BY-4.0
languages: [en, sw]
audience: adults
age_band: "12+"
authors: [Test team]
title: {en: A tiny course, sw: Kozi ndogo}
summary: {en: Two lessons.}
outcomes: {en: [Say what AI is]}
lessons:
  - id: 01-what-is-ai
    minutes: 10
  - id: 02-data
    minutes: 5
labs: []
"""

LESSON_EN = """\
---
title: What is AI?
review: needed
---
# What is AI?

A program that learned from examples.

![a diagram](../images/diagram.svg)
"""

LESSON_SW = """\
---
title: AI ni nini?
review: reviewed by Amina on 2025-01-02
---
Programu iliyojifunza kutokana na mifano.
"""

LESSON2_EN = """\
---
title: Data
review: needed
---
Data is what a model learns from.
"""

QUIZ_EN = """\
title: Check what you learned
review: needed
pass_percent: 60
questions:
  - id: q1
    type: single
    prompt: "Which of these is an example of AI?"
    options:
      - {text: "A spam filter that learned", correct: true, feedback: "Yes: learned."}
      - {text: "A light switch", feedback: "No: it follows one fixed rule."}
  - id: q2
    type: multiple
    prompt: "Which can be biased?"
    options:
      - {text: "Training data", correct: true, feedback: "Data can be."}
      - {text: "A model", correct: true}
      - {text: "The number 7", feedback: "Numbers are not."}
  - id: q3
    type: true_false
    prompt: "AI is always right."
    answer: false
    feedback: {correct: "Right: it can be wrong.", wrong: "No: AI makes mistakes."}
  - id: q4
    type: numeric
    prompt: "How many legs has a cat?"
    answer: 4
    tolerance: 0.5
    feedback: {correct: "Four.", wrong: "Count again."}
  - id: q5
    type: short_text
    prompt: "What do we call unfair patterns in data?"
    accept: ["bias", "biased  data"]
    feedback: {correct: "Yes, bias.", wrong: "Think of unfairness."}
"""


def write_course(root: Path, name: str = "tiny-course") -> Path:
    """Write the tiny course into ``root/name`` and return its folder."""
    folder = root / name
    (folder / "lessons").mkdir(parents=True)
    (folder / "quizzes").mkdir()
    (folder / "images").mkdir()
    (folder / "course.yaml").write_text(
        COURSE_YAML.replace("id: tiny-course", f"id: {name}"), encoding="utf-8"
    )
    (folder / "lessons" / "01-what-is-ai.en.md").write_text(LESSON_EN, encoding="utf-8")
    (folder / "lessons" / "01-what-is-ai.sw.md").write_text(LESSON_SW, encoding="utf-8")
    (folder / "lessons" / "02-data.en.md").write_text(LESSON2_EN, encoding="utf-8")
    (folder / "quizzes" / "01-what-is-ai.en.yaml").write_text(QUIZ_EN, encoding="utf-8")
    (folder / "images" / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', encoding="utf-8"
    )
    return folder
