"""Access requests in headless Chromium with JavaScript off, on a real `puhui hub serve`: the
owning organization's admin sets "on request" in the policy editor; a user of another
organization sees the usage policy on the item page, is refused the file, requests access; the
admin grants it (a condition, an expiry) from the requests page; the requester downloads; the
audit log page shows policy-set → requested → granted → downloaded. Every page stays under
100 KB and no request leaves the hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_hub_e2e import PASSWORD
from test_hub_sharing import PAGE_LIMIT, ShareHub, start_hub

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShareHub]:
    h, server = start_hub(tmp_path_factory.mktemp("sharebrowser"))
    try:
        yield h
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _person(browser: Browser, hub: ShareHub, user: str) -> Page:
    """A signed-in tab without JavaScript whose every fetch stays on the hub and is small."""
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()

    def check(response: object) -> None:
        url = response.url  # type: ignore[attr-defined]
        assert url.startswith(hub.url + "/") or url.startswith("data:"), url
        if not url.startswith("data:"):
            assert len(response.body()) < PAGE_LIMIT, url  # type: ignore[attr-defined]

    page.on("response", check)
    page.goto(hub.url + "/signin/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit] >> text=Sign in")
    expect(page.locator("header")).to_contain_text(user)
    return page


def test_request_grant_download_and_the_audit_log(browser: Browser, hub: ShareHub) -> None:
    pid = hub.items["twi"]["id"]
    file_path = hub.file_url("twi")

    admin = _person(browser, hub, "amina")
    admin.goto(f"{hub.url}/items/{pid}/")
    admin.click("#usage-policy >> text=Edit the policy")
    admin.check("input[name=preset][value=on-request]")
    admin.click("text=Save the policy")
    expect(admin.locator("main table")).to_contain_text("on request")

    asker = _person(browser, hub, "wanjiru")
    asker.goto(f"{hub.url}/items/{pid}/")
    box = asker.locator("#usage-policy")
    expect(box).to_contain_text("research, education")
    expect(box).to_contain_text("prohibited")
    refused = asker.goto(hub.url + file_path)
    assert refused is not None and refused.status == 403
    assert f"/sharing/items/{pid}/request/" in refused.text()
    asker.goto(f"{hub.url}/items/{pid}/")
    asker.click("#usage-policy >> text=Request access")
    asker.select_option("select[name=purpose]", "research")
    asker.fill("input[name=country]", "KE")
    asker.select_option("select[name=org]", "ke-lab")
    asker.fill("textarea[name=statement]", "Speech recognition research on Twi, Nairobi.")
    asker.click("text=Send the request")
    expect(asker.locator("td.state")).to_have_text("pending")
    again = asker.goto(hub.url + file_path)
    assert again is not None and again.status == 403

    admin.goto(f"{hub.url}/sharing/requests/")
    request = admin.locator("fieldset.req").filter(has_text="wanjiru")
    expect(request).to_contain_text("Speech recognition research on Twi")
    request.locator("textarea[name=conditions]").fill("cite the university\ndelete in a year")
    request.locator("input[name=days]").fill("90")
    request.locator("button >> text=Grant").click()
    expect(admin.locator("fieldset.req .state")).to_have_text("granted")
    expect(admin.locator("fieldset.req")).to_contain_text("cite the university; delete in a year")

    asker.goto(f"{hub.url}/sharing/requests/")
    expect(asker.locator("td.state")).to_contain_text("granted")
    got = asker.goto(hub.url + file_path)
    assert got is not None and got.status == 200
    assert "Akwaaba" in got.text()

    admin.goto(f"{hub.url}/items/{pid}/")
    admin.click("#usage-policy >> text=Audit log")
    steps = admin.locator("table.audit td.action").all_inner_texts()
    assert steps == ["policy-set", "requested", "granted", "downloaded"]
    expect(admin.locator("table.audit")).to_contain_text("wanjiru")
    expect(admin.locator("table.audit")).to_contain_text("cite the university")
    # the requester has no audit page
    denied = asker.goto(f"{hub.url}/sharing/items/{pid}/audit/")
    assert denied is not None and denied.status == 404
    admin.context.close()
    asker.context.close()
