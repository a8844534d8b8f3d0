"""Hostile input files: decompression bombs and symbolic links out of the input folder.

Each bomb is made here, at test time, from one compressed megabyte repeated (gzip members and
zstd frames may follow each other; a deflate stream cut with a full flush repeats too), so a
file of a few megabytes stands for gigabytes without the test writing them. ``puhui corpus
build`` runs for real in a subprocess under a small wrapper that reports the peak resident
memory of the build and its workers; it must finish (exit 0) under 1 GB with the file in
``quarantine/`` and a reason naming the reader limit that stopped it.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import zstandard

from puhui.corpus.audit import iter_jsonl_zst
from puhui.corpus.readers import Document, Problem, ReaderOptions, discover, read
from puhui.errors import PuhuiError

MB = 1 << 20
GB = 1 << 30
PEAK_LIMIT_KB = 1024 * 1024  # 1 GB, in ru_maxrss units (KB on Linux)
GOOD = "Habari za asubuhi, rafiki yangu. Leo tunaenda sokoni kununua mboga na matunda."

# Runs a command and prints the largest peak RSS (KB) among it and its descendants, last.
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:])\n"
    "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(p.returncode)\n"
)


def build(inp: Path, out: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """``puhui corpus build INP --out OUT ARGS`` in a subprocess; (result, peak RSS in KB)."""
    command = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "puhui", "corpus", "build"]
    proc = subprocess.run(
        [*command, str(inp), "--out", str(out), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    last = proc.stdout.rstrip().rsplit("\n", 1)[-1]
    assert last.startswith("PEAK_RSS_KB "), proc.stdout + proc.stderr
    return proc, int(last.split()[1])


def quarantine(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for p in sorted((out / "quarantine").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]


def kept_texts(out: Path) -> list[str]:
    return [
        r["text"] for p in sorted((out / "data").glob("*.jsonl.zst")) for r in iter_jsonl_zst(p)
    ]


def assert_survived(proc: subprocess.CompletedProcess[str], peak_kb: int) -> None:
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stdout + proc.stderr
    assert peak_kb < PEAK_LIMIT_KB, f"peak RSS {peak_kb // 1024} MB"


# ---------------------------------------------------------------- bomb makers


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def gzip_members(head: bytes, megabytes: int, tail: bytes) -> bytes:
    """A multi-member gzip file: ``head``, ``megabytes`` MB of ``a``, ``tail`` (~1 KB per MB)."""
    return gz(head) + gz(b"a" * MB) * megabytes + gz(tail)


def gzip_stream(megabytes: int) -> bytes:
    """ONE gzip member inflating to ``megabytes`` MB of ``a`` (as an HTTP body must be).

    A full flush ends each megabyte on a byte boundary with an empty window, so the compressed
    megabyte repeats byte for byte. The trailer's CRC is not that of the data: nothing honest
    reads that far.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(b"a" * MB) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(b"a" * MB) + c.flush(zlib.Z_FULL_FLUSH)
    return first + again * (megabytes - 1) + c.flush()


def warc(path: Path, body: bytes, headers: list[tuple[str, str]], *, level: int | None) -> None:
    """A WARC with the hostile response first, then an honest page; ``level``: each record a
    gzip member compressed at that level (a .warc.gz), or None (a plain .warc)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        for uri, payload, hdrs in (
            ("https://bomb.example/", body, headers),
            ("https://good.example/", f"<html><body><p>{GOOD}</p></body></html>".encode(), []),
        ):
            buf = io.BytesIO()
            w = WARCWriter(buf, gzip=False)
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html"), *hdrs], protocol="HTTP/1.1"
            )
            w.write_record(
                w.create_warc_record(
                    uri, "response", payload=io.BytesIO(payload), http_headers=http
                )
            )
            record = buf.getvalue()
            f.write(record if level is None else gzip.compress(record, level, mtime=0))


def chunked(data: bytes, size: int = 1 << 16) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size])
        for i in range(0, len(data), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


# ---------------------------------------------------------------- item 7: decompression bombs


def test_jsonl_gz_with_one_3gb_line(tmp_path: Path) -> None:
    """The acceptance case: a 3 MB .jsonl.gz whose first line is 3 GB long."""
    inp = tmp_path / "in"
    inp.mkdir()
    bomb = gzip_members(b'{"text": "', 3 * 1024, b'"}\n' + json.dumps({"text": GOOD}).encode())
    assert len(bomb) < 4 * MB
    (inp / "bomb.jsonl.gz").write_bytes(bomb)
    out = tmp_path / "out"
    proc, peak = build(inp, out)
    assert_survived(proc, peak)
    errors = {q["source"]: q["error"] for q in quarantine(out)}
    assert "line 1 is longer than 8 MB (reader.max_record_mb)" in errors["in/bomb.jsonl.gz:1"]
    # skipping the line, the file then passes 100 x its size: a bomb; reading stops there
    assert "(reader.max_expansion)" in errors["in/bomb.jsonl.gz"]


def test_a_long_line_is_skipped_and_the_next_lines_are_read(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    noise = os.urandom(7 * MB).hex().encode()  # 14 MB that do not compress much: no bomb
    lines = b'{"text": "' + noise + b'"}\n' + json.dumps({"text": GOOD}).encode() + b"\n"
    (inp / "long.jsonl.gz").write_bytes(gzip.compress(lines, compresslevel=1))
    out = tmp_path / "out"
    proc, peak = build(inp, out)
    assert_survived(proc, peak)
    assert [q["source"] for q in quarantine(out)] == ["in/long.jsonl.gz:1"]
    assert "(reader.max_record_mb)" in quarantine(out)[0]["error"]
    assert kept_texts(out) == [GOOD]


def test_csv_gz_with_a_huge_row(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    bomb = gzip_members(b'id,text\n1,"', 3 * 1024, f'"\n2,"{GOOD}"\n'.encode())
    (inp / "bomb.csv.gz").write_bytes(bomb)
    out = tmp_path / "out"
    proc, peak = build(inp, out)
    assert_survived(proc, peak)
    errors = {q["source"]: q["error"] for q in quarantine(out)}
    assert "row 1 is longer than 8 MB (reader.max_record_mb)" in errors["in/bomb.csv.gz#1"]


def test_csv_row_spread_over_many_lines(tmp_path: Path) -> None:
    """A quoted field may hold newlines: the row, not only the line, is capped."""
    inp = tmp_path / "in"
    inp.mkdir()
    with open(inp / "rows.csv", "wb") as f:
        f.write(b'id,text\n1,"')
        f.write(b"many short lines inside one quoted field\n" * (9 * MB // 41))
        f.write(f'"\n2,"{GOOD}"\n'.encode())
    out = tmp_path / "out"
    proc, peak = build(inp, out)
    assert_survived(proc, peak)
    (q,) = quarantine(out)
    assert q["source"] == "in/rows.csv#1" and "(reader.max_record_mb)" in q["error"]


@pytest.mark.parametrize("unit", ["file", "line"])
def test_small_txt_zst_inflating_to_gigabytes(tmp_path: Path, unit: str) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    frame = zstandard.ZstdCompressor(level=19).compress(b"a" * MB)
    (inp / "bomb.txt.zst").write_bytes(frame * 4096)  # ~200 KB on disk, 4 GB inflated
    out = tmp_path / "out"
    proc, peak = build(inp, out, "--txt-unit", unit)
    assert_survived(proc, peak)
    errors = " | ".join(f"{q['source']}: {q['error']}" for q in quarantine(out))
    assert "in/bomb.txt.zst" in errors
    assert "longer than 8 MB (reader.max_record_mb)" in errors


@pytest.mark.parametrize(
    ("name", "transfer", "level", "reason"),
    [
        ("bomb.warc", "", None, "the page is longer than 8 MB (reader.max_record_mb)"),
        ("chunked.warc", "chunked", None, "the page is longer than 8 MB (reader.max_record_mb)"),
        ("stored.warc.gz", "chunked", 0, "the page is longer than 8 MB (reader.max_record_mb)"),
        # compressed twice, the 3 GB page is an 8 KB file: the expansion limit stops it
        ("bomb.warc.gz", "", 9, "(reader.max_expansion)"),
    ],
)
def test_warc_with_a_gzip_content_encoding_bomb(
    tmp_path: Path, name: str, transfer: str, level: int | None, reason: str
) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    body = gzip_stream(3 * 1024)  # 3 MB, inflating to 3 GB
    headers = [("Content-Encoding", "gzip")]
    if transfer:
        body, headers = chunked(body), [*headers, ("Transfer-Encoding", "chunked")]
    warc(inp / name, body, headers, level=level)
    out = tmp_path / "out"
    proc, peak = build(inp, out)
    assert_survived(proc, peak)
    (q,) = quarantine(out)
    assert q["source"].startswith(f"in/{name}") and reason in q["error"]
    if "max_record_mb" in reason:
        assert q["source"].startswith(f"in/{name}@")  # the record's offset
        assert kept_texts(out) == [GOOD]  # the page after the bomb is read


def test_warc_gz_record_inflating_past_the_expansion_limit(tmp_path: Path) -> None:
    """A .warc.gz record (one gzip member) that inflates to 3 GB is not read at all."""
    inp = tmp_path / "in"
    inp.mkdir()
    size = 3 * GB
    head = (
        "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://bomb.example/\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    mb_a = c.compress(b"a" * MB) + c.flush(zlib.Z_FULL_FLUSH)
    (inp / "big.warc.gz").write_bytes(first + mb_a * (size // MB) + c.flush())
    out = tmp_path / "out"
    proc, peak = build(inp, out)
    assert_survived(proc, peak)
    (q,) = quarantine(out)
    assert q["source"] == "in/big.warc.gz" and "(reader.max_expansion)" in q["error"]


@pytest.mark.slow
def test_reader_stops_a_bomb_of_many_short_lines(tmp_path: Path) -> None:
    """Short lines pass the record limit; the expansion limit still stops the file early."""
    line = json.dumps({"text": GOOD}).encode() + b"\n"
    block = gz(line * (MB // len(line)))  # one MB of lines, ~1 KB compressed
    path = tmp_path / "lines.jsonl.gz"
    path.write_bytes(block * 64)  # 64 MB of lines
    (f,) = discover([path])
    items = list(read(f, ReaderOptions()))
    docs = [i for i in items if isinstance(i, Document)]
    assert 0 < len(docs) < 64 * (MB // len(line)) // 2
    assert isinstance(items[-1], Problem) and "(reader.max_expansion)" in items[-1].error
    everything = list(read(f, ReaderOptions(max_expansion=None)))  # the limit can be lifted
    assert len(everything) == 64 * (MB // len(line))


# ---------------------------------------------------------------- item 8: symbolic links


def test_links_out_of_the_input_folder_are_skipped_and_reported(tmp_path: Path) -> None:
    secret_dir = tmp_path / "private"
    secret_dir.mkdir()
    secret = "Nenosiri langu la benki ni SIRI-TOKEN-7731 na usimwambie mtu yeyote kamwe."
    (secret_dir / "secrets.txt").write_text(secret)
    (secret_dir / "more.txt").write_text(secret)
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "good.txt").write_text(GOOD)
    (inp / "sub" / "inner.txt").write_text(
        "Mvua kubwa imenyesha usiku kucha, na wakulima wanafurahi kwa sababu mashamba yana maji."
    )
    os.symlink(secret_dir / "secrets.txt", inp / "notes.txt")  # a file link out
    os.symlink(secret_dir, inp / "linked")  # a folder link out
    os.symlink(inp / "sub" / "inner.txt", inp / "alias.txt")  # stays inside: read
    out = tmp_path / "out"
    proc, peak = build(inp, out, "--json")
    assert_survived(proc, peak)
    texts = kept_texts(out)
    assert not any("SIRI-TOKEN" in t for t in texts)
    assert GOOD in texts
    summary = json.loads(proc.stdout.rsplit("\nPEAK_RSS_KB", 1)[0])
    skipped = {s["path"]: s["reason"] for s in summary["skipped_inputs"]}
    assert set(skipped) == {"in/notes.txt", "in/linked"}
    assert "outside the input folder" in skipped["in/notes.txt"]
    assert "outside the input folder" in skipped["in/linked"]
    audit = json.loads((out / "audit.json").read_text())
    assert audit["skipped_inputs"]["count"] == 2
    assert {s["path"] for s in audit["skipped_inputs"]["items"]} == set(skipped)
    assert any(w["code"] == "skipped_inputs" for w in audit["warnings"])
    html = (out / "audit.html").read_text()
    assert "in/notes.txt" in html and "SIRI-TOKEN" not in html

    # the table summary names them too; a resumed build (manifest gone) says the same
    data = sorted((out / "data").glob("*"))
    before = [p.read_bytes() for p in data]
    (out / "manifest.json").unlink()
    again, peak = build(inp, out)
    assert_survived(again, peak)
    assert "in/notes.txt" in again.stderr and "outside the input folder" in again.stderr
    assert [p.read_bytes() for p in sorted((out / "data").glob("*"))] == before
    assert json.loads((out / "audit.json").read_text())["skipped_inputs"]["count"] == 2


def test_broken_links_and_pipes_are_skipped_and_reported(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(GOOD)
    os.mkfifo(inp / "pipe.txt")  # reading it would wait forever
    os.symlink(tmp_path / "missing.txt", inp / "broken.txt")  # stat() on it would fail
    out = tmp_path / "out"
    proc, peak = build(inp, out, "--json")
    assert_survived(proc, peak)
    assert kept_texts(out) == [GOOD]
    summary = json.loads(proc.stdout.rsplit("\nPEAK_RSS_KB", 1)[0])
    skipped = {s["path"]: s["reason"] for s in summary["skipped_inputs"]}
    assert "broken symbolic link" in skipped["in/broken.txt"]
    assert "not a regular file" in skipped["in/pipe.txt"]


# ---------------------------------------------------------------- Inspect .eval members


def eval_zip(path: Path, member: str, stored: bytes, *, method: int, declared: int) -> Path:
    """A one-member zip whose directory claims ``method`` and ``declared`` uncompressed bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(member, stored)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<H", data, 8, method)  # the local header is at offset 0
    struct.pack_into("<I", data, 22, declared)
    struct.pack_into("<H", data, central + 10, method)
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))
    return path


def test_eval_zip_members_are_bounded(tmp_path: Path) -> None:
    from puhui.evals.imports import read_source

    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    small = raw_deflate.compress(b"{}") + raw_deflate.flush()
    big = eval_zip(tmp_path / "big.eval", "header.json", small, method=8, declared=129 * MB)
    with pytest.raises(PuhuiError) as e:
        read_source(big)
    assert "big.eval" in str(e.value) and "header.json" in str(e.value)
    assert "over the 128 MB limit" in str(e.value)

    # a zstd member (Inspect's method 93) whose frame says 64 MB while the zip says 1,000 bytes
    frame = zstandard.ZstdCompressor().compress(b"{" + b" " * (64 * MB))
    liar = eval_zip(tmp_path / "liar.eval", "header.json", frame, method=93, declared=1000)
    with pytest.raises(PuhuiError) as e:
        read_source(liar)
    message = str(e.value)
    assert "liar.eval" in message and "header.json" in message and "\n" not in message
    assert "inflates to more than the 1000 bytes the zip directory declares" in message
    huge = eval_zip(tmp_path / "huge.eval", "header.json", frame, method=93, declared=GB)
    with pytest.raises(PuhuiError, match="over the 128 MB limit"):
        read_source(huge)


# ---------------------------------------------------------------- the limits are options


def test_reader_limits_are_pipeline_options(tmp_path: Path) -> None:
    from puhui.corpus.config import load_config

    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("reader: {max_record_mb: 0.001, max_file_mb: 0.001, max_expansion: null}\n")
    cfg = load_config(pipeline)
    assert cfg.reader.record_bytes == 1048 and cfg.reader.max_expansion is None
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"text": GOOD}) + "\n" + json.dumps({"text": "x" * 2000}) + "\n"
    )
    (tmp_path / "b.json").write_text(json.dumps([{"text": GOOD}] * 20))
    items = [
        i
        for p in discover([tmp_path / "a.jsonl", tmp_path / "b.json"])
        for i in read(p, cfg.reader)
    ]
    assert isinstance(items[0], Document)
    assert isinstance(items[1], Problem) and items[1].source == "a.jsonl:2"
    assert "line 2 is longer than 0.001 MB (reader.max_record_mb)" in items[1].error
    assert isinstance(items[2], Problem) and "(reader.max_file_mb)" in items[2].error
    for bad in ("max_record_mb: 0", "max_file_mb: null", "max_expansion: 0.5"):
        pipeline.write_text(f"reader: {{{bad}}}\n")
        with pytest.raises(PuhuiError, match=r"reader\.max_"):
            load_config(pipeline)
