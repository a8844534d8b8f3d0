"""Read raw text from files and folders into (source, text, meta) documents.

Formats, chosen by extension (compressed variants ``.gz``, ``.zst``, ``.xz`` of each):

- ``.txt``/``.md``: one document per file (``txt_unit="file"``), per blank-line-separated
  paragraph (``"paragraph"``) or per line (``"line"``); encoding detected.
- ``.jsonl``/``.ndjson``: one JSON object per line; ``.json``: a list of objects (or an object
  holding one). The text is in ``text_field`` (default: the first of text/content/body/...).
- ``.csv``/``.tsv``: one row per document, text column as above.
- ``.parquet``: one row per document, text column as above.
- ``.html``/``.htm``: main text with boilerplate removed (trafilatura).
- ``.xml``: all text nodes, one document per file.
- ``.warc``/``.warc.gz``: HTML and plain-text responses, boilerplate removed.

Nothing is silently lost: every problem (bad encoding, corrupt or truncated archive, invalid
JSON, missing text field, binary file, unsupported type) becomes a :class:`Problem` that the
pipeline writes to ``quarantine/`` with its source and reason.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import zstandard

from puhui.i18n import _

TEXT_FIELDS = ("text", "content", "body", "document", "sentence", "tweet", "article", "raw")
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd", ".xz": "xz", ".bz2": "bz2"}
FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "xml",
    ".warc": "warc",
}
MAX_WHOLE_FILE = 256 * 1024 * 1024  # formats read whole (txt, json, html, xml)


@dataclass(slots=True)
class Document:
    """Raw text and its origin (``source``: ``path:line``, ``path#row`` or ``path@offset``)."""

    source: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Problem:
    """Input that could not be read, and why (one line)."""

    source: str
    error: str


@dataclass(frozen=True)
class ReaderOptions:
    text_field: str | None = None  # None: the first of TEXT_FIELDS present
    txt_unit: str = "file"  # file | paragraph | line
    html: bool = True  # extract main text from HTML (False: keep markup-stripped text)


@dataclass(frozen=True)
class InputFile:
    """One file to read. ``name`` is its path relative to the input root (used in sources)."""

    path: Path
    name: str
    format: str  # one of FORMATS' values, or "" when unsupported
    compression: str  # "" or one of COMPRESSIONS' values


def classify(path: Path) -> tuple[str, str]:
    suffixes = [s.lower() for s in path.suffixes]
    compression = ""
    if suffixes and suffixes[-1] in COMPRESSIONS:
        compression = COMPRESSIONS[suffixes.pop()]
    fmt = FORMATS.get(suffixes[-1], "") if suffixes else ""
    return fmt, compression


def discover(inputs: Sequence[str | os.PathLike[str]]) -> list[InputFile]:
    """Every file under the inputs (folders recursively), in a stable order.

    Hidden files and folders (starting with ``.``) are skipped. Raises FileNotFoundError for an
    input that does not exist.
    """
    found: list[InputFile] = []
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            raise FileNotFoundError(str(root))
        if root.is_file():
            fmt, comp = classify(root)
            found.append(InputFile(root, root.name, fmt, comp))
            continue
        prefix = root.name or str(root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fname in sorted(filenames):
                if fname.startswith("."):
                    continue
                p = Path(dirpath, fname)
                fmt, comp = classify(p)
                found.append(InputFile(p, f"{prefix}/{p.relative_to(root).as_posix()}", fmt, comp))
    return found


# ---------------------------------------------------------------- byte streams


def _open_binary(f: InputFile) -> IO[bytes]:
    raw = open(f.path, "rb")  # noqa: SIM115 - returned to the caller, closed there
    if f.compression == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if f.compression == "zstd":
        return _ZstdStream(raw)  # type: ignore[return-value]
    if f.compression == "xz":
        return lzma.LZMAFile(raw)
    if f.compression == "bz2":
        return bz2.BZ2File(raw)
    return raw


class _ZstdStream(io.RawIOBase):
    """Decompress a (multi-frame) zstd file, raising ZstdError if it ends inside a frame.

    ``zstandard``'s own stream reader returns a short read for a truncated file without error.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._dobj = zstandard.ZstdDecompressor().decompressobj()
        self._started = False

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        while True:
            data = self._raw.read(1 << 16)
            if not data:
                if self._started and not self._dobj.eof:
                    raise zstandard.ZstdError("file ends in the middle of a zstd frame")
                return b""
            out = b""
            while data:
                if self._dobj.eof:
                    self._dobj = zstandard.ZstdDecompressor().decompressobj()
                self._started = True
                out += self._dobj.decompress(data)
                data = self._dobj.unused_data if self._dobj.eof else b""
            if out:
                return out

    def read(self, size: int = -1) -> bytes:
        if size is not None and size >= 0:
            return self.read1(size)
        chunks = []
        while chunk := self.read1():
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _read_all(f: InputFile) -> bytes:
    chunks: list[bytes] = []
    total = 0
    with _open_binary(f) as stream:
        read1 = getattr(stream, "read1", stream.read)
        while total <= MAX_WHOLE_FILE and (chunk := read1(1 << 20)):
            chunks.append(chunk)
            total += len(chunk)
    data = b"".join(chunks)
    if total > MAX_WHOLE_FILE:
        raise ValueError(
            _("file is over {mb} MB; split it or convert it to JSONL").format(
                mb=MAX_WHOLE_FILE // 2**20
            )
        )
    return data


def decode(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else detected.

    Raises ValueError for binary data (NUL bytes without a UTF-16 BOM) or undetectable encodings.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    else:
        if "\x00" in text:
            raise ValueError(_("binary data (NUL bytes), not text"))
        return text
    if b"\x00" in data[:8192]:
        raise ValueError(_("binary data (NUL bytes), not text"))
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.encoding is None:
        raise ValueError(_("not text in any known encoding"))
    return data.decode(best.encoding, errors="replace")


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Numbered lines of a byte stream. Reads in small steps (``read1``) so that the lines
    before a corrupt or truncated part of a compressed file are still yielded."""
    read1 = getattr(stream, "read1", stream.read)
    pending: list[bytes] = []
    n = 0
    while chunk := read1(1 << 16):
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            pending.append(chunk)
            continue
        pending.append(parts[0])
        n += 1
        yield n, b"".join(pending)
        for line in parts[1:-1]:
            n += 1
            yield n, line
        pending = [parts[-1]] if parts[-1] else []
    if pending:
        yield n + 1, b"".join(pending)


def _pick_field(obj: dict[str, Any], wanted: str | None) -> str | None:
    if wanted is not None:
        return wanted if wanted in obj else None
    for name in TEXT_FIELDS:
        if name in obj:
            return name
    return None


def _from_object(obj: Any, source: str, opts: ReaderOptions) -> Document | Problem:
    if not isinstance(obj, dict):
        return Problem(source, _("expected a JSON object, got {t}").format(t=type(obj).__name__))
    name = _pick_field(obj, opts.text_field)
    if name is None:
        fields = ", ".join(list(obj)[:8]) or "-"
        wanted = opts.text_field or "/".join(TEXT_FIELDS[:3])
        return Problem(
            source,
            _("no {w!r} field (fields: {f}); choose one with --text-field").format(
                w=wanted, f=fields
            ),
        )
    value = obj[name]
    if not isinstance(value, str):
        return Problem(source, _("field {n!r} is not text").format(n=name))
    meta = {k: v for k, v in obj.items() if k != name and isinstance(v, str | int | float | bool)}
    return Document(source, value, meta)


# ---------------------------------------------------------------- per format


def _read_jsonl(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    with _open_binary(f) as stream:
        for n, raw in _lines(stream):
            source = f"{f.name}:{n}"
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield Problem(source, _("line is not UTF-8 (JSON must be UTF-8)"))
                continue
            except json.JSONDecodeError as e:
                yield Problem(source, _("not valid JSON: {why}").format(why=e.msg))
                continue
            yield _from_object(obj, source, opts)


def _read_json(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    try:
        data = json.loads(decode(_read_all(f)))
    except json.JSONDecodeError as e:
        yield Problem(f.name, _("not valid JSON at line {l}: {why}").format(l=e.lineno, why=e.msg))
        return
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list):
        yield Problem(f.name, _("expected a JSON list of objects"))
        return
    for i, obj in enumerate(data):
        yield _from_object(obj, f"{f.name}#{i}", opts)


def _read_csv(f: InputFile, opts: ReaderOptions, delimiter: str) -> Iterator[Document | Problem]:
    with _open_binary(f) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
        reader = csv.DictReader(text, delimiter=delimiter)
        row_no = 0
        try:
            for row_no, row in enumerate(reader, 1):
                yield _from_object(
                    {k: v for k, v in row.items() if k is not None}, f"{f.name}#{row_no}", opts
                )
        except UnicodeDecodeError:
            yield Problem(f"{f.name}#{row_no + 1}", _("not UTF-8; save the file as UTF-8"))
        except csv.Error as e:
            yield Problem(f"{f.name}#{row_no + 1}", _("bad CSV: {why}").format(why=e))


def _read_parquet(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(f.path)
    names = pf.schema_arrow.names
    column = opts.text_field or next((n for n in TEXT_FIELDS if n in names), None)
    if column is None or column not in names:
        yield Problem(
            f.name,
            _("no text column (columns: {c}); choose one with --text-field").format(
                c=", ".join(names[:8])
            ),
        )
        return
    row = 0
    for batch in pf.iter_batches(batch_size=4096):
        for obj in batch.to_pylist():
            yield _from_object(obj, f"{f.name}#{row}", ReaderOptions(text_field=column))
            row += 1


def _read_txt(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    text = decode(_read_all(f))
    if opts.txt_unit == "file":
        yield Document(f"{f.name}:1", text)
        return
    block: list[str] = []
    first = 0
    for n, line in enumerate(text.splitlines(), 1):
        if opts.txt_unit == "line":
            if line.strip():
                yield Document(f"{f.name}:{n}", line)
        elif line.strip():
            if not block:
                first = n
            block.append(line)
        elif block:
            yield Document(f"{f.name}:{first}", "\n".join(block))
            block = []
    if block:
        yield Document(f"{f.name}:{first}", "\n".join(block))


def html_to_text(html: str, *, main_only: bool = True) -> str | None:
    """Main text of an HTML page (boilerplate removed), or None when there is none."""
    if main_only:
        import trafilatura

        result = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            deduplicate=False,
        )
        if result:
            return str(result)
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except Exception:  # lxml raises several types on junk
        return None
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    text = root.text_content().strip()
    return text or None


def _read_html(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    text = html_to_text(decode(_read_all(f)), main_only=opts.html)
    if text is None:
        yield Problem(f.name, _("no text found in the HTML page"))
    else:
        yield Document(f"{f.name}:1", text)


def _read_xml(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    from lxml import etree

    data = _read_all(f)
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        )
    except etree.XMLSyntaxError as e:
        yield Problem(f.name, _("not well-formed XML: {why}").format(why=e))
        return
    parts = [" ".join(t.split()) for t in root.itertext()]
    text = "\n".join(p for p in parts if p)
    meta = {k.split("}")[-1]: str(v) for k, v in root.attrib.items()}
    yield Document(f"{f.name}:1", text, meta)


def _read_warc(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with open(f.path, "rb") as raw:
        it = ArchiveIterator(raw)
        try:
            for rec in it:
                if rec.rec_type not in ("response", "resource", "conversion"):
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI") or ""
                ctype = ""
                if rec.http_headers is not None:
                    ctype = (rec.http_headers.get_header("Content-Type") or "").lower()
                else:
                    ctype = (rec.rec_headers.get_header("Content-Type") or "").lower()
                body = rec.content_stream().read()
                source = f"{f.name}@{it.get_record_offset()}"  # after reading: it reads to the end
                if "html" in ctype:
                    try:
                        text = html_to_text(decode(body), main_only=opts.html)
                    except ValueError as e:
                        yield Problem(source, str(e))
                        continue
                    if text is None:
                        continue  # a page with no main text is not an error
                elif ctype.startswith("text/plain"):
                    text = decode(body)
                else:
                    continue
                yield Document(source, text, {"url": url} if url else {})
        except (ArchiveLoadFailed, EOFError, OSError, zlibError) as e:
            yield Problem(f.name, _("corrupt or truncated WARC: {why}").format(why=_short(e)))


try:
    from zlib import error as zlibError
except ImportError:  # pragma: no cover
    zlibError = OSError  # type: ignore[misc, assignment]


def _short(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:200]


_READERS = {
    "jsonl": _read_jsonl,
    "json": _read_json,
    "parquet": _read_parquet,
    "txt": _read_txt,
    "html": _read_html,
    "xml": _read_xml,
    "warc": _read_warc,
}


def read(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    """Yield the documents of one input file; any failure becomes a :class:`Problem`.

    Documents read before a failure (e.g. a truncated archive) are kept.
    """
    if not f.format:
        yield Problem(f.name, _("unsupported file type; see `puhui corpus build --help`"))
        return
    if f.format == "warc" and f.compression not in ("", "gzip"):
        yield Problem(f.name, _("WARC files must be plain or .warc.gz"))
        return
    try:
        if f.format in ("csv", "tsv"):
            yield from _read_csv(f, opts, "," if f.format == "csv" else "\t")
        else:
            yield from _READERS[f.format](f, opts)
    except (EOFError, zstandard.ZstdError, lzma.LZMAError, OSError, zlibError) as e:
        yield Problem(f.name, _("corrupt or truncated file: {why}").format(why=_short(e)))
    except (ValueError, UnicodeDecodeError) as e:
        yield Problem(f.name, _short(e))
    except Exception as e:
        yield Problem(
            f.name, _("could not read ({kind}): {why}").format(kind=type(e).__name__, why=_short(e))
        )
