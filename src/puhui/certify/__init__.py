"""Signed certificates: W3C Verifiable Credentials 2.0 with eddsa-jcs-2022 proofs, offline.

- :mod:`~puhui.certify.keys`: Ed25519 key folders (Multikey JSON, did:key issuers).
- :mod:`~puhui.certify.dataintegrity`: the eddsa-jcs-2022 cryptosuite, multibase, did:key.
- :mod:`~puhui.certify.credential`: issue / verify / revoke assessment certificates.
- :mod:`~puhui.certify.badges`: Open Badges 3.0 completion badges (verified like certificates).
- :mod:`~puhui.certify.statuslist`: Bitstring Status List revocation.
- :mod:`~puhui.certify.qr`: ``PUHUI1:`` QR transport (``encode``, ``decode``, ``svg``).
- ``contexts/``: the vendored JSON-LD contexts (see ``contexts/SOURCE.md``).
"""

from __future__ import annotations

from puhui.certify import qr
from puhui.certify.credential import CertError, Check, Verification, issue, revoke, verify

__all__ = ["CertError", "Check", "Verification", "issue", "qr", "revoke", "verify"]
