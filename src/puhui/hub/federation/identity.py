"""The hub's own signing key, which signs its change feed: ``<hub_dir>/federation-key/``.

Created on first use with :func:`puhui.certify.keys.create_key_dir` in a 0700 folder (under a
file lock, so the server's threads and a CLI command never make two); its ``did:key`` is what a
peer pins (``puhui hub identity`` prints it).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings

from puhui.certify import keys

FOLDER = "federation-key"
_lock = threading.Lock()
_cached: dict[str, keys.KeyPair] = {}


def key_dir() -> Path:
    return Path(settings.PUHUI["hub_dir"]) / FOLDER


def hub_key() -> keys.KeyPair:
    """This hub's key pair, created the first time it is needed."""
    folder = key_dir()
    with _lock:
        pair = _cached.get(str(folder))
        if pair is not None:
            return pair
        if not (folder / keys.PRIVATE).is_file():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
            with keys.locked(folder):
                if not (folder / keys.PRIVATE).is_file():
                    keys.create_key_dir(folder, name="puhui hub")
        pair = keys.load_key_dir(folder)
        _cached[str(folder)] = pair
        return pair


def hub_did() -> str:
    return hub_key().did
