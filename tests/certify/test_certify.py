"""Certificates: eddsa-jcs-2022 against the W3C test vectors, status lists, QR, tamper tests.

The vectors in tests/data/certify come from the W3C specifications; SOURCE.md there says from
exactly where. The end-to-end tests run the real ``puhui`` command.

Over 600 lines: the W3C vectors, the status list and the tamper tests share one set of
keys and certificates built once; the next split is the status-list tests into their own module.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import segno

from puhui.artifacts import write_manifest
from puhui.certify import credential, keys, limits, qr, statuslist
from puhui.certify import dataintegrity as di

from conftest import Run, assert_one_line_error

DATA = Path(__file__).parents[1] / "data" / "certify"
ASSESSMENT = Path(__file__).parents[1] / "data" / "assessment-1.json"


def vec(name: str) -> Any:
    text = (DATA / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


def spec_key() -> keys.KeyPair:
    return keys.from_secret_multibase(vec("key-pair.json")["privateKeyMultibase"])


# ---------------------------------------------------------------- eddsa-jcs-2022 test vectors


def test_spec_key_pair_is_a_multikey_pair() -> None:
    pair = spec_key()
    assert pair.public_multibase == vec("key-pair.json")["publicKeyMultibase"]
    assert di.secret_multikey(pair.seed) == vec("key-pair.json")["privateKeyMultibase"]
    vm = vec("proof-options.json")["verificationMethod"]
    assert pair.verification_method == vm
    assert di.resolve_verification_method(vm) == (pair.did, pair.public_bytes)


def test_canonical_forms_and_hashes_match_the_spec() -> None:
    unsecured = vec("unsecured-credential.json")
    options = vec("proof-options.json")
    hashes = vec("hashes.json")
    canon_doc = di.canonicalize(unsecured)
    assert canon_doc == vec("canonical-document.txt").encode()
    assert hashlib.sha256(canon_doc).hexdigest() == hashes["document_hash_hex"]
    canon_proof = di.proof_config(unsecured, options)
    assert canon_proof == vec("canonical-proof-options.txt").encode()
    assert hashlib.sha256(canon_proof).hexdigest() == hashes["proof_options_hash_hex"]
    assert di.hash_data(unsecured, options).hex() == hashes["combined_hash_hex"]


def test_signing_reproduces_the_spec_proof_byte_for_byte() -> None:
    unsecured = vec("unsecured-credential.json")
    options = vec("proof-options.json")
    hashes = vec("hashes.json")
    pair = spec_key()
    proof = di.create_proof(
        unsecured, pair.private_key, options["verificationMethod"], created=options["created"]
    )
    assert proof["proofValue"] == hashes["proof_value"]
    assert di.multibase_decode(proof["proofValue"]).hex() == hashes["signature_hex"]
    assert (
        pair.private_key.sign(bytes.fromhex(hashes["combined_hash_hex"])).hex()
        == (hashes["signature_hex"])
    )
    signed = di.sign(
        unsecured, pair.private_key, options["verificationMethod"], created=options["created"]
    )
    assert signed == vec("signed-credential.json")


def test_signing_reproduces_the_older_https_vector() -> None:
    signed = vec("signed-credential-2023-https-vm.json")
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    proof = di.create_proof(
        unsecured,
        spec_key().private_key,
        signed["proof"]["verificationMethod"],
        created=signed["proof"]["created"],
    )
    assert proof == signed["proof"]
    # an https verification method cannot be resolved offline: refused, with the reason
    res = di.verify_proof(signed)
    assert not res.ok and "did:key" in res.reason


def test_verifier_accepts_the_spec_document_and_rejects_one_changed_character() -> None:
    signed = vec("signed-credential.json")
    res = di.verify_proof(signed)
    assert res.ok, res.reason
    assert res.controller == spec_key().did

    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["alumniOf"] = "The School of Examplez"
    res = di.verify_proof(changed)
    assert not res.ok and "signature does not match" in res.reason

    pv = signed["proof"]["proofValue"]
    changed = copy.deepcopy(signed)
    changed["proof"]["proofValue"] = pv[:40] + ("A" if pv[40] != "A" else "B") + pv[41:]
    assert not di.verify_proof(changed).ok

    changed = copy.deepcopy(signed)
    changed["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert not di.verify_proof(changed).ok


def test_multibase_and_did_key_refuse_wrong_input() -> None:
    assert di.b58encode(b"\0\0\x01") == "112"
    assert di.b58decode("112") == b"\0\0\x01"
    with pytest.raises(ValueError):
        di.multibase_decode("uABC")
    with pytest.raises(ValueError):
        di.decode_public_multikey(vec("key-pair.json")["privateKeyMultibase"])
    mk = vec("key-pair.json")["publicKeyMultibase"]
    with pytest.raises(di.ResolutionError):
        di.resolve_verification_method(f"did:key:{mk}#key-1")
    with pytest.raises(di.ResolutionError):
        di.resolve_verification_method("did:web:example.org#key-1")


def test_vendored_contexts() -> None:
    root = resources.files("puhui.certify").joinpath("contexts")
    v2 = root.joinpath("credentials-v2.jsonld").read_bytes()
    # the W3C-served https://www.w3.org/ns/credentials/v2, byte for byte (see SOURCE.md)
    assert hashlib.sha256(v2).hexdigest() == (
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    )
    for url in credential.KNOWN_CONTEXTS:
        assert "@context" in credential.context_document(url)
    terms = credential.context_document(credential.CONTEXT_V1)["@context"]
    assert credential.CERT_TYPE in terms and terms["@protected"] is True
    assert root.joinpath("SOURCE.md").is_file()


# ---------------------------------------------------------------- status list, base45, QR


def test_status_list_encoding_matches_the_spec_example() -> None:
    example = vec("status-list-example.json")["credentialSubject"]["encodedList"]
    bits = statuslist.decode_bits(example)
    assert len(bits) * 8 == statuslist.MIN_ENTRIES and not any(bits)
    assert statuslist.encode_bits(bytes(statuslist.MIN_ENTRIES // 8)) == example
    statuslist.set_bit(bits, 0)
    statuslist.set_bit(bits, 9)
    assert bits[0] == 0x80 and bits[1] == 0x40  # index 0 is the left-most bit
    again = statuslist.decode_bits(statuslist.encode_bits(bits))
    assert statuslist.get_bit(again, 9) and not statuslist.get_bit(again, 8)
    for bad in ("zabc", example + "=", "u!!"):
        with pytest.raises(ValueError):
            statuslist.decode_bits(bad)


def test_base45_rfc9285_examples() -> None:
    assert qr.b45encode(b"AB") == "BB8"
    assert qr.b45encode(b"Hello!!") == "%69 VD92EX0"
    assert qr.b45encode(b"base-45") == "UJCLQE7W581"
    assert qr.b45decode("QED8WEX0") == b"ietf!"
    for bad in ("GGW", "ZZZZ", "a"):
        with pytest.raises(ValueError):
            qr.b45decode(bad)


# ---------------------------------------------------------------- fixtures: assessment + key


def make_assessment(root: Path) -> Path:
    folder = root / "assessment"
    folder.mkdir()
    system = {
        "name": "Ministry helpdesk chatbot",
        "version": "2.1",
        "sector": "public administration",
        "languages": ["sw", "yo", "ar", "jv"],
        "intended_use": "Answer citizens' questions about permits",
        "jurisdictions": ["KE", "NG", "ID"],
    }
    doc = json.loads(ASSESSMENT.read_text(encoding="utf-8"))  # as `puhui assess` writes it
    doc["system"].update(system)
    (folder / "assessment.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "report.html").write_text("<html><body>Report</body></html>\n", encoding="utf-8")
    (folder / "oscal.json").write_text('{"assessment-results": {}}\n', encoding="utf-8")
    write_manifest(folder, "assessment")
    return folder


@pytest.fixture
def issued(tmp_path: Path) -> dict[str, Any]:
    """An assessment, a key folder and a certificate written beside the report files."""
    folder = make_assessment(tmp_path)
    kdir = tmp_path / "keyA"
    keys.create_key_dir(kdir, "Lab A")
    cred = credential.issue(folder, kdir, valid_days=30)
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(cred, indent=2), encoding="utf-8")
    return {"dir": folder, "key": kdir, "cred": cred, "path": path, "tmp": tmp_path}


def by_name(v: credential.Verification) -> dict[str, credential.Check]:
    return {c.name: c for c in v.checks}


def test_issue_builds_the_documented_credential(issued: dict[str, Any]) -> None:
    cred = issued["cred"]
    assert cred["@context"] == [credential.VC_V2, credential.CONTEXT_V1]
    assert cred["type"] == ["VerifiableCredential", "PuhuiAssessmentCertificate"]
    assert cred["issuer"]["id"].startswith("did:key:z6Mk") and cred["issuer"]["name"] == "Lab A"
    assert cred["id"].startswith("urn:uuid:")
    subject = cred["credentialSubject"]
    assert subject["languages"] == ["sw", "yo", "ar", "jv"]
    assert subject["intendedUse"].startswith("Answer")
    assert subject["jurisdictions"] == ["KE", "NG", "ID"]
    assert len(subject["assessment"]["contentSha256"]) == 64
    names = [r["name"] for r in cred["relatedResource"]]
    assert names == ["report.html", "oscal.json"]  # report.pdf absent, so not pinned
    assert all(r["digestSRI"].startswith("sha384-") for r in cred["relatedResource"])
    status = cred["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    start = datetime.fromisoformat(cred["validFrom"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(cred["validUntil"].replace("Z", "+00:00")) - start == (
        timedelta(days=30)
    )
    assert cred["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert (
        cred["proof"]["verificationMethod"] == keys.load_key_dir(issued["key"]).verification_method
    )


def test_status_indexes_are_never_shared(issued: dict[str, Any]) -> None:
    more = [credential.issue(issued["dir"], issued["key"]) for _ in range(5)]
    indexes = {c["credentialStatus"]["statusListIndex"] for c in [issued["cred"], *more]}
    assert len(indexes) == 6
    state = json.loads((issued["key"] / keys.STATUS_INDEX).read_text())
    assert len(next(iter(state["lists"].values()))) == 6


def test_api_verify_reports_every_check(issued: dict[str, Any]) -> None:
    sl = json.loads((issued["key"] / keys.STATUS_LIST).read_text())
    did = keys.load_key_dir(issued["key"]).did
    v = credential.verify(issued["cred"], report_dir=issued["dir"], status_list=sl, trusted=[did])
    assert v.valid, v.to_dict()
    assert all(c.ok for c in v.checks), v.to_dict()
    bare = credential.verify(issued["cred"])
    assert bare.valid
    checks = by_name(bare)
    for name in ("trust", "report", "assessment", "revocation"):
        assert checks[name].ok is None and "not checked" in checks[name].reason


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["credentialSubject"].__setitem__("sector", "health"),
        lambda c: c["credentialSubject"]["languages"].append("en"),
        lambda c: c.__setitem__("validUntil", "2099-01-01T00:00:00Z"),
        lambda c: c["relatedResource"][0].__setitem__("digestSRI", "sha384-AAAA"),
        lambda c: c["credentialStatus"].__setitem__("statusListIndex", "7"),
    ],
    ids=["sector", "languages", "validUntil", "pinned-hash", "status-index"],
)
def test_api_any_change_breaks_the_proof(
    issued: dict[str, Any], mutate: Callable[[dict[str, Any]], None]
) -> None:
    cred = copy.deepcopy(issued["cred"])
    mutate(cred)
    v = credential.verify(cred)
    assert not v.valid
    assert not by_name(v)["proof"].ok and "signature does not match" in by_name(v)["proof"].reason


def test_api_report_and_assessment_changes(issued: dict[str, Any]) -> None:
    (issued["dir"] / "oscal.json").write_text('{"assessment-results": {"x": 1}}\n')
    v = credential.verify(issued["cred"], report_dir=issued["dir"])
    assert not v.valid
    assert "oscal.json does not match" in by_name(v)["report"].reason
    assert not by_name(v)["assessment"].ok


def test_api_revocation(issued: dict[str, Any]) -> None:
    path, changed = credential.revoke(issued["cred"], issued["key"], reason="withdrawn")
    assert changed and path == issued["key"] / keys.STATUS_LIST
    assert credential.revoke(issued["cred"], issued["key"])[1] is False
    sl = json.loads(path.read_text())
    v = credential.verify(issued["cred"], status_list=sl)
    assert not v.valid and "REVOKED" in by_name(v)["revocation"].reason
    # a status list whose bits were flipped back without the issuer's key is refused
    forged = copy.deepcopy(sl)
    forged["credentialSubject"]["encodedList"] = statuslist.encode_bits(
        bytes(statuslist.MIN_ENTRIES // 8)
    )
    v = credential.verify(issued["cred"], status_list=forged)
    assert not v.valid and "proof failed" in by_name(v)["revocation"].reason
    log = (issued["key"] / "revocations.jsonl").read_text().splitlines()
    assert json.loads(log[0])["reason"] == "withdrawn"


def test_api_revoke_refuses_another_issuers_certificate(issued: dict[str, Any]) -> None:
    other = issued["tmp"] / "keyB"
    keys.create_key_dir(other)
    with pytest.raises(credential.CertError, match="not by the key"):
        credential.revoke(issued["cred"], other)


def test_assessment_problems_are_one_line_errors(tmp_path: Path) -> None:
    kdir = tmp_path / "k"
    keys.create_key_dir(kdir)
    with pytest.raises(credential.CertError, match="does not exist"):
        credential.issue(tmp_path / "nope", kdir)
    folder = make_assessment(tmp_path)
    data = json.loads((folder / "assessment.json").read_text())
    del data["system"]["sector"]
    (folder / "assessment.json").write_text(json.dumps(data))
    write_manifest(folder, "assessment")
    with pytest.raises(credential.CertError, match="field sector"):
        credential.issue(folder, kdir)
    data["system"]["sector"] = "health"
    (folder / "assessment.json").write_text(json.dumps(data))
    (folder / "manifest.json").unlink()
    with pytest.raises(credential.CertError, match=r"manifest\.json"):
        credential.issue(folder, kdir)


def test_qr_round_trip(issued: dict[str, Any]) -> None:
    text = qr.encode(issued["cred"])
    assert text.startswith("PUHUI1:")
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    back = qr.decode(text)
    assert back == issued["cred"]
    assert credential.verify(back).valid
    code = segno.make_qr(text, error="l")
    assert code.mode == "alphanumeric" and code.version != "M1"
    assert isinstance(code.version, int) and code.version <= 25, code.designator
    svg = qr.svg(text)
    assert svg.lstrip().startswith("<svg") and "</svg>" in svg
    with pytest.raises(ValueError):
        qr.decode("PUHUI1:" + text[8:])  # one character dropped


def test_qr_text_cut_short_or_padded_is_refused(issued: dict[str, Any]) -> None:
    """The zlib checksum must be there and met: a text cut anywhere in its last bytes (even
    only in the checksum, which inflates to the whole credential) or with junk after it fails."""
    raw = zlib.compress(di.canonicalize(dict(issued["cred"])), 9)
    assert qr.decode(qr.PREFIX + qr.b45encode(raw)) == issued["cred"]
    for n in range(1, 12):
        with pytest.raises(ValueError):
            qr.decode(qr.PREFIX + qr.b45encode(raw[:-n]))
    with pytest.raises(ValueError, match="trailing"):
        qr.decode(qr.PREFIX + qr.b45encode(raw + b"\x00junk"))


# ---------------------------------------------------------------- end to end through the CLI


def test_cli_keys_new_and_refuse_overwrite(puhui: Run, tmp_path: Path) -> None:
    kdir = tmp_path / "keys"
    proc = puhui("keys", "new", "--out", str(kdir), "--name", "Ministry Lab", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["did"].startswith("did:key:z6Mk")
    assert stat.S_IMODE(os.stat(kdir / "private.json").st_mode) == 0o600
    private = json.loads((kdir / "private.json").read_text())
    public = json.loads((kdir / "public.json").read_text())
    assert private["secretKeyMultibase"].startswith("z3u2")
    assert "secretKeyMultibase" not in public
    assert public["publicKeyMultibase"].startswith("z6Mk") and public["controller"] == info["did"]
    assert (kdir / "status-list.json").is_file()
    before = (kdir / "private.json").read_bytes()
    again = puhui("keys", "new", "--out", str(kdir))
    assert_one_line_error(again, "already holds a key")
    assert (kdir / "private.json").read_bytes() == before


def _verify(puhui: Run, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = puhui("cert", "verify", str(path), "--json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _failed(result: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["reason"] for c in result["checks"] if c["ok"] is False}


def test_cli_issue_and_verify(puhui: Run, tmp_path: Path) -> None:
    folder = make_assessment(tmp_path)
    kdir = tmp_path / "k"
    assert puhui("keys", "new", "--out", str(kdir)).returncode == 0
    out = tmp_path / "cert.json"
    proc = puhui("cert", "issue", str(folder), "--key", str(kdir), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["qr_version"]
    # the printable page: scope, validity and the QR code of exactly this certificate
    assert info["pages"] == [str(tmp_path / "cert.html"), str(tmp_path / "cert.pdf")]
    from puhui.certify import qr

    cred = json.loads(out.read_text())
    page = (tmp_path / "cert.html").read_text(encoding="utf-8")
    assert qr.svg(qr.encode(cred), scale=2, title=cred["id"]) in page
    assert cred["credentialSubject"]["name"] in page and cred["validUntil"] in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # no outside assets
    assert (tmp_path / "cert.pdf").read_bytes().startswith(b"%PDF")
    args = ("--report-dir", str(folder), "--status-list", str(kdir / "status-list.json"))
    rc, result = _verify(puhui, out, *args, "--trust", str(kdir / "public.json"))
    assert rc == 0 and result["valid"] is True, result
    assert all(c["ok"] for c in result["checks"]), result
    human = puhui("cert", "verify", str(out), *args)
    assert human.returncode == 0 and "VALID" in human.stdout and "did:key:" in human.stdout

    # report files beside the credential are found without --report-dir
    beside = folder / "cert.json"
    beside.write_text(out.read_text())
    rc, result = _verify(puhui, beside)
    checks = {c["name"]: c for c in result["checks"]}
    assert rc == 0 and checks["report"]["ok"] is True and checks["assessment"]["ok"] is True


@pytest.mark.parametrize(
    ("field", "mutate"),
    [
        ("subject", lambda c: c["credentialSubject"].__setitem__("name", "Another system")),
        ("issuer", lambda c: c["issuer"].__setitem__("id", keys.generate().did)),
        ("validUntil", lambda c: c.__setitem__("validUntil", "2099-12-31T00:00:00Z")),
        (
            "proofValue",
            lambda c: c["proof"].__setitem__("proofValue", c["proof"]["proofValue"][:-2] + "11"),
        ),
    ],
)
def test_cli_tampered_credential_fails_naming_the_proof(
    puhui: Run, issued: dict[str, Any], field: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    cred = copy.deepcopy(issued["cred"])
    mutate(cred)
    issued["path"].write_text(json.dumps(cred))
    rc, result = _verify(puhui, issued["path"])
    assert rc == 1 and result["valid"] is False
    assert "proof" in _failed(result), (field, result)
    human = puhui("cert", "verify", str(issued["path"]))
    assert human.returncode == 1 and "INVALID" in human.stdout and "proof" in human.stdout


def test_cli_edited_report_fails_naming_the_report_hash(puhui: Run, issued: dict[str, Any]) -> None:
    (issued["dir"] / "report.html").write_text("<html><body>Better report</body></html>\n")
    rc, result = _verify(puhui, issued["path"], "--report-dir", str(issued["dir"]))
    failed = _failed(result)
    assert rc == 1 and "report.html does not match its pinned sha384 hash" in failed["report"]
    assert "proof" not in failed


def test_cli_wrong_trusted_key_fails(puhui: Run, issued: dict[str, Any]) -> None:
    other = issued["tmp"] / "keyB"
    keys.create_key_dir(other)
    rc, result = _verify(puhui, issued["path"], "--trust", str(other))
    assert rc == 1 and "issuer not trusted" in _failed(result)["trust"]
    did = keys.load_key_dir(issued["key"]).did
    rc, result = _verify(puhui, issued["path"], "--trust", str(other), "--trust", did)
    assert rc == 0, result


def test_cli_expired_and_not_yet_valid(puhui: Run, issued: dict[str, Any]) -> None:
    cred = issued["cred"]
    end = datetime.fromisoformat(cred["validUntil"].replace("Z", "+00:00"))
    start = datetime.fromisoformat(cred["validFrom"].replace("Z", "+00:00"))
    rc, result = _verify(puhui, issued["path"], "--at", (end + timedelta(days=1)).isoformat())
    assert rc == 1 and "expired" in _failed(result)["validity"]
    rc, result = _verify(puhui, issued["path"], "--at", (start - timedelta(days=1)).isoformat())
    assert rc == 1 and "not yet valid" in _failed(result)["validity"]
    rc, _ = _verify(
        puhui, issued["path"], "--at", (start + timedelta(days=1)).date().isoformat() + "T12:00:00Z"
    )
    assert rc == 0


def test_cli_revoked_fails_naming_revocation(puhui: Run, issued: dict[str, Any]) -> None:
    sl = issued["key"] / "status-list.json"
    rc, _ = _verify(puhui, issued["path"], "--status-list", str(sl))
    assert rc == 0
    proc = puhui(
        "cert", "revoke", str(issued["path"]), "--key", str(issued["key"]), "--reason", "test"
    )
    assert proc.returncode == 0, proc.stderr
    assert str(sl) in proc.stdout.replace("\n", "")
    rc, result = _verify(puhui, issued["path"], "--status-list", str(sl))
    assert rc == 1 and "REVOKED" in _failed(result)["revocation"]
    # a status list beside the credential is used without --status-list
    (issued["tmp"] / "status-list.json").write_bytes(sl.read_bytes())
    rc, result = _verify(puhui, issued["path"])
    assert rc == 1 and "revocation" in _failed(result)


def test_cli_unknown_context_fails(puhui: Run, issued: dict[str, Any]) -> None:
    cred = copy.deepcopy(issued["cred"])
    cred["@context"].append("https://example.org/evil/v1")
    issued["path"].write_text(json.dumps(cred))
    rc, result = _verify(puhui, issued["path"])
    failed = _failed(result)
    assert rc == 1 and "unknown @context https://example.org/evil/v1" in failed["context"]


def test_cli_malformed_input_is_a_one_line_error(puhui: Run, tmp_path: Path) -> None:
    bad = tmp_path / "cert.json"
    bad.write_text('{"@context": [')
    proc = puhui("cert", "verify", str(bad))
    assert proc.returncode == 2
    assert_one_line_error(proc, "cert.json", "not valid JSON")
    proc = puhui("cert", "verify", str(tmp_path / "missing.json"))
    assert proc.returncode == 2
    assert_one_line_error(proc, "missing.json")
    bad.write_text("[1, 2]")
    assert_one_line_error(puhui("cert", "verify", str(bad)), "expected a JSON object")
    proc = puhui("cert", "issue", str(tmp_path / "nowhere"), "--key", str(tmp_path), "--out", "x")
    assert_one_line_error(proc, "nowhere")


def test_cli_qr_text_verifies(puhui: Run, issued: dict[str, Any]) -> None:
    txt = issued["tmp"] / "cert.qr.txt"
    svg = issued["tmp"] / "cert.svg"
    proc = puhui("cert", "qr", str(issued["path"]), "--text", str(txt), "--out", str(svg), "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["qr_version"].endswith("-L") or info["qr_version"].endswith("-M")
    assert svg.read_text().lstrip().startswith("<svg")
    rc, result = _verify(puhui, txt, "--report-dir", str(issued["dir"]))
    assert rc == 0 and result["valid"], result
    txt.write_text(txt.read_text()[:-10] + "\n")
    proc = puhui("cert", "verify", str(txt))
    assert proc.returncode == 2
    assert_one_line_error(proc, "PUHUI1")


# ---------------------------------------------------------------- hostile input (issue 11)


def _nested(depth: int) -> Any:
    """A list nested ``depth`` levels deep, built without recursion."""
    obj: Any = []
    for _ in range(depth - 1):
        obj = [obj]
    return obj


def test_base58_length_is_bounded_before_decoding() -> None:
    """Decoding is quadratic, so a length over the caller's bound is refused unread."""
    longest = di.b58encode(b"\xff" * 64)  # the longest text a 64-byte signature can need
    assert len(longest) == di.SIGNATURE_CHARS - 1 == 88
    assert di.multibase_decode("z" + longest, max_chars=di.SIGNATURE_CHARS) == b"\xff" * 64
    assert di.b58decode("1" * 64, max_chars=88) == bytes(64)  # leading zeros
    with pytest.raises(ValueError, match="at most 128"):
        di.b58decode("2" * 129)  # the default bound: room for any key or signature
    with pytest.raises(ValueError, match="150,001 characters; at most 89"):
        di.multibase_decode("z" + "2" * 150_000, max_chars=di.SIGNATURE_CHARS)
    with pytest.raises(ValueError, match="at most 48"):  # a Multikey is z + at most 47
        di.decode_public_multikey("z6Mk" + "2" * 100)
    with pytest.raises(ValueError, match="at most 48"):
        di.decode_secret_multikey("z3u2" + "2" * 100)
    for n in range(1, 100):  # the bound is never too tight
        assert len(di.b58encode(b"\xff" * n)) <= di.b58_max_chars(n)


def test_a_long_did_key_is_refused_with_a_short_reason() -> None:
    did = "did:key:z6Mk" + "2" * 200_000
    with pytest.raises(di.ResolutionError) as err:
        di.resolve_verification_method(f"{did}#{did[8:]}")
    assert "at most 48" in str(err.value) and len(str(err.value)) < 300


def test_a_150000_character_proof_value_fails_the_proof_naming_the_field(
    issued: dict[str, Any],
) -> None:
    cred = copy.deepcopy(issued["cred"])
    cred["proof"]["proofValue"] = "z" + "2" * 150_000
    proof = by_name(credential.verify(cred))["proof"]
    assert proof.ok is False
    assert "proof.proofValue" in proof.reason and "at most 89" in proof.reason


def test_deep_json_never_raises_recursion_error(issued: dict[str, Any]) -> None:
    deep = {**issued["cred"], "evidence": _nested(50_000)}
    v = credential.verify(deep)
    assert not v.valid and "nested deeper than 32 levels" in by_name(v)["format"].reason
    assert credential.status_of(v) == "invalid"
    assert not di.verify_proof(deep).ok
    raw = zlib.compress(("[" * 20_000 + "]" * 20_000).encode())
    with pytest.raises(ValueError, match="deeper than 32 levels"):
        qr.decode(qr.PREFIX + qr.b45encode(raw))
    path = issued["tmp"] / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(credential.CertError, match="nested too deeply"):
        credential.load_json_object(path, "certificate")


def test_bounded_json_reader() -> None:
    assert limits.loads('{"a": "[[[[[[\\"[[["}', "x", max_depth=1) == {"a": '[[[[[["[[['}
    with pytest.raises(limits.LimitError, match=r"the body nests .* deeper than 2 levels"):
        limits.loads('{"a": [{"b": 1}]}', "the body", max_depth=2)
    with pytest.raises(limits.LimitError, match="is 11 bytes; at most 10"):
        limits.loads('"123456789"', "the body", max_bytes=10)
    with pytest.raises(limits.LimitError, match="line 1, column 2"):
        limits.loads("[}", "the body")
    with pytest.raises(limits.LimitError, match="4300 digits"):
        limits.loads("1" * 5000, "the body")


def test_many_related_resources_are_refused_and_one_file_is_hashed_once(
    issued: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 entries naming one file fail with a reason; up to the cap, repeats of one file are
    hashed once (counted by wrapping the real hashing function)."""
    calls: list[str] = []
    real_sri = credential.sri

    def counting_sri(path: Path, algorithm: str = credential.DIGEST) -> str:
        calls.append(path.name)
        return real_sri(path, algorithm)

    monkeypatch.setattr(credential, "sri", counting_sri)
    entry = issued["cred"]["relatedResource"][0]
    many = {**issued["cred"], "relatedResource": [entry] * 200}
    report = by_name(credential.verify(many, report_dir=issued["dir"]))["report"]
    assert report.ok is False and "200 entries" in report.reason and "at most 16" in report.reason
    assert calls == []
    repeated = {**issued["cred"], "relatedResource": [entry] * 16}
    report = by_name(credential.verify(repeated, report_dir=issued["dir"]))["report"]
    assert report.ok is True and calls == [entry["name"]]


def test_status_of_orders_the_outcomes(issued: dict[str, Any]) -> None:
    cred, did = issued["cred"], keys.load_key_dir(issued["key"]).did
    sl = json.loads((issued["key"] / keys.STATUS_LIST).read_text())
    assert credential.status_of(credential.verify(cred)) == "issuer_not_trusted"
    assert credential.status_of(credential.verify(cred, trusted=[did])) == "revocation_not_checked"
    v = credential.verify(cred, trusted=[did], status_list=sl)
    assert credential.status_of(v) == "valid" and v.summary["revoked"] is False
    credential.revoke(cred, issued["key"])
    sl = json.loads((issued["key"] / keys.STATUS_LIST).read_text())
    v = credential.verify(cred, trusted=[did], status_list=sl)
    assert credential.status_of(v) == "revoked" and v.summary["revoked"] is True
    forged = {**cred, "validUntil": "2099-01-01T00:00:00Z"}
    assert credential.status_of(credential.verify(forged, trusted=[did])) == "invalid"


def test_a_huge_status_list_index_is_a_failed_check_not_an_exception(
    issued: dict[str, Any],
) -> None:
    sl = json.loads((issued["key"] / keys.STATUS_LIST).read_text())
    cred = copy.deepcopy(issued["cred"])
    cred["credentialStatus"]["statusListIndex"] = "7" * 5000
    res = statuslist.check(cred, sl)
    assert res.ok is False and "not a decimal string" in res.reason and len(res.reason) < 200
    with pytest.raises(ValueError, match="longer than any list"):
        statuslist.decode_bits("u" + "A" * 30_000_000)
