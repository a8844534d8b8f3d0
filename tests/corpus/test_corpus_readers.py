"""Readers: every format, encodings, and broken input that must be quarantined, never crash."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puhui.corpus.readers import Document, Problem, ReaderOptions, decode, discover, read

OPTS = ReaderOptions()


def read_path(path: Path, opts: ReaderOptions = OPTS) -> list[Document | Problem]:
    (f,) = discover([path])
    return list(read(f, opts))


def texts(items: list[Document | Problem]) -> list[str]:
    return [i.text for i in items if isinstance(i, Document)]


def problems(items: list[Document | Problem]) -> list[str]:
    return [i.error for i in items if isinstance(i, Problem)]


def test_jsonl_in_every_compression(tmp_path: Path) -> None:
    lines = b'{"text": "Habari ya asubuhi"}\n{"content": "Ina kwana"}\n'
    variants = {
        "a.jsonl": lines,
        "b.jsonl.gz": gzip.compress(lines),
        "c.jsonl.zst": zstandard.ZstdCompressor().compress(lines),
        "d.jsonl.xz": lzma.compress(lines),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        items = read_path(tmp_path / name)
        assert texts(items) == ["Habari ya asubuhi", "Ina kwana"], name
        assert items[0].source == f"{name}:1"  # type: ignore[union-attr]


def test_jsonl_bad_lines_are_quarantined_with_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(
        b'{"text": "ok one"}\n{"text": "broken\n[1, 2]\n{"title": "no text"}\n'
        b'{"text": 5}\n\xff\xfe{"text": "latin"}\n{"text": "ok two"}\n'
    )
    items = read_path(p)
    assert texts(items) == ["ok one", "ok two"]
    sources = [i.source for i in items if isinstance(i, Problem)]
    assert sources == ["x.jsonl:2", "x.jsonl:3", "x.jsonl:4", "x.jsonl:5", "x.jsonl:6"]
    errs = problems(items)
    assert "not valid JSON" in errs[0] and "JSON object" in errs[1]
    assert "--text-field" in errs[2] and "not text" in errs[3] and "UTF-8" in errs[4]


def test_text_field_option(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"text": "wrong", "sentence": "right one"}\n')
    assert texts(read_path(p, ReaderOptions(text_field="sentence"))) == ["right one"]


def test_json_csv_tsv_parquet(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"rows": [{"text": "one"}, {"text": "two"}]}))
    assert texts(read_path(tmp_path / "a.json")) == ["one", "two"]
    (tmp_path / "b.csv").write_text('id,text\n1,"Sannu, yaya kake?"\n2,Lafiya lau\n')
    items = read_path(tmp_path / "b.csv")
    assert texts(items) == ["Sannu, yaya kake?", "Lafiya lau"]
    assert items[0].meta == {"id": "1"}  # type: ignore[union-attr]
    (tmp_path / "c.tsv").write_text("text\tlabel\nẸ kú àárọ̀\tgreeting\n")
    assert texts(read_path(tmp_path / "c.tsv")) == ["Ẹ kú àárọ̀"]
    pq.write_table(pa.table({"body": ["مرحبا", "سلام"]}), tmp_path / "d.parquet")
    assert texts(read_path(tmp_path / "d.parquet")) == ["مرحبا", "سلام"]


def test_txt_units_and_encodings(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Para one\nstill one\n\nPara two\n")
    assert texts(read_path(tmp_path / "a.txt")) == ["Para one\nstill one\n\nPara two\n"]
    items = read_path(tmp_path / "a.txt", ReaderOptions(txt_unit="paragraph"))
    assert texts(items) == ["Para one\nstill one", "Para two"]
    assert [i.source for i in items] == ["a.txt:1", "a.txt:4"]
    assert texts(read_path(tmp_path / "a.txt", ReaderOptions(txt_unit="line")))[1] == "still one"
    (tmp_path / "b.txt").write_bytes(
        "Déclaration universelle des droits de l'homme".encode("cp1252")
    )
    assert texts(read_path(tmp_path / "b.txt")) == ["Déclaration universelle des droits de l'homme"]
    (tmp_path / "c.txt").write_text("Ẹ kú àárọ̀", encoding="utf-16")
    assert texts(read_path(tmp_path / "c.txt")) == ["Ẹ kú àárọ̀"]


def test_html_boilerplate_is_removed(tmp_path: Path) -> None:
    html = (
        "<html><body><nav>Home | About | Login</nav><article><p>Wannan labari ne game da "
        "manoma a jihar Kano da yadda suke noman gyada a lokacin damina.</p></article>"
        "<footer>Copyright 2024 Radio</footer></body></html>"
    )
    (tmp_path / "p.html").write_text(html)
    (text,) = texts(read_path(tmp_path / "p.html"))
    assert "manoma a jihar Kano" in text and "Login" not in text and "Copyright" not in text


def test_warc(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(tmp_path / "c.warc.gz", "wb") as f:
        w = WARCWriter(f, gzip=True)
        body = (
            "<html><body><article><p>Ìròyìn: àwọn àgbẹ̀ ní ìpínlẹ̀ Ọ̀yọ́ ń gbin àgbàdo "
            "púpọ̀ ní ọdún yìí nítorí òjò tó rọ̀ dáadáa.</p></article></body></html>"
        ).encode()
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        w.write_record(
            w.create_warc_record(
                "https://example.org/yo",
                "response",
                payload=__import__("io").BytesIO(body),
                http_headers=headers,
            )
        )
    items = read_path(tmp_path / "c.warc.gz")
    assert len(texts(items)) == 1 and "àgbàdo" in texts(items)[0]
    assert items[0].meta == {"url": "https://example.org/yo"}  # type: ignore[union-attr]
    assert items[0].source.startswith("c.warc.gz@")


def test_broken_files_are_problems(tmp_path: Path) -> None:
    (tmp_path / "photo.txt").write_bytes(bytes(range(256)) * 4)
    assert "binary" in problems(read_path(tmp_path / "photo.txt"))[0]
    good = gzip.compress(b'{"text": "first"}\n' * 2000)
    (tmp_path / "t.jsonl.gz").write_bytes(good[: len(good) // 2])
    items = read_path(tmp_path / "t.jsonl.gz")
    assert len(texts(items)) > 0 and "corrupt or truncated" in problems(items)[-1]
    zst = zstandard.ZstdCompressor().compress(b"\n".join(b"%d" % i for i in range(5000)))
    (tmp_path / "z.jsonl.zst").write_bytes(zst[: len(zst) // 2])
    assert "corrupt or truncated" in problems(read_path(tmp_path / "z.jsonl.zst"))[0]
    (tmp_path / "s.xlsx").write_bytes(b"PK\x03\x04")
    assert "unsupported file type" in problems(read_path(tmp_path / "s.xlsx"))[0]
    (tmp_path / "bad.xml").write_text("<a><b></a>")
    assert "not well-formed XML" in problems(read_path(tmp_path / "bad.xml"))[0]


def test_discover_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "in" / "b").mkdir(parents=True)
    (tmp_path / "in" / ".git").mkdir()
    for name in ("in/b/2.txt", "in/a.txt", "in/.hidden.txt", "in/.git/x.txt"):
        (tmp_path / name).write_text("x")
    assert [f.name for f in discover([tmp_path / "in"])] == ["in/a.txt", "in/b/2.txt"]


def test_decode_detects_encodings() -> None:
    assert decode("Ẹ kú".encode("utf-8-sig")) == "Ẹ kú"
    assert decode("Привет мир, как дела сегодня".encode("cp1251")) == "Привет мир, как дела сегодня"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=3000),
    name=st.sampled_from(
        [
            "f.txt",
            "f.jsonl",
            "f.json",
            "f.csv",
            "f.tsv",
            "f.html",
            "f.xml",
            "f.jsonl.gz",
            "f.txt.zst",
            "f.csv.xz",
            "f.warc",
            "f.warc.gz",
            "f.parquet",
        ]
    ),
)
def test_fuzz_any_bytes_never_crash(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for item in read_path(path):
        assert isinstance(item, Document | Problem)
        if isinstance(item, Problem):
            assert item.error and "\n" not in item.error


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            st.builds(lambda t: json.dumps({"text": t}), st.text()),
            st.text(max_size=50),
            st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
        ),
        max_size=20,
    ),
    cut=st.integers(min_value=0, max_value=400),
)
def test_fuzz_jsonl_gz_truncated_anywhere(tmp_path: Path, lines: list[str], cut: int) -> None:
    raw = gzip.compress("\n".join(lines).encode("utf-8", "surrogatepass"))
    path = tmp_path / "f.jsonl.gz"
    path.write_bytes(raw[: max(len(raw) - cut, 0)])
    items = read_path(path)
    assert all(isinstance(i, Document | Problem) for i in items)


def test_ten_megabyte_line(tmp_path: Path) -> None:
    big = "ab " * (10 * 2**20 // 3)
    (tmp_path / "big.jsonl").write_text(json.dumps({"text": big}) + "\n")
    (item,) = read_path(tmp_path / "big.jsonl", ReaderOptions(max_record_mb=16))
    assert isinstance(item, Document) and len(item.text) == len(big)
    (item,) = read_path(tmp_path / "big.jsonl")  # over the default 8 MB: quarantined, named
    assert isinstance(item, Problem) and "(reader.max_record_mb)" in item.error
