"""The Python API (`import puhui`): the façade is lazy and listed by help(), and the walkthrough
of docs/python.md runs, cell by cell in one process, with typed results."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "python.md"
FACADE = ("build_corpus", "run_eval", "assess", "issue_certificate", "verify_certificate")


def cells() -> list[str]:
    """The ```python blocks of docs/python.md, in order (``python skip`` blocks left out)."""
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)


def test_the_facade_is_lazy_and_listed_by_help() -> None:
    code = (
        "import sys, puhui.errors\n"
        "print(sorted(m for m in sys.modules if m.startswith('puhui')))\n"
        "import puhui\n"
        "help(puhui)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    first, rest = out.split("\n", 1)
    assert first == "['puhui', 'puhui._version', 'puhui.errors']"  # only the version besides
    functions = rest.split("\nFUNCTIONS\n", 1)[1]
    for name in (*FACADE, "publish"):
        assert f"\n    {name}(" in functions, name


def test_assess_is_the_function_even_after_the_package_is_imported() -> None:
    import puhui
    import puhui.assess.types  # binds nothing over the façade's name

    assert callable(puhui.assess) and puhui.assess.__module__ == "puhui.api"
    assert puhui.Assessment is sys.modules["puhui.assess.types"].Assessment


@pytest.mark.slow
def test_the_walkthrough_runs_with_typed_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import puhui
    from puhui.api import IssuedCertificate
    from puhui.assess.types import Assessment, Finding
    from puhui.certify.credential import Verification
    from puhui.corpus.pipeline import BuildResult
    from puhui.evals.summary import RunSummary

    blocks = cells()
    assert len(blocks) == 5
    monkeypatch.chdir(tmp_path)
    ns: dict[str, Any] = {}
    for i, block in enumerate(blocks, start=1):
        exec(compile(block, f"{DOC.name} cell {i}", "exec"), ns)

    assert isinstance(ns["corpus"], BuildResult) and ns["corpus"].summary["kept"] > 0
    assert (tmp_path / "corpus" / "audit.html").is_file()
    run = ns["run"]
    assert isinstance(run, RunSummary) and run.model_name == "embedded" and run.complete
    assert {r.name for r in ns["accuracy"].per_language} >= {"en", "sw", "yo"}
    a = ns["assessment"]
    assert isinstance(a, Assessment) and a.folder == Path("assessment")
    assert all(isinstance(f, Finding) for f in a.findings)
    assert [e["type"] for e in a.evidence] == ["run", "corpus"]
    assert a.to_json() == Assessment.read(tmp_path / "assessment").to_json()
    cert = ns["cert"]
    assert isinstance(cert, IssuedCertificate) and cert.path.is_file()
    assert cert.issuer.startswith("did:key:") and all(p.is_file() for p in cert.pages)
    result, forged = ns["result"], ns["forged"]
    assert isinstance(result, Verification) and result.valid
    assert isinstance(forged, Verification) and not forged.valid
    assert "proof" in {c.name for c in forged.failed()}
    assert callable(puhui.publish)
