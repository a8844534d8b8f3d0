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

Input is untrusted, so every read is bounded while it happens (see :mod:`.bounded`), by limits
in :class:`ReaderOptions` (the pipeline file's ``reader:`` section):

- ``max_record_mb`` (8): one record: a JSONL line, a CSV/TSV row, a WARC page after decoding,
  a ``.txt`` paragraph or line, a file read as one document (``.txt`` with ``txt_unit: file``,
  ``.html``, ``.xml``). A longer record is quarantined and reading goes on after it. 8 MB
  keeps a build of even the worst record (a Chinese page, with ``quality.max_chars`` off)
  under ~0.5 GB; the default quality step drops anything over 1,000,000 characters anyway.
- ``max_file_mb`` (32): a ``.json`` file, which must be parsed whole (~8 bytes of memory per
  byte); convert bigger ones to JSONL.
- ``max_expansion`` (100): a compressed file may inflate to at most this many times its size
  (at least 1 MB). Text compresses 3-10 times; a decompression bomb a thousand times or more.

Each message names the option to raise. :func:`discover` does not follow symbolic links out of
an input folder and reports what it skipped as :class:`Skipped`.
"""

from __future__ import annotations

import codecs
import csv
import json
import lzma
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import zstandard

from puhui.corpus.bounded import (
    LimitExceeded,
    capped_lines,
    http_body,
    open_decompressed,
    read_capped,
)
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
class Skipped:
    """A path under an input folder that was deliberately not read, and why (one line)."""

    name: str
    reason: str


@dataclass(frozen=True)
class ReaderOptions:
    text_field: str | None = None  # None: the first of TEXT_FIELDS present
    txt_unit: str = "file"  # file | paragraph | line
    html: bool = True  # extract main text from HTML (False: keep markup-stripped text)
    max_record_mb: float = 8.0  # one line, row, WARC page, paragraph or one-document file
    max_file_mb: float = 32.0  # a .json file, parsed whole
    max_expansion: float | None = 100.0  # compressed files: output / size (None: unchecked)

    @property
    def record_bytes(self) -> int:
        return int(self.max_record_mb * 2**20)

    @property
    def file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)


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


def discover(
    inputs: Sequence[str | os.PathLike[str]], skipped: list[Skipped] | None = None
) -> list[InputFile]:
    """Every file under the inputs (folders recursively), in a stable order.

    Hidden files and folders (starting with ``.``) are skipped silently. Inside an input
    folder, symbolic links that lead out of it (to a file or a folder), broken links, links to
    folders (never followed: a target inside the input is read where it lies) and anything that
    is not a regular file (a pipe, a device) are not read; each is appended to ``skipped``
    with the reason. An input named directly is read even when it is a link: the user chose it.
    Raises FileNotFoundError for an input that does not exist.
    """
    found: list[InputFile] = []
    notes: list[Skipped] = [] if skipped is None else skipped
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            raise FileNotFoundError(str(root))
        if root.is_file():
            fmt, comp = classify(root)
            found.append(InputFile(root, root.name, fmt, comp))
            continue
        prefix = root.name or str(root)
        real_root = root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):  # never enters folder links
            kept_dirs = []
            for d in sorted(dirnames):
                if d.startswith("."):
                    continue
                p = Path(dirpath, d)
                if p.is_symlink():
                    name = f"{prefix}/{p.relative_to(root).as_posix()}"
                    notes.append(Skipped(name, _link_reason(p, real_root, folder=True)))
                    continue
                kept_dirs.append(d)
            dirnames[:] = kept_dirs
            for fname in sorted(filenames):
                if fname.startswith("."):
                    continue
                p = Path(dirpath, fname)
                name = f"{prefix}/{p.relative_to(root).as_posix()}"
                why = _skip_reason(p, real_root)
                if why:
                    notes.append(Skipped(name, why))
                    continue
                fmt, comp = classify(p)
                found.append(InputFile(p, name, fmt, comp))
    return found


def _link_reason(p: Path, real_root: Path, *, folder: bool) -> str:
    target = p.resolve()
    if not target.exists():
        return _("broken symbolic link: not read")
    if not target.is_relative_to(real_root):
        if folder:
            return _("symbolic link to a folder outside the input folder: not followed")
        return _(
            "symbolic link to a file outside the input folder: not read "
            "(name the file itself as an input to read it)"
        )
    return _("symbolic link to a folder: not followed (what it points to inside the input is read)")


def _skip_reason(p: Path, real_root: Path) -> str | None:
    """Why a file found under an input folder is not read, or None to read it."""
    if p.is_symlink():
        target = p.resolve()
        if not target.exists() or not target.is_relative_to(real_root):
            return _link_reason(p, real_root, folder=False)
    try:
        mode = p.stat().st_mode
    except OSError as e:
        return _("cannot be opened: {why}").format(why=e.strerror)
    if not stat.S_ISREG(mode):
        return _("not a regular file (a pipe, socket or device): not read")
    return None


# ---------------------------------------------------------------- byte streams


def _open(f: InputFile, opts: ReaderOptions) -> IO[bytes]:
    """The file's bytes, decompressed in bounded reads (``reader.max_expansion`` enforced)."""
    return open_decompressed(f.path, f.compression, opts.max_expansion)


def _too_long(what: str, opts: ReaderOptions) -> str:
    return _(
        "{what} is longer than {mb} MB (reader.max_record_mb); split it or raise the limit"
    ).format(what=what, mb=f"{opts.max_record_mb:g}")


def _read_record_file(f: InputFile, opts: ReaderOptions) -> bytes:
    """A file read as one document, up to ``max_record_mb``."""
    with _open(f, opts) as stream:
        data = read_capped(stream, opts.record_bytes)
    if data is None:
        raise LimitExceeded(_too_long(_("the file"), opts))
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


def _json_line(raw: bytes, source: str, opts: ReaderOptions) -> Document | Problem:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Problem(source, _("line is not UTF-8 (JSON must be UTF-8)"))
    except json.JSONDecodeError as e:
        return Problem(source, _("not valid JSON: {why}").format(why=e.msg))
    except RecursionError:
        return Problem(source, _("JSON nested too deeply"))
    return _from_object(obj, source, opts)


def _read_jsonl(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    with _open(f, opts) as stream:
        for n, raw in capped_lines(stream, opts.record_bytes):
            source = f"{f.name}:{n}"
            if raw is None:
                yield Problem(source, _too_long(_("line {n}").format(n=n), opts))
            elif raw.strip():
                yield _json_line(raw, source, opts)


def _read_json(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    with _open(f, opts) as stream:
        raw = read_capped(stream, opts.file_bytes)
    if raw is None:
        yield Problem(
            f.name,
            _(
                "the file is longer than {mb} MB (reader.max_file_mb): a .json file is parsed "
                "whole; convert it to JSONL (one object per line) or raise the limit"
            ).format(mb=f"{opts.max_file_mb:g}"),
        )
        return
    try:
        data = json.loads(decode(raw))
    except json.JSONDecodeError as e:
        yield Problem(f.name, _("not valid JSON at line {l}: {why}").format(l=e.lineno, why=e.msg))
        return
    except RecursionError:
        yield Problem(f.name, _("JSON nested too deeply"))
        return
    del raw
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list):
        yield Problem(f.name, _("expected a JSON list of objects"))
        return
    for i, obj in enumerate(data):
        yield _from_object(obj, f"{f.name}#{i}", opts)


def _read_csv(f: InputFile, opts: ReaderOptions, delimiter: str) -> Iterator[Document | Problem]:
    """Rows as objects keyed by the header. Lines reach the csv module through a line-capped
    reader, so neither a line nor a row (quoted fields may span lines) outgrows the limit."""
    limit = opts.record_bytes
    if csv.field_size_limit() < limit:  # the named row limit, not csv's 128 KB, is the bound
        csv.field_size_limit(limit)
    fed = [0]  # bytes of the row being read
    skipped: list[int] = []  # over-long lines, replaced by a blank line for csv

    def lines(stream: IO[bytes]) -> Iterator[str]:
        for n, raw in capped_lines(stream, limit, keepends=True):
            if raw is None:
                skipped.append(n)
                yield "\n"
                continue
            fed[0] += len(raw)
            if fed[0] > limit:
                raise LimitExceeded(_too_long(_("a row"), opts))
            yield raw.decode("utf-8")

    with _open(f, opts) as stream:
        reader = csv.reader(lines(stream), delimiter=delimiter)
        row_no = 0
        header: list[str] | None = None
        try:
            for row in reader:
                fed[0] = 0
                if skipped:
                    skipped.clear()
                    if header is None:
                        yield Problem(f.name, _too_long(_("the header line"), opts))
                        return
                    row_no += 1
                    yield Problem(
                        f"{f.name}#{row_no}", _too_long(_("row {n}").format(n=row_no), opts)
                    )
                    continue
                if not row:
                    continue
                if header is None:
                    header = row
                    continue
                row_no += 1
                obj: dict[str, Any] = dict(zip(header, row, strict=False))
                for key in header[len(row) :]:
                    obj.setdefault(key, None)
                yield _from_object(obj, f"{f.name}#{row_no}", opts)
        except UnicodeDecodeError:
            yield Problem(f"{f.name}#{row_no + 1}", _("not UTF-8; save the file as UTF-8"))
        except LimitExceeded as e:
            yield Problem(f"{f.name}#{row_no + 1}", str(e))
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
    if opts.txt_unit == "file":
        yield Document(f"{f.name}:1", decode(_read_record_file(f, opts)))
        return
    block: list[str] = []
    size = 0
    first = 0
    dropping = False  # inside a paragraph that is over the limit
    for n, line in _txt_lines(f, opts):
        if line is None and opts.txt_unit == "line":
            yield Problem(f"{f.name}:{n}", _too_long(_("line {n}").format(n=n), opts))
            continue
        if line is None:  # the whole paragraph around it is quarantined
            if not dropping:
                first = first if block else n
                yield Problem(
                    f"{f.name}:{first}",
                    _too_long(_("the paragraph at line {n}").format(n=first), opts),
                )
            block, size, dropping = [], 0, True
            continue
        if opts.txt_unit == "line":
            if line.strip():
                yield Document(f"{f.name}:{n}", line)
        elif line.strip():
            if dropping:
                continue
            if not block:
                first = n
            block.append(line)
            size += len(line) + 1
            if size > opts.record_bytes:
                yield Problem(
                    f"{f.name}:{first}",
                    _too_long(_("the paragraph at line {n}").format(n=first), opts),
                )
                block, size, dropping = [], 0, True
        else:
            dropping = False
            if block:
                yield Document(f"{f.name}:{first}", "\n".join(block))
                block, size = [], 0
    if block:
        yield Document(f"{f.name}:{first}", "\n".join(block))


def _txt_lines(f: InputFile, opts: ReaderOptions) -> Iterator[tuple[int, str | None]]:
    """Numbered lines of a text file (as ``str.splitlines`` numbers them), streamed.

    A first pass finds the encoding as :func:`decode` would (UTF-8 checked over the whole
    file); text in an encoding where a newline is not the byte ``\\n`` (UTF-16) is read whole,
    up to ``max_file_mb``. ``None`` stands for a line over ``max_record_mb``.
    """
    encoding, errors, bom = _sniff_encoding(f, opts)
    if codecs.encode("\n", encoding) != b"\n":
        with _open(f, opts) as stream:
            raw = read_capped(stream, opts.file_bytes)
        if raw is None:
            raise LimitExceeded(
                _(
                    "the file is longer than {mb} MB (reader.max_file_mb) and its encoding "
                    "({e}) is read whole; save it as UTF-8 or raise the limit"
                ).format(mb=f"{opts.max_file_mb:g}", e=encoding)
            )
        for n, line in enumerate(decode(raw).splitlines(), 1):
            yield n, line
        return
    n = 0
    with _open(f, opts) as stream:
        for seg_no, raw_line in capped_lines(stream, opts.record_bytes, keepends=True):
            if raw_line is None:
                n += 1
                yield n, None
                continue
            if seg_no == 1 and bom:
                raw_line = raw_line[len(bom) :]
            for line in raw_line.decode(encoding, errors).splitlines():
                n += 1
                yield n, line


def _until_limit(read1: Any) -> bytes:
    """The next chunk, or b"" where a limit stops the stream: the encoding is found from what
    came before, and the reading pass reports the limit where the records meet it."""
    try:
        chunk: bytes = read1(1 << 16)
    except LimitExceeded:
        return b""
    return chunk


def _sniff_encoding(f: InputFile, opts: ReaderOptions) -> tuple[str, str, bytes]:
    """(encoding, errors, BOM to drop) for a text file, by :func:`decode`'s rules, streaming."""
    check = codecs.getincrementaldecoder("utf-8")()
    head = b""
    utf8 = True
    nul = False
    with _open(f, opts) as stream:
        read1 = getattr(stream, "read1", stream.read)
        while chunk := _until_limit(read1):
            if len(head) < 1 << 20:
                head += chunk[: (1 << 20) - len(head)]
            if b"\x00" in chunk:
                nul = True
            if utf8:
                try:
                    check.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and len(head) >= 1 << 20:
                break
        if utf8:
            try:
                check.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8", "strict", b"\xef\xbb\xbf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "strict", b""
    if utf8:
        if nul:
            raise ValueError(_("binary data (NUL bytes), not text"))
        return "utf-8", "strict", b""
    if b"\x00" in head[:8192]:
        raise ValueError(_("binary data (NUL bytes), not text"))
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None or best.encoding is None:
        raise ValueError(_("not text in any known encoding"))
    return best.encoding, "replace", b""


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
    text = html_to_text(decode(_read_record_file(f, opts)), main_only=opts.html)
    if text is None:
        yield Problem(f.name, _("no text found in the HTML page"))
    else:
        yield Document(f"{f.name}:1", text)


def _read_xml(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    from lxml import etree

    data = _read_record_file(f, opts)
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
    """HTML and plain-text pages of a WARC. Bodies are de-chunked and decoded here, in bounded
    steps (warcio's ``content_stream()`` inflates a whole body, or a whole HTTP chunk, at
    once); a .warc.gz may inflate to ``max_expansion`` times its size, counting every record."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    limit = opts.record_bytes
    allowed = None
    if f.compression and opts.max_expansion is not None:
        allowed = max(int(opts.max_expansion * f.path.stat().st_size), 1 << 20)
    inflated = 0
    with open(f.path, "rb") as raw:
        it = ArchiveIterator(raw)
        _cap_warc_header_lines(it, limit, opts)
        try:
            for rec in it:
                inflated += max(int(rec.length or 0), 0)
                if allowed is not None and inflated > allowed:
                    yield Problem(
                        f.name,
                        _(
                            "the file inflates to more than {r:g} times its compressed size "
                            "(reader.max_expansion): a decompression bomb, or raise the limit"
                        ).format(r=opts.max_expansion),
                    )
                    return
                if rec.rec_type not in ("response", "resource", "conversion"):
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI") or ""
                http = rec.http_headers
                headers = http if http is not None else rec.rec_headers
                ctype = (headers.get_header("Content-Type") or "").lower()
                if "html" not in ctype and not ctype.startswith("text/plain"):
                    continue
                if http is not None:
                    body = http_body(
                        rec.raw_stream,
                        transfer_encoding=http.get_header("Transfer-Encoding") or "",
                        content_encoding=http.get_header("Content-Encoding") or "",
                        max_bytes=limit,
                    )
                else:
                    body = read_capped(rec.raw_stream, limit)
                source = f"{f.name}@{it.get_record_offset()}"  # after reading: it reads to the end
                if body is None:
                    yield Problem(source, _too_long(_("the page"), opts))
                    continue
                try:
                    if "html" in ctype:
                        text = html_to_text(decode(body), main_only=opts.html)
                        if text is None:
                            continue  # a page with no main text is not an error
                    else:
                        text = decode(body)
                except ValueError as e:
                    yield Problem(source, str(e))
                    continue
                yield Document(source, text, {"url": url} if url else {})
        except (ArchiveLoadFailed, EOFError, OSError, zlibError) as e:
            yield Problem(f.name, _("corrupt or truncated WARC: {why}").format(why=_short(e)))


def _cap_warc_header_lines(it: Any, limit: int, opts: ReaderOptions) -> None:
    """Bound warcio's header parsing: it reads WARC and HTTP header lines with an unbounded
    ``readline()`` on ``it.reader`` (bodies are read with ``read()``). Header bytes read since
    the last body read may not pass ``limit``."""
    reader = getattr(it, "reader", None)
    if reader is None:  # pragma: no cover - another warcio layout: its own limits apply
        return
    readline, read = reader.readline, reader.read
    used = [0]

    def capped_readline(length: int | None = None) -> bytes:
        room = limit + 1 - used[0]
        line: bytes = readline(room if length is None or length < 0 else min(length, room))
        used[0] += len(line)
        if used[0] > limit:
            raise LimitExceeded(_too_long(_("a record's headers"), opts))
        return line

    def counted_read(length: int | None = None) -> bytes:
        used[0] = 0
        data: bytes = read(length)
        return data

    reader.readline = capped_readline
    reader.read = counted_read


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
