"""Completion badges (Open Badges 3.0): issued, verified offline, tampered, revoked, untrusted.

The end-to-end tests run the real ``puhui cert verify`` / ``revoke`` on badges written to disk.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import socket
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from puhui.certify import badges, credential, keys, qr
from puhui.certify.credential import CertError
from puhui.programmes.types import contact_key, identity_hash

from conftest import Run

EMAIL = "amina.example@example.org"  # a fake address; it must appear nowhere in a badge
PHONE = "+255 700 000 111"
ACHIEVEMENT = {
    "id": "urn:puhui:programme:ai-officials:workshop-3",
    "name": "AI for public officials — workshop 3",
    "description": "Three days on evaluating language models for public services.",
    "criteria": {"narrative": "Attended at least 2 of 3 sessions."},
}


def _recipient(key: str, salt: str = "s4lt-0001") -> badges.Recipient:
    kind = badges.EMAIL if key.startswith("mailto:") else badges.PHONE
    return badges.Recipient(identity_hash(key, salt), salt, kind)


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    kdir = tmp_path / "org-key"
    keys.create_key_dir(kdir, "Ministry of ICT")
    return kdir


@pytest.fixture
def badge(key_dir: Path, tmp_path: Path) -> dict[str, Any]:
    salt = "s4lt-0001"
    cred = badges.issue_badge(
        achievement=ACHIEVEMENT,
        recipient_hash=identity_hash(contact_key(email=EMAIL), salt),
        salt=salt,
        key_dir=key_dir,
        issuer_name="Ministry of ICT",
    )
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(cred, ensure_ascii=False, indent=2), encoding="utf-8")
    return {"cred": cred, "path": path, "key": key_dir, "salt": salt}


def _verify(puhui: Run, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = puhui("cert", "verify", str(path), "--json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _failed(result: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["reason"] for c in result["checks"] if c["ok"] is False}


def test_badge_is_an_open_badge_credential(badge: dict[str, Any], key_dir: Path) -> None:
    cred = badge["cred"]
    assert cred["@context"] == [credential.VC_V2, credential.OB_V3]
    assert cred["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", cred["id"])
    did = keys.load_key_dir(key_dir).did
    assert cred["issuer"] == {"id": did, "type": ["Profile"], "name": "Ministry of ICT"}
    assert "validUntil" not in cred and cred["validFrom"].endswith("Z")
    assert cred["name"] == ACHIEVEMENT["name"]
    subject = cred["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and "id" not in subject
    (ident,) = subject["identifier"]
    assert ident["type"] == "IdentityObject" and ident["identityType"] == "emailAddress"
    assert ident["hashed"] is True and ident["salt"] == badge["salt"]
    assert subject["achievement"] == {
        "id": ACHIEVEMENT["id"],
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": ACHIEVEMENT["name"],
        "description": ACHIEVEMENT["description"],
        "criteria": {"narrative": "Attended at least 2 of 3 sessions."},
    }
    assert cred["credentialStatus"]["statusPurpose"] == "revocation"
    assert cred["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_identity_hash_is_the_open_badges_recipe(badge: dict[str, Any]) -> None:
    # OB 3.0's own example: sha256 of 'a@example.com' salted with 'Kosher'
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )
    (ident,) = badge["cred"]["credentialSubject"]["identifier"]
    # the bare address (no mailto:), as a verifier who knows it would hash it
    recomputed = hashlib.sha256((EMAIL.lower() + ident["salt"]).encode("utf-8")).hexdigest()
    assert ident["identityHash"] == "sha256$" + recomputed
    assert ident["identityHash"] != identity_hash(contact_key(email="other@example.org"), "s")


def test_no_contact_details_inside(key_dir: Path) -> None:
    creds = badges.issue_badges(
        achievement=ACHIEVEMENT,
        recipients=[_recipient(contact_key(email=EMAIL)), _recipient(contact_key(phone=PHONE))],
        key_dir=key_dir,
    )
    text = json.dumps(creds, ensure_ascii=False).casefold()
    digits = "".join(c for c in PHONE if c.isdigit())
    assert EMAIL.casefold() not in text and "amina" not in text
    assert digits not in text and digits[-7:] not in text
    assert "mailto:" not in text and "tel:" not in text
    phone_id = creds[1]["credentialSubject"]["identifier"][0]
    assert phone_id["identityType"] == "ext:phone"


def test_issue_many_at_once_shares_one_list_with_distinct_indices(
    key_dir: Path, tmp_path: Path
) -> None:
    people = [_recipient(contact_key(email=f"p{i}@example.org"), f"salt{i}") for i in range(40)]
    as_dicts = [
        {"identity_hash": r.identity_hash, "salt": r.salt, "identity_type": r.identity_type}
        for r in people[:2]
    ]
    creds = badges.issue_badges(
        achievement=ACHIEVEMENT, recipients=people + as_dicts, key_dir=key_dir, valid_days=30
    )
    assert len(creds) == 42 and len({c["id"] for c in creds}) == 42
    lists = {c["credentialStatus"]["statusListCredential"] for c in creds}
    indices = {c["credentialStatus"]["statusListIndex"] for c in creds}
    assert len(lists) == 1 and len(indices) == 42
    recorded = json.loads((key_dir / keys.STATUS_INDEX).read_text())["lists"][lists.pop()]
    assert sorted(recorded.values()) == sorted(c["id"] for c in creds)
    status = json.loads((key_dir / keys.STATUS_LIST).read_text())
    at = datetime.now(UTC) + timedelta(days=1)
    for c in creds[::7]:
        res = credential.verify(c, status_list=status, trusted=[c["issuer"]["id"]], at=at)
        assert credential.status_of(res) == "valid", res.to_dict()
    start = datetime.fromisoformat(creds[0]["validFrom"].replace("Z", "+00:00"))
    expired = credential.verify(creds[0], at=start + timedelta(days=31))
    assert "expired" in {c.name: c.reason for c in expired.failed()}["validity"]


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda a: a.pop("name"), "field name is missing"),
        (lambda a: a.__setitem__("id", "workshop 3"), "is not a URI"),
        (lambda a: a.__setitem__("criteria", {}), "criteria.narrative"),
        (lambda a: a.__setitem__("description", "x" * 5000), "at most 4000"),
    ],
)
def test_bad_achievement_is_refused_before_anything_is_allocated(
    key_dir: Path, change: Any, needle: str
) -> None:
    ach = copy.deepcopy(ACHIEVEMENT)
    change(ach)
    with pytest.raises(CertError, match=needle):
        badges.issue_badges(
            achievement=ach, recipients=[_recipient("mailto:x@example.org")], key_dir=key_dir
        )
    assert not (key_dir / keys.STATUS_INDEX).exists()


def test_bad_recipient_is_refused(key_dir: Path) -> None:
    good = _recipient("mailto:x@example.org")
    for bad, needle in [
        (badges.Recipient("x@example.org", "s"), "sha256"),
        (badges.Recipient(good.identity_hash, ""), "salt"),
        (badges.Recipient(good.identity_hash, "s", "email"), "identity type"),
    ]:
        with pytest.raises(CertError, match=needle) as info:
            badges.issue_badges(achievement=ACHIEVEMENT, recipients=[good, bad], key_dir=key_dir)
        assert "`recipients` item 2" in info.value.message
    assert not (key_dir / keys.STATUS_INDEX).exists()


def test_cli_verifies_a_badge_offline(puhui: Run, badge: dict[str, Any]) -> None:
    sl = badge["key"] / keys.STATUS_LIST
    rc, result = _verify(
        puhui, badge["path"], "--status-list", str(sl), "--trust", str(badge["key"])
    )
    assert rc == 0 and result["valid"] is True, result
    assert result["kind"] == "badge" and result["achievement"] == ACHIEVEMENT["name"]
    checks = {c["name"]: c for c in result["checks"]}
    assert checks["format"]["ok"] is True and "Open Badges 3.0" in checks["format"]["reason"]
    for name in ("context", "proof", "issuer", "trust", "validity", "revocation"):
        assert checks[name]["ok"] is True, checks[name]
    for name in ("report", "assessment"):  # not applicable: never failing, never passing
        assert checks[name]["ok"] is None and "not applicable" in checks[name]["reason"]
    human = puhui("cert", "verify", str(badge["path"]))
    assert human.returncode == 0 and "VALID" in human.stdout
    assert ACHIEVEMENT["name"] in human.stdout and "Badge urn:uuid:" in human.stdout


def test_cli_tampered_badge_fails_the_proof(puhui: Run, badge: dict[str, Any]) -> None:
    cred = copy.deepcopy(badge["cred"])
    cred["credentialSubject"]["achievement"]["name"] = "AI for public officials — master class"
    badge["path"].write_text(json.dumps(cred), encoding="utf-8")
    rc, result = _verify(puhui, badge["path"])
    assert rc == 1 and result["valid"] is False and "proof" in _failed(result)
    assert credential.status_of(credential.verify(cred)) == "invalid"


def test_cli_revoked_badge(puhui: Run, badge: dict[str, Any]) -> None:
    sl = badge["key"] / keys.STATUS_LIST
    proc = puhui("cert", "revoke", str(badge["path"]), "--key", str(badge["key"]))
    assert proc.returncode == 0, proc.stderr
    rc, result = _verify(puhui, badge["path"], "--status-list", str(sl))
    assert rc == 1 and "REVOKED" in _failed(result)["revocation"] and result["revoked"] is True
    status = json.loads(sl.read_text())
    res = credential.verify(badge["cred"], status_list=status, trusted=[result["issuer"]])
    assert credential.status_of(res) == "revoked"


def test_cli_untrusted_issuer(puhui: Run, badge: dict[str, Any], tmp_path: Path) -> None:
    other = tmp_path / "other-key"
    keys.create_key_dir(other, "Someone else")
    did = keys.load_key_dir(other).did
    rc, result = _verify(puhui, badge["path"], "--trust", did)
    assert rc == 1 and list(_failed(result)) == ["trust"]
    res = credential.verify(badge["cred"], trusted=[did])
    assert credential.status_of(res) == "issuer_not_trusted"
    # signed by another key than the issuer it names: the proof fails
    forged = badges.issue_badge(
        achievement=ACHIEVEMENT,
        recipient_hash=identity_hash("mailto:x@example.org", "s"),
        salt="s",
        key_dir=other,
    )
    forged["issuer"] = badge["cred"]["issuer"]
    assert credential.status_of(credential.verify(forged)) == "invalid"


def test_badge_shape_is_checked(badge: dict[str, Any]) -> None:
    cred = copy.deepcopy(badge["cred"])
    cred["credentialSubject"]["identifier"][0]["hashed"] = False
    cred["credentialSubject"]["identifier"][0]["identityHash"] = EMAIL
    cred["credentialSubject"]["type"] = ["Person"]
    cred["@context"] = [credential.VC_V2]
    reason = {c.name: c.reason for c in credential.verify(cred).failed()}["format"]
    assert "identifier: every identity must be hashed" in reason
    assert "AchievementSubject" in reason and credential.OB_V3 in reason


def test_ob_context_is_vendored_and_used_without_network(
    badge: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = resources.files("puhui.certify").joinpath("contexts")
    data = root.joinpath("ob-v3p0-context-3.0.3.jsonld").read_bytes()
    # 1EdTech's ob_v3p0/context-3.0.3.json, byte for byte (see contexts/SOURCE.md)
    assert hashlib.sha256(data).hexdigest() == (
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    )
    assert root.joinpath("LICENSE-open-badges-context.txt").is_file()
    terms = credential.context_document(credential.OB_V3)["@context"]
    for term in ("OpenBadgeCredential", "AchievementSubject", "Achievement", "IdentityObject"):
        assert term in terms

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("verification tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    result = credential.verify(badge["cred"])
    checks = {c.name: c for c in result.checks}
    assert result.valid and checks["context"].ok is True, result.to_dict()


def test_badge_page(badge: dict[str, Any], tmp_path: Path) -> None:
    cred = badge["cred"]
    page = badges.badge_page(cred, recipient_name="Amina <Example>")
    assert len(page.encode("utf-8")) < 100_000
    assert qr.svg(qr.encode(cred), scale=2, title=cred["id"]) in page
    assert qr.decode(qr.encode(cred)) == cred
    assert "AI for public officials — workshop 3" in page and "Ministry of ICT" in page
    assert cred["validFrom"] in page and cred["issuer"]["id"] in page
    assert "Amina &lt;Example&gt;" in page and "<Example>" not in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # no outside assets
    assert "Amina" not in badges.badge_page(cred)  # the badge itself holds no name
    html_path, pdf_path = tmp_path / "badge.html", tmp_path / "badge.pdf"
    badges.write_badge_page(cred, html_path, pdf_path, recipient_name="Amina Example")
    assert "Amina Example" in html_path.read_text(encoding="utf-8")
    assert pdf_path.read_bytes().startswith(b"%PDF") and pdf_path.stat().st_size < 100_000
