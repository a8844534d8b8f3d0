"""`puhui learn export`: the bundled course as a static offline site — every page light, Arabic
right to left, the fallback note on untranslated lessons, nothing loaded from the network, and
(in headless Chromium from file://) a quiz that checks answers in the page."""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from puhui.errors import PuhuiError
from puhui.learn import bundled_dir, load_course
from puhui.learn.export import MARKER, export_site

from conftest import Run

CHROMIUM = "/usr/bin/chromium"
COURSE = "ai-for-everyone"
# A tag that would load a resource: <script src>, <link href>, <img src>, and CSS url(...).
RESOURCE = re.compile(
    r"<script[^>]*\ssrc=|<link[^>]*\shref=[\"']?(?:https?:)?//|<img[^>]*\ssrc=[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled course exported, with Swahili lesson 04 surely untranslated (a copy of the
    course without it, so the test holds once a translator adds it to the bundled course)."""
    root = tmp_path_factory.mktemp("export")
    course = root / COURSE
    shutil.copytree(bundled_dir() / COURSE, course)
    for path in course.glob("*/04-*.sw.*"):
        path.unlink()
    return export_site(course, root / "site")


def test_export_writes_every_page_of_every_language(site: Path) -> None:
    course = load_course(bundled_dir() / COURSE)
    assert (site / "index.html").is_file()
    for lang in course.languages:
        assert (site / lang / "index.html").is_file()
        for ref in course.lesson_refs:
            assert (site / lang / f"{ref.id}.html").is_file(), (lang, ref.id)
    assert sorted(p.name for p in (site / "images").iterdir()) == sorted(
        p.name for p in (course.folder / "images").iterdir()
    )
    index = (site / "index.html").read_text(encoding="utf-8")
    assert course.title[course.first_language] in index
    for lang in course.languages[1:]:
        assert f'href="{lang}/index.html"' in index  # the language switcher


def test_every_page_is_under_100_kb(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        assert page.stat().st_size < 100_000, page


def test_arabic_pages_are_right_to_left_and_others_not(site: Path) -> None:
    for page in (site / "ar").glob("*.html"):
        assert re.search(r'<html lang="ar" dir="rtl">', page.read_text(encoding="utf-8")), page
    for page in (site / "sw").glob("*.html"):
        assert 'dir="rtl"' not in page.read_text(encoding="utf-8").split("<body>")[0], page


def test_untranslated_swahili_lesson_shows_the_fallback_note(site: Path) -> None:
    text = (site / "sw" / "04-privacy-and-your-rights.html").read_text(encoding="utf-8")
    assert '<html lang="sw"' in text
    assert "Not yet translated into sw; shown in en." in text
    course = load_course(bundled_dir() / COURSE)
    assert course.lessons[("04-privacy-and-your-rights", "en")].title in text
    translated = (site / "sw" / "01-what-is-ai.html").read_text(encoding="utf-8")
    assert "Not yet translated" not in translated


def test_no_page_loads_a_resource_from_the_network(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not RESOURCE.search(text), (page, RESOURCE.search(text))
    # the lesson's picture is a local copy
    lesson = (site / "sw" / "01-what-is-ai.html").read_text(encoding="utf-8")
    assert '<img src="../images/what-is-ai.svg"' in lesson


def test_raw_html_in_a_lesson_is_escaped_and_a_remote_image_refused(tmp_path: Path) -> None:
    course = tmp_path / COURSE
    shutil.copytree(bundled_dir() / COURSE, course)
    lesson = course / "lessons" / "01-what-is-ai.en.md"
    body = lesson.read_text(encoding="utf-8")
    # raw HTML does not load (validate refuses it); written as code it is shown escaped
    lesson.write_text(body + "\n<script>alert(1)</script>\n", encoding="utf-8")
    with pytest.raises(PuhuiError, match=r"01-what-is-ai\.en\.md:\d+: body: raw HTML"):
        export_site(course, tmp_path / "refused")
    lesson.write_text(
        body + "\n`<script>alert(1)</script>`\n\n[a link](https://example.org/read-more)\n",
        encoding="utf-8",
    )
    text = (export_site(course, tmp_path / "site") / "en" / "01-what-is-ai.html").read_text(
        encoding="utf-8"
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)" not in text
    assert '<a href="https://example.org/read-more">a link</a>' in text
    lesson.write_text(body + "\n![far away](https://example.org/x.png)\n", encoding="utf-8")
    with pytest.raises(PuhuiError, match=r"01-what-is-ai\.en\.md:\d+: image: https://example"):
        export_site(course, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_export_refuses_a_foreign_folder_and_replaces_a_previous_export(tmp_path: Path) -> None:
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me\n", encoding="utf-8")
    with pytest.raises(PuhuiError, match="notes: folder is not empty and is not a previous"):
        export_site(COURSE, foreign)
    assert (foreign / "mine.txt").read_text(encoding="utf-8") == "keep me\n"
    out = tmp_path / "site"
    export_site(COURSE, out)
    (out / "en" / "stale.html").write_text("old", encoding="utf-8")
    export_site(COURSE, out)  # a previous export: replaced whole
    assert (out / MARKER).is_file() and not (out / "en" / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_export_json_and_one_line_error(puhui: Run, tmp_path: Path) -> None:
    proc = puhui("learn", "export", COURSE, "--out", str(tmp_path / "site"), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["index"] == str(tmp_path / "site" / "index.html") and doc["pages"] > 20
    proc = puhui("learn", "export", COURSE, "--out", str(tmp_path))
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path) in lines[0] and "--out" in lines[0], proc.stderr


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_quiz_checks_answers_in_the_page_from_file_url(site: Path) -> None:
    from playwright.sync_api import Request, expect, sync_playwright

    course = load_course(bundled_dir() / COURSE)
    q1 = course.quizzes[("01-what-is-ai", "sw")].questions[0]
    wrong = next(i for i, o in enumerate(q1.options) if not o.correct)
    right = next(i for i, o in enumerate(q1.options) if o.correct)
    page_url = (site / "sw" / "01-what-is-ai.html").as_uri()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()

            def record(request: Request) -> None:
                requests.append(request.url)

            page.on("request", record)
            page.goto(page_url)
            expect(page.locator("html")).to_have_attribute("lang", "sw")
            feedback = page.locator(f"#fb-{q1.id}")
            expect(feedback).to_have_text("")
            page.locator(f'input[name="q-{q1.id}"][value="{wrong}"]').check()
            page.locator("#quiz button[type=submit]").click()
            expect(feedback).to_have_text(q1.options[wrong].feedback)
            expect(feedback).to_have_class("feedback no")
            page.locator(f'input[name="q-{q1.id}"][value="{right}"]').check()
            page.locator("#quiz button[type=submit]").click()
            expect(feedback).to_have_text(q1.options[right].feedback)
            expect(feedback).to_have_class("feedback ok")
            expect(page.locator("#score")).not_to_have_text("")
            assert page.url == page_url  # the form did not navigate
            expect(page.locator("img")).to_have_js_property("complete", True)
        finally:
            browser.close()
    assert requests and all(u.startswith("file://") for u in requests), requests


def test_labs_are_exported_with_their_steps_and_data(tmp_path: Path) -> None:
    course = load_course(bundled_dir() / "testing-ai")
    site = export_site("testing-ai", tmp_path / "site")
    for lang in course.languages:
        index = (site / lang / "index.html").read_text(encoding="utf-8")
        for lab in course.labs:
            page = site / lang / f"lab-{lab.id}.html"
            assert f'href="../{lang}/lab-{lab.id}.html"' in index
            text = page.read_text(encoding="utf-8")
            assert html.escape(course.lab(lab.id, lang).item.title) in text
            assert f"puhui learn lab run testing-ai {lab.id}" in text
            assert len(text.encode("utf-8")) < 100_000
    data = next(lab for lab in course.labs if lab.data is not None)
    zipped = site / "labs" / f"{data.id}-data.zip"
    assert data.data is not None
    with zipfile.ZipFile(zipped) as zf:
        names = set(zf.namelist())
    assert names == {
        p.relative_to(data.data).as_posix() for p in data.data.rglob("*") if p.is_file()
    }
    assert f'href="../labs/{data.id}-data.zip"' in (site / "sw" / f"lab-{data.id}.html").read_text(
        encoding="utf-8"
    )
