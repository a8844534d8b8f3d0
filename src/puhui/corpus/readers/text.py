"""Readers for text and markup: .txt/.md (file, paragraph or line), HTML, XML and WARC."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

from puhui.corpus.bounded import (
    LimitExceeded,
    capped_lines,
    http_body,
    read_capped,
)
from puhui.corpus.readers.files import Document, InputFile, Problem, ReaderOptions
from puhui.corpus.readers.streams import (
    ZLIB_ERROR,
    decode,
    open_input,
    read_record_file,
    short_error,
    sniff_encoding,
    too_long,
)
from puhui.i18n import _


def read_txt(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    if opts.txt_unit == "file":
        yield Document(f"{f.name}:1", decode(read_record_file(f, opts)))
        return
    block: list[str] = []
    size = 0
    first = 0
    dropping = False  # inside a paragraph that is over the limit
    for n, line in _txt_lines(f, opts):
        if line is None and opts.txt_unit == "line":
            yield Problem(f"{f.name}:{n}", too_long(_("line {n}").format(n=n), opts))
            continue
        if line is None:  # the whole paragraph around it is quarantined
            if not dropping:
                first = first if block else n
                yield Problem(
                    f"{f.name}:{first}",
                    too_long(_("the paragraph at line {n}").format(n=first), opts),
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
                    too_long(_("the paragraph at line {n}").format(n=first), opts),
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
    encoding, errors, bom = sniff_encoding(f, opts)
    if codecs.encode("\n", encoding) != b"\n":
        with open_input(f, opts) as stream:
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
    with open_input(f, opts) as stream:
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


def read_html(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    text = html_to_text(decode(read_record_file(f, opts)), main_only=opts.html)
    if text is None:
        yield Problem(f.name, _("no text found in the HTML page"))
    else:
        yield Document(f"{f.name}:1", text)


def read_xml(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    from lxml import etree

    data = read_record_file(f, opts)
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


def read_warc(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
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
                    yield Problem(source, too_long(_("the page"), opts))
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
        except (ArchiveLoadFailed, EOFError, OSError, ZLIB_ERROR) as e:
            yield Problem(f.name, _("corrupt or truncated WARC: {why}").format(why=short_error(e)))


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
            raise LimitExceeded(too_long(_("a record's headers"), opts))
        return line

    def counted_read(length: int | None = None) -> bytes:
        used[0] = 0
        data: bytes = read(length)
        return data

    reader.readline = capped_readline
    reader.read = counted_read
