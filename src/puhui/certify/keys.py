"""Signing keys for certificates: an Ed25519 key pair kept as Multikey JSON files in a folder.

A key folder holds ``private.json`` (mode 0600, with ``secretKeyMultibase``; never share it),
``public.json`` (the Multikey a verifier may pin with ``--trust``), and the issuer's revocation
state: ``status-list.json`` (the signed BitstringStatusListCredential to publish) and
``status-index.json`` (which list index each certificate got). The issuer's identifier is
``did:key:z6Mk…``, resolvable offline from the key itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puhui.artifacts import atomic_write_json
from puhui.certify import dataintegrity as di
from puhui.errors import PuhuiError
from puhui.i18n import _

PRIVATE = "private.json"
PUBLIC = "public.json"
STATUS_LIST = "status-list.json"
STATUS_INDEX = "status-index.json"
_LOCK = ".lock"


class KeyFileError(PuhuiError):
    """A key folder or key file that is missing, malformed or would be overwritten."""


@dataclass(frozen=True)
class KeyPair:
    """An Ed25519 key pair with its did:key names."""

    private_key: Ed25519PrivateKey
    name: str | None = None

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def seed(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @property
    def public_multibase(self) -> str:
        return di.public_multikey(self.public_bytes)

    @property
    def did(self) -> str:
        return di.did_key(self.public_bytes)

    @property
    def verification_method(self) -> str:
        return di.did_key_verification_method(self.public_bytes)

    def public_document(self) -> dict[str, Any]:
        """The Multikey (W3C Controlled Identifiers) describing the public key."""
        doc: dict[str, Any] = {
            "id": self.verification_method,
            "type": "Multikey",
            "controller": self.did,
            "publicKeyMultibase": self.public_multibase,
        }
        if self.name:
            doc["name"] = self.name
        return doc

    def private_document(self) -> dict[str, Any]:
        return {**self.public_document(), "secretKeyMultibase": di.secret_multikey(self.seed)}


def generate(name: str | None = None) -> KeyPair:
    return KeyPair(Ed25519PrivateKey.generate(), name)


def from_secret_multibase(secret: str, name: str | None = None) -> KeyPair:
    return KeyPair(Ed25519PrivateKey.from_private_bytes(di.decode_secret_multikey(secret)), name)


def create_key_dir(folder: str | os.PathLike[str], name: str | None = None) -> KeyPair:
    """Generate a key pair into ``folder`` (created if needed); refuse to overwrite a key."""
    root = Path(folder)
    if (root / PRIVATE).exists() or (root / PUBLIC).exists():
        raise KeyFileError(
            _("{p} already holds a key").format(p=root),
            _("choose another `out` folder; a key is never overwritten"),
        )
    if root.exists() and not root.is_dir():
        raise KeyFileError(_("{p} is not a folder").format(p=root), _("give a folder for `out`"))
    root.mkdir(parents=True, exist_ok=True)
    pair = generate(name)
    created = di.format_datetime(datetime.now(UTC))
    private = {**pair.private_document(), "created": created}
    # O_EXCL: two concurrent `keys new` into one folder cannot both win.
    try:
        fd = os.open(root / PRIVATE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            _("{p} already holds a key").format(p=root),
            _("choose another `out` folder; a key is never overwritten"),
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(private, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(root / PRIVATE, 0o600)
    atomic_write_json(root / PUBLIC, {**pair.public_document(), "created": created})
    return pair


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(
            _("{p} not found").format(p=path),
            _("create a key with `puhui keys new --out KEYDIR`"),
        ) from None
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise KeyFileError(
            _("{p}: not valid JSON ({why})").format(p=path, why=e),
            _("restore the {w}").format(w=what),
        ) from None
    except RecursionError:
        raise KeyFileError(
            _("{p}: JSON nested too deeply").format(p=path), _("restore the {w}").format(w=what)
        ) from None
    if not isinstance(data, dict):
        raise KeyFileError(
            _("{p}: expected a JSON object").format(p=path), _("restore the {w}").format(w=what)
        )
    return data


def load_key_dir(folder: str | os.PathLike[str]) -> KeyPair:
    """Load the private key from ``folder/private.json`` (checking it matches its public key)."""
    root = Path(folder)
    if not root.is_dir():
        raise KeyFileError(
            _("key folder {p} does not exist").format(p=root),
            _("create one with `puhui keys new --out {p}`").format(p=root),
        )
    data = _read_json(root / PRIVATE, _("private key"))
    secret = data.get("secretKeyMultibase")
    try:
        pair = from_secret_multibase(str(secret), data.get("name"))
    except ValueError as e:
        raise KeyFileError(
            _("{p}: field secretKeyMultibase: {why}").format(p=root / PRIVATE, why=e),
            _("restore the private key file"),
        ) from None
    if data.get("publicKeyMultibase") not in (None, pair.public_multibase):
        raise KeyFileError(
            _("{p}: publicKeyMultibase does not belong to secretKeyMultibase").format(
                p=root / PRIVATE
            ),
            _("restore the private key file"),
        )
    return pair


def trusted_did(ref: str, option: str = "--trust") -> str:
    """Turn a ``--trust`` value (or another ``option``'s, named in errors) into an issuer DID.

    Accepts ``did:key:z6Mk…``, a bare ``z6Mk…`` public key, a ``public.json``/``private.json``
    file or a key folder.
    """
    text = ref.strip()
    if text.startswith("did:"):
        try:
            di.resolve_did_key(text.split("#", 1)[0])
        except di.ResolutionError as e:
            raise KeyFileError(
                _("{o} {r}: {why}").format(o=option, r=ref[:100], why=e),
                _("give a did:key or a key file"),
            ) from None
        return text.split("#", 1)[0]
    if text.startswith("z6Mk") and not Path(text).exists():
        try:
            return di.did_key(di.decode_public_multikey(text))
        except ValueError as e:
            raise KeyFileError(
                _("{o} {r}: {why}").format(o=option, r=ref[:100], why=e),
                _("give a did:key or a key file"),
            ) from None
    path = Path(text)
    if path.is_dir():
        path = path / PUBLIC
    if not path.is_file():
        raise KeyFileError(
            _("{o} {r}: no such key file, folder or did:key").format(o=option, r=ref[:100]),
            _("give did:key:z6Mk…, a public.json or a key folder"),
        )
    data = _read_json(path, _("public key"))
    try:
        return di.did_key(di.decode_public_multikey(str(data.get("publicKeyMultibase"))))
    except ValueError as e:
        raise KeyFileError(
            _("{p}: field publicKeyMultibase: {why}").format(p=path, why=e),
            _("give a public.json written by `puhui keys new`"),
        ) from None


@contextlib.contextmanager
def locked(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on a key folder (status index and list updates are serialised)."""
    path = Path(folder) / _LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
