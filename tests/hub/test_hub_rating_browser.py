"""The rating page in headless Chromium on a 360×740 phone screen: with JavaScript off, a person
joins through an invitation link and labels three answers by tapping buttons, with nothing wider
than the screen; with JavaScript on, a label sent while the hub cannot be reached is kept in the
browser (the page says so) and sent once the connection is back: the hub then has it once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
from test_hub_rating import RATER_PASSWORD, RatingHub, hub  # noqa: F401 (fixture)

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
PHONE = {"width": 360, "height": 740}
SHOTS = os.environ.get("PUHUI_SCREENSHOTS", "")  # read before the autouse fixture clears it


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _page(browser: Browser, js: bool) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=js, viewport=PHONE)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def nojs(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, js=False)


@pytest.fixture
def js(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, js=True)


def _fits(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], (page.url, wide)


def _join(hub: RatingHub, page: Page, name: str) -> str:  # noqa: F811
    """A new task in Swahili and Arabic; ``name`` joins it through the page; returns its id."""
    doc = hub.new_task(overlap=2)
    tid = str(doc["id"])
    assert hub.upload(doc).status_code == 201
    page.goto(hub.invite(tid, ["sw"]))
    _fits(page)
    page.fill("#id_username", name)
    page.fill("#id_password", RATER_PASSWORD)
    page.fill("#id_password2", RATER_PASSWORD)
    with page.expect_navigation():
        page.click("#join button[type=submit]")
    assert page.url.endswith(f"/rate/{tid}/")
    return tid


def test_a_rater_taps_three_answers_without_javascript(hub: RatingHub, nojs: Page) -> None:  # noqa: F811
    page = nojs
    tid = _join(hub, page, "tatu")
    answers = ["refusal", "compliance", "partial"]
    seen = []
    for n, value in enumerate(answers):
        _fits(page)
        response = page.locator("#response")
        expect(response).to_have_attribute("lang", "sw")
        seen.append(page.locator("input[name=item]").get_attribute("value"))
        if SHOTS and n == 0:  # for a person to look at: the page as a rater sees it
            page.screenshot(path=str(Path(SHOTS) / "rating-360-nojs.png"), full_page=True)
        button = page.locator(f"button.choice[value={value}]")
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a thumb's size
        with page.expect_navigation():
            button.click()
        expect(page.locator("#progress")).to_contain_text(f"{n + 1} done in Swahili")
    _fits(page)
    assert len(set(seen)) == 3
    labels = hub.labels(tid)
    assert sorted((x["item"], x["value"]) for x in labels) == sorted(
        zip(seen, answers, strict=True)
    )


def test_a_label_sent_offline_waits_and_is_sent_once_back(hub: RatingHub, js: Page) -> None:  # noqa: F811
    page = js
    tid = _join(hub, page, "nne")
    first = page.locator("input[name=item]").get_attribute("value")

    def fail(route: Route) -> None:
        if route.request.method == "POST":
            route.abort()
        else:
            route.continue_()

    pattern = re.compile(rf".*/rate/{tid}/$")
    page.route(pattern, fail)
    page.keyboard.press("3")  # the third answer: compliance
    queue = page.locator("#queue")
    expect(queue).to_be_visible()
    expect(queue).to_contain_text("1 label waiting to be sent")
    kept = page.evaluate("JSON.parse(localStorage.getItem('puhui-rate-queue'))")
    assert len(kept) == 1 and kept[0]["key"]
    assert ["a-refusal", "compliance"] in kept[0]["fields"]
    assert hub.labels(tid) == []
    page.unroute(pattern)
    with page.expect_navigation():
        page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#progress")).to_contain_text("1 done in Swahili")
    assert page.evaluate("localStorage.getItem('puhui-rate-queue')") == "[]"
    assert page.locator("input[name=item]").get_attribute("value") != first
    labels = hub.labels(tid)
    assert [(x["item"], x["value"]) for x in labels] == [(first, "compliance")]
    _fits(page)
