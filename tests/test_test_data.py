"""The real-data subsets shipped in tests/data: licences, what was kept, size, reproducibility."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from realdata import DATA, SHARED_DATA, sib_test, udhr_article5

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_test_data.py"
MAX_TOTAL = 250_000  # bytes, sib200/ and udhr/ together: tens of KB, never megabytes


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_test_data", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shipped() -> dict[Path, bytes]:
    return {
        p.relative_to(DATA): p.read_bytes()
        for folder in ("sib200", "udhr")
        for p in sorted((DATA / folder).rglob("*"))
        if p.is_file() and p.name != "LICENSE"
    }


def test_each_subset_has_a_licence_and_a_source_note() -> None:
    source = (DATA / "SOURCE.md").read_text(encoding="utf-8")
    for folder, commit, licence in (
        ("sib200", "593cea88519930f776c1a4a1980b6a35b39dca57", "CC BY-SA 4.0"),
        ("udhr", "f93dd614154c47fc4b85ec03d8d6f1abe97869ef", "OHCHR"),
    ):
        assert commit in source and f"`{folder}/" in source, folder
        text = (DATA / folder / "LICENSE").read_text(encoding="utf-8")
        assert licence in text and "Changes made" in text, folder


def test_sib200_keeps_what_the_generator_says() -> None:
    keep = _script().SIB_KEEP
    folders = sorted(p.name for p in (DATA / "sib200").iterdir() if p.is_dir())
    assert folders == sorted(keep)
    source = (DATA / "SOURCE.md").read_text(encoding="utf-8")
    for variety, n in keep.items():
        assert variety in source, variety
        lines = (DATA / "sib200" / variety / "test.tsv").read_text(encoding="utf-8").split("\n")
        assert lines[0] == "index_id\tcategory\ttext" and lines[-1] == "", variety
        assert len(lines) == n + 2, variety  # header, n sentences, final newline
        assert len(set(sib_test(variety, n))) == n, variety


def test_udhr_article_5_is_one_line_per_translation() -> None:
    rows = udhr_article5()
    assert len(rows) == 527
    assert len({r["file"] for r in rows}) == len(rows)
    assert all(set(r) == {"file", "script", "text"} and r["text"].strip() for r in rows)


def test_subsets_are_small() -> None:
    total = sum(len(b) for b in _shipped().values())
    assert total < MAX_TOTAL, f"tests/data/sib200 and udhr hold {total} bytes"


@pytest.mark.shared_data
def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(SHARED_DATA), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    built = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    shipped = _shipped()
    assert sorted(built) == sorted(shipped)
    stale = [str(k) for k in built if built[k] != shipped[k]]
    assert not stale, f"tests/data differs from scripts/make_test_data.py's output: {stale}"


@pytest.mark.slow
def test_shared_data_tests_are_deselected_not_skipped_without_shared_data(tmp_path: Path) -> None:
    """A checkout with no ../shared/data runs the rest and says how many it left out, and why."""
    tests = tmp_path / "checkout" / "tests"
    tests.mkdir(parents=True)
    for name in ("conftest.py", "realdata.py"):
        (tests / name).write_bytes((ROOT / "tests" / name).read_bytes())
    (tests.parent / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers\nmarkers =\n    shared_data: full data\n"
    )
    (tests / "test_x.py").write_text(
        "import pytest\n\n"
        "def test_everywhere():\n    pass\n\n"
        "@pytest.mark.shared_data\ndef test_full():\n    pass\n"
    )

    def run() -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", str(tests)],
            capture_output=True,
            text=True,
            cwd=tests.parent,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    out = run()
    assert "1 passed, 1 deselected" in out and "skipped" not in out, out
    assert "absent; tests marked shared_data are deselected" in out, out  # header
    assert "1 deselected: marked shared_data" in out, out  # terminal summary
    (tmp_path / "shared" / "data").mkdir(parents=True)
    out = run()
    assert "2 passed" in out and "deselected" not in out, out
