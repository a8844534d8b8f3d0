"""The hub end to end: a real `puhui hub serve` on 127.0.0.1, driven by the CLI and HTTP.

One server per module: init, people in two organizations, tokens, artifacts published through
`puhui hub publish`, then search, item pages with lineage, downloads with Range, certificate
verification, languages, the DCAT catalog, page weights and the authorization matrix.

Over 600 lines on purpose: every test here shares one real hub (the module fixture), which is
expensive to start; other modules reuse it (``hub = test_hub_e2e.hub``) rather than split it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from puhui.artifacts import input_ref, write_manifest
from puhui.certify import credential, keys

from conftest import assert_one_line_error, free_port, wait_for_hub

pytestmark = pytest.mark.slow  # its fixture starts a real `puhui hub serve`

PASSWORD = "puhui-test-pass-7391"
# A PostgreSQL database the hub tests may empty and use (e.g. the one .ci/run starts).
PG_ENV = "PUHUI_TEST_POSTGRES_URL"
PAGE_LIMIT = 100_000
#: An assessment.json as `puhui assess new` writes it (schema assessment-1), cut down.
ASSESSMENT = Path(__file__).parents[1] / "data" / "assessment-1.json"
# caller → (user, org, role); the publisher "mo" is a member who publishes the matrix items.
PEOPLE = {
    "admin": ("alice", "acme", "admin"),
    "member": ("bob", "acme", "member"),
    "viewer": ("vic", "acme", "viewer"),
    "publisher": ("mo", "acme", "member"),
    "outsider": ("olu", "globex", "member"),
}
CALLERS = ("anonymous", "viewer", "member", "admin", "outsider", "publisher")
VISIBILITY_EXPECT = {
    "public": {c: 200 for c in CALLERS},
    "organization": {
        "anonymous": 404,
        "viewer": 200,
        "member": 200,
        "admin": 200,
        "outsider": 404,
        "publisher": 200,
    },
    "private": {
        "anonymous": 404,
        "viewer": 404,
        "member": 404,
        "admin": 200,
        "outsider": 404,
        "publisher": 200,
    },
}


@dataclass
class Hub:
    url: str
    env: dict[str, str]
    tmp: Path
    tokens: dict[str, str] = field(default_factory=dict)  # caller → read token
    publish_token: str = ""
    admin_token: str = ""  # alice, admin of acme, publish scope (registers trusted issuers)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, httpx.Client] = field(default_factory=dict)
    cert_path: Path | None = None
    key_dir: Path | None = None  # acme's signing key, a trusted issuer of the hub

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "puhui", *args],
            capture_output=True,
            text=True,
            env=self.env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            timeout=120,
        )

    def publish(self, path: Path, *extra: str) -> dict[str, Any]:
        proc = self.cli(
            "hub", "publish", str(path), "--url", self.url, "--token", self.publish_token,
            "--json", *extra,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        item: dict[str, Any] = json.loads(proc.stdout)
        return item

    def get(self, path: str, caller: str = "anonymous", **kw: Any) -> httpx.Response:
        client = self.sessions.get(caller) or httpx.Client(base_url=self.url)
        return client.get(path, **kw)

    def api(self, path: str, caller: str = "anonymous", **kw: Any) -> httpx.Response:
        headers = kw.pop("headers", {})
        if caller != "anonymous":
            headers["Authorization"] = f"Bearer {self.tokens[caller]}"
        return httpx.get(self.url + path, headers=headers, **kw)


def make_artifact(root: Path, kind: str, content: dict[str, str], **kw: Any) -> Path:
    root.mkdir(parents=True)
    for rel, text in content.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    write_manifest(root, kind, **kw)
    return root


def fake_run(root: Path) -> Path:
    """A small LLM-style run: per-language accuracy with CIs, as `puhui eval run` writes it."""
    per_language = [
        {"language": lang, "value": v, "n": 50, "ci_low": v - 0.1, "ci_high": v + 0.1,
         "small": False}
        for lang, v in (("sw", 0.62), ("yo", 0.48), ("ar", 0.71))
    ]  # fmt: skip
    summary = {
        "suite": "sib200",
        "model": {"name": "embedded", "kind": "gguf", "identity": "smollm2-135m q8"},
        "kind": "generate",
        "complete": True,
        "samples": 150,
        "logged": 150,
        "tasks": {
            "sib200/topic": {
                "n": 150, "errors": 0, "errors_by_language": {},
                "metrics": {
                    "accuracy": {
                        "overall": {"language": "all", "value": 0.6, "n": 150, "ci_low": 0.52,
                                    "ci_high": 0.68, "small": False},
                        "per_language": per_language,
                        "per_group": {},
                        "worst_language": per_language[1],
                        "small_slices": [],
                    }
                },
                # 7 Tamil samples the scorer could not judge; Yoruba answers often unparsed
                "unscored": 7,
                "unscored_by_language": {"ta": 7},
                "parsing": {
                    "policy": "wrong", "excluded": 0, "warn": True, "warn_languages": ["yo"],
                    "overall": {"language": "all", "n": 150, "parsed": 141, "rate": 0.94,
                                "warn": True},
                    "per_language": [
                        {"language": lang, "n": 50, "parsed": k, "rate": k / 50, "warn": k < 48}
                        for lang, k in (("sw", 50), ("yo", 41), ("ar", 50))
                    ],
                },
            }
        },
        "thresholds": [],
    }  # fmt: skip
    plan = {"suite": "sib200", "model": summary["model"], "kind": "generate"}
    return make_artifact(
        root,
        "run",
        {
            "summary.json": json.dumps(summary),
            "plan.json": json.dumps(plan),
            "log.jsonl": '{"sample": 1}\n' * 200,
        },
        parameters={"suite": "sib200"},
    )


def fake_assessment(root: Path, run: Path) -> Path:
    system = {
        "name": "Ministry helpdesk chatbot",
        "version": "2.1",
        "sector": "public administration",
        "languages": ["sw", "yo", "ar"],
        "intended_use": "Answer citizens' questions about permits",
        "jurisdictions": ["KE", "NG"],
    }
    doc = json.loads(ASSESSMENT.read_text(encoding="utf-8"))  # as `puhui assess new` writes it
    doc["system"].update(system)
    # as `puhui assess new` writes it: the run again, beside the manifest inputs
    doc["evidence"][0]["sha256"] = input_ref(run)["sha256"]
    return make_artifact(
        root,
        "assessment",
        {
            "assessment.json": json.dumps(doc),
            "report.html": "<html><body><h1>Report</h1><script>alert(1)</script></body></html>\n",
            "oscal.json": '{"assessment-results": {}}\n',
        },
        inputs=[input_ref(run, "run")],
    )


def _sign_in(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url)
    page = client.get("/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    resp = client.post(
        "/signin/",
        data={"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert resp.status_code == 302, resp.text[:500]
    assert "sessionid" in client.cookies
    return client


_wait = wait_for_hub  # other hub test modules import it from here


def _fresh_postgres(url: str) -> None:
    """Empty the test database (its public schema) so every run starts from nothing."""
    import psycopg  # declared in the test extra

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    tmp = tmp_path_factory.mktemp("hub")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / "home"), COLUMNS="200")
    if request.param == "postgresql":
        url = os.environ.get(PG_ENV, "")
        if not url:
            pytest.skip(f"set {PG_ENV}=postgresql://USER@127.0.0.1:PORT/DB to test PostgreSQL")
        _fresh_postgres(url)
        env["PUHUI_HUB_DATABASE_URL"] = url
    port = free_port()
    h = Hub(url=f"http://127.0.0.1:{port}", env=env, tmp=tmp)
    assert h.cli("hub", "init").returncode == 0
    for user, org, role in PEOPLE.values():
        proc = h.cli(
            "hub", "createuser", user, "--org", org, "--role", role, "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    for caller, (user, _org, _role) in PEOPLE.items():
        proc = h.cli("hub", "token", "new", user, "--scope", "read")
        assert proc.returncode == 0, proc.stderr
        h.tokens[caller] = proc.stdout.strip()
    proc = h.cli("hub", "token", "new", "mo", "--scope", "publish", "--org", "acme")
    h.publish_token = proc.stdout.strip()
    assert h.publish_token.startswith("phb_")
    proc = h.cli("hub", "token", "new", "alice", "--scope", "publish", "--org", "acme")
    h.admin_token = proc.stdout.strip()

    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait(h.url, server)
        # the lineage chain: run → assessment → certificate (published out of order on purpose)
        run = fake_run(tmp / "run")
        assessment = fake_assessment(tmp / "assessment", run)
        kdir = tmp / "key"
        keys.create_key_dir(kdir, "Lab A")
        cred = credential.issue(assessment, kdir, valid_days=30)
        # the key is acme's own: an admin registers it as a trusted issuer, with its status list
        proc = h.cli(
            "hub", "issuer", "add", str(kdir), "--org", "acme", "--url", h.url,
            "--token", h.admin_token,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        h.key_dir = kdir
        h.cert_path = tmp / "cert.json"
        h.cert_path.write_text(json.dumps(cred), encoding="utf-8")
        h.items["certificate"] = h.publish(h.cert_path)
        h.items["run"] = h.publish(run)
        h.items["assessment"] = h.publish(assessment)
        corpus = make_artifact(
            tmp / "corpus",
            "corpus",
            {
                "audit.json": json.dumps(
                    {
                        "languages": {
                            "sw": {"documents": 3, "share": 0.75, "characters": 300},
                            "yo": {"documents": 1, "share": 0.25, "characters": 90},
                        },
                        "totals": {"documents": 4, "words": 60, "removed": 1},
                    }
                ),
                "croissant.json": json.dumps({"@type": "sc:Dataset", "name": "kiswahili-news"}),
                "datasheet.md": "# Datasheet\n\nNews in Kiswahili and Yorùbá, cleaned.\n",
                "data/part-00000.jsonl": '{"text": "Habari za asubuhi"}\n' * 50,
            },
            parameters={"name": "kiswahili-news"},
        )
        h.items["corpus"] = h.publish(corpus)
        for vis in VISIBILITY_EXPECT:
            art = make_artifact(
                tmp / f"m-{vis}", "corpus", {"data.txt": f"only in the {vis} item\n" * 20}
            )
            h.items[vis] = h.publish(art, "--visibility", vis, "--name", f"matrix-{vis}")
        for caller, (user, _org, _role) in PEOPLE.items():
            h.sessions[caller] = _sign_in(h.url, user)
        yield h
    finally:
        for c in h.sessions.values():
            c.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


# ---------------------------------------------------------------- the authorization matrix


def _file_sha(hub: Hub, item: dict[str, Any]) -> str:
    detail = hub.api(f"/api/v1/items/{item['id']}", "admin").json()
    return next(f["sha256"] for f in detail["files"] if f["path"] == "data.txt")


@pytest.mark.parametrize("channel", ["page", "api", "download"])
@pytest.mark.parametrize("visibility", list(VISIBILITY_EXPECT))
@pytest.mark.parametrize("caller", CALLERS)
def test_authorization_matrix(hub: Hub, caller: str, visibility: str, channel: str) -> None:
    item = hub.items[visibility]
    want = VISIBILITY_EXPECT[visibility][caller]
    if channel == "page":
        resp = hub.get(f"/items/{item['id']}/", caller)
        if want == 200:
            assert f"matrix-{visibility}" in resp.text
    elif channel == "api":
        resp = hub.api(f"/api/v1/items/{item['id']}", caller)
    else:
        resp = hub.api(f"/api/v1/files/{_file_sha(hub, item)}", caller)
        if want == 200:
            assert resp.text.startswith(f"only in the {visibility} item")
    assert resp.status_code == want, (caller, visibility, channel, resp.text[:200])


@pytest.mark.parametrize("caller", CALLERS)
def test_search_lists_only_what_the_caller_may_see(hub: Hub, caller: str) -> None:
    found = hub.api("/api/v1/items", caller, params={"q": "matrix"}).json()
    names = {i["name"] for i in found["items"]}
    want = {f"matrix-{v}" for v, exp in VISIBILITY_EXPECT.items() if exp[caller] == 200}
    assert names == want
    page = hub.get("/search/", caller, params={"q": "matrix"}).text
    for v in VISIBILITY_EXPECT:
        assert (f"matrix-{v}@" in page) == (f"matrix-{v}" in want)


def test_tokens_only_narrow_rights(hub: Hub, tmp_path: Path) -> None:
    art = make_artifact(tmp_path / "a", "corpus", {"x.txt": "narrow\n"})
    # a read token cannot publish, even for an admin
    proc = hub.cli(
        "hub", "publish", str(art), "--url", hub.url, "--token", hub.tokens["admin"],
    )  # fmt: skip
    assert_one_line_error(proc, "403")
    # a viewer cannot publish whatever the token says
    proc = hub.cli("hub", "token", "new", "vic", "--scope", "publish")
    proc = hub.cli("hub", "publish", str(art), "--url", hub.url, "--token", proc.stdout.strip())
    assert_one_line_error(proc, "may not publish")
    # a token tied to acme cannot publish into globex
    proc = hub.cli(
        "hub", "publish", str(art), "--url", hub.url, "--token", hub.publish_token,
        "--org", "globex",
    )  # fmt: skip
    assert_one_line_error(proc, "globex")
    # an unknown token is refused with 401, not treated as anonymous
    resp = hub.api("/api/v1/items", headers={"Authorization": "Bearer phb_nope"})
    assert resp.status_code == 401


def test_a_known_hash_is_not_a_key_to_a_private_file(hub: Hub, tmp_path: Path) -> None:
    """Publishing a manifest that lists a file the hub holds, without sending it, works only
    for a caller who may already read that file: a private file's hash and size are no key."""
    sha = _file_sha(hub, hub.items["private"])
    # the outsider forges a manifest naming the private file (same path, hash and size) and
    # a file of their own, and sends only their own
    text = "only in the private item\n" * 20
    art = make_artifact(tmp_path / "forged", "corpus", {"data.txt": text, "own.txt": "mine\n"})
    assert sha in {f["sha256"] for f in json.loads((art / "manifest.json").read_text())["files"]}
    raw = (art / "manifest.json").read_bytes()
    own = (art / "own.txt").read_bytes()
    token = hub.cli("hub", "token", "new", "olu", "--scope", "publish").stdout.strip()

    def post(tok: str, org: str) -> httpx.Response:
        return httpx.post(
            hub.url + "/api/v1/items",
            headers={"Authorization": f"Bearer {tok}"},
            files=[("manifest", ("manifest.json", raw)), ("files", ("own.txt", own))],
            data={"org": org, "name": f"forged-{org}"},
        )

    resp = post(token, "globex")
    assert resp.status_code == 400 and "was not uploaded" in resp.text, resp.text
    assert hub.api(f"/api/v1/files/{sha}", "outsider").status_code == 404
    # the publisher, who can read the private item, may refer to the file without sending it
    resp = post(hub.publish_token, "acme")
    assert resp.status_code == 201, resp.text


def test_gc_removes_only_files_no_item_holds(hub: Hub) -> None:
    # what gc is for: a blob a publish kept before failing (or a crash) left, and a partial
    # upload; a refused upload itself stores nothing (tests/hub/test_hub_private.py)
    stray = b"bytes that no item holds\n"
    stray_sha = hashlib.sha256(stray).hexdigest()
    blobs = Path(hub.env["PUHUI_HOME"]) / "hub" / "blobs"
    orphan = blobs / "sha256" / stray_sha[:2] / stray_sha[2:4] / stray_sha
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(stray)
    (blobs / "tmp").mkdir(exist_ok=True)
    (blobs / "tmp" / "cut-short.part").write_bytes(b"half an upload")
    held = _file_sha(hub, hub.items["public"])

    def gc(*args: str) -> list[str]:
        proc = hub.cli("hub", "gc", "--json", *args)
        assert proc.returncode == 0, proc.stderr
        files: list[str] = json.loads(proc.stdout)["files"]
        return files

    assert not any(p.endswith(stray_sha) for p in gc())  # sent just now: kept (24 h default)
    dry = gc("--older-than", "0", "--dry-run")
    assert any(p.endswith(stray_sha) for p in dry) and not any(p.endswith(held) for p in dry)
    assert any(p.endswith("cut-short.part") for p in dry)
    assert all(Path(p).exists() for p in dry)
    gone = gc("--older-than", "0")
    assert sorted(gone) == sorted(dry) and not any(Path(p).exists() for p in gone)
    assert gc("--older-than", "0") == []
    assert hub.api(f"/api/v1/files/{held}").status_code == 200  # what items hold stays


# ---------------------------------------------------------------- publish, search, lineage


def test_publish_is_idempotent_and_versions_new_content(hub: Hub, tmp_path: Path) -> None:
    first = hub.items["corpus"]
    assert first["urn"] == "urn:puhui:corpus:acme/kiswahili-news@1"
    again = hub.publish(hub.tmp / "corpus")
    assert again["id"] == first["id"] and again["created"] is False
    art = make_artifact(tmp_path / "v2", "corpus", {"d.txt": "new content\n"})
    v2 = hub.publish(art, "--name", "kiswahili-news")
    assert v2["version"] == "2" and v2["created"] is True
    page = hub.get(f"/items/{v2['id']}/").text
    assert f'href="/items/{first["id"]}/"' in page  # the other version is linked


def test_search_words_and_facets(hub: Hub) -> None:
    res = hub.api("/api/v1/items", params={"q": "kiswa"}).json()  # a word prefix
    assert hub.items["corpus"]["id"] in {i["id"] for i in res["items"]}
    res = hub.api("/api/v1/items", params={"kind": "run"}).json()
    assert [i["kind"] for i in res["items"]] == ["run"] * res["total"] and res["total"] >= 1
    res = hub.api("/api/v1/items", params={"language": "yo", "q": "helpdesk"}).json()
    assert {i["kind"] for i in res["items"]} == {"certificate", "assessment"}
    facets = hub.api("/api/v1/items").json()["facets"]
    assert {"value": "KE", "count": 2} in facets["country"]
    assert any(f["value"] == "public administration" for f in facets["sector"])
    page = hub.get("/search/", params={"q": "kiswahili", "kind": "corpus"}).text
    assert "kiswahili-news" in page and 'aria-current="true"' in page
    old = hub.api("/api/v1/items", params={"kind": "dataset"}).json()  # the old name still works
    assert [i["kind"] for i in old["items"]] == ["corpus"] * old["total"] and old["total"] >= 1


def test_search_keeps_combining_marks_and_never_matches_facet_terms(hub: Hub) -> None:
    """Words with vowel signs (Bengali) or decomposed tone marks (Yoruba) are searched whole,
    and the hidden terms that index facet values are never matched by a word of a query."""
    title = "তথ্য স্বাস্থ্য i\u0300tumo\u0323\u0300 helpline"
    params = {"name": "bn-helpline", "title": title, "languages": ["bn"], "risk_areas": ["CR-07"]}
    art = make_artifact(hub.tmp / "bn-suite", "suite", {"tasks.jsonl": "{}\n"}, parameters=params)
    item = hub.publish(art)

    def found(**params: str) -> set[int]:
        res = hub.api("/api/v1/items", params=params)
        assert res.status_code == 200, res.text
        return {i["id"] for i in res.json()["items"]}

    assert item["id"] in found(q="স্বাস্থ্য")
    assert item["id"] in found(q="স্বা তথ্য")  # prefixes cut after a vowel sign
    assert item["id"] in found(q="i\u0300tumo\u0323\u0300")
    assert item["id"] in found(q="স্বাস্থ্য", language="bn", risk_area="CR-07", kind="suite")
    assert item["id"] not in found(q="স্বাস্থ্য", language="sw")
    assert item["id"] not in found(q="স্বাস্থ্য", kind="run")
    facets = hub.api("/api/v1/items", params={"q": "helpline"}).json()["facets"]
    assert facets["language"] == [{"value": "bn", "count": 1}]
    assert facets["risk_area"] == [{"value": "CR-07", "count": 1}]
    # the item's hidden term for language "bn", its prefixes and its hex part are not words
    term = "\u01c2l" + b"bn".hex()
    for q in (term, term[:2], "\u01c2", b"bn".hex()):
        assert found(q=q) == set(), q


def test_item_pages_show_lineage_both_ways(hub: Hub) -> None:
    run, assessment, cert = (hub.items[k] for k in ("run", "assessment", "certificate"))
    run_page = hub.get(f"/items/{run['id']}/").text
    assert "Used by" in run_page and f'href="/items/{assessment["id"]}/"' in run_page
    assert "sib200" in run_page and 'lang="yo"' in run_page  # per-language table
    assert "0.620" in run_page and 'class="bar"' in run_page
    # samples the scorer could not judge, and the parse rate with its warning
    assert "sib200/topic: 7 samples not scored" in run_page and "in ta (7)." in run_page
    assert "141 of 150 answers parsed (94.0%). Unparsed answers count as wrong." in run_page
    assert "more than 5% of answers could not be parsed (yo 82.0%)" in run_page
    a_page = hub.get(f"/items/{assessment['id']}/").text
    assert f'href="/items/{run["id"]}/"' in a_page  # made from the run
    assert f'href="/items/{cert["id"]}/"' in a_page  # certified by the certificate
    assert "report.html" in a_page
    made_from = hub.api(f"/api/v1/items/{assessment['id']}").json()["derived_from"]
    # named twice (manifest inputs, assessment evidence), linked once
    assert [d["urn"] for d in made_from].count(run["urn"]) == 1
    c_page = hub.get(f"/items/{cert['id']}/").text
    assert f'href="/items/{assessment["id"]}/"' in c_page  # resolved after the fact
    assert 'class="ok">Valid' in c_page
    detail = hub.api(f"/api/v1/items/{cert['id']}").json()
    assert detail["derived_from"][0]["relation"] == "certifies"
    assert detail["derived_from"][0]["urn"] == assessment["urn"]


def test_corpus_page_audit_and_croissant(hub: Hub) -> None:
    item = hub.items["corpus"]
    page = hub.get(f"/items/{item['id']}/").text
    assert "News in Kiswahili" in page and 'lang="sw"' in page
    cr = hub.api(f"/api/v1/items/{item['id']}/croissant")
    assert cr.status_code == 200 and cr.json()["name"] == "kiswahili-news"
    assert hub.api(f"/api/v1/items/{hub.items['run']['id']}/croissant").status_code == 404


def test_download_with_range(hub: Hub) -> None:
    detail = hub.api(f"/api/v1/items/{hub.items['corpus']['id']}").json()
    f = next(f for f in detail["files"] if f["path"] == "data/part-00000.jsonl")
    full = httpx.get(f["url"])
    assert full.status_code == 200 and full.headers["accept-ranges"] == "bytes"
    assert hashlib.sha256(full.content).hexdigest() == f["sha256"]
    assert len(full.content) == f["size"]
    part = httpx.get(f["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == full.content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{f['size']}"
    tail = httpx.get(f["url"], headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == full.content[-5:]
    assert httpx.get(f["url"], headers={"Range": f"bytes={f['size']}-"}).status_code == 416
    # an uploaded HTML report cannot run script in the hub's origin
    report = next(
        x for x in hub.api(f"/api/v1/items/{hub.items['assessment']['id']}").json()["files"]
        if x["path"] == "report.html"
    )  # fmt: skip
    resp = httpx.get(report["url"])
    assert resp.headers["content-security-policy"].startswith("sandbox")


def test_server_rechecks_uploads(hub: Hub, tmp_path: Path) -> None:
    auth = {"Authorization": f"Bearer {hub.publish_token}"}
    art = make_artifact(tmp_path / "t", "corpus", {"a.txt": "original\n"})
    manifest = (art / "manifest.json").read_bytes()
    resp = httpx.post(
        hub.url + "/api/v1/items",
        headers=auth,
        files=[("files", ("a.txt", b"tampered\n")), ("manifest", ("manifest.json", manifest))],
    )
    assert resp.status_code == 400 and "matches no file of the manifest" in resp.json()["detail"]
    blobs = Path(hub.env["PUHUI_HOME"]) / "hub" / "blobs" / "sha256"
    tampered = hashlib.sha256(b"tampered\n").hexdigest()
    assert not (blobs / tampered[:2] / tampered[2:4] / tampered).exists()  # not kept either
    # a manifest listing a file that was not sent: refused, and the one sent is not kept
    two = make_artifact(tmp_path / "two", "corpus", {"a.txt": "one of two\n", "b.txt": "two\n"})
    resp = httpx.post(
        hub.url + "/api/v1/items",
        headers=auth,
        files=[
            ("files", ("a.txt", b"one of two\n")),
            ("manifest", ("manifest.json", (two / "manifest.json").read_bytes())),
        ],
    )
    assert resp.status_code == 400 and "b.txt was not uploaded" in resp.json()["detail"]
    sent = hashlib.sha256(b"one of two\n").hexdigest()
    assert not (blobs / sent[:2] / sent[2:4] / sent).exists()
    hidden = make_artifact(tmp_path / "h", "corpus", {".x/a.txt": "x\n"}, files=[".x/a.txt"])
    resp = httpx.post(
        hub.url + "/api/v1/items",
        headers=auth,
        files=[
            ("files", ("a.txt", b"x\n")),
            ("manifest", ("manifest.json", (hidden / "manifest.json").read_bytes())),
        ],
    )
    assert resp.status_code == 400 and "unsafe" in resp.json()["detail"]
    resp = httpx.post(hub.url + "/api/v1/items", files=[("files", ("a.txt", b"x"))])
    assert resp.status_code == 401


def test_upload_size_limit_is_checked_before_the_body(hub: Hub) -> None:
    host, port = hub.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(
            b"POST /api/v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 99999999999\r\n\r\n"
        )
        head = s.recv(200).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head


# ---------------------------------------------------------------- verification


def test_verify_page_and_api(hub: Hub) -> None:
    assert hub.cert_path is not None
    text = hub.cert_path.read_text(encoding="utf-8")
    client = httpx.Client(base_url=hub.url)
    form = client.get("/verify/").text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert csrf
    resp = client.post("/verify/", data={"credential": text, "csrfmiddlewaretoken": csrf[1]})
    assert resp.status_code == 200 and 'class="ok">Valid' in resp.text
    # the assessment is public, so its report and content hashes were checked too
    assert "match their pinned hashes" in resp.text
    forged = json.loads(text)
    forged["credentialSubject"]["name"] = "Another system"
    resp = client.post(
        "/verify/", data={"credential": json.dumps(forged), "csrfmiddlewaretoken": csrf[1]}
    )
    assert 'class="bad">Invalid' in resp.text
    resp = client.post("/verify/", files={"file": ("c.json", text.encode())},
                       data={"csrfmiddlewaretoken": csrf[1]})  # fmt: skip
    assert 'class="ok">Valid' in resp.text
    # without the CSRF token the form is refused
    assert httpx.post(hub.url + "/verify/", data={"credential": text}).status_code == 403
    api = httpx.post(hub.url + "/api/v1/verify", json=json.loads(text)).json()
    assert api["valid"] is True and api["assessment"] == hub.items["assessment"]["urn"]
    bad = httpx.post(hub.url + "/api/v1/verify", json=forged).json()
    assert bad["valid"] is False
    assert any(c["name"] == "proof" and c["ok"] is False for c in bad["checks"])


# ---------------------------------------------------------------- languages, catalog, weight


def test_languages_and_rtl(hub: Hub) -> None:
    en = hub.get("/").text
    assert '<html lang="en" dir="ltr">' in en
    ar = hub.get("/ar/").text
    assert '<html lang="ar" dir="rtl">' in ar and "بحث" in ar
    via_header = httpx.get(hub.url + "/", headers={"Accept-Language": "ar"}, follow_redirects=True)
    assert via_header.url.path == "/ar/" and 'dir="rtl"' in via_header.text
    for code, word in (("zh-hans", "搜索"), ("fr", "Rechercher"), ("sw", "Tafuta"),
                       ("es", "Buscar"), ("pt", "Pesquisar")):  # fmt: skip
        assert word in hub.get(f"/{code}/").text
    # the switcher: a plain form posting to set_language
    client = httpx.Client(base_url=hub.url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/search/").text)
    assert csrf
    resp = client.post(
        "/i18n/setlang/",
        data={"language": "sw", "next": "/search/", "csrfmiddlewaretoken": csrf[1]},
    )
    assert resp.status_code == 302 and resp.headers["location"] == "/sw/search/"
    assert client.get("/", follow_redirects=True).url.path == "/sw/"


def test_catalog_jsonld_lists_only_public_items(hub: Hub) -> None:
    resp = httpx.get(hub.url + "/api/v1/catalog.jsonld")
    assert resp.headers["content-type"].startswith("application/ld+json")
    doc = resp.json()
    assert doc["@type"] == "dcat:Catalog"
    ids = {d["dct:identifier"] for d in doc["dcat:dataset"]}
    assert hub.items["public"]["urn"] in ids and hub.items["corpus"]["urn"] in ids
    assert hub.items["organization"]["urn"] not in ids
    assert hub.items["private"]["urn"] not in ids
    ds = next(d for d in doc["dcat:dataset"] if d["dct:identifier"] == hub.items["corpus"]["urn"])
    assert {"@id": "http://publications.europa.eu/resource/authority/language/SWA"} in ds[
        "dct:language"
    ]
    dist = ds["dcat:distribution"][0]
    assert dist["spdx:checksum"]["spdx:checksumValue"] in dist["dcat:downloadURL"]["@id"]


def test_openapi_spec(hub: Hub) -> None:
    spec = httpx.get(hub.url + "/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/items", "/api/v1/items/{item_id}", "/api/v1/files/{sha256}",
                 "/api/v1/verify", "/api/v1/catalog.jsonld"):  # fmt: skip
        assert path in spec["paths"], path


def test_every_page_is_under_100_kb(hub: Hub) -> None:
    paths = ["/", "/ar/", "/search/", "/search/?q=a", "/verify/", "/signin/", "/nope/"]
    paths += [f"/items/{i['id']}/" for i in hub.items.values()]
    weights = {}
    for p in paths:
        for caller in ("anonymous", "admin"):
            resp = hub.get(p, caller)
            weights[(p, caller)] = len(resp.content)
            assert "<script" not in resp.text, p
            assert len(resp.content) < PAGE_LIMIT, (p, caller, len(resp.content))
    assert max(weights.values()) < PAGE_LIMIT


def test_security_headers_and_cookies(hub: Hub) -> None:
    resp = hub.get("/signin/")
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["x-content-type-options"] == "nosniff"
    client = httpx.Client(base_url=hub.url)
    client.get("/signin/")
    session = hub.sessions["admin"].cookies.jar
    assert any(c.name == "sessionid" and c.has_nonstandard_attr("HttpOnly") for c in session)


# ---------------------------------------------------------------- CLI errors


def test_cli_errors_are_one_line(hub: Hub, tmp_path: Path) -> None:
    art = make_artifact(tmp_path / "e", "corpus", {"e.txt": "e\n"})
    proc = hub.cli("hub", "publish", str(art), "--url", hub.url, "--token", "phb_wrong")
    assert_one_line_error(proc, "refused the token")
    proc = hub.cli("hub", "publish", str(tmp_path / "missing"), "--url", hub.url, "--token", "x")
    assert_one_line_error(proc, "does not exist")
    (art / "e.txt").write_text("changed\n")
    proc = hub.cli("hub", "publish", str(art), "--url", hub.url, "--token", hub.publish_token)
    assert_one_line_error(proc, "modified")
    proc = hub.cli("hub", "publish", str(art), "--url", "http://127.0.0.1:9", "--token", "x")
    assert_one_line_error(proc)
    proc = hub.cli("hub", "createuser", "zed", "--role", "boss", "--password-stdin", stdin="x\n")
    assert_one_line_error(proc, "--role")
    proc = hub.cli("hub", "createuser", "zed", "--password-stdin", stdin="short\n")
    assert_one_line_error(proc, "password")
    proc = hub.cli("hub", "token", "new", "nobody")
    assert_one_line_error(proc, "no user")


@pytest.mark.slow
def test_real_corpus_and_classify_run(hub: Hub, tmp_path: Path) -> None:
    """Artifacts made by the real engines: `puhui corpus build` and `puhui eval run`."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(
        "Habari za asubuhi. Leo ni siku nzuri sana kwa kusoma vitabu na kujifunza mambo mapya "
        "kuhusu historia ya Afrika Mashariki na lugha zake nyingi.\n",
        encoding="utf-8",
    )
    (raw / "b.txt").write_text(
        "The weather today is lovely and we are going to the market to buy fresh vegetables "
        "and fruit for the whole family before the rain comes back.\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    proc = hub.cli("corpus", "build", str(raw), "--out", str(corpus))
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "run"
    proc = hub.cli("eval", "run", "adult", "--model", "demo-classifier", "--out", str(run))
    assert proc.returncode == 0, proc.stderr
    corpus_item = hub.publish(corpus, "--name", "real-corpus")
    result = hub.publish(run)
    assert corpus_item["kind"] == "corpus" and result["kind"] == "run"
    page = hub.get(f"/items/{corpus_item['id']}/").text
    assert "audit.html" in page and "Croissant" in page
    page = hub.get(f"/items/{result['id']}/").text
    assert "adult/income" in page and "Female" in page  # per-group table with CIs
    assert "uses suite" in page and "evaluates model" in page
    found = hub.api("/api/v1/items", params={"q": "adult demo"}).json()
    assert result["id"] in {i["id"] for i in found["items"]}
    detail = hub.api(f"/api/v1/items/{result['id']}").json()
    log = next(f for f in detail["files"] if f["path"] == "log.jsonl")
    part = httpx.get(log["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100


def test_search_looks_at_the_newest_window_only(tmp_path: Path) -> None:
    """With hub_search_window = 2 and three matches: the newest two, and "more than 2"."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp_path / "home"), PUHUI_HUB_SEARCH_WINDOW="2", COLUMNS="200")
    port = free_port()
    h = Hub(url=f"http://127.0.0.1:{port}", env=env, tmp=tmp_path)
    proc = h.cli(
        "hub", "createuser", "mo", "--org", "acme", "--role", "member", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    h.publish_token = h.cli("hub", "token", "new", "mo", "--scope", "publish").stdout.strip()
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait(h.url, server)
        names = []
        for i in range(3):
            art = make_artifact(tmp_path / f"c{i}", "corpus", {"t.txt": f"windowed text {i}\n"})
            names.append(h.publish(art, "--name", f"windowed-{i}")["name"])
        found = h.api("/api/v1/items", params={"q": "windowed"}).json()
        assert found["capped"] is True and found["total"] == 2
        assert [i["name"] for i in found["items"]] == names[:0:-1]  # the newest two
        assert sum(v["count"] for v in found["facets"]["kind"]) == 2
        page = h.get("/search/", params={"q": "windowed"}).text
        assert "More than 2 items match" in page
        one = h.api("/api/v1/items", params={"q": "windowed 0"}).json()
        assert one["capped"] is False and one["total"] == 1
    finally:
        server.terminate()
        server.wait(20)
