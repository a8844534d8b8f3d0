"""The artifact envelope: every Puhui output is a folder with a ``manifest.json`` to check it by.

A manifest records what the artifact is (``kind``), the sha256 of every content file, and its
provenance: the Puhui version, the parameters, and each input by hash. Engines call
:func:`write_manifest` last, after their content is complete; :func:`check` recomputes every
hash and fails with a one-line :class:`~puhui.errors.ArtifactError` when anything was changed.
Writes are atomic (temp file, fsync, rename), so a killed job never leaves half a file.

Files or folders whose name starts with ``.`` are working state (e.g. resume checkpoints) and
are not part of the content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import jsonschema

from puhui._version import __version__
from puhui.errors import ArtifactError
from puhui.i18n import _

MANIFEST = "manifest.json"
_UMASK = os.umask(0)
os.umask(_UMASK)
SCHEMA_VERSION = 1
_CHUNK = 1 << 20


# ---------------------------------------------------------------- atomic writes


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success fsync it and rename it over ``path``.

    If the block raises, the temporary file is removed and ``path`` is left as it was.
    """
    if mode not in ("wb", "w"):
        raise ValueError("atomic_open supports modes 'w' and 'wb'")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.fchmod(fd, 0o666 & ~_UMASK)  # as a plain open() would, not mkstemp's 0600
    try:
        encoding = "utf-8" if mode == "w" else None
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as indented UTF-8 JSON (non-ASCII kept readable), atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


# ---------------------------------------------------------------- hashing


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def content_digest(files: Iterable[Mapping[str, Any]]) -> str:
    """sha256 over ``"<sha256>  <path>\\n"`` lines sorted by path (the ``sha256sum`` format)."""
    lines = sorted(f"{f['sha256']}  {f['path']}\n" for f in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _content_files(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            rel = Path(dirpath, name).relative_to(root).as_posix()
            if rel != MANIFEST:
                found.append(rel)
    return sorted(found)


def input_ref(path: str | os.PathLike[str], name: str | None = None) -> dict[str, Any]:
    """Describe an input by hash for provenance.

    A Puhui artifact is pinned by its content digest (and carries its kind and id); any other
    folder by the digest of all its files; a file by its own sha256.
    """
    p = Path(path)
    ref: dict[str, Any] = {"name": name or str(path)}
    if p.is_dir():
        if (p / MANIFEST).is_file():
            m = check(p)
            ref.update(sha256=m.content_sha256, kind=m.kind, id=m.id)
        else:
            files = [{"path": rel, "sha256": sha256_file(p / rel)} for rel in _content_files(p)]
            ref["sha256"] = content_digest(files)
    else:
        ref.update(sha256=sha256_file(p), bytes=p.stat().st_size)
    return ref


# ---------------------------------------------------------------- manifest


@cache
def manifest_schema() -> dict[str, Any]:
    text = resources.files("puhui.schemas").joinpath("manifest-1.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _manifest_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(manifest_schema())


@dataclass(frozen=True)
class Manifest:
    """A verified manifest. ``root`` is the artifact folder; ``data`` the raw JSON."""

    root: Path
    data: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def content_sha256(self) -> str:
        return str(self.data["content_sha256"])

    @property
    def files(self) -> list[Mapping[str, Any]]:
        return list(self.data["files"])

    @property
    def provenance(self) -> Mapping[str, Any]:
        return dict(self.data["provenance"])


def write_manifest(
    root: str | os.PathLike[str],
    kind: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    inputs: Iterable[Mapping[str, Any]] = (),
    command: str | None = None,
    files: Iterable[str] | None = None,
) -> Manifest:
    """Hash the artifact's content files and write ``root/manifest.json`` atomically.

    ``files`` defaults to every file under ``root`` except the manifest and hidden (``.``) paths.
    ``inputs`` are dicts from :func:`input_ref`. Returns the verified manifest.
    """
    folder = Path(root)
    rels = sorted(files) if files is not None else _content_files(folder)
    entries = []
    for rel in rels:
        path = folder / rel
        entries.append({"path": rel, "sha256": sha256_file(path), "bytes": path.stat().st_size})
    digest = content_digest(entries)
    provenance: dict[str, Any] = {
        "tool": "puhui",
        "version": __version__,
        "parameters": dict(parameters or {}),
        "inputs": [dict(i) for i in inputs],
    }
    if command:
        provenance["command"] = command
    data = {
        "kind": kind,
        "schema_version": SCHEMA_VERSION,
        "id": f"{kind}-{digest[:16]}",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "content_sha256": digest,
        "files": entries,
        "provenance": provenance,
    }
    try:
        _manifest_validator().validate(data)
    except jsonschema.ValidationError as e:  # a bug in the caller, not a user mistake
        raise ValueError(f"invalid manifest for {folder}: {e.message}") from e
    atomic_write_json(folder / MANIFEST, data)
    return Manifest(folder, data)


def _field(error: jsonschema.ValidationError) -> str:
    parts: list[str] = []
    for p in error.absolute_path:
        parts.append(f"[{p}]" if isinstance(p, int) else (f".{p}" if parts else str(p)))
    return "".join(parts) or "(top level)"


def _locate(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    p = Path(path)
    if p.is_dir():
        return p, p / MANIFEST
    if p.name == MANIFEST:
        return p.parent, p
    if p.exists():
        raise ArtifactError(
            _("{path} is not an artifact").format(path=p),
            _("give the artifact's folder or its {m}").format(m=MANIFEST),
        )
    raise ArtifactError(_("{path} does not exist").format(path=p), _("check the path"))


def check(path: str | os.PathLike[str]) -> Manifest:
    """Validate a manifest against its schema and recompute every file's hash.

    Raises :class:`ArtifactError` with a one-line reason for: a missing or malformed manifest, a
    schema violation (naming the field), a missing, changed or unlisted file, or an id that does
    not match the content.
    """
    root, mpath = _locate(path)
    if not mpath.is_file():
        raise ArtifactError(
            _("{root} has no {m}").format(root=root, m=MANIFEST),
            _("only folders written by Puhui can be inspected; rebuild the artifact"),
        )
    try:
        data = json.loads(mpath.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ArtifactError(
            _("{p} is not UTF-8 text").format(p=mpath), _("the manifest is corrupt; rebuild it")
        ) from None
    except json.JSONDecodeError as e:
        raise ArtifactError(
            _("{p} line {line}, column {col}: not valid JSON ({why})").format(
                p=mpath, line=e.lineno, col=e.colno, why=e.msg
            ),
            _("the manifest is corrupt; rebuild the artifact"),
        ) from None
    if not isinstance(data, dict):
        raise ArtifactError(
            _("{p}: expected a JSON object").format(p=mpath), _("rebuild the artifact")
        )
    version = data.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise ArtifactError(
            _("{p}: schema_version {v} is newer than this Puhui understands ({mine})").format(
                p=mpath, v=version, mine=SCHEMA_VERSION
            ),
            _("upgrade Puhui"),
        )
    validator = _manifest_validator()
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise ArtifactError(
            _("{p}: field {field}: {why}").format(p=mpath, field=_field(error), why=error.message),
            _("the manifest is malformed; rebuild the artifact"),
        )

    listed = set()
    for entry in data["files"]:
        rel = entry["path"]
        if rel in listed:
            raise ArtifactError(
                _("{p}: file {rel} is listed twice").format(p=mpath, rel=rel),
                _("the manifest is malformed; rebuild the artifact"),
            )
        listed.add(rel)
        fpath = root / rel
        if not fpath.is_file():
            raise ArtifactError(
                _("{root}: file {rel} is missing").format(root=root, rel=rel),
                _("restore it from the original copy or rebuild the artifact"),
            )
        size = fpath.stat().st_size
        actual = sha256_file(fpath)
        if actual != entry["sha256"] or size != entry["bytes"]:
            raise ArtifactError(
                _(
                    "{root}: file {rel} was modified (sha256 {actual:.12}…, manifest: {want:.12}…)"
                ).format(root=root, rel=rel, actual=actual, want=entry["sha256"]),
                _("do not trust this copy; get the original or rebuild the artifact"),
            )
    for rel in _content_files(root):
        if rel not in listed:
            raise ArtifactError(
                _("{root}: file {rel} is not listed in the manifest").format(root=root, rel=rel),
                _("remove it, or rebuild the artifact if it belongs there"),
            )
    digest = content_digest(data["files"])
    if digest != data["content_sha256"] or data["id"] != f"{data['kind']}-{digest[:16]}":
        raise ArtifactError(
            _("{p}: content_sha256 or id does not match the listed files").format(p=mpath),
            _("the manifest was edited; get the original or rebuild the artifact"),
        )
    return Manifest(root, data)
