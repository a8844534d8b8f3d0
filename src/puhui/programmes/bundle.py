"""A cohort's records as one signed file, to carry from a facilitator's laptop hub (no network)
to the national hub: ``puhui programme export COHORT --out X`` and ``puhui programme import X``.

The bundle is JSON (format :data:`FORMAT`): the programme, the cohort and its sessions, the
people enrolled (adults only: no record of a person under 18 leaves the hub, only their count),
enrolments, attendance marks and awarded credentials, every one with the ``uid`` imports match
on. It is signed like a credential (eddsa-jcs-2022, the organization's key), so the receiving
hub can tell it was not changed on the way and who sent it. :func:`read_bundle` reads it within
size and depth limits and refuses one whose signature does not verify or whose signer is not
trusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from puhui.artifacts import atomic_write_json
from puhui.certify import dataintegrity as di
from puhui.certify import keys, limits
from puhui.errors import PuhuiError
from puhui.i18n import _

FORMAT = "puhui-programme-bundle-1"
#: A bundle of 50,000 people is a few tens of MB; this bounds what is read.
MAX_BYTES = 256 * 1024 * 1024
#: The lists a bundle holds, and the fields each entry must have.
SECTIONS: dict[str, tuple[str, ...]] = {
    "sessions": ("uid", "slug", "name"),
    "people": ("uid", "key", "name"),
    "enrolments": ("person", "role"),
    "marks": ("session", "person", "present"),
    "awards": ("person", "credential_id", "credential"),
}


def write_bundle(doc: Mapping[str, Any], key_dir: Path, out: Path) -> dict[str, Any]:
    """Sign ``doc`` (its ``format`` set here) with the key in ``key_dir`` and write it to
    ``out`` atomically; returns the signed bundle."""
    pair = keys.load_key_dir(key_dir)
    unsigned = {"format": FORMAT, **doc}
    signed = di.sign(unsigned, pair.private_key, pair.verification_method)
    atomic_write_json(out, signed)
    return signed


def _fail(path: Path, what: str, todo: str) -> PuhuiError:
    return PuhuiError(f"{path}: {what}", todo)


def read_bundle(path: Path, trusted: Iterable[str] | None) -> tuple[dict[str, Any], str]:
    """The bundle in ``path`` and the DID that signed it. Refused (one line) when it is too
    large or too deep, not a bundle, missing a section's field, changed since it was signed, or
    signed by a key not in ``trusted`` (None: any signer, for inspection only)."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise _fail(path, e.strerror or str(e), _("give the bundle file")) from None
    if size > MAX_BYTES:
        raise _fail(
            path,
            _("{n:,} bytes; at most {m:,} are accepted").format(n=size, m=MAX_BYTES),
            _("export the cohort again"),
        )
    try:
        with path.open("rb") as f:
            doc = limits.loads(f.read(MAX_BYTES + 1), str(path), max_bytes=MAX_BYTES)
    except limits.LimitError as e:
        raise PuhuiError(str(e), _("give a bundle written by `puhui programme export`")) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail(
            path,
            _("not a programme bundle (format {f})").format(f=FORMAT),
            _("give a bundle written by `puhui programme export`"),
        )
    for name in ("programme", "cohort"):
        if not isinstance(doc.get(name), dict) or "uid" not in doc[name]:
            raise _fail(path, _("{s}: missing or without uid").format(s=name), _("export again"))
    for name, needed in SECTIONS.items():
        rows = doc.get(name)
        if not isinstance(rows, list):
            raise _fail(path, _("{s}: missing").format(s=name), _("export again"))
        for i, row in enumerate(rows):
            missing = [k for k in needed if not isinstance(row, dict) or k not in row]
            if missing:
                raise _fail(
                    path,
                    _("{s}[{i}]: missing {k}").format(s=name, i=i, k=", ".join(missing)),
                    _("export again"),
                )
    proof = di.verify_proof(doc)
    if not proof.ok or proof.controller is None:
        raise _fail(
            path,
            _("the signature does not verify ({why}): changed since it was exported").format(
                why=proof.reason
            ),
            _("export the cohort again from its hub"),
        )
    if trusted is not None and proof.controller not in set(trusted):
        raise _fail(
            path,
            _("signed by {did}, which this hub does not trust").format(did=proof.controller),
            _("trust the exporting organization's key with `trusted`"),
        )
    return doc, proof.controller
