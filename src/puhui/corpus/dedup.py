"""The *dedup* step: exact and near-duplicate detection, within a run and against earlier corpora.

Per document (in the parallel shards): an exact key (hash of the case-folded letters and digits)
and a MinHash signature (``rensa``) of its shingles — word 5-grams for scripts with spaces,
character 5-grams for Chinese, Japanese, Thai, Lao, Khmer, Burmese and Tibetan.

Across the whole run (one pass, in input order, so the result is deterministic): the first
document with an exact key is kept and later ones are ``dedup.exact``; a document whose
signature shares an LSH band with a kept document and agrees on at least ``threshold`` of its
positions (estimated Jaccard similarity) is ``dedup.near``. Documents of an earlier corpus
(``--dedup-against``) are loaded first, so anything already there is dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import regex
import rensa

from puhui.corpus.quality import UNSPACED_SCRIPTS

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+")
SEED = 1


@dataclass(frozen=True)
class DedupOptions:
    exact: bool = True
    near: bool = True
    threshold: float = 0.8
    num_perm: int = 128
    bands: int = 16  # rows per band = num_perm // bands
    ngram: int = 5


def exact_key(text: str) -> bytes:
    """8-byte key of the text's letters and digits, case-folded (punctuation/spacing ignored)."""
    canon = " ".join(_TOKEN.findall(text.casefold()))
    return hashlib.blake2b(canon.encode("utf-8"), digest_size=8).digest()


def shingles(text: str, script: str, n: int) -> list[str]:
    if script in UNSPACED_SCRIPTS:
        chars = "".join(_TOKEN.findall(text.casefold()))
        if len(chars) <= n:
            return [chars]
        return [chars[i : i + n] for i in range(len(chars) - n + 1)]
    words = _TOKEN.findall(text.casefold())
    if len(words) <= n:
        return [" ".join(words)]
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def signature(text: str, script: str, opts: DedupOptions) -> list[int]:
    m = rensa.RMinHash(num_perm=opts.num_perm, seed=SEED)
    m.update(shingles(text, script, opts.ngram))
    return list(m.digest())


@dataclass
class Decision:
    reason: str  # dedup.exact | dedup.near
    detail: str


class Deduplicator:
    """Decide duplicates over a stream of (id, exact key, signature) in a fixed order."""

    def __init__(self, opts: DedupOptions) -> None:
        if opts.num_perm % opts.bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.opts = opts
        self.rows = opts.num_perm // opts.bands
        self._exact: dict[bytes, str] = {}
        self._bands: list[dict[bytes, int]] = [{} for _ in range(opts.bands)]
        self._sigs: list[np.ndarray] = []
        self._ids: list[str] = []

    def _band_keys(self, sig: np.ndarray) -> Iterator[tuple[int, bytes]]:
        for b in range(self.opts.bands):
            yield b, sig[b * self.rows : (b + 1) * self.rows].tobytes()

    def add(self, doc_id: str, key: bytes, sig: Sequence[int] | np.ndarray) -> Decision | None:
        """Return why ``doc_id`` is a duplicate of an earlier document, or None (and keep it)."""
        if self.opts.exact:
            first = self._exact.get(key)
            if first is not None:
                return Decision("dedup.exact", f"same text as {first}")
        arr = np.asarray(sig, dtype=np.uint32)
        if self.opts.near:
            seen: set[int] = set()
            for b, bk in self._band_keys(arr):
                j = self._bands[b].get(bk)
                if j is None or j in seen:
                    continue
                seen.add(j)
                similarity = float(np.mean(self._sigs[j] == arr))
                if similarity >= self.opts.threshold:
                    return Decision("dedup.near", f"{similarity:.2f} similar to {self._ids[j]}")
        self._keep(doc_id, key, arr)
        return None

    def _keep(self, doc_id: str, key: bytes, arr: np.ndarray) -> None:
        self._exact.setdefault(key, doc_id)
        idx = len(self._ids)
        self._ids.append(doc_id)
        self._sigs.append(arr)
        for b, bk in self._band_keys(arr):
            self._bands[b].setdefault(bk, idx)

    def preload(self, path: Path) -> int:
        """Load an earlier corpus's ``dedup/signatures.npy`` so its documents count as seen."""
        table = np.load(path, allow_pickle=False)
        if table.dtype.names != ("id", "key", "sig") or table["sig"].shape[1] != self.opts.num_perm:
            raise ValueError(f"{path}: not signatures made with num_perm={self.opts.num_perm}")
        for row in table:
            self._keep(str(row["id"]), bytes(row["key"]), np.asarray(row["sig"], dtype=np.uint32))
        return len(table)


def save_signatures(
    path: Path,
    ids: Sequence[str],
    keys: Sequence[bytes],
    sigs: Sequence[Sequence[int]] | Sequence[np.ndarray],
    num_perm: int,
) -> None:
    """Write kept documents' ids, exact keys and signatures as one ``.npy`` table, atomically.

    ``.npy`` has no timestamps and no pickles: the same input gives the same bytes.
    """
    from puhui.artifacts import atomic_open

    dtype = np.dtype([("id", "U32"), ("key", "V8"), ("sig", "<u4", (num_perm,))])
    table = np.zeros(len(ids), dtype=dtype)
    if len(ids):
        table["id"] = ids
        table["key"] = np.frombuffer(b"".join(keys), dtype="V8")
        table["sig"] = np.asarray(sigs, dtype=np.uint32)
    with atomic_open(path, "wb") as f:
        np.save(f, table, allow_pickle=False)
