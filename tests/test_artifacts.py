from __future__ import annotations

import json
from pathlib import Path

import pytest

from puhui.artifacts import (
    MANIFEST,
    atomic_open,
    atomic_write_json,
    check,
    input_ref,
    sha256_file,
    write_manifest,
)
from puhui.errors import ArtifactError

from conftest import Run, assert_one_line_error


def make_artifact(root: Path, source: Path | None = None) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "data" / "part-0.jsonl").write_text('{"text": "Habari ya asubuhi", "lang": "sw"}\n')
    (root / "summary.json").write_text('{"n": 1}\n')
    (root / ".state").mkdir()
    (root / ".state" / "checkpoint").write_text("working state, not content")
    inputs = [input_ref(source, name="source")] if source else []
    write_manifest(root, "corpus", parameters={"dedup": True}, inputs=inputs, command="test")
    return root


def test_write_then_check(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("raw text")
    m = check(make_artifact(tmp_path / "a", src))
    assert m.kind == "corpus"
    assert m.id == "corpus-" + m.content_sha256[:16]
    assert [f["path"] for f in m.files] == ["data/part-0.jsonl", "summary.json"]
    assert m.provenance["inputs"][0]["sha256"] == sha256_file(src)
    assert m.provenance["parameters"] == {"dedup": True}


def test_same_content_same_id(tmp_path: Path) -> None:
    a = check(make_artifact(tmp_path / "a"))
    b = check(make_artifact(tmp_path / "b"))
    assert a.id == b.id


def test_artifact_as_input_is_pinned_by_id(tmp_path: Path) -> None:
    first = check(make_artifact(tmp_path / "a"))
    ref = input_ref(tmp_path / "a", name="corpus")
    assert ref == {
        "name": "corpus",
        "sha256": first.content_sha256,
        "kind": "corpus",
        "id": first.id,
    }


@pytest.mark.parametrize(
    ("tamper", "needle"),
    [
        (lambda r: (r / "summary.json").write_text('{"n": 2}\n'), "summary.json was modified"),
        (lambda r: (r / "data" / "part-0.jsonl").unlink(), "data/part-0.jsonl is missing"),
        (lambda r: (r / "extra.txt").write_text("x"), "extra.txt is not listed"),
    ],
)
def test_tampered_content_is_rejected(tmp_path: Path, tamper, needle: str) -> None:  # type: ignore[no-untyped-def]
    root = make_artifact(tmp_path / "a")
    tamper(root)
    with pytest.raises(ArtifactError) as e:
        check(root)
    assert needle in str(e.value)


def _edit_manifest(root: Path, fn) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((root / MANIFEST).read_text())
    fn(data)
    (root / MANIFEST).write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d.pop("kind"), "'kind' is a required property"),
        (lambda d: d.update(schema_version="1"), "field schema_version"),
        (lambda d: d["files"][0].update(sha256="xyz"), "field files[0].sha256"),
        (lambda d: d["files"][0].update(path="../etc/passwd"), "field files[0].path"),
        (lambda d: d["files"][0].update(path="/etc/passwd"), "field files[0].path"),
        (lambda d: d.update(id="corpus-0000000000000000"), "does not match"),
        (lambda d: d.update(schema_version=99), "newer than this Puhui"),
        (lambda d: d["files"].append(dict(d["files"][0])), "listed twice"),
    ],
)
def test_malformed_manifest_is_rejected(tmp_path: Path, edit, needle: str) -> None:  # type: ignore[no-untyped-def]
    root = make_artifact(tmp_path / "a")
    _edit_manifest(root, edit)
    with pytest.raises(ArtifactError) as e:
        check(root)
    assert needle in str(e.value)
    assert "\n" not in str(e.value)


def test_not_json_manifest(tmp_path: Path) -> None:
    root = make_artifact(tmp_path / "a")
    (root / MANIFEST).write_text('{"kind": "corpus",\n  oops}')
    with pytest.raises(ArtifactError, match=r"line 2, column 3: not valid JSON"):
        check(root)


def test_atomic_open_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic_write_json(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_open(target, "w") as f:
        f.write('{"v": 2')
        raise RuntimeError("killed mid-write")
    assert json.loads(target.read_text()) == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temp file left


def test_cli_inspect_valid(puhui: Run, tmp_path: Path) -> None:
    root = make_artifact(tmp_path / "a")
    proc = puhui("inspect", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout and "corpus-" in proc.stdout and "dedup = True" in proc.stdout
    proc = puhui("inspect", str(root / MANIFEST), "--json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["valid"] is True and data["kind"] == "corpus"


def test_cli_inspect_tampered(puhui: Run, tmp_path: Path) -> None:
    root = make_artifact(tmp_path / "a")
    with open(root / "data" / "part-0.jsonl", "a") as f:
        f.write('{"text": "injected", "lang": "en"}\n')
    assert_one_line_error(puhui("inspect", str(root)), "data/part-0.jsonl was modified")


def test_cli_inspect_malformed(puhui: Run, tmp_path: Path) -> None:
    root = make_artifact(tmp_path / "a")
    (root / MANIFEST).write_text("[1, 2")
    assert_one_line_error(puhui("inspect", str(root)), "not valid JSON")
    assert_one_line_error(puhui("inspect", str(tmp_path / "nope")), "does not exist")
    assert_one_line_error(puhui("inspect", str(root / "summary.json")), "is not an artifact")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(puhui("inspect", str(tmp_path / "empty")), "has no manifest.json")
