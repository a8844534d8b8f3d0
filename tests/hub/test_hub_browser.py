"""The hub in a real browser: headless Chromium (Debian's, driven by Playwright), as people use it.

A real `puhui hub serve` on 127.0.0.1 with a fresh PUHUI_HOME holds a real classify run
(`puhui eval run adult`), an assessment made from it, its certificate (`puhui keys new`,
`puhui cert issue`), all published with `puhui hub publish`, and a private item published
through the API with httpx. The browser signs in, searches, opens items and follows lineage,
verifies a certificate and a tampered one, switches to Arabic and back, and does the same
without JavaScript. Every page visited is screenshotted (PNG, full page) into
$PUHUI_SCREENSHOTS, else a temporary folder, with `weights.json` beside the pictures; each
page's weight (document plus every subresource, as transferred) must stay under 100 KB and no
request may leave 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright
from test_hub_e2e import ASSESSMENT, PAGE_LIMIT, PASSWORD, Hub, _wait, make_artifact

from puhui.artifacts import input_ref, write_manifest

from conftest import free_port

CHROMIUM = "/usr/bin/chromium"
SHOTS_ENV = os.environ.get("PUHUI_SCREENSHOTS", "")  # read before the autouse fixture clears it
SYSTEM = "Ministry helpdesk chatbot"
PRIVATE = "browser-private-notes"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Site:
    hub: Hub
    shots: Path
    cert_text: str
    ids: dict[str, int] = field(default_factory=dict)  # run, assessment, certificate, private
    weights: dict[str, int] = field(default_factory=dict)  # screenshot name → bytes


def _assessment(root: Path, run: Path) -> Path:
    """A minimal assessment made from the run, as `puhui assess` writes one (cf. test_certify)."""
    root.mkdir()
    system = {
        "name": SYSTEM,
        "version": "2.1",
        "sector": "public administration",
        "languages": ["sw", "ar"],
        "intended_use": "Answer citizens' questions about permits",
        "jurisdictions": ["KE"],
    }
    doc = json.loads(ASSESSMENT.read_text(encoding="utf-8"))  # as `puhui assess new` writes it
    doc["system"].update(system)
    doc["evidence"][0]["sha256"] = input_ref(run)["sha256"]  # the run as its evidence E1
    (root / "assessment.json").write_text(json.dumps(doc), encoding="utf-8")
    (root / "report.html").write_text("<html><body>Report</body></html>\n", encoding="utf-8")
    (root / "oscal.json").write_text('{"assessment-results": {}}\n', encoding="utf-8")
    write_manifest(root, "assessment", inputs=[input_ref(run, "run")])
    return root


def _publish_private(hub: Hub, token: str) -> dict[str, Any]:
    """Publish straight through the API (multipart: the files, then manifest.json)."""
    art = make_artifact(hub.tmp / "private", "corpus", {"notes.txt": "Maelezo ya ndani.\n" * 10})
    resp = httpx.post(
        hub.url + "/api/v1/items",
        headers={"Authorization": f"Bearer {token}"},
        files=[
            ("files", ("notes.txt", (art / "notes.txt").read_bytes())),
            ("manifest", ("manifest.json", (art / "manifest.json").read_bytes())),
        ],
        data={"visibility": "private", "name": PRIVATE},
        timeout=60,
    )
    assert resp.status_code == 201, resp.text
    item: dict[str, Any] = resp.json()
    return item


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("hub-browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / "home"), COLUMNS="200")
    port = free_port()
    hub = Hub(url=f"http://127.0.0.1:{port}", env=env, tmp=tmp)
    # the real classify run takes the longest: it runs while the hub is set up
    evaluation = subprocess.Popen(
        [sys.executable, "-m", "puhui", "eval", "run", "adult", "--model", "demo-classifier",
         "--out", str(tmp / "run")],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    server: subprocess.Popen[str] | None = None
    try:
        assert hub.cli("hub", "init").returncode == 0
        proc = hub.cli(
            "hub", "createuser", "alice", "--org", "acme", "--role", "admin", "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        proc = hub.cli("hub", "token", "new", "alice", "--scope", "publish", "--org", "acme")
        assert proc.returncode == 0, proc.stderr
        hub.publish_token = proc.stdout.strip()
        server = subprocess.Popen(
            [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        _wait(hub.url, server)
        private = _publish_private(hub, hub.publish_token)
        _out, err = evaluation.communicate(timeout=300)
        assert evaluation.returncode == 0, err
        run = tmp / "run"
        assessment = _assessment(tmp / "assessment", run)
        for args in (
            ("keys", "new", "--out", str(tmp / "key"), "--name", "Lab A"),
            ("cert", "issue", str(assessment), "--key", str(tmp / "key"),
             "--out", str(tmp / "cert.json"), "--no-page"),
        ):  # fmt: skip
            proc = hub.cli(*args)
            assert proc.returncode == 0, proc.stderr
        # the key is acme's: its admin registers it as a trusted issuer (with its status list)
        proc = hub.cli(
            "hub", "issuer", "add", str(tmp / "key"), "--org", "acme", "--url", hub.url,
            "--token", hub.publish_token,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        shots = Path(SHOTS_ENV) if SHOTS_ENV else tmp / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        s = Site(hub=hub, shots=shots, cert_text=(tmp / "cert.json").read_text(encoding="utf-8"))
        s.ids["run"] = hub.publish(run)["id"]
        s.ids["assessment"] = hub.publish(assessment)["id"]
        s.ids["certificate"] = hub.publish(tmp / "cert.json")["id"]
        s.ids["private"] = private["id"]
        yield s
    finally:
        if evaluation.poll() is None:
            evaluation.kill()
            evaluation.wait()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class Tour:
    """One browser tab; `snap` after each page load screenshots it and weighs what it fetched."""

    site: Site
    page: Page
    prefix: str
    fetched: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.fetched.append(request)

    def go(self, path: str, name: str) -> None:
        self.page.goto(self.site.hub.url + path)
        self.snap(name)

    def submit(self, button: str, name: str) -> None:
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(button)
        self.snap(name)

    def snap(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        key = f"{self.prefix}{len(self.site.weights) + 1:02d}-{name}"
        self.page.screenshot(path=str(self.site.shots / f"{key}.png"), full_page=True)
        weight, documents = 0, 0
        for r in self.fetched:
            # nothing but the hub itself: no CDN, no fonts, no analytics
            assert r.url.startswith(self.site.hub.url + "/") or r.url.startswith("data:"), r.url
            if r.url.startswith("data:"):
                continue
            sizes = r.sizes()
            weight += sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
            documents += r.resource_type == "document"
        self.fetched.clear()
        assert documents >= 1, (key, "no page was fetched")
        assert 500 < weight < PAGE_LIMIT, (key, weight)
        self.site.weights[key] = weight
        (self.site.shots / "weights.json").write_text(
            json.dumps(self.site.weights, indent=1), encoding="utf-8"
        )


@pytest.fixture
def tour(site: Site, browser: Browser, request: pytest.FixtureRequest) -> Iterator[Tour]:
    js = "nojs" not in request.node.name
    context = browser.new_context(
        java_script_enabled=js, locale="en-US", viewport={"width": 1000, "height": 700}
    )
    context.set_default_timeout(15_000)
    try:
        yield Tour(site, context.new_page(), prefix="" if js else "nojs-")
    finally:
        context.close()


def _sign_in(t: Tour) -> None:
    t.go("/signin/", "signin")
    t.page.fill("#id_username", "alice")
    t.page.fill("#id_password", PASSWORD)
    t.submit("main button[type=submit]", "home-signed-in")
    assert t.page.url == t.site.hub.url + "/"
    expect(t.page.locator("header")).to_contain_text("Sign out (alice)")


def _search(t: Tour, words: str, name: str) -> None:
    t.page.fill("main input[name=q]", words)
    with t.page.expect_navigation():
        t.page.press("main input[name=q]", "Enter")
    t.snap(name)
    assert "/search/?q=" in t.page.url


def _results(t: Tour) -> list[str]:
    return t.page.locator("main section li a").all_inner_texts()


# ---------------------------------------------------------------- the tests


def test_sign_in_search_and_follow_lineage(site: Site, tour: Tour) -> None:
    t = tour
    t.go("/", "home")
    expect(t.page.locator("h1")).to_have_text("Puhui hub")
    _search(t, PRIVATE, "search-private-anonymous")
    assert _results(t) == []  # private: not for anonymous eyes
    t.go("/signin/", "signin-wrong")
    t.page.fill("#id_username", "alice")
    t.page.fill("#id_password", "not-the-password")
    t.submit("main button[type=submit]", "signin-refused")
    expect(t.page.locator("main [role=alert]")).to_contain_text("wrong")
    _sign_in(t)
    _search(t, PRIVATE, "search-private-signed-in")
    assert len(_results(t)) == 1  # published through the API, visible to its admin

    t.go("/", "home-2")
    _search(t, "adult demo", "search-run")
    results = _results(t)
    assert any("adult" in r for r in results), results
    with t.page.expect_navigation():
        t.page.locator("main section li a", has_text="adult").first.click()
    t.snap("item-run")
    assert t.page.url.endswith(f"/items/{site.ids['run']}/")
    main = t.page.locator("main")
    expect(main).to_contain_text("Used by")
    expect(main).to_contain_text("Female")  # the per-group table of the real run
    assert t.page.locator(".bar").count() >= 2

    # lineage: run → assessment (used by) → certificate (used by); and back (made from)
    with t.page.expect_navigation():
        t.page.click(f"main a[href='/items/{site.ids['assessment']}/']")
    t.snap("item-assessment")
    expect(main).to_contain_text("Made from")
    expect(main.locator(f"a[href='/items/{site.ids['run']}/']")).to_have_count(1)
    with t.page.expect_navigation():
        t.page.click(f"main a[href='/items/{site.ids['certificate']}/']")
    t.snap("item-certificate")
    expect(t.page.locator("main h2 .ok")).to_have_text("Valid")

    t.go("/items/999999/", "item-missing")
    expect(t.page.locator("main")).to_be_visible()


def test_verify_a_certificate_then_a_tampered_one(site: Site, tour: Tour) -> None:
    t = tour
    t.go("/", "home-verify")
    with t.page.expect_navigation():
        t.page.click("header nav a[href='/verify/']")
    t.snap("verify")
    t.page.fill("#credential", site.cert_text)
    t.submit("main form button[type=submit]", "verify-valid")
    expect(t.page.locator("#result")).to_have_text("Valid")
    rows = t.page.locator("main table tbody tr")
    assert rows.count() >= 3
    for row in rows.all():
        cells = row.locator("td").all_inner_texts()
        assert cells[1] in ("passed", "not checked") and cells[2].strip(), cells
    expect(t.page.locator("main")).to_contain_text(SYSTEM)
    expect(t.page.locator(f"main a[href='/items/{site.ids['assessment']}/']")).to_have_count(1)

    forged = json.loads(site.cert_text)
    forged["credentialSubject"]["name"] = "Another system"
    t.page.fill("#credential", json.dumps(forged))
    t.submit("main form button[type=submit]", "verify-tampered")
    expect(t.page.locator("#result")).to_have_text("Invalid")
    failed = t.page.locator("main table tbody tr", has=t.page.locator(".bad"))
    assert failed.count() >= 1
    names = [row.locator("td").first.inner_text() for row in failed.all()]
    assert "proof" in names, names
    assert all(row.locator("td").nth(2).inner_text().strip() for row in failed.all())

    t.page.fill("#credential", "{not json")
    t.submit("main form button[type=submit]", "verify-garbage")
    expect(t.page.locator("main [role=alert]")).to_contain_text("not valid JSON")


def test_switch_to_arabic_and_back(site: Site, tour: Tour) -> None:
    t = tour
    html = t.page.locator("html")
    t.go(f"/items/{site.ids['run']}/", "item-run-en")
    expect(html).to_have_attribute("dir", "ltr")
    t.page.select_option("#lang", "ar")
    t.submit("header form:has(#lang) button", "item-run-arabic")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    assert t.page.url.endswith(f"/ar/items/{site.ids['run']}/")
    expect(t.page.locator("header nav")).to_contain_text("بحث")  # "Search"
    # the page reads right to left: the header's first link sits on the right
    box = t.page.locator("header .brand").bounding_box()
    assert box is not None and box["x"] > 500, box
    t.go("/ar/search/?q=adult", "search-arabic")
    expect(html).to_have_attribute("dir", "rtl")
    t.go("/ar/verify/", "verify-arabic")
    t.page.select_option("#lang", "en")
    t.submit("header form:has(#lang) button", "verify-back-to-english")
    expect(html).to_have_attribute("dir", "ltr")
    assert t.page.url == site.hub.url + "/verify/"


def test_nojs_sign_in_and_search(site: Site, tour: Tour) -> None:
    """With JavaScript off, forms and links still do everything."""
    t = tour
    t.go("/", "home")
    _search(t, PRIVATE, "search-anonymous")
    assert _results(t) == []
    _sign_in(t)
    _search(t, PRIVATE, "search-signed-in")
    assert _results(t) == [PRIVATE]
    with t.page.expect_navigation():
        t.page.locator("main section li a").first.click()
    t.snap("item-private")
    expect(t.page.locator("main h1")).to_have_text(PRIVATE)
    # the facet links work as plain links
    t.go("/search/", "search-all")
    with t.page.expect_navigation():
        t.page.locator("aside a", has_text="Run").first.click()
    t.snap("search-facet-run")
    expect(t.page.locator("aside a.on")).to_have_count(1)
    assert re.search(r"kind=run", t.page.url)


def test_pages_send_no_script(site: Site, tour: Tour) -> None:
    """Nothing on the pages needs JavaScript: none is sent, and no page asks for any."""
    t = tour
    for path in ("/", "/search/?q=adult", f"/items/{site.ids['run']}/", "/verify/", "/signin/"):
        resp = t.page.goto(site.hub.url + path)
        assert resp is not None and resp.ok
        assert t.page.locator("script").count() == 0, path
        assert t.page.locator("link[rel=stylesheet]").count() == 0, path  # inline CSS only
        t.snap(re.sub(r"\W+", "-", path).strip("-") or "root")
