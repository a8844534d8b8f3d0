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

One module per concern: :mod:`.files` (discovering inputs, the document types),
:mod:`.streams` (bounded byte streams, decoding), :mod:`.structured` (JSON Lines, JSON,
CSV/TSV, Parquet) and :mod:`.text` (text, HTML, XML, WARC).
"""

from __future__ import annotations

import lzma
from collections.abc import Iterator

import zstandard

from puhui.corpus.readers.files import (
    COMPRESSIONS,
    FORMATS,
    TEXT_FIELDS,
    Document,
    InputFile,
    Problem,
    ReaderOptions,
    Skipped,
    classify,
    discover,
)
from puhui.corpus.readers.streams import ZLIB_ERROR, decode, short_error
from puhui.corpus.readers.structured import read_csv, read_json, read_jsonl, read_parquet
from puhui.corpus.readers.text import html_to_text, read_html, read_txt, read_warc, read_xml
from puhui.i18n import _

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "TEXT_FIELDS",
    "Document",
    "InputFile",
    "Problem",
    "ReaderOptions",
    "Skipped",
    "classify",
    "decode",
    "discover",
    "html_to_text",
    "read",
]

_READERS = {
    "jsonl": read_jsonl,
    "json": read_json,
    "parquet": read_parquet,
    "txt": read_txt,
    "html": read_html,
    "xml": read_xml,
    "warc": read_warc,
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
            yield from read_csv(f, opts, "," if f.format == "csv" else "\t")
        else:
            yield from _READERS[f.format](f, opts)
    except (EOFError, zstandard.ZstdError, lzma.LZMAError, OSError, ZLIB_ERROR) as e:
        yield Problem(f.name, _("corrupt or truncated file: {why}").format(why=short_error(e)))
    except (ValueError, UnicodeDecodeError) as e:
        yield Problem(f.name, short_error(e))
    except Exception as e:
        yield Problem(
            f.name,
            _("could not read ({kind}): {why}").format(kind=type(e).__name__, why=short_error(e)),
        )
