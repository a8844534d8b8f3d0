"""The corpus record and the layout of a corpus folder.

A corpus built by ``puhui corpus build INPUT... --out DIR`` is an artifact folder::

    DIR/manifest.json            the envelope (kind "corpus"): files by sha256, inputs, config
    DIR/data/part-NNNNN.jsonl.zst      kept records, one JSON object per line (see Record)
    DIR/removed/part-NNNNN.jsonl.zst   dropped records: Record fields + "reason" + "detail"
    DIR/quarantine/part-NNNNN.jsonl    unreadable input: {"source", "error"}
    DIR/stats/part-NNNNN.json          per-shard counters (documents in/out per step)
    DIR/dedup/signatures.npz           MinHash signatures of kept records (for later runs)
    DIR/audit.json, audit.html         what is in the corpus (puhui corpus audit)
    DIR/croissant.json, datasheet.md   documentation
    DIR/.work/                         resumable working state (not content)

Reasons are ``step.rule`` strings, e.g. ``quality.too_short``, ``dedup.exact``, ``dedup.near``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Record:
    """One document flowing through the pipeline.

    ``source`` is ``"<input path relative to its root>:<line>"`` for line-based formats, or
    ``"<path>@<byte offset>"`` / ``"<path>#<row>"`` for others; ``id`` is stable across runs.
    """

    id: str
    text: str
    source: str
    lang: str = "und"
    script: str = "Zyyy"
    lang_confidence: float = 0.0
    pii: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "lang": self.lang,
            "script": self.script,
            "lang_confidence": round(self.lang_confidence, 4),
            "source": self.source,
            "chars": len(self.text),
        }
        if self.pii:
            out["pii"] = self.pii
        if self.meta:
            out["meta"] = self.meta
        return out


@dataclass(slots=True)
class Dropped:
    """Why a record left the pipeline: ``reason`` is ``step.rule``; ``detail`` is human text."""

    reason: str
    detail: str = ""
