"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite, and the encodings it needs.

Implements W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation, 15 May 2025),
§3.3 *eddsa-jcs-2022*: the document and the proof options are each canonicalized with the JSON
Canonicalization Scheme (RFC 8785), hashed with SHA-256, and Ed25519 signs
``sha256(canonical proof config) || sha256(canonical document)``. The signature is stored as a
base58btc multibase string (``z…``) in ``proof.proofValue``.

Keys are Multikeys: ``publicKeyMultibase`` is base58btc of ``0xed01 || 32-byte public key``
(``z6Mk…``) and ``secretKeyMultibase`` is base58btc of ``0x8026 || 32-byte seed`` (``z3u2…``).
A ``did:key`` verification method (``did:key:z6Mk…#z6Mk…``) is resolved locally: the key *is*
the identifier, so nothing is ever fetched. Other verification methods are refused.

Known-answer tests against the specification's own test vectors are in
``tests/certify/test_certify.py`` (vectors in ``tests/data/certify/``).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from puhui.certify.limits import MAX_JSON_DEPTH, deeper_than, short
from puhui.i18n import _

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub (varint 0xed)
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv (varint 0x1300)

# ---------------------------------------------------------------- base58btc / multibase

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def b58encode(data: bytes) -> str:
    """Bitcoin base58 (the ``z`` multibase alphabet); leading zero bytes become ``1``."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58_max_chars(n_bytes: int) -> int:
    """The most base58btc characters ``n_bytes`` bytes can need: ceil(n · log 256 / log 58)
    (rounded up a little; leading zero bytes need fewer)."""
    return -(-n_bytes * 1_000_000 // 732_247) if n_bytes else 0  # log(58)/log(256) = 0.732247


#: A 64-byte Ed25519 signature in multibase (``z`` + at most 88 characters).
SIGNATURE_CHARS = 1 + b58_max_chars(64)
#: A 34-byte Multikey (2-byte multicodec + 32-byte key) in multibase (``z`` + at most 47).
MULTIKEY_CHARS = 1 + b58_max_chars(34)
#: Default limit of :func:`b58decode`: room for any key or signature Puhui reads, no more.
B58_MAX_CHARS = 128


def b58decode(text: str, *, max_chars: int = B58_MAX_CHARS) -> bytes:
    """Inverse of :func:`b58encode`; raises ``ValueError`` on a character outside the alphabet
    or on text longer than ``max_chars``.

    Decoding is quadratic in the length (each digit multiplies a growing integer), so the length
    is refused before any work: callers pass the longest text the value they expect can need.
    """
    if len(text) > max_chars:
        raise ValueError(
            f"{len(text):,} characters of base58btc; at most {max_chars} expected here"
        )
    n = 0
    for ch in text:
        try:
            n = n * 58 + _B58_INDEX[ch]
        except KeyError:
            raise ValueError(f"not base58btc: {ch!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` + base58btc."""
    return "z" + b58encode(data)


def multibase_decode(text: str, *, max_chars: int = 1 + B58_MAX_CHARS) -> bytes:
    """Decode a base58btc multibase string (``z…``) of at most ``max_chars`` characters (the
    ``z`` included); any other base, or longer text, is a ``ValueError``."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise ValueError("expected a base58btc multibase string starting with 'z'")
    if len(text) > max_chars:
        raise ValueError(f"{len(text):,} characters; at most {max_chars} expected here")
    return b58decode(text[1:], max_chars=max_chars - 1)


# ---------------------------------------------------------------- multikey / did:key


def public_multikey(public: bytes) -> str:
    """``publicKeyMultibase`` of a 32-byte Ed25519 public key (``z6Mk…``)."""
    if len(public) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return multibase_encode(ED25519_PUB + public)


def secret_multikey(seed: bytes) -> str:
    """``secretKeyMultibase`` of a 32-byte Ed25519 private key seed (``z3u2…``)."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 private key is 32 bytes")
    return multibase_encode(ED25519_PRIV + seed)


def decode_public_multikey(text: str) -> bytes:
    """The 32 raw bytes behind a ``z6Mk…`` public key; ``ValueError`` if it is anything else."""
    raw = multibase_decode(text, max_chars=MULTIKEY_CHARS)
    if raw[:2] != ED25519_PUB or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey public key (multicodec 0xed01, 32 bytes)")
    return raw[2:]


def decode_secret_multikey(text: str) -> bytes:
    """The 32-byte seed behind a ``z3u2…`` secret key; ``ValueError`` if it is anything else."""
    raw = multibase_decode(text, max_chars=MULTIKEY_CHARS)
    if raw[:2] != ED25519_PRIV or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey secret key (multicodec 0x8026, 32 bytes)")
    return raw[2:]


def did_key(public: bytes) -> str:
    """The ``did:key`` identifier of an Ed25519 public key."""
    return "did:key:" + public_multikey(public)


def did_key_verification_method(public: bytes) -> str:
    """``did:key:z6Mk…#z6Mk…``, the one verification method of a did:key document."""
    mk = public_multikey(public)
    return f"did:key:{mk}#{mk}"


_DID_KEY = re.compile(r"^did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]+)$")


class ResolutionError(ValueError):
    """A verification method or DID that cannot be resolved offline."""


def resolve_did_key(did: str) -> bytes:
    """The Ed25519 public key of a ``did:key`` DID (no fragment)."""
    m = _DID_KEY.match(did) if isinstance(did, str) else None
    if not m:
        raise ResolutionError(
            _("{did} is not an Ed25519 did:key (only did:key can be resolved offline)").format(
                did=short(did)
            )
        )
    try:
        return decode_public_multikey(m.group(1))
    except ValueError as e:
        raise ResolutionError(f"{short(did)}: {e}") from None


def resolve_verification_method(vm: str) -> tuple[str, bytes]:
    """Resolve ``did:key:X#X`` locally to ``(controller DID, public key)``.

    The did:key method defines exactly one verification method whose fragment is the key
    itself; any other fragment, DID method or URL is refused (nothing is fetched).
    """
    if not isinstance(vm, str) or "#" not in vm:
        raise ResolutionError(
            _("verificationMethod {vm} is not a did:key URL with a #fragment").format(vm=short(vm))
        )
    did, fragment = vm.split("#", 1)
    public = resolve_did_key(did)
    if fragment != did.removeprefix("did:key:"):
        raise ResolutionError(
            _("verificationMethod {vm}: a did:key's only key is #{key}").format(
                vm=short(vm), key=did.removeprefix("did:key:")
            )
        )
    return did, public


# ---------------------------------------------------------------- the cryptosuite


def canonicalize(obj: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of ``obj``."""
    return bytes(rfc8785.dumps(obj))


def _check_options(options: Mapping[str, Any]) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ValueError(
            _("proof type must be {t} with cryptosuite {c}").format(t=PROOF_TYPE, c=CRYPTOSUITE)
        )
    created = options.get("created")
    if created is not None and parse_datetime(created) is None:
        raise ValueError(
            _("proof created {v} is not an XML Schema dateTime").format(v=short(created))
        )


def proof_config(unsecured: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Spec §3.3.5 Proof Configuration: the canonical proof options (with the doc's @context)."""
    config = copy.deepcopy(dict(options))
    _check_options(config)
    if "@context" in unsecured:
        config["@context"] = copy.deepcopy(unsecured["@context"])
    return canonicalize(config)


def hash_data(unsecured: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Spec §3.3.3-3.3.4: ``sha256(canonical proof config) || sha256(canonical document)``."""
    _check_options(options)
    transformed = canonicalize(dict(unsecured))
    config = proof_config(unsecured, options)
    return hashlib.sha256(config).digest() + hashlib.sha256(transformed).digest()


def create_proof(
    unsecured: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Spec §3.3.1 Create Proof: the ``proof`` object (with ``proofValue``) for ``unsecured``."""
    if "proof" in unsecured:
        raise ValueError("the document already has a proof")
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created or format_datetime(datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    signature = private_key.sign(hash_data(unsecured, proof))
    proof["proofValue"] = multibase_encode(signature)
    return proof


def sign(
    unsecured: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``unsecured`` secured with an eddsa-jcs-2022 ``proof``."""
    secured = copy.deepcopy(dict(unsecured))
    secured["proof"] = create_proof(
        unsecured, private_key, verification_method, created=created, proof_purpose=proof_purpose
    )
    return secured


@dataclass(frozen=True)
class ProofResult:
    """Outcome of :func:`verify_proof`. ``controller`` is the DID whose key signed."""

    ok: bool
    reason: str
    verification_method: str | None = None
    controller: str | None = None


def verify_proof(
    secured: Mapping[str, Any],
    *,
    expected_purpose: str = "assertionMethod",
    at: datetime | None = None,
) -> ProofResult:
    """Spec §3.3.2 Verify Proof for a document with one eddsa-jcs-2022 proof.

    Never raises on bad input; every failure comes back as ``ok=False`` with a reason. A
    document nested deeper than :data:`~puhui.certify.limits.MAX_JSON_DEPTH` levels is refused
    before it is copied or canonicalized (both recursive).
    """
    if deeper_than(secured, MAX_JSON_DEPTH):
        return ProofResult(
            False, _("nested deeper than {d} levels: not verified").format(d=MAX_JSON_DEPTH)
        )
    proof = secured.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            return ProofResult(False, _("proof sets and chains are not supported"))
        proof = proof[0]
    if not isinstance(proof, dict):
        return ProofResult(False, _("no proof object"))
    unsecured = {k: copy.deepcopy(v) for k, v in secured.items() if k != "proof"}
    options = {k: copy.deepcopy(v) for k, v in proof.items() if k != "proofValue"}
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        return ProofResult(
            False,
            _("unsupported proof (type {t}, cryptosuite {c}); expected {want}").format(
                t=short(options.get("type")), c=short(options.get("cryptosuite")), want=CRYPTOSUITE
            ),
        )
    if options.get("proofPurpose") != expected_purpose:
        return ProofResult(
            False,
            _("proofPurpose is {p}, expected {want!r}").format(
                p=short(options.get("proofPurpose")), want=expected_purpose
            ),
        )
    expires = options.get("expires")
    if expires is not None:
        when = parse_datetime(expires)
        if when is None or when < (at or datetime.now(UTC)):
            return ProofResult(False, _("the proof expired ({v})").format(v=short(expires)))
    value = proof.get("proofValue")
    try:
        signature = multibase_decode(value, max_chars=SIGNATURE_CHARS)  # type: ignore[arg-type]
    except ValueError as e:
        return ProofResult(
            False,
            _("proof.proofValue is not a base58btc Ed25519 signature: {why}").format(why=e),
        )
    if len(signature) != 64:
        return ProofResult(False, _("proof.proofValue is not a 64-byte Ed25519 signature"))
    if "@context" in options:
        doc_ctx = secured.get("@context")
        want = options["@context"]
        want_list = want if isinstance(want, list) else [want]
        doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_list[: len(want_list)] != want_list:
            return ProofResult(False, _("the document's @context does not start with the proof's"))
        unsecured["@context"] = copy.deepcopy(want)
    vm = options.get("verificationMethod")
    try:
        controller, public = resolve_verification_method(vm)  # type: ignore[arg-type]
    except ResolutionError as e:
        return ProofResult(False, str(e), verification_method=short(vm))
    try:
        data = hash_data(unsecured, options)
    except (ValueError, TypeError) as e:
        return ProofResult(False, _("cannot canonicalize: {e}").format(e=e), vm, controller)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except InvalidSignature:
        return ProofResult(
            False,
            _("signature does not match: the credential was changed or signed by another key"),
            vm,
            controller,
        )
    return ProofResult(
        True, _("Ed25519 signature valid ({suite})").format(suite=CRYPTOSUITE), vm, controller
    )


# ---------------------------------------------------------------- dates


def format_datetime(when: datetime) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SSZ`` (an XML Schema dateTimeStamp)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_DT = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def parse_datetime(value: Any) -> datetime | None:
    """Parse an XML Schema dateTime; ``None`` when it is not one. No zone means UTC."""
    if not isinstance(value, str) or not _DT.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
