"""Reading a suite's data files: bounded reads, paths kept inside the suite, JSONL samples.

The task kinds (:mod:`puhui.evals.kinds`) read their files with these helpers when they parse a
task of suite.yaml or run it; :mod:`puhui.evals.tasks` re-exports them under their old names.
Every mistake in a data file is a one-line :class:`~puhui.errors.PuhuiError` naming the file
and line.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.evals.types import Sample, Task
from puhui.i18n import _
from puhui.lang import normalize_tag

#: Most bytes a suite data file may hold, plain or once decompressed (suite files come from
#: whoever wrote the suite; the cap bounds memory and is enforced while reading).
MAX_DATA_BYTES = 256 * 2**20
_CHUNK = 2**20


def need(mapping: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    """``mapping[key]``, which must be there and of type ``kind`` (``where`` names the field)."""
    if key not in mapping:
        raise PuhuiError(_("{where}: missing field {key!r}").format(where=where, key=key), None)
    value = mapping[key]
    if not isinstance(value, kind):
        raise PuhuiError(
            _("{where}.{key}: expected {kind}, got {got}").format(
                where=where, key=key, kind=kind.__name__, got=type(value).__name__
            ),
            None,
        )
    return value


def _too_big(path: Path, limit: int) -> PuhuiError:
    return PuhuiError(
        _("{path}: suite data larger than {mib} MiB (once decompressed)").format(
            path=path, mib=limit // 2**20
        ),
        _("split the data into smaller files, one task each"),
    )


def read_data_file(path: Path, limit: int = MAX_DATA_BYTES) -> bytes:
    """The bytes of a suite's data file, gunzipped when it ends in ``.gz``.

    Suite data comes from whoever wrote the suite: at most ``limit`` bytes are read, plain or
    decompressed, and the cap is enforced while reading (a small gzip bomb never inflates past
    it). Beyond it, or for a damaged gzip stream, a one-line error names the file.
    """
    if path.suffix != ".gz":
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size > limit:
                raise _too_big(path, limit)
            raw = f.read(limit + 1)  # the file may have grown since
        if len(raw) > limit:
            raise _too_big(path, limit)
        return raw
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(_CHUNK):  # GzipFile.read(n) inflates at most n bytes
                total += len(chunk)
                if total > limit:
                    raise _too_big(path, limit)
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as e:
        raise PuhuiError(
            _("{path}: not a readable gzip file ({why})").format(path=path, why=e),
            _("compress it again with gzip, or store it uncompressed"),
        ) from None
    return b"".join(chunks)


def read_samples(path: Path, where: str) -> tuple[tuple[Sample, ...], str]:
    """The samples of a JSONL data file and the sha256 of its (decompressed) bytes."""
    if not path.is_file():
        raise PuhuiError(
            _("{where}: data file {path} does not exist").format(where=where, path=path),
            _("fix the `data:` path (relative to suite.yaml)"),
        )
    raw = read_data_file(path)  # e.g. data/test.jsonl.gz: the hash is of the JSONL itself
    samples: list[Sample] = []
    seen: set[str] = set()
    for n, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        at = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise PuhuiError(
                _("{at}: not valid JSON ({why})").format(at=at, why=e.msg), None
            ) from None
        if not isinstance(obj, dict):
            raise PuhuiError(_("{at}: expected a JSON object").format(at=at), None)
        sid = str(need(obj, "id", str | int, at))  # type: ignore[arg-type]
        if sid in seen:
            raise PuhuiError(_("{at}: duplicate sample id {sid!r}").format(at=at, sid=sid), None)
        seen.add(sid)
        lang = normalize_tag(str(need(obj, "lang", str, at)))
        inp = obj.get("input")
        if not isinstance(inp, str | dict):
            raise PuhuiError(_("{at}: field 'input' must be text or an object").format(at=at), None)
        choices = obj.get("choices") or ()
        if not isinstance(choices, list | tuple):
            raise PuhuiError(_("{at}: field 'choices' must be a list").format(at=at), None)
        samples.append(
            Sample(
                id=sid,
                lang=lang,
                input=inp,
                target=obj.get("target"),
                choices=tuple(str(c) for c in choices),
                groups=dict(obj.get("groups") or {}),
                meta=dict(obj.get("meta") or {}),
            )
        )
    return tuple(samples), hashlib.sha256(raw).hexdigest()


def inside_suite(folder: Path, rel: str, at: str) -> Path:
    """``rel`` (a ``data:``-like field of suite.yaml) as a path inside the suite ``folder``.

    A suite may come from anyone: an absolute path, or one that climbs out with ``..`` or
    through a symbolic link (both sides are resolved), is a one-line error naming the field.
    """
    root = folder.resolve()
    full = (root / rel).resolve()
    if Path(rel).is_absolute() or not full.is_relative_to(root):
        raise PuhuiError(
            _("{at}: {rel} leaves the suite folder").format(at=at, rel=rel),
            _("copy the data file into the folder of suite.yaml and give its relative path"),
        )
    return full


def iter_samples(task: Task, languages: list[str] | None, limit: int | None) -> Iterator[Sample]:
    """Samples of ``task`` in the chosen languages, at most ``limit`` per language, in order."""
    from puhui.lang import matches

    counts: dict[str, int] = {}
    for s in task.samples:
        if languages and not any(matches(want, s.lang) for want in languages):
            continue
        if limit is not None and counts.get(s.lang, 0) >= limit:
            continue
        counts[s.lang] = counts.get(s.lang, 0) + 1
        yield s
