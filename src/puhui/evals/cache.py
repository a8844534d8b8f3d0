"""The response cache: one SQLite file of model answers, keyed by everything that shapes them.

The key is the sha256 of the model's identity (endpoint + model id, or the GGUF file's hash),
the rendered messages, the generation parameters and the seed. Rerunning an evaluation, or
another suite that asks the same question, reuses the answer instead of asking again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from puhui.models.registry import model_identity

__all__ = ["ResponseCache", "cache_key", "model_identity"]


def cache_key(
    identity: str, messages: list[dict[str, str]], params: dict[str, Any], seed: int
) -> str:
    blob = json.dumps(
        {"model": identity, "messages": messages, "params": params, "seed": seed},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Thread-safe get/put over one SQLite database (WAL mode)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The cached answers among ``keys``, looked up a chunk at a time."""
        found: dict[str, dict[str, Any]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, value FROM responses WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update((k, json.loads(v)) for k, v in rows)
        return found

    def put(self, key: str, value: dict[str, Any]) -> None:
        text = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)", (key, text)
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
