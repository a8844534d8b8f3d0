"""The learn pages in headless Chromium, with JavaScript on and off: a learner opens *AI for
everyone* in Swahili, reads a lesson, takes its quiz (wrong answers, then right ones, feedback
shown), sees progress on the course page; the same in Arabic, right to left. Every page's
weight (document and everything it fetched) stays under 100 KB and no request leaves the hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright
from test_hub_learn import AFE, PAGE_LIMIT, LearnHub, learn_hub  # noqa: F401 (fixture)

from puhui.learn import Quiz, bundled_dir, load_course

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


class Tab:
    """One tab; :meth:`weigh` checks what the last page fetched."""

    def __init__(self, page: Page, hub: LearnHub) -> None:
        self.page, self.hub = page, hub
        self.fetched: list[Request] = []
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.fetched.append(request)

    def go(self, path: str) -> None:
        self.page.goto(self.hub.url + path)
        self.weigh()

    def weigh(self) -> None:
        self.page.wait_for_load_state("load")
        weight = 0
        for r in self.fetched:
            assert r.url.startswith(self.hub.url + "/") or r.url.startswith("data:"), r.url
            if not r.url.startswith("data:"):
                sizes = r.sizes()
                weight += sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
        self.fetched.clear()
        assert 500 < weight < PAGE_LIMIT, (self.page.url, weight)


@pytest.fixture(params=["js", "nojs"])
def tab(request: pytest.FixtureRequest, browser: Browser, learn_hub: LearnHub) -> Iterator[Tab]:  # noqa: F811
    context = browser.new_context(
        java_script_enabled=request.param == "js", viewport={"width": 400, "height": 800}
    )
    context.set_default_timeout(15_000)
    try:
        yield Tab(context.new_page(), learn_hub)
    finally:
        context.close()


def _answer(page: Page, quiz: Quiz, right: bool) -> None:
    for q in quiz.questions:
        box = page.locator(f"#q-{q.id}")
        if q.type in ("single", "multiple"):
            for i, o in enumerate(q.options):
                want = o.correct if right else (not o.correct if q.type == "single" else True)
                if q.type == "single" and not right:
                    want = i == next(j for j, x in enumerate(q.options) if not x.correct)
                field = box.locator(f'input[value="{i}"]')
                if want:
                    field.check()
                elif q.type == "multiple":
                    field.uncheck()
        elif q.type == "true_false":
            value = q.answer if right else not q.answer
            box.locator(f'input[value="{str(value).lower()}"]').check()
        elif q.type == "numeric":
            assert isinstance(q.answer, float)
            box.locator("input").fill(str(q.answer if right else q.answer + 1000))
        else:
            box.locator("input").fill(q.accept[0] if right else "sijui kabisa")


def _take_quiz(t: Tab, quiz: Quiz) -> None:
    _answer(t.page, quiz, right=False)
    with t.page.expect_navigation():
        t.page.click("#quiz button[type=submit]")
    t.weigh()
    expect(t.page.locator(".feedback.bad")).to_have_count(len(quiz.questions))
    expect(t.page.locator("#score")).to_have_class("bad")
    _answer(t.page, quiz, right=True)
    with t.page.expect_navigation():
        t.page.click("#quiz button[type=submit]")
    t.weigh()
    expect(t.page.locator(".feedback.ok")).to_have_count(len(quiz.questions))
    expect(t.page.locator("#score")).to_have_class("ok")


@pytest.mark.parametrize("lang", ["sw", "ar"])
def test_learner_reads_takes_a_quiz_and_sees_progress(tab: Tab, lang: str) -> None:
    course = load_course(bundled_dir() / "ai-for-everyone")
    ref = course.lesson_refs[2]
    quiz = course.quiz(ref.id, lang)
    assert quiz is not None and quiz.lang == lang
    t = tab
    t.go(f"/{lang}/learn/")
    direction = "rtl" if lang == "ar" else "ltr"
    expect(t.page.locator("html")).to_have_attribute("dir", direction)
    with t.page.expect_navigation():
        t.page.click(f"a[href^='/{lang}{AFE}']")
    t.weigh()
    expect(t.page.locator("h1")).to_have_text(course.title[lang])
    expect(t.page.locator(".ok")).to_have_count(0)  # nothing done yet in this browser
    with t.page.expect_navigation():
        t.page.click(f"a[href='/{lang}{AFE}{ref.id}/']")
    t.weigh()
    article = t.page.locator("article")
    expect(article).to_have_attribute("dir", direction)
    expect(article).to_have_attribute("lang", lang)
    expect(article.locator("h1")).to_have_count(1)
    _take_quiz(t, quiz.item)
    t.go(f"/{lang}{AFE}")
    expect(t.page.locator("li", has_text=course.lesson(ref.id, lang).item.title)).to_contain_text(
        "✓"
    )
