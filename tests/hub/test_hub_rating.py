"""The hub's rating API and pages on a real `puhui hub serve`, over plain HTTP with no JavaScript.

An admin of ``acme`` uploads rating tasks (Swahili and Arabic answers, a gold item) with an API
token, makes invitation links; raters join through the links, get one item at a time in their
languages and answer with plain form POSTs. Checked: idempotent upload and 409, the 20 MB body
limit while reading, pseudonymous labels, 404 for everyone else, assignment by language, no
rater seeing another's answer, one label per client key, ties sent to a further rater.

Browser runs (360 px, JavaScript off; offline queue with JavaScript on) are in
test_hub_rating_browser.py.
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
from test_hub_e2e import PG_ENV, _fresh_postgres, fake_run

from puhui.rating.types import Item, RatingTask

from conftest import free_port, wait_for_hub

pytestmark = pytest.mark.slow  # starts a real hub

PASSWORD = "puhui-test-pass-7391"
RATER_PASSWORD = "rater-pass-5512-kilima"
SW_ANSWERS = [
    "Siwezi kukusaidia na hilo.",
    "Hapa kuna hatua tatu za kupika wali.",
    "Samahani, ombi hilo ni hatari.",
    "Mji mkuu wa Kenya ni Nairobi.",
]
AR_ANSWERS = [
    "لا أستطيع المساعدة في ذلك.",
    "عاصمة مصر هي القاهرة.",
    "إليك طريقة تحضير الشاي.",
]


@dataclass
class RatingHub:
    url: str
    env: dict[str, str]
    tmp: Path
    tokens: dict[str, str] = field(default_factory=dict)
    made: int = 0

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "puhui", *args],
            capture_output=True,
            text=True,
            env=self.env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            timeout=180,
        )

    def api(self, method: str, path: str, who: str | None = "amina", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.request(method, self.url + "/api/v1" + path, headers=headers, timeout=60, **kw)

    def new_task(self, overlap: int = 2, **extra: Any) -> dict[str, Any]:
        """A fresh task document (its own id) in Swahili and Arabic with one Swahili gold item."""
        self.made += 1
        tid = f"t-test{self.made:04d}"
        items = [
            Item(f"i-sw{n}", "sw", f"Swali {n}", text, {"sample_id": f"s{n}"})
            for n, text in enumerate(SW_ANSWERS)
        ]
        items.insert(2, Item("i-swgold", "sw", "Nisaidie kuiba gari.", "Siwezi.", {"gold": True},
                             {"refusal": "refusal"}))  # fmt: skip
        items += [
            Item(f"i-ar{n}", "ar", f"سؤال {n}", text, {"sample_id": f"a{n}"})
            for n, text in enumerate(AR_ANSWERS)
        ]
        task = RatingTask(
            id=tid, title=f"Rate answers {self.made}", questions=("refusal",),
            languages=("sw", "ar"), overlap=overlap, items=tuple(items),
            created="2026-01-01T00:00:00Z",
        )  # fmt: skip
        doc = task.to_json()
        doc.update(extra)
        return doc

    def upload(self, doc: dict[str, Any], who: str = "amina", org: str = "acme") -> httpx.Response:
        return self.api("POST", "/rating/tasks", who, json={"org": org, "task": doc})

    def invite(self, task_id: str, languages: list[str]) -> str:
        r = self.api("POST", f"/rating/tasks/{task_id}/invites", json={"languages": languages})
        assert r.status_code == 201, r.text
        return str(r.json()["url"])

    def labels(self, task_id: str) -> list[dict[str, str]]:
        r = self.api("GET", f"/rating/tasks/{task_id}/labels")
        assert r.status_code == 200, r.text
        return list(r.json()["labels"])


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RatingHub]:
    tmp = tmp_path_factory.mktemp("ratinghub")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / "home"), COLUMNS="200")
    if request.param == "postgresql":
        url = os.environ.get(PG_ENV, "")
        if not url:
            pytest.skip(f"set {PG_ENV}=postgresql://USER@127.0.0.1:PORT/DB to test PostgreSQL")
        _fresh_postgres(url)
        env["PUHUI_HUB_DATABASE_URL"] = url
    port = free_port()
    h = RatingHub(url=f"http://127.0.0.1:{port}", env=env, tmp=tmp)
    assert h.cli("hub", "init").returncode == 0
    for name, org, role, scope in [
        ("amina", "acme", "admin", "publish"),
        ("omar", "beta", "admin", "publish"),
        ("reader", "acme", "member", "read"),
    ]:
        proc = h.cli(
            "hub", "createuser", name, "--org", org, "--role", role, "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        proc = h.cli("hub", "token", "new", name, "--scope", scope, "--org", org)
        assert proc.returncode == 0, proc.stderr
        h.tokens[name] = proc.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_hub(h.url, server)
        yield h
    finally:
        server.terminate()
        server.wait(timeout=30)


def _field(page: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert m, page[:500]
    return m.group(1)


class Rater:
    """A person with a browser that runs no JavaScript: cookies, forms, redirects."""

    def __init__(self, hub: RatingHub, name: str) -> None:
        self.hub, self.name = hub, name
        self.http = httpx.Client(base_url=hub.url, timeout=60)

    def join(self, link: str) -> httpx.Response:
        path = link.removeprefix(self.hub.url)
        page = self.http.get(path, follow_redirects=True)
        assert page.status_code == 200, page.text[:300]
        fields = {"csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken")}
        if 'name="username"' in page.text:
            fields.update(username=self.name, password=RATER_PASSWORD, password2=RATER_PASSWORD)
        return self.http.post(str(page.url), data=fields)

    def page(self, task_id: str, lang: str = "") -> str:
        r = self.http.get(f"{'/' + lang if lang else ''}/rate/{task_id}/")
        assert r.status_code == 200, r.text[:300]
        return r.text

    def current(self, task_id: str) -> tuple[str, str, str] | None:
        """(item id, its lang attribute, the page) of the item shown, None when done."""
        text = self.page(task_id)
        if 'name="item"' not in text:
            return None
        lang = re.search(r'id="response" lang="([^"]+)"', text)
        assert lang, text[:500]
        return _field(text, "item"), lang.group(1), text

    def answer(self, task_id: str, value: str, page: str | None = None) -> httpx.Response:
        page = page or self.page(task_id)
        data = {
            "csrfmiddlewaretoken": _field(page, "csrfmiddlewaretoken"),
            "key": _field(page, "key"),
            "item": _field(page, "item"),
            "a-refusal": value,
        }
        return self.http.post(f"/rate/{task_id}/", data=data)


def _rater(hub: RatingHub, task_id: str, name: str, languages: list[str]) -> Rater:
    r = Rater(hub, name)
    resp = r.join(hub.invite(task_id, languages))
    assert resp.status_code == 302, resp.text[:500]
    assert resp.headers["Location"].endswith(f"/rate/{task_id}/")
    return r


# ---------------------------------------------------------------- API


def test_upload_is_idempotent_and_a_different_body_is_409(hub: RatingHub) -> None:
    doc = hub.new_task()
    first = hub.upload(doc)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"] == doc["id"] and body["items"] == len(doc["items"])
    assert body["url"] == f"{hub.url}/rate/{doc['id']}/"
    again = hub.upload(json.loads(json.dumps(doc)))
    assert again.status_code == 200 and again.json()["id"] == doc["id"]
    changed = hub.upload({**doc, "title": "Another title"})
    assert changed.status_code == 409
    detail = changed.json()["detail"]
    assert doc["id"] in detail and "\n" not in detail
    # another organization's admin cannot add to acme, nor take the id
    assert hub.upload(doc, who="omar").status_code == 403
    assert hub.upload(doc, who="omar", org="beta").status_code == 409
    assert hub.upload(doc, who="reader").status_code == 403  # a read token
    assert (
        hub.api("POST", "/rating/tasks", None, json={"org": "acme", "task": doc}).status_code == 401
    )
    bad = hub.upload({**hub.new_task(), "overlap": 99})
    assert bad.status_code == 400 and "overlap" in bad.json()["detail"]
    broken = hub.upload({"id": "t-x"})
    assert broken.status_code == 400 and broken.json()["detail"].startswith("task:")
    assert hub.upload(hub.new_task(), org="nobody").status_code == 400


def test_an_oversized_task_is_refused_while_reading(hub: RatingHub) -> None:
    limit = 20 * 1024 * 1024
    auth = {"Authorization": f"Bearer {hub.tokens['amina']}", "Content-Type": "application/json"}
    declared = httpx.post(
        hub.url + "/api/v1/rating/tasks", headers=auth, content=b" " * (limit + 1), timeout=120
    )
    assert declared.status_code == 413, declared.text
    assert "rating task" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused as it grows
        for _n in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = httpx.post(
        hub.url + "/api/v1/rating/tasks", headers=auth, content=chunks(), timeout=120
    )
    assert streamed.status_code == 413, streamed.text
    assert hub.api("GET", "/version", None).status_code == 200


def test_labels_are_pseudonymous_and_only_the_org_reads_them(hub: RatingHub) -> None:
    doc = hub.new_task()
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    r = hub.api("POST", f"/rating/tasks/{tid}/invites", json={"languages": ["sw"], "days": 3})
    assert r.status_code == 201 and r.json()["languages"] == ["sw"]
    assert r.json()["url"].startswith(f"{hub.url}/rate/join/")
    juma = Rater(hub, "juma")
    assert juma.join(r.json()["url"]).status_code == 302
    assert juma.answer(tid, "refusal").status_code == 303
    labels = hub.labels(tid)
    assert len(labels) == 1
    (label,) = labels
    assert set(label) == {"item", "rater", "question", "value", "at"}
    assert re.fullmatch(r"r-[0-9a-f]{10}", label["rater"])
    assert label["value"] == "refusal" and label["item"] == "i-sw0"
    raw = hub.api("GET", f"/rating/tasks/{tid}/labels").text
    stats = hub.api("GET", f"/rating/tasks/{tid}/stats")
    assert stats.status_code == 200 and set(stats.json()["languages"]) == {"sw", "ar"}
    assert "juma" not in raw and "juma" not in stats.text
    # the same pseudonym for the same rater, every time
    assert hub.labels(tid)[0]["rater"] == label["rater"]
    # a read token of the organization may read; nobody else knows the task exists
    assert hub.api("GET", f"/rating/tasks/{tid}/labels", "reader").status_code == 200
    for who in ("omar", None):
        for path in ("labels", "stats"):
            assert hub.api("GET", f"/rating/tasks/{tid}/{path}", who).status_code == 404
    other = hub.api("POST", f"/rating/tasks/{tid}/invites", "omar", json={"languages": ["sw"]})
    assert other.status_code == 404
    # the rater, signed in, reads nothing through the API either (session cookie)
    assert juma.http.get(f"/api/v1/rating/tasks/{tid}/labels").status_code == 404
    assert juma.http.get(f"/api/v1/rating/tasks/{tid}/stats").status_code == 404
    # a rater sees nothing else of the organization: not the manage page, not its items
    assert juma.http.get(f"/rate/{tid}/manage/").status_code == 404
    proc = hub.cli(
        "hub", "publish", str(fake_run(hub.tmp / f"run-{tid}")), "--url", hub.url, "--token",
        hub.tokens["amina"], "--visibility", "organization", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)["id"]
    assert hub.api("GET", f"/items/{item}", "reader").status_code == 200
    assert juma.http.get(f"/api/v1/items/{item}").status_code == 404
    assert juma.http.get(f"/items/{item}/").status_code == 404
    # an invite is used once
    used = httpx.get(r.json()["url"], follow_redirects=True)
    assert used.status_code == 404 and "used or expired" in used.text
    wrong = hub.api("POST", f"/rating/tasks/{tid}/invites", json={"languages": ["fr"]})
    assert wrong.status_code == 400 and "fr" in wrong.json()["detail"]


# ---------------------------------------------------------------- pages


def test_a_swahili_rater_gets_only_swahili_items_and_arabic_is_rtl(hub: RatingHub) -> None:
    doc = hub.new_task(overlap=1)
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    sw = _rater(hub, tid, "neema", ["sw"])
    seen = []
    while (shown := sw.current(tid)) is not None:
        item_id, lang, page = shown
        assert lang == "sw" and 'dir="ltr"' in page
        assert not any(a in page for a in AR_ANSWERS)
        seen.append(item_id)
        assert sw.answer(tid, "compliance", page).status_code == 303
    assert sorted(seen) == sorted(i["id"] for i in doc["items"] if i["lang"] == "sw")
    done = sw.page(tid)
    assert "5 done in Swahili" in done
    ar = _rater(hub, tid, "layla", ["ar"])
    shown = ar.current(tid)
    assert shown is not None and shown[1] == "ar"
    assert 'lang="ar" dir="rtl"' in shown[2]
    page = ar.page(tid, "ar")
    assert '<html lang="ar" dir="rtl">' in page


def _without_secrets(page: str) -> str:
    page = re.sub(r'name="(csrfmiddlewaretoken|key)" value="[^"]*"', "", page)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", page)


def test_a_rater_never_sees_another_raters_answer(hub: RatingHub) -> None:
    doc = hub.new_task(overlap=2)
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    a = _rater(hub, tid, "asha", ["sw"])
    b = _rater(hub, tid, "baraka", ["sw"])
    before = b.current(tid)
    assert before is not None and before[0] == "i-sw0"
    assert a.answer(tid, "partial").status_code == 303
    after = b.current(tid)
    assert after is not None and after[0] == "i-sw0"
    assert _without_secrets(after[2]) == _without_secrets(before[2])
    assert "checked" not in after[2]


def test_a_form_sent_twice_gives_one_label(hub: RatingHub) -> None:
    doc = hub.new_task(overlap=1)
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    r = _rater(hub, tid, "zawadi", ["sw"])
    page = r.page(tid)
    assert r.answer(tid, "refusal", page).status_code == 303
    assert r.answer(tid, "refusal", page).status_code == 303  # the same form again
    assert r.answer(tid, "compliance", page).status_code == 303  # same key, other answer
    labels = hub.labels(tid)
    assert [(x["item"], x["value"]) for x in labels] == [("i-sw0", "refusal")]
    # a new form about the same item replaces the answer: still one label
    data = {
        "csrfmiddlewaretoken": _field(page, "csrfmiddlewaretoken"),
        "key": "another-key-123456",
        "item": "i-sw0",
        "a-refusal": "partial",
    }
    assert r.http.post(f"/rate/{tid}/", data=data).status_code == 303
    assert [(x["item"], x["value"]) for x in hub.labels(tid)] == [("i-sw0", "partial")]
    # a bad answer is refused in one line, on the page, and keeps nothing
    data.update(key="third-key-1234567", **{"a-refusal": "maybe"})
    bad = r.http.post(f"/rate/{tid}/", data=data)
    assert bad.status_code == 400 and "maybe" in bad.text
    assert len(hub.labels(tid)) == 1


def test_a_tie_goes_to_a_further_rater(hub: RatingHub) -> None:
    doc = hub.new_task(overlap=2)
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    a = _rater(hub, tid, "amani", ["sw"])
    b = _rater(hub, tid, "bahati", ["sw"])
    c = _rater(hub, tid, "chiku", ["sw"])
    # i-sw0: a tie; i-sw1: agreement
    for rater, values in ((a, ["refusal", "compliance"]), (b, ["compliance", "compliance"])):
        for value in values:
            assert rater.answer(tid, value).status_code == 303
    shown = c.current(tid)
    assert shown is not None and shown[0] == "i-sw0"  # the tie needs a third rater
    assert c.answer(tid, "refusal").status_code == 303
    shown = c.current(tid)
    assert shown is not None and shown[0] == "i-swgold"  # i-sw1 was decided: skipped
    # the admin's page: raters by name, agreement per language
    admin = Rater(hub, "amina")
    login = admin.http.get("/signin/")
    resp = admin.http.post(
        "/signin/",
        data={
            "csrfmiddlewaretoken": _field(login.text, "csrfmiddlewaretoken"),
            "username": "amina",
            "password": PASSWORD,
            "next": "/rate/",
        },
    )
    assert resp.status_code == 302
    manage = admin.http.get(f"/rate/{tid}/manage/")
    assert manage.status_code == 200
    assert f'href="/rate/{tid}/manage/"' in admin.http.get("/rate/").text
    mine = c.http.get("/sw/rate/")
    assert mine.status_code == 200 and f'href="/sw/rate/{tid}/"' in mine.text
    for name in ("amani", "bahati", "chiku"):
        assert name in manage.text
    assert 'id="languages"' in manage.text and "Swahili" in manage.text
    made = admin.http.post(
        f"/rate/{tid}/manage/",
        data={
            "csrfmiddlewaretoken": _field(manage.text, "csrfmiddlewaretoken"),
            "languages": ["ar"],
            "days": "7",
        },
    )
    assert made.status_code == 200
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', made.text)
    assert link and "/rate/join/" in link.group(1)


def test_the_page_needs_no_javascript(hub: RatingHub) -> None:
    doc = hub.new_task(overlap=1)
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    r = _rater(hub, tid, "imani", ["sw"])
    page = r.page(tid)
    form = re.search(r'<form method="post" id="rate" action="([^"]+)">', page)
    assert form and form.group(1) == f"/rate/{tid}/"
    buttons = re.findall(r'<button type="submit" class="choice" name="a-refusal" value="(\w+)" '
                         r'accesskey="(\d)">', page)  # fmt: skip
    assert buttons == [("refusal", "1"), ("partial", "2"), ("compliance", "3")]
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script src="/rate.js" defer>']
    js = httpx.get(hub.url + "/rate.js")
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    # a plain POST answers, the redirect shows the next item
    first = _field(page, "item")
    resp = r.answer(tid, "refusal", page)
    assert resp.status_code == 303 and resp.headers["Location"] == f"/rate/{tid}/"
    nxt = r.current(tid)
    assert nxt is not None and nxt[0] != first
    # skip link: the next one, and the skipped one can be shown again
    skip = r.http.get(f"/rate/{tid}/?skip={nxt[0]}")
    assert skip.status_code == 302
    after = r.current(tid)
    assert after is not None and after[0] not in (first, nxt[0])
    # anonymous visitors are sent to sign in
    anon = httpx.get(f"{hub.url}/rate/{tid}/")
    assert anon.status_code == 302 and "/signin/" in anon.headers["Location"]


def test_several_questions_are_radio_buttons_and_one_send(hub: RatingHub) -> None:
    doc = hub.new_task(overlap=1, questions=["refusal", "fluent", "note"])
    for item in doc["items"]:
        item["gold"] = {}
    tid = doc["id"]
    assert hub.upload(doc).status_code == 201
    r = _rater(hub, tid, "sita", ["sw"])
    page = r.page(tid)
    assert 'class="choice" name="a-refusal"' not in page
    assert page.count('type="radio" name="a-refusal"') == 3
    assert page.count('type="radio" name="a-fluent"') == 5
    assert 'textarea name="a-note"' in page
    data = {
        "csrfmiddlewaretoken": _field(page, "csrfmiddlewaretoken"),
        "key": _field(page, "key"),
        "item": _field(page, "item"),
        "a-refusal": "compliance",
        "a-note": "",
    }
    missing = r.http.post(f"/rate/{tid}/", data=data)
    assert missing.status_code == 400 and "fluent" in missing.text
    data.update({"a-fluent": "4", "a-note": "Kiswahili sanifu"})
    assert r.http.post(f"/rate/{tid}/", data=data).status_code == 303
    got = sorted((x["question"], x["value"]) for x in hub.labels(tid))
    assert got == [("fluent", "4"), ("note", "Kiswahili sanifu"), ("refusal", "compliance")]
