"""End-to-end corpus builds: outputs, resume after kill -9, Ray equals local, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from puhui.artifacts import check
from puhui.corpus.pipeline import read_jsonl_zst
from realdata import DATA, SHARED_DATA, sib200_suite, sib_test

from conftest import Run, assert_one_line_error

DEMO_RAW = Path(__file__).resolve().parents[2] / "src" / "puhui" / "content" / "demo_corpus" / "raw"
pytestmark = pytest.mark.slow

LANGS = [
    "yor_Latn",
    "hau_Latn",
    "swh_Latn",
    "amh_Ethi",
    "arb_Arab",
    "hin_Deva",
    "zho_Hans",
    "ind_Latn",
    "jav_Latn",
    "eng_Latn",
    "fra_Latn",
    "zul_Latn",
]


def make_input(root: Path, per_lang: int = 6) -> Path:
    """JSONL files of FLORES sentences (4 per document), with an exact duplicate."""
    root.mkdir(parents=True)
    for lang in LANGS:
        sents = sib_test(lang, 4 * per_lang)  # tests/data/sib200
        docs = [" ".join(sents[i : i + 4]) for i in range(0, 4 * per_lang, 4)]
        docs.append(docs[0])  # exact duplicate
        with open(root / f"{lang}.jsonl", "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps({"text": d}, ensure_ascii=False) + "\n")
    return root


def content(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".work" not in p.parts
    }


def unstamped(folder: Path) -> dict[str, bytes]:
    """Content files of a build with its start time masked.

    Two runs differ only in their start time (a resumed run keeps its first start), which the
    audit and datasheet quote; the manifest pins those files' hashes, so it is left out.
    """
    started = json.loads((folder / ".work" / "config.json").read_text())["started"]
    files = content(folder)
    del files["manifest.json"]
    return {k: v.replace(started.encode(), b"START") for k, v in files.items()}


@pytest.fixture(scope="module")
def small_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_input(tmp_path_factory.mktemp("in") / "raw")


RESUME_FILES = 12


@pytest.fixture(scope="module")
def resume_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FLORES documents in all 205 varieties (the sib200 suite's sentences, 4 per document) in
    12 JSONL files: each file one unit, long enough that a kill lands between units."""
    root = tmp_path_factory.mktemp("in") / "many"
    root.mkdir()
    files: list[list[str]] = [[] for _ in range(RESUME_FILES)]
    for i, rows in enumerate(sib200_suite().values()):
        sents = [text for _id, text in rows]
        files[i % RESUME_FILES] += [" ".join(sents[j : j + 4]) for j in range(0, len(sents), 4)]
    for k, docs in enumerate(files):
        with open(root / f"part-{k:02d}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps({"text": d}, ensure_ascii=False) + "\n" for d in docs)
    return root


def test_build_demo_corpus(puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = puhui("corpus", "build", str(DEMO_RAW), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    m = check(out)
    assert m.kind == "corpus" and summary["id"] == m.id
    for name in ("audit.json", "audit.html", "croissant.json", "datasheet.md"):
        assert (out / name).is_file(), name
    rows = [r for p in sorted((out / "data").glob("*.jsonl.zst")) for r in read_jsonl_zst(p)]
    assert rows and all({"id", "text", "lang", "script", "source"} <= set(r) for r in rows)
    langs = {r["lang"] for r in rows}
    assert {"yo", "ha", "sw", "am", "ar", "hi", "zh-Hans", "en"} <= langs, langs
    removed = [r for p in (out / "removed").glob("*.jsonl.zst") for r in read_jsonl_zst(p)]
    reasons = {r["reason"] for r in removed}
    assert {"dedup.exact", "quality.lorem_ipsum", "quality.code_like"} <= reasons, reasons
    # personal data is redacted in what is kept
    text = "\n".join(r["text"] for r in rows)
    assert "adebayo.okonkwo@example.ng" not in text and "<EMAIL>" in text
    assert "529.982.247-25" not in text
    quarantine = [
        json.loads(line)
        for p in (out / "quarantine").glob("*.jsonl")
        for line in p.read_text().splitlines()
    ]
    errors = " ".join(q["error"] for q in quarantine)
    assert "not valid JSON" in errors and "binary" in errors and "truncated" in errors
    # the audit can be recomputed, in the same bytes, and read as a table or JSON
    shown = puhui("corpus", "audit", str(out))
    assert shown.returncode == 0, shown.stderr
    assert "Yoruba" in shown.stdout and "Full audit" in shown.stdout
    as_json = json.loads(puhui("corpus", "audit", str(out), "--json").stdout)
    assert as_json["languages"]["yo"]["documents"] > 0
    check(out)
    # the same command again: already built, nothing changes
    before = content(out)
    again = puhui("corpus", "build", str(DEMO_RAW), "--out", str(out), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["resumed_units"] == -1
    assert content(out) == before


def test_kill_9_then_resume_is_byte_identical(resume_input: Path, tmp_path: Path) -> None:
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("shard_mb: 0.002\n")  # one unit per input file (each is over 2 KB)
    clean = tmp_path / "clean"
    cmd = [
        sys.executable,
        "-m",
        "puhui",
        "corpus",
        "build",
        str(resume_input),
        "--pipeline",
        str(pipeline),
        "--workers",
        "1",
        "--json",
        "--name",
        "resume-test",
    ]
    first = subprocess.run(
        [*cmd, "--out", str(clean)], check=True, capture_output=True, text=True, timeout=600
    )
    assert json.loads(first.stdout)["units"] == RESUME_FILES

    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [*cmd, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    units = out / ".work" / "units"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list(units.glob("*.done.json")):
        time.sleep(0.005)  # kill soon after the first unit is done
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_at_kill = len(list(units.glob("*.done.json")))
    assert 0 < done_at_kill < RESUME_FILES  # killed in the middle
    resumed = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed_units"] >= done_at_kill
    assert unstamped(out) == unstamped(clean)
    check(out)


def test_ray_executor_equals_local(puhui: Run, small_input: Path, tmp_path: Path) -> None:
    # Ray comes with the test extra: without it the build below fails, the test never skips.
    local, ray_out = tmp_path / "local", tmp_path / "ray"
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("shard_mb: 0.01\n")  # 7 units of 1 to 3 input files
    for out, executor in ((local, "local"), (ray_out, "ray")):
        proc = puhui(
            "corpus",
            "build",
            str(small_input),
            "--out",
            str(out),
            "--pipeline",
            str(pipeline),
            "--executor",
            executor,
            "--workers",
            "2",
            "--json",
            "--name",
            "same",
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
    assert unstamped(local) == unstamped(ray_out)


def test_dedup_against_earlier_corpus(puhui: Run, small_input: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert (
        puhui(
            "corpus", "build", str(small_input / "yor_Latn.jsonl"), "--out", str(first)
        ).returncode
        == 0
    )
    second = tmp_path / "second"
    proc = puhui(
        "corpus",
        "build",
        str(small_input),
        "--out",
        str(second),
        "--dedup-against",
        str(first),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    kept_first = json.loads(
        puhui(
            "corpus", "build", str(small_input / "yor_Latn.jsonl"), "--out", str(first), "--json"
        ).stdout
    )["kept"]
    # every Yoruba document was already in the first corpus
    assert summary["removed"].get("dedup.exact", 0) >= kept_first
    assert check(second).provenance["inputs"][-1]["kind"] == "corpus"


def test_pipeline_file_picks_steps_and_options(puhui: Run, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    mixed = (
        "Ẹ kú àárọ̀, ẹ̀yin ará ilé wa, ẹ jọ̀ọ́ ẹ wá síbí.\n"
        "Good morning to all of you, please come here now."
    )
    (raw / "a.jsonl").write_text(
        json.dumps({"text": mixed + " Mail me: a.b@example.org"})
        + "\n"
        + json.dumps({"text": "ok"})
        + "\n"
    )
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(
        "steps:\n  - normalize\n  - langid: {line_level: true}\n  - pii: {mode: tag}\n"
    )
    out = tmp_path / "out"
    proc = puhui("corpus", "build", str(raw), "--out", str(out), "--pipeline", str(pipeline))
    assert proc.returncode == 0, proc.stderr
    rows = [r for p in (out / "data").glob("*.jsonl.zst") for r in read_jsonl_zst(p)]
    assert len(rows) == 2  # no quality step: "ok" is kept
    (doc,) = [r for r in rows if "Mail" in r["text"]]
    assert "a.b@example.org" in doc["text"] and doc["pii"] == {"EMAIL": 1}  # tag mode keeps text
    assert set(doc["meta"]["line_langs"]) == {"yo", "en"}
    assert check(out).provenance["parameters"]["config"]["steps"] == ["normalize", "langid", "pii"]


def test_bad_build_input_gives_one_line_errors(
    puhui: Run, small_input: Path, tmp_path: Path
) -> None:
    assert_one_line_error(
        puhui("corpus", "build", str(tmp_path / "nope"), "--out", str(tmp_path / "o")),
        "does not exist",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - quality: {min_wrds: 3}\n")
    assert_one_line_error(
        puhui(
            "corpus",
            "build",
            str(small_input),
            "--out",
            str(tmp_path / "o"),
            "--pipeline",
            str(bad),
        ),
        "steps[0].quality",
        "min_wrds",
    )
    bad.write_text("steps:\n  - langid: {}\n  - translate: {}\n")
    assert_one_line_error(
        puhui(
            "corpus",
            "build",
            str(small_input),
            "--out",
            str(tmp_path / "o"),
            "--pipeline",
            str(bad),
        ),
        "unknown step 'translate'",
    )
    bad.write_text("steps: [\n")
    assert_one_line_error(
        puhui(
            "corpus",
            "build",
            str(small_input),
            "--out",
            str(tmp_path / "o"),
            "--pipeline",
            str(bad),
        ),
        "not valid YAML",
    )
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    assert_one_line_error(
        puhui("corpus", "build", str(small_input), "--out", str(full)), "not empty"
    )
    assert_one_line_error(
        puhui(
            "corpus", "build", str(small_input), "--out", str(tmp_path / "h"), "--pii-mode", "hash"
        ),
        "PUHUI_PII_SALT",
    )
    assert_one_line_error(puhui("corpus", "audit", str(tmp_path)), "not a corpus folder")


def test_build_udhr_article_5_in_over_400_languages(puhui: Run, tmp_path: Path) -> None:
    """527 short documents (tests/data/udhr), one per UDHR translation, none trained on."""
    out = tmp_path / "udhr5"
    source = DATA / "udhr" / "article5.jsonl"
    proc = puhui("corpus", "build", str(source), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["documents_read"] == 527, summary
    rows = [r for p in (out / "data").glob("*.jsonl.zst") for r in read_jsonl_zst(p)]
    assert len(rows) >= 500
    assert len({r["lang"] for r in rows}) >= 400
    assert {r["script"] for r in rows} >= {"Latn", "Cyrl", "Arab", "Deva", "Ethi", "Hans"}
    check(out)


@pytest.mark.shared_data
def test_build_all_of_udhr(puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "udhr"
    source = SHARED_DATA / "udhr"
    proc = puhui("corpus", "build", str(source), "--out", str(out), "--json", timeout=900)
    assert proc.returncode == 0, proc.stderr
    audit = json.loads((out / "audit.json").read_text())
    assert (out / "croissant.json").is_file() and (out / "datasheet.md").is_file()
    rows = [r for p in (out / "data").glob("*.jsonl.zst") for r in read_jsonl_zst(p)]
    assert len({r["lang"] for r in rows}) >= 200
    assert audit
