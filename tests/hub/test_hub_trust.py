"""Hostile verification requests and trusted issuers, against a real hub (SQLite and PostgreSQL).

Runs against the same kind of real `puhui hub serve` as test_hub_e2e.py (its fixture, set up
again for this module: acme's key is a trusted issuer there). Covers issue 11, items 1-3 and the
deep-JSON part of item 5: a 150,000-character proofValue and over-sized bodies are refused
before they cost anything (413 before the body is received, with waitress; and by the Django
middleware before anything reads it), deeply nested JSON is a 400 with a one-line reason on the
API and the /verify/ page, a certificate may pin at most 16 files, and the hub's verdicts:
"Valid" only for a trusted issuer's certificate it can check for revocation, "Signature valid,
issuer not trusted" for a throwaway key (which never links to another organization's
assessment), "Revoked" once the issuer's updated status list is sent, and lists from untrusted
or wrong keys refused.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_hub_e2e
from test_hub_e2e import PASSWORD, Hub, fake_assessment, fake_run

from puhui.artifacts import input_ref, write_manifest
from puhui.certify import credential, keys, statuslist
from puhui.certify import dataintegrity as di

from conftest import assert_one_line_error

pytestmark = pytest.mark.slow  # a real `puhui hub serve` (test_hub_e2e's fixture)

hub = test_hub_e2e.hub  # the same real hub (SQLite and PostgreSQL), set up once for this module


def _cert(hub: Hub) -> dict[str, Any]:
    assert hub.cert_path is not None
    cred: dict[str, Any] = json.loads(hub.cert_path.read_text(encoding="utf-8"))
    return cred


def _verify(hub: Hub, body: Any) -> httpx.Response:
    return httpx.post(hub.url + "/api/v1/verify", json=body, timeout=60)


def _csrf(client: httpx.Client) -> str:
    page = client.get("/verify/").text
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert m
    return m[1]


def _verify_page(hub: Hub, text: str) -> httpx.Response:
    with httpx.Client(base_url=hub.url, timeout=60) as client:
        token = _csrf(client)
        return client.post("/verify/", data={"credential": text, "csrfmiddlewaretoken": token})


def _raw(hub: Hub, head: bytes, body: bytes = b"", wait: float = 15) -> str:
    """Send a request by hand (its body may never be sent whole); the answer, read until the
    server closes the connection (with a reset when it left part of the body unread)."""
    host, port = hub.url.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(head + body)
        with contextlib.suppress(ConnectionResetError):
            while len(answer) < 65536 and (part := s.recv(4096)):
                answer += part
    return answer.decode("latin-1")


def _nested(depth: int) -> Any:
    obj: Any = []
    for _ in range(depth - 1):
        obj = [obj]
    return obj


def _token(hub: Hub, user: str, *extra: str) -> str:
    proc = hub.cli("hub", "token", "new", user, "--scope", "publish", *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _admin(hub: Hub, user: str, org: str) -> str:
    """A (new) admin of ``org``, and their publish token for it."""
    proc = hub.cli(
        "hub", "createuser", user, "--org", org, "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return _token(hub, user, "--org", org)


def _issuer_cli(hub: Hub, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    extra = ("--token", token) if token else ()
    return hub.cli("hub", "issuer", *args, "--url", hub.url, *extra)


# ---------------------------------------------------------------- item 1: bounded input


def test_a_150000_character_proof_value_is_refused(hub: Hub) -> None:
    cred = _cert(hub)
    cred["proof"]["proofValue"] = "z" + "2" * 150_000
    resp = _verify(hub, cred)
    assert resp.status_code == 413, resp.text[:300]
    detail = resp.json()["detail"]
    assert "a certificate to verify may be at most 65,536 bytes" in detail and "\n" not in detail
    # within the body limit, the field itself is bounded before it is decoded
    cred["proof"]["proofValue"] = "z" + "2" * 30_000
    resp = _verify(hub, cred)
    assert resp.status_code == 200, resp.text[:300]
    out = resp.json()
    proof = next(c for c in out["checks"] if c["name"] == "proof")
    assert proof["ok"] is False and "proof.proofValue" in proof["reason"]
    assert "30,001 characters; at most 89" in proof["reason"]
    assert out["status"] == "invalid" and out["valid"] is False
    # the /verify/ page has the same limit (plus room for the form)
    resp = _verify_page(hub, json.dumps({**cred, "proof": {"proofValue": "z" + "2" * 150_000}}))
    assert resp.status_code == 413 and "a certificate to verify" in resp.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/verify", "/verify/", "/sw/verify/"])
def test_an_over_cap_body_is_refused_before_it_is_received(hub: Hub, path: str) -> None:
    """Only the headers are sent: the 413 comes at once, naming the limit."""
    answer = _raw(
        hub,
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 10000000\r\n\r\n".encode(),
    )
    assert answer.startswith("HTTP/1.1 413"), answer[:300]
    assert "10,000,000 bytes; a certificate to verify may be at most" in answer


def test_a_chunked_body_is_cut_off_at_the_limit(hub: Hub) -> None:
    """No Content-Length: the body is refused as soon as it grows past the limit."""
    chunk = b"[" * 100_000
    answer = _raw(
        hub,
        b"POST /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n",  # never finished
    )
    assert answer.startswith("HTTP/1.1 413"), answer[:300]


def test_the_middleware_refuses_an_over_cap_body_without_reading_it(hub: Hub) -> None:
    """Behind another WSGI server the Django middleware refuses it: the body is never read."""
    code = r"""
import io, json
from puhui import hub
hub.setup()
from puhui.hub.wsgi import application

class Unread(io.RawIOBase):
    def read(self, *a):
        raise AssertionError("the body was read")
    readline = read

seen = {}
def start_response(status, headers, exc_info=None):
    seen["status"] = status
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/verify", "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
    "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "70000", "wsgi.input": Unread(),
}
body = b"".join(application(environ, start_response))
print(json.dumps({"status": seen["status"], "detail": json.loads(body)["detail"]}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], env=hub.env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"].startswith("413") and "70,000 bytes" in out["detail"]


def test_deep_json_is_a_400_with_a_one_line_reason(hub: Hub) -> None:
    # 500 levels: the json module parses it, but copying or canonicalizing it would recurse
    deep = {**_cert(hub), "evidence": _nested(500)}
    resp = _verify(hub, deep)
    assert resp.status_code == 400, resp.text[:300]
    detail = resp.json()["detail"]
    assert "nests objects and arrays deeper than 32 levels" in detail and "\n" not in detail
    resp = httpx.post(  # deeper than the json module itself goes
        hub.url + "/api/v1/verify",
        content=b"[" * 20_000 + b"]" * 20_000,
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400 and "deeper than 32 levels" in resp.json()["detail"]
    page = _verify_page(hub, json.dumps(deep))
    assert page.status_code == 400, page.text[-500:]
    alert = re.search(r'role="alert">([^<]*)<', page.text)
    assert alert and "deeper than 32 levels" in alert[1] and "\n" not in alert[1]


def test_a_certificate_pins_at_most_16_files(hub: Hub) -> None:
    cred = _cert(hub)
    cred["relatedResource"] = cred["relatedResource"][:1] * 200  # one report, named 200 times
    out = _verify(hub, cred).json()
    report = next(c for c in out["checks"] if c["name"] == "report")
    assert report["ok"] is False and "200 entries" in report["reason"]
    assert out["status"] == "invalid"


# ---------------------------------------------------------------- item 3: trusted issuers


def test_a_trusted_issuers_certificate_is_valid(hub: Hub) -> None:
    out = _verify(hub, _cert(hub)).json()
    assert out["status"] == "valid" and out["valid"] is True, out
    assert out["status_label"] == "Valid" and out["issuer_org"] == "acme"
    revocation = next(c for c in out["checks"] if c["name"] == "revocation")
    assert revocation["ok"] is True and "not revoked" in revocation["reason"]
    page = hub.get(f"/items/{hub.items['certificate']['id']}/").text
    assert 'class="ok">Valid' in page and "a trusted issuer, registered by acme" in page
    listed = httpx.get(hub.url + "/api/v1/issuers", params={"org": "acme"}).json()
    assert hub.key_dir is not None
    did = keys.load_key_dir(hub.key_dir).did
    assert [i["did"] for i in listed] == [did] and listed[0]["name"] == "Lab A"
    assert len(listed[0]["status_lists"]) == 1 and listed[0]["added_by"] == "alice"


def test_a_throwaway_key_is_not_trusted_and_links_nothing_across_organizations(
    hub: Hub, tmp_path: Path
) -> None:
    """An outsider signs a certificate for acme's assessment with a key of their own, naming a
    made-up standards body, and publishes it in globex: not "Valid", and not linked."""
    kdir = tmp_path / "throwaway"
    keys.create_key_dir(kdir, "Global Standards Authority")
    cred = credential.issue(hub.tmp / "assessment", kdir, valid_days=30)
    path = tmp_path / "throwaway.json"
    path.write_text(json.dumps(cred), encoding="utf-8")
    out = _verify(hub, cred).json()
    assert out["status"] == "issuer_not_trusted" and out["valid"] is False, out
    assert out["status_label"] == "Signature valid, issuer not trusted"
    assert next(c for c in out["checks"] if c["name"] == "proof")["ok"] is True
    token = _token(hub, "olu", "--org", "globex")
    proc = hub.cli(
        "hub", "publish", str(path), "--url", hub.url, "--token", token, "--json",
        "--name", "throwaway-cert",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    page = hub.get(f"/items/{item['id']}/").text
    assert 'class="unk">Signature valid, issuer not trusted' in page
    detail = hub.api(f"/api/v1/items/{item['id']}", "outsider").json()
    certifies = [d for d in detail["derived_from"] if d["relation"] == "certifies"]
    assert certifies and certifies[0]["item_id"] is None  # acme's assessment is not linked
    used = hub.api(f"/api/v1/items/{hub.items['assessment']['id']}", "admin").json()["used_by"]
    assert item["id"] not in {u["item_id"] for u in used}
    assert hub.items["certificate"]["id"] in {u["item_id"] for u in used}  # acme's own is


def test_a_certificate_published_before_its_assessment_links_only_if_trusted(
    hub: Hub, tmp_path: Path
) -> None:
    """The dangling "certifies" reference of another organization's certificate is resolved
    when the assessment arrives only if a trusted issuer signed it."""
    run = fake_run(tmp_path / "run")
    assessment = fake_assessment(tmp_path / "assessment", run)
    (assessment / "oscal.json").write_text('{"assessment-results": {"v": 2}}\n')
    assessment.joinpath("manifest.json").unlink()
    write_manifest(assessment, "assessment", inputs=[input_ref(run, "run")])
    untrusted, trusted = tmp_path / "untrusted", tmp_path / "trusted"
    keys.create_key_dir(untrusted, "Nobody")
    keys.create_key_dir(trusted, "Globex certification")
    admin = _admin(hub, "gina", "globex")
    proc = _issuer_cli(hub, "add", str(trusted), "--json", token=admin)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["org"] == "globex"
    publisher = _token(hub, "olu", "--org", "globex")
    ids = {}
    for label, kdir in (("untrusted", untrusted), ("trusted", trusted)):
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(credential.issue(assessment, kdir, valid_days=30)))
        proc = hub.cli(
            "hub", "publish", str(path), "--url", hub.url, "--token", publisher, "--json",
            "--name", f"early-{label}",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        ids[label] = json.loads(proc.stdout)["id"]
    published = hub.publish(assessment, "--name", "late-assessment")  # acme, afterwards
    used = hub.api(f"/api/v1/items/{published['id']}", "admin").json()["used_by"]
    linked = {u["item_id"] for u in used if u["relation"] == "certifies"}
    assert ids["trusted"] in linked and ids["untrusted"] not in linked


def test_a_revoked_certificate_is_revoked_once_the_list_is_sent(hub: Hub, tmp_path: Path) -> None:
    kdir = tmp_path / "acme-key-2"
    keys.create_key_dir(kdir, "Lab A, second key")
    cred = credential.issue(hub.tmp / "assessment", kdir, valid_days=30)
    assert _verify(hub, cred).json()["status"] == "issuer_not_trusted"
    # registered without its status list: trusted, but revocation cannot be checked
    did = keys.load_key_dir(kdir).did
    proc = _issuer_cli(hub, "add", did, "--org", "acme", token=hub.admin_token)
    assert proc.returncode == 0, proc.stderr
    out = _verify(hub, cred).json()
    assert out["status"] == "revocation_not_checked"
    assert out["status_label"] == "Signature valid, revocation not checked"
    proc = _issuer_cli(hub, "status-list", str(kdir), "--json")  # anyone may send it
    assert proc.returncode == 0, proc.stderr
    assert _verify(hub, cred).json()["status"] == "valid"
    before = json.loads((kdir / keys.STATUS_LIST).read_text())
    time.sleep(1.1)  # validFrom has whole seconds
    credential.revoke(cred, kdir, reason="withdrawn")
    proc = _issuer_cli(hub, "status-list", str(kdir / keys.STATUS_LIST), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["changed"] is True
    out = _verify(hub, cred).json()
    assert out["status"] == "revoked" and out["status_label"] == "Revoked", out
    path = tmp_path / "revoked.json"
    path.write_text(json.dumps(cred))
    item = hub.publish(path, "--name", "revoked-cert")
    assert 'class="bad">Revoked' in hub.get(f"/items/{item['id']}/").text
    # the older list (before the revocation) cannot be sent again to undo it
    resp = httpx.post(hub.url + "/api/v1/status-lists", json=before)
    assert resp.status_code == 409 and "newer list" in resp.json()["detail"]
    assert _verify(hub, cred).json()["status"] == "revoked"


def test_status_lists_from_untrusted_or_wrong_keys_are_refused(hub: Hub, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    pair = keys.create_key_dir(stranger, "Stranger")
    own = credential.ensure_status_list(stranger, pair)
    resp = httpx.post(hub.url + "/api/v1/status-lists", json=own)
    assert resp.status_code == 403 and "not a trusted issuer" in resp.json()["detail"]
    # a list naming acme's trusted key as issuer, signed by the stranger's key
    assert hub.key_dir is not None
    acme = keys.load_key_dir(hub.key_dir)
    held = json.loads((hub.key_dir / keys.STATUS_LIST).read_text())
    unsigned = statuslist.with_bit(held, 5, valid_from=di.format_datetime(datetime.now(UTC)))
    unsigned["issuer"] = acme.did
    forged = di.sign(unsigned, pair.private_key, pair.verification_method)
    resp = httpx.post(hub.url + "/api/v1/status-lists", json=forged)
    assert resp.status_code == 400 and "not signed by its issuer" in resp.json()["detail"]
    # acme's own list with a bit flipped after signing
    tampered = copy.deepcopy(held)
    tampered["credentialSubject"]["encodedList"] = unsigned["credentialSubject"]["encodedList"]
    tampered["validFrom"] = unsigned["validFrom"]
    resp = httpx.post(hub.url + "/api/v1/status-lists", json=tampered)
    assert resp.status_code == 400 and "proof failed" in resp.json()["detail"]
    assert _verify(hub, _cert(hub)).json()["status"] == "valid"  # nothing changed


def test_only_an_organizations_admins_manage_its_issuers(hub: Hub, tmp_path: Path) -> None:
    kdir = tmp_path / "k"
    keys.create_key_dir(kdir, "K")
    member = _token(hub, "bob", "--org", "acme")
    proc = _issuer_cli(hub, "add", str(kdir), "--org", "acme", token=member)
    assert_one_line_error(proc, "403", "only an admin of acme")
    proc = _issuer_cli(hub, "add", str(kdir), "--org", "globex", token=hub.admin_token)
    assert_one_line_error(proc, "403")
    proc = _issuer_cli(hub, "add", str(kdir), "--org", "acme")
    assert_one_line_error(proc, "no token")
    resp = httpx.post(hub.url + "/api/v1/issuers", json={"did": keys.load_key_dir(kdir).did})
    assert resp.status_code == 401
    assert hub.key_dir is not None
    # acme's key cannot be claimed by another organization
    proc = _issuer_cli(
        hub, "add", str(hub.key_dir), "--org", "globex", token=_admin(hub, "gil", "globex")
    )
    assert_one_line_error(proc, "409", "another organization")
    # nor removed by anyone but acme's admins
    outsider = _token(hub, "olu")
    proc = _issuer_cli(hub, "remove", str(hub.key_dir), token=outsider)
    assert_one_line_error(proc, "404")
    proc = _issuer_cli(
        hub, "add", "did:key:z6Mk" + "2" * 5000, "--org", "acme", token=hub.admin_token
    )
    assert_one_line_error(proc)
    # an admin adds and removes a key of their own organization
    proc = _issuer_cli(hub, "add", str(kdir), "--org", "acme", "--json", token=hub.admin_token)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["created"] is True
    proc = _issuer_cli(hub, "remove", str(kdir), "--json", token=hub.admin_token)
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(_issuer_cli(hub, "list", "--json").stdout)
    assert keys.load_key_dir(kdir).did not in {i["did"] for i in listed}
    helped = hub.cli("hub", "issuer", "add", "--help")
    assert helped.returncode == 0 and "Example: puhui hub issuer add" in helped.stdout
