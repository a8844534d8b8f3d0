"""Readers for structured formats: JSON Lines, JSON, CSV/TSV and Parquet (one row a document)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from puhui.corpus.bounded import (
    LimitExceeded,
    capped_lines,
    read_capped,
)
from puhui.corpus.readers.files import TEXT_FIELDS, Document, InputFile, Problem, ReaderOptions
from puhui.corpus.readers.streams import (
    decode,
    from_object,
    open_input,
    too_long,
)
from puhui.i18n import _

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
    return from_object(obj, source, opts)


def read_jsonl(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    with open_input(f, opts) as stream:
        for n, raw in capped_lines(stream, opts.record_bytes):
            source = f"{f.name}:{n}"
            if raw is None:
                yield Problem(source, too_long(_("line {n}").format(n=n), opts))
            elif raw.strip():
                yield _json_line(raw, source, opts)


def read_json(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
    with open_input(f, opts) as stream:
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
        yield from_object(obj, f"{f.name}#{i}", opts)


def read_csv(f: InputFile, opts: ReaderOptions, delimiter: str) -> Iterator[Document | Problem]:
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
                raise LimitExceeded(too_long(_("a row"), opts))
            yield raw.decode("utf-8")

    with open_input(f, opts) as stream:
        reader = csv.reader(lines(stream), delimiter=delimiter)
        row_no = 0
        header: list[str] | None = None
        try:
            for row in reader:
                fed[0] = 0
                if skipped:
                    skipped.clear()
                    if header is None:
                        yield Problem(f.name, too_long(_("the header line"), opts))
                        return
                    row_no += 1
                    yield Problem(
                        f"{f.name}#{row_no}", too_long(_("row {n}").format(n=row_no), opts)
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
                yield from_object(obj, f"{f.name}#{row_no}", opts)
        except UnicodeDecodeError:
            yield Problem(f"{f.name}#{row_no + 1}", _("not UTF-8; save the file as UTF-8"))
        except LimitExceeded as e:
            yield Problem(f"{f.name}#{row_no + 1}", str(e))
        except csv.Error as e:
            yield Problem(f"{f.name}#{row_no + 1}", _("bad CSV: {why}").format(why=e))


def read_parquet(f: InputFile, opts: ReaderOptions) -> Iterator[Document | Problem]:
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
            yield from_object(obj, f"{f.name}#{row}", ReaderOptions(text_field=column))
            row += 1
