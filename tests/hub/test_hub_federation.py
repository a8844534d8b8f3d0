"""Hub-to-hub federation on real hubs: three `puhui hub serve` processes on 127.0.0.1 (A, B, C),
each with its own PUHUI_HOME, and a small proxy in front of A that can alter a byte of a feed
page or close the connection after the first page.

B mirrors A (`puhui hub peer add` + `puhui hub sync`); C mirrors B and must receive B's own
items only: a hub never re-publishes its mirrors (see puhui.hub.federation.feed).
The tests run in order and share the hubs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_hub_e2e import _wait, make_artifact

from puhui.certify import keys

from conftest import assert_one_line_error, free_port

pytestmark = pytest.mark.slow  # starts three real hubs

PASSWORD = "puhui-test-pass-7391"
PAGE_LIMIT = 100_000


@dataclass
class FedHub:
    name: str
    url: str
    env: dict[str, str]
    token: str = ""
    did: str = ""

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

    def ok(self, *args: str) -> Any:
        proc = self.cli(*args, "--json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def publish(self, path: Path, *extra: str) -> dict[str, Any]:
        out: dict[str, Any] = self.ok(
            "hub", "publish", str(path), "--url", self.url, "--token", self.token, *extra
        )
        return out

    def items(self) -> list[dict[str, Any]]:
        """Every item anonymous callers see, sorted by URN, without the local ids."""
        res = httpx.get(self.url + "/api/v1/items", params={"per_page": 100}, timeout=30)
        assert res.status_code == 200, res.text
        rows = res.json()["items"]
        return sorted(({k: v for k, v in r.items() if k != "id"} for r in rows), key=str)

    def peer(self, name: str) -> dict[str, Any]:
        rows: list[dict[str, Any]] = self.ok("hub", "peer", "list")
        return next(r for r in rows if r["name"] == name)


class Proxy:
    """Forwards GET requests to ``upstream``; ``mode`` "pass", "tamper" (one byte of the body
    changed) or "drop" (the first request answered, later ones closed unanswered)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode = "pass"
        self.served = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if proxy.mode == "drop" and proxy.served >= 1:
                    self.close_connection = True
                    return  # no answer: the connection is closed mid-sync
                res = httpx.get(proxy.upstream + self.path, timeout=30)
                body = res.content
                if proxy.mode == "tamper":
                    # one letter of the first item's title (not the @context's "title" term)
                    start = body.index(b'"items":[')
                    at = body.index(b'"title":"', start) + len(b'"title":"')
                    body = (
                        body[:at] + (b"Y" if body[at : at + 1] == b"X" else b"X") + body[at + 1 :]
                    )
                proxy.served += 1
                self.send_response(res.status_code)
                self.send_header("Content-Type", res.headers.get("content-type", ""))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@dataclass
class Net:
    a: FedHub
    b: FedHub
    c: FedHub
    proxy: Proxy
    tmp: Path
    urns: list[str]


def _start(name: str, tmp: Path, procs: list[subprocess.Popen[str]]) -> FedHub:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / name), COLUMNS="200")
    port = free_port()
    h = FedHub(name=name, url=f"http://127.0.0.1:{port}", env=env)
    assert h.cli("hub", "init").returncode == 0
    proc = h.cli(
        "hub", "createuser", "amina", "--org", f"org-{name}", "--role", "admin",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = h.cli("hub", "token", "new", "amina", "--scope", "publish")
    h.token = proc.stdout.strip().splitlines()[-1]
    proc = h.cli("hub", "identity")
    assert proc.returncode == 0, proc.stderr
    h.did = proc.stdout.strip()
    assert h.did.startswith("did:key:z6Mk")
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    procs.append(server)
    _wait(h.url, server)
    return h


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    tmp = tmp_path_factory.mktemp("federation")
    procs: list[subprocess.Popen[str]] = []
    try:
        a, b, c = (_start(n, tmp, procs) for n in ("a", "b", "c"))
        urns = []
        for i, title in enumerate(("alpha", "beta", "gamma")):
            art = make_artifact(
                tmp / f"corpus-{title}", "corpus", {"data.txt": f"{title} text {i}\n" * 50}
            )
            urns.append(a.publish(art, "--name", f"news-{title}")["urn"])
        hidden = make_artifact(tmp / "private", "corpus", {"data.txt": "not for peers\n"})
        a.publish(hidden, "--name", "hidden", "--visibility", "private")
        yield Net(a, b, c, Proxy(a.url), tmp, urns)
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)


def test_feed_is_signed_by_the_hub_key_and_lists_public_items_only(net: Net) -> None:
    from puhui.certify import dataintegrity as di

    page = httpx.get(net.a.url + "/api/v1/feed", params={"limit": 2}, timeout=30).json()
    assert page["hub"] == net.a.did
    proof = di.verify_proof(page)
    assert proof.ok and proof.controller == net.a.did, proof.reason
    assert "dcat" in json.dumps(page["@context"])
    assert len(page["items"]) == 2 and page["next"] and page["cursor"] >= 2
    rest = httpx.get(
        net.a.url + "/api/v1/feed", params={"after": page["cursor"]}, timeout=30
    ).json()
    urns = [e["urn"] for e in page["items"] + rest["items"]]
    assert urns == net.urns  # the private item is in no page
    assert rest["next"] is None
    f = page["items"][0]["files"][0]
    assert set(f) >= {"path", "sha256", "bytes", "media_type", "url"}


def test_unknown_key_is_refused(net: Net) -> None:
    other = keys.generate().did
    assert net.b.cli("hub", "peer", "add", "stranger", net.a.url, "--key", other).returncode == 0
    proc = net.b.cli("hub", "sync", "stranger")
    assert_one_line_error(proc, "stranger", "signature does not verify")
    assert net.b.peer("stranger")["cursor"] == 0
    assert net.b.items() == []


def test_tampered_page_is_refused_whole(net: Net) -> None:
    proc = net.b.cli("hub", "peer", "add", "a", net.proxy.url, "--key", net.a.did)
    assert proc.returncode == 0, proc.stderr
    net.proxy.mode = "tamper"
    proc = net.b.cli("hub", "sync", "a")
    assert_one_line_error(proc, "signature does not verify")
    assert net.b.peer("a")["cursor"] == 0
    assert net.b.items() == []


def test_dropped_connection_resumes_without_duplicates(net: Net) -> None:
    net.proxy.mode, net.proxy.served = "drop", 0
    proc = net.b.cli("hub", "sync", "a", "--limit", "1")
    assert_one_line_error(proc, "connection", "again")
    assert net.b.peer("a")["cursor"] > 0
    assert len(net.b.items()) == 1  # the first page was applied and committed
    net.proxy.mode = "pass"
    done = net.b.ok("hub", "sync", "a", "--limit", "1")
    assert done["created"] == 2 and done["updated"] == 0
    held = net.b.items()
    assert len(held) == 3
    assert {i["org"] for i in held} == {"peer-a"}
    assert sorted(i["title"] for i in held) == sorted(i["title"] for i in net.a.items())


def test_sync_twice_changes_nothing(net: Net) -> None:
    before = net.b.items()
    again = net.b.ok("hub", "sync", "a")
    assert (again["created"], again["updated"], again["withdrawn"]) == (0, 0, 0)
    whole = net.b.ok("hub", "sync", "a", "--from-start")
    assert (whole["created"], whole["updated"], whole["same"]) == (0, 0, 3)
    assert net.b.items() == before


def test_mirror_page_and_download_on_demand(net: Net) -> None:
    item = next(i for i in net.b.items() if i["name"].endswith("news-alpha"))
    page = httpx.get(item["url"], timeout=30)
    assert page.status_code == 200 and len(page.content) < PAGE_LIMIT
    assert "from hub a" in page.text and net.urns[0] in page.text
    detail = httpx.get(f"{net.b.url}/api/v1/items/{item['url'].rstrip('/').split('/')[-1]}")
    f = next(x for x in detail.json()["files"] if x["path"] == "data.txt")
    got = httpx.get(f["url"], timeout=60)
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == f["sha256"]
    assert got.content == b"alpha text 0\n" * 50


def test_withdrawn_on_a_is_gone_from_b_after_the_next_sync(net: Net) -> None:
    assert net.a.ok("hub", "withdraw", net.urns[1])["tombstone"] is True
    assert len(net.b.items()) == 3  # not before the sync
    out = net.b.ok("hub", "sync", "a")
    assert out["withdrawn"] == 1
    names = sorted(i["name"] for i in net.b.items())
    assert names == ["org-a.news-alpha", "org-a.news-gamma"]


def test_mirrors_are_not_republished(net: Net) -> None:
    own = make_artifact(net.tmp / "b-own", "corpus", {"data.txt": "made on b\n" * 30})
    b_urn = net.b.publish(own, "--name", "b-own")["urn"]
    assert net.c.ok("hub", "peer", "add", "b", net.b.url, "--key", net.b.did)["created"]
    out = net.c.ok("hub", "sync", "b")
    assert out["created"] == 1
    held = net.c.items()
    assert [i["name"] for i in held] == ["org-b.b-own"]
    page = httpx.get(held[0]["url"], timeout=30).text
    assert "from hub b" in page and b_urn in page


def _verify_page(hub: FedHub, text: str) -> str:
    client = httpx.Client(base_url=hub.url, timeout=30)
    form = client.get("/verify/").text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert csrf
    resp = client.post("/verify/", data={"credential": text, "csrfmiddlewaretoken": csrf[1]})
    assert resp.status_code == 200 and len(resp.content) < PAGE_LIMIT
    return resp.text


def test_a_certificate_revoked_on_a_is_revoked_on_b(net: Net) -> None:
    from test_hub_e2e import fake_assessment, fake_run

    from puhui.certify import credential

    kdir = net.tmp / "issuer-key"
    keys.create_key_dir(kdir, "Lab A")
    assessment = fake_assessment(net.tmp / "cert-assessment", fake_run(net.tmp / "cert-run"))
    cred = credential.issue(assessment, kdir, valid_days=30)
    # both hubs trust the key, each with the status list as it is now (nothing revoked)
    for hub in (net.a, net.b):
        proc = hub.cli(
            "hub", "issuer", "add", str(kdir), "--org", f"org-{hub.name}", "--url", hub.url,
            "--token", hub.token,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    path = net.tmp / "cert.json"
    path.write_text(json.dumps(cred), encoding="utf-8")
    net.a.publish(path, "--name", "helpdesk-cert")
    out = net.b.ok("hub", "sync", "a")
    assert out["created"] == 1 and out["certificates_fetched"] == 1, out
    mirror = next(i for i in net.b.items() if i["name"] == "org-a.helpdesk-cert")
    page = httpx.get(mirror["url"], timeout=30).text
    assert "from hub a" in page and 'class="ok">Valid' in page
    text = json.dumps(cred)
    assert httpx.post(net.b.url + "/api/v1/verify", json=cred).json()["status"] == "valid"
    assert 'class="ok">Valid' in _verify_page(net.b, text)

    time.sleep(1.1)  # a status list's validFrom has whole seconds
    credential.revoke(cred, kdir, reason="withdrawn")
    proc = net.a.cli("hub", "issuer", "status-list", str(kdir / keys.STATUS_LIST), "--url",
                     net.a.url, "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert httpx.post(net.a.url + "/api/v1/verify", json=cred).json()["status"] == "revoked"
    # B's own copy of the list is older: before the sync B still says valid
    assert httpx.post(net.b.url + "/api/v1/verify", json=cred).json()["status"] == "valid"
    out = net.b.ok("hub", "sync", "a")
    assert out["revoked"] == 1, out
    page = httpx.get(mirror["url"], timeout=30).text
    assert 'class="bad">Revoked' in page and "revoked at hub a (feed of 20" in page
    api = httpx.post(net.b.url + "/api/v1/verify", json=cred).json()
    assert api["status"] == "revoked" and api["valid"] is False, api
    check = next(c for c in api["checks"] if c["name"] == "revocation")
    assert check["ok"] is False and check["reason"].startswith("revoked at hub a (feed of ")
    pasted = _verify_page(net.b, text)
    assert 'class="bad">Revoked' in pasted and "revoked at hub a (feed of " in pasted
    # another certificate of the same issuer, never revoked, stays valid on B
    other = credential.issue(assessment, kdir, valid_days=30)
    assert httpx.post(net.b.url + "/api/v1/verify", json=other).json()["status"] == "valid"
