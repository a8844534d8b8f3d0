"""Usage policies and access requests on the hub (puhui.hub.sharing).

- The state machine as a matrix: every role × state × action, allowed (to which state) or
  refused, asserted from the table written out below; once on the pure transition table and
  once through the service on a real database (roles worked out from memberships).
- On a real `puhui hub serve`: an item set "on request" (PUT /api/v1/items/{id}/policy) gives
  its files to its own organization, refuses others with a 403 naming where to ask, gives them to
  a requester while the grant holds, and refuses again after expiry and after revocation; the
  audit log shows each step in order; the policy appears on the item page and in DCAT.
- The audit log cannot be edited: saving, updating or deleting an event raises.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_hub_e2e import PASSWORD, _sign_in, _wait, make_artifact

from puhui.hub.sharing import machine

from conftest import free_port

PAGE_LIMIT = 100_000

# The rules, written out: (state, role, action) -> next state. Everything else is refused.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("none", "requester", "request"): "pending",
    ("pending", "requester", "withdraw"): "withdrawn",
    ("pending", "admin", "grant"): "granted",
    ("pending", "admin", "deny"): "denied",
    ("granted", "admin", "revoke"): "revoked",
}
STATES = ("none", "pending", "granted", "denied", "withdrawn", "revoked", "expired")
ROLES = ("admin", "member", "requester", "other")
ACTIONS = ("request", "withdraw", "grant", "deny", "revoke")
MATRIX = list(itertools.product(STATES, ROLES, ACTIONS))


def _expected(state: str, role: str, action: str) -> str:
    return ALLOWED.get((state, role, action), "refused")


def test_the_machine_knows_exactly_these_states_roles_and_actions() -> None:
    assert (machine.STATES, machine.ROLES, machine.ACTIONS) == (STATES, ROLES, ACTIONS)


@pytest.mark.parametrize(("state", "role", "action"), MATRIX)
def test_transition_matrix(state: str, role: str, action: str) -> None:
    want = _expected(state, role, action)
    if want == "refused":
        with pytest.raises(machine.Refused, match=f"{role} may not {action}"):
            machine.transition(state, role, action)
    else:
        assert machine.transition(state, role, action) == want
    assert (action in machine.allowed(state, role)) == (want != "refused")


def test_a_grant_past_its_expiry_counts_as_expired_at_once() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert machine.effective_state("granted", now + timedelta(seconds=1), now) == "granted"
    assert machine.effective_state("granted", now, now) == "expired"
    assert machine.effective_state("granted", now - timedelta(days=1), now) == "expired"
    assert machine.effective_state("revoked", now - timedelta(days=1), now) == "revoked"
    assert machine.effective_state("granted", None, now) == "granted"


def _script(code: str, env: dict[str, str] | None = None) -> Any:
    """Run ``code`` against the hub's database in a process of its own (Django stays out of the
    test process); its last stdout line is JSON."""
    prelude = "import json\nfrom puhui import hub\nhub.migrate()\n"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


MATRIX_SCRIPT = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from puhui.hub.catalog.access import Caller
from puhui.hub.catalog.models import Item, Membership, Organization
from puhui.hub.sharing import machine, service
from puhui.hub.sharing.models import AccessRequest

U = get_user_model()
owner = Organization.objects.create(slug="mx-owner", name="Owner")
away = Organization.objects.create(slug="mx-away", name="Elsewhere")
callers = {}
for role, org, org_role in [("admin", owner, "admin"), ("member", owner, "member"),
                            ("requester", away, "member"), ("other", away, "admin")]:
    u = U.objects.create_user("mx-" + role)
    Membership.objects.create(user=u, org=org, role=org_role)
    callers[role] = Caller(user=u, can_publish_scope=True)
item = Item.objects.create(kind="corpus", name="mx", version="1", urn="urn:puhui:corpus:mx@1",
                           org=owner, title="mx", content_sha256="0" * 64)
out = {}
for state in machine.STATES:
    for role in machine.ROLES:
        for action in machine.ACTIONS:
            key = f"{state}|{role}|{action}"
            if state == "none" or action == "request":
                if action != "request":
                    continue  # no request to act on: only the pure table speaks of these
                if state != "none":
                    continue  # "request" always makes a new request (state none)
                # before a request exists, "other" is whoever cannot act: anonymous here
                who = Caller() if role == "other" else callers[role]
                try:
                    req = service.request_access(who, item, purpose="research",
                                                 country="ke", statement="a study")
                except service.SharingError as e:
                    out[key] = "refused" if e.status == 403 else f"error {e.status}"
                else:
                    out[key] = req.effective_state()
                    AccessRequest.objects.filter(pk=req.pk).update(state="withdrawn")
                continue
            expired = state == "expired"
            req = AccessRequest.objects.create(
                item=item, requester=callers["requester"].user, purpose="research",
                country="KE", statement="a study", state="granted" if expired else state,
                expires=timezone.now() + timedelta(days=-1 if expired else 30),
            )
            try:
                req = service.decide(callers[role], req, action, reason="because")
            except service.SharingError as e:
                out[key] = "refused" if e.status == 403 else f"error {e.status}"
            else:
                out[key] = req.effective_state()
print(json.dumps(out))
"""


def test_transition_matrix_through_the_service_on_a_real_database() -> None:
    got: dict[str, str] = _script(MATRIX_SCRIPT, env=dict(os.environ))
    want = {
        f"{s}|{r}|{a}": _expected(s, r, a)
        for s, r, a in MATRIX
        if (s == "none") == (a == "request")
    }
    assert got == want


AUDIT_SCRIPT = """
from django.contrib.auth import get_user_model
from puhui.hub.catalog.access import Caller
from puhui.hub.catalog.models import Item, Membership, Organization
from puhui.hub.sharing import service
from puhui.hub.sharing.models import AuditEvent, AuditIsAppendOnly

U = get_user_model()
org = Organization.objects.create(slug="au-owner", name="Owner")
away = Organization.objects.create(slug="au-away", name="Elsewhere")
admin, rita = U.objects.create_user("au-admin"), U.objects.create_user("au-rita")
Membership.objects.create(user=admin, org=org, role="admin")
Membership.objects.create(user=rita, org=away, role="member")
item = Item.objects.create(kind="corpus", name="au", version="1", urn="urn:puhui:corpus:au@1",
                           org=org, title="au", content_sha256="0" * 64)
boss, asker = Caller(admin, True), Caller(rita, True)
req = service.request_access(asker, item, purpose="research", country="GH",
                             statement="a study", org=away)
service.decide(boss, req, "grant", conditions=["cite us", ""], days=30)
service.record_download(asker, req, "data.txt")
service.decide(boss, req, "revoke", reason="misuse")
ev = AuditEvent.objects.filter(item=item).first()
refusals = []
def attempt(name, fn):
    try:
        fn()
    except AuditIsAppendOnly:
        refusals.append(name)
def resave():
    ev.action = "granted"
    ev.save()
attempt("save", resave)
attempt("delete", ev.delete)
attempt("queryset update", lambda: AuditEvent.objects.filter(item=item).update(action="denied"))
attempt("queryset delete", lambda: AuditEvent.objects.filter(item=item).delete())
log = [(e.action, e.actor_name, e.detail) for e in service.events(item)]
print(json.dumps({"refusals": refusals, "log": log, "count": AuditEvent.objects.count()}))
"""


def test_the_audit_log_records_each_step_in_order_and_cannot_be_edited() -> None:
    got = _script(AUDIT_SCRIPT, env=dict(os.environ))
    assert got["refusals"] == ["save", "delete", "queryset update", "queryset delete"]
    assert [(a, who) for a, who, _d in got["log"]] == [
        ("requested", "au-rita"),
        ("granted", "au-admin"),
        ("downloaded", "au-rita"),
        ("revoked", "au-admin"),
    ]
    granted = got["log"][1][2]
    assert granted["conditions"] == ["cite us"]
    assert got["log"][3][2] == {"reason": "misuse"}
    assert got["count"] == 4


# ------------------------------------------------------------------------------ a real hub

# user → (organization, role)
PEOPLE = {
    "amina": ("gh-uni", "admin"),  # admin of the owning organization
    "kofi": ("gh-uni", "member"),  # member of the owning organization
    "wanjiru": ("ke-lab", "member"),  # the requester, from another organization
    "olu": ("ng-co", "admin"),  # someone else entirely
}


@dataclass
class ShareHub:
    url: str
    env: dict[str, str]
    tmp: Path
    tokens: dict[str, str] = field(default_factory=dict)  # publish-scope tokens
    read_tokens: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

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

    def call(self, method: str, path: str, who: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kw)

    def file_url(self, item: str) -> str:
        detail = self.call("GET", f"/api/v1/items/{self.items[item]['id']}", "amina").json()
        return str(detail["files"][0]["url"]).removeprefix(self.url)

    def db(self, code: str) -> Any:
        return _script(code, env=self.env)


def start_hub(tmp: Path) -> tuple[ShareHub, subprocess.Popen[str]]:
    """A real hub with the people above, publish tokens, and two public corpora published by
    amina: ``twi`` (to be shared on request) and ``plain`` (no policy)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / "home"), COLUMNS="200")
    port = free_port()
    h = ShareHub(url=f"http://127.0.0.1:{port}", env=env, tmp=tmp)
    assert h.cli("hub", "init").returncode == 0
    for user, (org, role) in PEOPLE.items():
        proc = h.cli(
            "hub", "createuser", user, "--org", org, "--role", role, "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        proc = h.cli("hub", "token", "new", user, "--scope", "publish")
        assert proc.returncode == 0, proc.stderr
        h.tokens[user] = proc.stdout.strip().splitlines()[-1]
        proc = h.cli("hub", "token", "new", user, "--scope", "read")
        h.read_tokens[user] = proc.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait(h.url, server)
        for name, text in (("twi", "Akwaaba, yɛfrɛ me Ama.\n"), ("plain", "Open words.\n")):
            art = make_artifact(tmp / name, "corpus", {"data.txt": text * 40})
            proc = h.cli(
                "hub", "publish", str(art), "--url", h.url, "--token", h.tokens["amina"],
                "--org", "gh-uni", "--name", f"{name}-corpus", "--json",
            )  # fmt: skip
            assert proc.returncode == 0, proc.stderr
            h.items[name] = json.loads(proc.stdout)
    except BaseException:
        server.terminate()
        server.wait(timeout=30)
        raise
    return h, server


@pytest.fixture(scope="module")
def share_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShareHub]:
    h, server = start_hub(tmp_path_factory.mktemp("sharehub"))
    try:
        yield h
    finally:
        server.terminate()
        server.wait(timeout=30)


ON_REQUEST = {
    "@context": ["http://www.w3.org/ns/odrl.jsonld"],
    "@type": "Set",
    "uid": "urn:uuid:5d1c7a52-0000-4000-8000-000000000015",
    "puhui:preset": "on-request",
    "permission": [
        {
            "action": "use",
            "constraint": [
                {"leftOperand": "purpose", "operator": "isAnyOf",
                 "rightOperand": ["research", "education"]}
            ],
            "duty": [{"action": "attribute"}, {"action": "obtainConsent"}],
        }
    ],
    "prohibition": [{"action": "commercialize"}, {"action": "puhui:reidentify"}],
}  # fmt: skip


def _set_expiry_past(h: ShareHub, request_id: int) -> None:
    h.db(f"""
    from datetime import timedelta
    from django.utils import timezone
    from puhui.hub.sharing.models import AccessRequest
    n = AccessRequest.objects.filter(pk={request_id}).update(
        expires=timezone.now() - timedelta(minutes=1))
    print(json.dumps(n))
    """)


@pytest.mark.slow
def test_policy_api_who_may_set_it_and_what_is_refused(share_hub: ShareHub) -> None:
    h = share_hub
    pid = h.items["twi"]["id"]
    path = f"/api/v1/items/{pid}/policy"
    assert h.call("GET", path).status_code == 404  # no policy yet
    assert h.call("PUT", path, json=ON_REQUEST).status_code == 401  # no token
    for outsider in ("wanjiru", "olu"):
        assert h.call("PUT", path, outsider, json=ON_REQUEST).status_code == 403
    read = httpx.put(h.url + path, json=ON_REQUEST,
                     headers={"Authorization": f"Bearer {h.read_tokens['kofi']}"})  # fmt: skip
    assert read.status_code == 403
    bad = h.call("PUT", path, "kofi", json={**ON_REQUEST, "prohibition": [{"action": "dance"}]})
    assert bad.status_code == 400
    assert "prohibition[0].action" in bad.json()["detail"]
    assert "\n" not in bad.json()["detail"]
    ok = h.call("PUT", path, "kofi", json=ON_REQUEST)
    assert ok.status_code == 200, ok.text
    stored = ok.json()
    assert stored["target"] == h.items["twi"]["urn"]
    assert stored["assigner"] == "gh-uni"
    assert {"action": "obtainConsent"} in stored["permission"][0]["duty"]
    assert h.call("GET", path).json() == stored  # public item: anyone reads its policy
    # the policy travels in the item's DCAT entry
    cat = httpx.get(h.url + "/api/v1/catalog.jsonld").json()
    entries = {d["dct:identifier"]: d for d in cat["dcat:dataset"]}
    assert entries[h.items["twi"]["urn"]]["odrl:hasPolicy"] == stored
    assert "odrl:hasPolicy" not in entries[h.items["plain"]["urn"]]


@pytest.mark.slow
def test_downloads_follow_the_grant(share_hub: ShareHub) -> None:
    h = share_hub
    pid = h.items["twi"]["id"]
    assert h.call("PUT", f"/api/v1/items/{pid}/policy", "amina", json=ON_REQUEST).status_code == 200
    url = h.file_url("twi")
    plain = h.file_url("plain")

    def status(who: str | None) -> int:
        return h.call("GET", url, who).status_code

    # before any request: the owner's people download, nobody else does
    assert status("amina") == 200 and status("kofi") == 200
    refused = h.call("GET", url, "wanjiru")
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert f"/sharing/items/{pid}/request/" in detail and "\n" not in detail
    assert status(None) == 403 and status("olu") == 403
    assert h.call("GET", plain, "wanjiru").status_code == 200  # no policy: visibility decides

    # requested, still refused
    made = h.call("POST", f"/api/v1/items/{pid}/requests", "wanjiru",
                  json={"purpose": "research", "country": "KE", "statement": "Twi ASR study",
                        "org": "ke-lab"})  # fmt: skip
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    assert made.json()["state"] == "pending"
    assert status("wanjiru") == 403
    again = h.call("POST", f"/api/v1/items/{pid}/requests", "wanjiru",
                   json={"purpose": "research", "country": "KE", "statement": "again"})  # fmt: skip
    assert again.status_code == 409
    # only the owner's admin decides
    for who in ("wanjiru", "kofi"):
        assert h.call("POST", f"/api/v1/requests/{rid}/grant", who, json={}).status_code == 403
    assert h.call("POST", f"/api/v1/requests/{rid}/grant", "olu", json={}).status_code == 404
    granted = h.call("POST", f"/api/v1/requests/{rid}/grant", "amina",
                     json={"conditions": ["cite the university"], "days": 30})  # fmt: skip
    assert granted.status_code == 200, granted.text
    assert granted.json()["state"] == "granted"
    assert granted.json()["conditions"] == ["cite the university"]

    # while granted: downloads, each audited; others still refused
    assert status("wanjiru") == 200
    assert status("olu") == 403

    # expired: refused at once
    _set_expiry_past(h, rid)
    assert status("wanjiru") == 403
    expired = h.call("POST", f"/api/v1/requests/{rid}/revoke", "amina", json={})
    assert expired.status_code == 403  # nothing left to revoke

    # a new request, granted, then revoked: refused again
    body = {"purpose": "education", "country": "KE", "statement": "a course"}
    made = h.call("POST", f"/api/v1/items/{pid}/requests", "wanjiru", json=body)
    assert made.status_code == 201, made.text
    rid2 = made.json()["id"]
    assert h.call("POST", f"/api/v1/requests/{rid2}/grant", "amina", json={}).status_code == 200
    assert status("wanjiru") == 200
    revoked = h.call("POST", f"/api/v1/requests/{rid2}/revoke", "amina",
                     json={"reason": "shared onwards"})  # fmt: skip
    assert revoked.json()["state"] == "revoked"
    assert status("wanjiru") == 403

    # the audit page: the owner's admin only, every step in order
    admin = _sign_in(h.url, "amina")
    page = admin.get(f"/sharing/items/{pid}/audit/")
    assert page.status_code == 200 and len(page.content) < PAGE_LIMIT
    steps = re.findall(r'<td class="action">([a-z-]+)</td>', page.text)
    assert steps[0] == "policy-set"
    assert [s for s in steps if s != "policy-set"] == [
        "requested", "granted", "downloaded",
        "requested", "granted", "downloaded", "revoked",
    ]  # fmt: skip
    for who in ("kofi", "wanjiru", "olu"):
        assert _sign_in(h.url, who).get(f"/sharing/items/{pid}/audit/").status_code == 404


@pytest.mark.slow
def test_pages_show_the_policy_and_the_request_form(share_hub: ShareHub) -> None:
    h = share_hub
    pid = h.items["twi"]["id"]
    assert h.call("PUT", f"/api/v1/items/{pid}/policy", "amina", json=ON_REQUEST).status_code == 200
    page = httpx.get(f"{h.url}/items/{pid}/")
    assert page.status_code == 200 and len(page.content) < PAGE_LIMIT
    assert "Usage policy" in page.text and "on request" in page.text
    assert f"/sharing/items/{pid}/request/" in page.text
    plain = httpx.get(f"{h.url}/items/{h.items['plain']['id']}/").text
    assert "No usage policy" in plain
    # the editor: for the organization's admins and members only; a preset saved as ODRL
    kofi = _sign_in(h.url, "kofi")
    editor = kofi.get(f"/sharing/items/{h.items['plain']['id']}/policy/")
    assert editor.status_code == 200 and len(editor.content) < PAGE_LIMIT
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', editor.text)
    assert csrf
    saved = kofi.post(f"/sharing/items/{h.items['plain']['id']}/policy/",
                      data={"preset": "regional", "recipients": "ke, AU",
                            "csrfmiddlewaretoken": csrf[1]})  # fmt: skip
    assert saved.status_code == 302
    odrl = h.call("GET", f"/api/v1/items/{h.items['plain']['id']}/policy").json()
    assert odrl["puhui:preset"] == "regional"
    spatial = odrl["permission"][0]["constraint"][0]
    assert spatial["leftOperand"] == "spatial" and spatial["rightOperand"] == ["AU", "KE"]
    assert h.call("GET", h.file_url("plain"), "wanjiru").status_code == 200  # not on request
    wanjiru = _sign_in(h.url, "wanjiru")
    assert wanjiru.get(f"/sharing/items/{h.items['plain']['id']}/policy/").status_code == 404
    form = wanjiru.get(f"/sharing/items/{pid}/request/")
    assert form.status_code == 200 and len(form.content) < PAGE_LIMIT
    assert 'name="statement"' in form.text or "already have a request" in form.text
    mine = wanjiru.get("/sharing/requests/")
    assert mine.status_code == 200 and len(mine.content) < PAGE_LIMIT
