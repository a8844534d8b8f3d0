"""`puhui assess`: obligations, evidence, register, coverage and the three reports, end to end.

Evidence is made cheaply: an imported Inspect log (per-language results, no model) and a
classifier fairness run (german-credit on the demo classifier, a few seconds). The full assessment
with the PDF runs once per module; error cases use --no-pdf.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import Run, assert_one_line_error

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
INSPECT_LOG = ROOT / "tests" / "data" / "imports" / "inspect-capitals.eval"


def _run(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(home), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "puhui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("assess")
    home = base / "home"
    imp, gc = base / "run-capitals", base / "run-german-credit"
    proc = _run(home, "eval", "import", str(INSPECT_LOG), "--out", str(imp))
    assert proc.returncode == 0, proc.stderr
    proc = _run(
        home, "eval", "run", "german-credit", "--model", "demo-classifier", "--out", str(gc)
    )
    assert proc.returncode == 0, proc.stderr
    suite = json.loads((imp / "plan.json").read_text(encoding="utf-8"))["suite"]
    prof = yaml.safe_load((EXAMPLES / "profile.yaml").read_text(encoding="utf-8"))
    prof["suite_risk_areas"] = {suite: ["CR-01", "CR-02"]}
    profile = base / "profile.yaml"
    profile.write_text(yaml.safe_dump(prof, allow_unicode=True, sort_keys=False), "utf-8")
    out = base / "assessment"
    proc = _run(
        home,
        "assess", "new", "--profile", str(profile), "--evidence", str(imp), "--evidence", str(gc),
        "--answers", str(EXAMPLES / "answers.yaml"), "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return {"home": home, "out": out, "profile": profile, "imp": imp, "gc": gc, "base": base}


def test_writes_the_three_reports_and_a_verifiable_artifact(demo: dict[str, Path]) -> None:
    from puhui.artifacts import check

    out = demo["out"]
    for name in ("report.html", "report.pdf", "oscal.json", "assessment.json"):
        assert (out / name).is_file(), name
    manifest = check(out)
    assert manifest.kind == "assessment"
    assert {f["path"] for f in manifest.files} >= {"report.html", "report.pdf", "oscal.json"}
    names = {i["name"] for i in manifest.provenance["inputs"]}
    assert {"profile", "answers", "evidence E1", "evidence E2"} <= names


def test_report_html_is_self_contained_with_languages_and_register(demo: dict[str, Path]) -> None:
    html = (demo["out"] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""<link[^>]+rel=["']?stylesheet""", html, re.I)
    assert "@import" not in html
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "url(http" not in html and "<script" not in html
    # per-language rows of the imported run (en, fr, sw) and the register
    assert html.count('class="lang-row"') >= 3
    assert "Swahili (sw)" in html
    assert html.count('class="register-row"') >= 10
    assert "CR-09" in html and "<svg" in html
    assert "公共服务助手" in html and "مساعد الخدمات العامة" in html


def test_report_pdf_renders_arabic_and_chinese(demo: dict[str, Path]) -> None:
    pdf = demo["out"] / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if not shutil.which("pdffonts") or not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed (make installs it)")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "CJK" in fonts, fonts
    assert re.search(r"Arabic|Naskh", fonts), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "公共服务助手" in text
    assert "مساعد" in text
    assert "Risk register" in text


def test_oscal_assessment_results_are_well_formed(demo: dict[str, Path]) -> None:
    from puhui.assess import oscal

    doc = json.loads((demo["out"] / "oscal.json").read_text(encoding="utf-8"))
    assert oscal.check(doc) == []
    ar = doc["assessment-results"]
    assert ar["metadata"]["oscal-version"].startswith("1.2")
    result = ar["results"][0]
    assert {f["target"]["target-id"] for f in result["findings"]} >= {"cr-09", "cr-06"}
    ev = [o for o in result["observations"] if o.get("relevant-evidence")]
    assert any(
        p["name"] == "sha256"
        for o in ev
        for e in o["relevant-evidence"]
        for p in e.get("props", [])
    )
    hashes = [
        h
        for r in ar["back-matter"]["resources"]
        for ln in r.get("rlinks", [])
        for h in ln.get("hashes", [])
    ]
    assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h["value"]) for h in hashes)


def test_obligations_eu_tier_and_tc260_class_with_reasons(demo: dict[str, Path]) -> None:
    a = json.loads((demo["out"] / "assessment.json").read_text(encoding="utf-8"))
    eu = a["obligations"]["eu_ai_act"]
    assert eu["tier"] == "limited"  # a chatbot, no Annex III use declared
    assert "Art.50" in eu["items"] and "Art.4" in eu["items"]
    assert eu["gpai"] == "downstream"
    fields = {f for r in eu["reasons"] for f in r["fields"]}
    assert {"system.interaction", "system.sector", "model.general_purpose"} <= fields
    assert any("AnnexIII.5" in r["text"] for r in eu["reasons"])  # what would make it high-risk
    fw = {f["framework"]: f for f in a["obligations"]["frameworks"]}
    assert fw["eu-ai-act"]["status"] == "mandatory"
    assert fw["au-strategy"]["status"] == "applicable"  # KE is an AU member
    assert fw["nist-ai-rmf"]["status"] == "voluntary"
    assert fw["ai-verify"]["status"] == "not-applicable"
    classes = {c["id"] for c in a["obligations"]["tc260"]["classes"]}
    assert {"cyberspace", "cognitive"} <= classes
    # the certificate reads these keys
    s = a["system"]
    assert s["name"] == "Huduma Assistant" and s["version"] == "1.2"
    assert s["languages"] == ["sw", "en", "ar"] and s["jurisdictions"] == ["KE", "EU"]
    assert s["sector"] == "public-administration" and s["intended_use"]


def test_evidence_maps_to_areas_register_and_coverage(demo: dict[str, Path]) -> None:
    a = json.loads((demo["out"] / "assessment.json").read_text(encoding="utf-8"))
    by_suite = {e["suite"]: e for e in a["evidence"]}
    assert by_suite["german-credit"]["risk_areas"] == ["CR-06", "CR-13"]
    assert by_suite["german-credit"]["risk_areas_from"] == "suite"
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) for e in a["evidence"])
    kinds = {f["kind"] for f in a["findings"]}
    assert "untested-language" in kinds  # ar is served but not tested
    reg = {e["area"]: e for e in a["register"]["entries"]}
    cr09 = reg["CR-09"]
    assert 1 <= cr09["likelihood"] <= 5 and 1 <= cr09["severity"] <= 5
    assert cr09["score"] == cr09["likelihood"] * cr09["severity"]
    assert cr09["owner"].startswith("Fatuma")
    assert cr09["residual"]["likelihood"] == 2  # from the profile
    assert "CR-17" not in reg  # not a systemic-risk model
    cov = {c["framework"]: c for c in a["coverage"]}
    assert set(cov) >= {"eu-ai-act", "nist-ai-rmf", "iso-42001", "tc260-v1"}
    statuses = {i["status"] for c in cov.values() for i in c["items"]}
    assert {"evidenced", "partly", "not-evidenced"} <= statuses
    assert a["summary"]["verdict"] in ("blocked", "not-ready", "conditional", "ready")


def test_french_report(demo: dict[str, Path], puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "fr"
    proc = puhui(
        "assess", "new", "--profile", str(demo["profile"]), "--evidence", str(demo["gc"]),
        "--out", str(out), "--lang", "fr", "--no-pdf",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    for heading in ("Registre des risques", "Couverture des cadres", "Obligations et raisons"):
        assert heading in html
    assert not (out / "report.pdf").exists()


def test_report_names_unscored_languages_and_warns_on_unparsed_answers(
    puhui: Run, tmp_path: Path
) -> None:
    """A real run on the loopback chat server: refusals in Tamil, Burmese and Filipino the
    detector cannot read, and French answers that name no option."""
    from loopback_chat import serve, write_unread_suite

    run = tmp_path / "run"
    with serve() as url:
        add = ("models", "add", "vague", "--endpoint", f"{url}/vague/v1", "--model", "m")
        assert puhui(*add).returncode == 0
        suite = write_unread_suite(tmp_path / "suite")
        proc = puhui("eval", "run", str(suite), "--model", "vague", "--out", str(run))
        assert proc.returncode == 0, proc.stderr
    out = tmp_path / "assessment"
    proc = puhui(
        "assess", "new", "--profile", str(EXAMPLES / "profile.yaml"), "--evidence", str(run),
        "--out", str(out), "--no-pdf",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        "unread/harmful: 4 samples not scored (neither right nor wrong, in no metric): the "
        "scorer cannot judge answers in fil (2), my (1), ta (1)."
    ) in html
    assert "unread/capitals: 8 of 12 answers parsed (66.7%). Unparsed answers count as wrong." in (
        html
    )
    assert "more than 5% of answers could not be parsed (fr 0.0%)" in html
    a = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    kinds = {f["kind"] for f in a["findings"]}
    assert {"unscored", "unparsed"} <= kinds


def test_incomplete_profile_names_the_field(puhui: Run, tmp_path: Path) -> None:
    prof = yaml.safe_load((EXAMPLES / "profile.yaml").read_text(encoding="utf-8"))
    del prof["system"]["languages"]
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(prof, allow_unicode=True), "utf-8")
    proc = puhui("assess", "new", "--profile", str(path), "--out", str(tmp_path / "o"), "--no-pdf")
    assert_one_line_error(proc, "profile.yaml", "system.languages", "required")


def test_unknown_framework_is_one_line(puhui: Run, tmp_path: Path) -> None:
    prof = yaml.safe_load((EXAMPLES / "profile.yaml").read_text(encoding="utf-8"))
    prof["frameworks"] = ["nist-ai-rmf", "iso-9001"]
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(prof, allow_unicode=True), "utf-8")
    proc = puhui("assess", "new", "--profile", str(path), "--out", str(tmp_path / "o"), "--no-pdf")
    assert_one_line_error(proc, "frameworks[1]", "iso-9001")


def test_missing_evidence_names_the_path(puhui: Run, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-run"
    proc = puhui(
        "assess", "new", "--profile", str(EXAMPLES / "profile.yaml"), "--evidence", str(missing),
        "--out", str(tmp_path / "o"), "--no-pdf",
    )  # fmt: skip
    assert_one_line_error(proc, str(missing))


def test_tampered_evidence_names_the_file(
    demo: dict[str, Path], puhui: Run, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo["gc"], run)
    summary = run / "summary.json"
    summary.write_text(summary.read_text(encoding="utf-8").replace("0.", "0.9", 1), "utf-8")
    proc = puhui(
        "assess", "new", "--profile", str(EXAMPLES / "profile.yaml"), "--evidence", str(run),
        "--out", str(tmp_path / "o"), "--no-pdf",
    )  # fmt: skip
    assert_one_line_error(proc, "summary.json", "modified")


def test_missing_answer_evidence_file(puhui: Run, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "answers:\n  - {item: GOV-01, value: 'yes', evidence: [{href: policy.pdf}]}\n", "utf-8"
    )
    proc = puhui(
        "assess", "new", "--profile", str(EXAMPLES / "profile.yaml"), "--answers", str(answers),
        "--out", str(tmp_path / "o"), "--no-pdf",
    )  # fmt: skip
    assert_one_line_error(proc, "answers[0].evidence[0].href", "policy.pdf")


def test_unknown_report_language(puhui: Run, tmp_path: Path) -> None:
    proc = puhui(
        "assess", "new", "--profile", str(EXAMPLES / "profile.yaml"), "--out", str(tmp_path / "o"),
        "--lang", "xx",
    )  # fmt: skip
    assert_one_line_error(proc, "xx")


def test_frameworks_crosswalk_and_checklist_commands(puhui: Run, tmp_path: Path) -> None:
    proc = puhui("assess", "frameworks", "--json")
    assert proc.returncode == 0, proc.stderr
    ids = {f["id"] for f in json.loads(proc.stdout)}
    assert {"eu-ai-act", "tc260-v1", "nist-ai-rmf"} <= ids
    tsv = tmp_path / "cw.tsv"
    assert puhui("assess", "crosswalk", "--format", "tsv", "--out", str(tsv)).returncode == 0
    assert tsv.read_text(encoding="utf-8").startswith("area\t")
    mp = tmp_path / "cw.json"
    proc = puhui(
        "assess", "crosswalk", "--format", "oscal", "--framework", "eu-ai-act", "--out", str(mp)
    )
    assert proc.returncode == 0, proc.stderr
    assert "mapping-collection" in json.loads(mp.read_text(encoding="utf-8"))
    proc = puhui(
        "assess", "crosswalk", "--format", "oscal", "--framework", "nope", "--out", str(mp)
    )
    assert_one_line_error(proc, "nope")
    blank = tmp_path / "answers.yaml"
    proc = puhui("assess", "checklist", "--lang", "fr", "--out", str(blank))
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(blank.read_text(encoding="utf-8"))
    assert len(doc["answers"]) >= 40
    assert "Le système" in blank.read_text(encoding="utf-8")


def test_message_catalog_is_complete_and_covers_the_template() -> None:
    from puhui.assess import messages

    cat = messages.catalog()
    assert messages.languages() == ["en", "fr"]
    template = (ROOT / "src/puhui/assess/templates/report.html.j2").read_text(encoding="utf-8")
    used = set(re.findall(r"t\['([a-z0-9_.-]+)'\]", template))
    assert used and used <= set(cat), sorted(used - set(cat))


def test_example_profile_is_valid() -> None:
    from puhui.assess import profile

    p = profile.load(EXAMPLES / "profile.yaml")
    assert p.system["languages"] == ["sw", "en", "ar"]


def test_examples_are_the_bundled_demo_inputs() -> None:
    """`examples/` (what a reader of the repository sees) equals what `puhui demo` assesses."""
    root = Path(__file__).resolve().parents[2]
    bundled = root / "src" / "puhui" / "content" / "demo_assessment"
    names = sorted(
        p.relative_to(bundled) for p in bundled.rglob("*") if p.is_file() and p.name != "SOURCE.md"
    )
    assert [str(n) for n in names] == [
        "answers.yaml",
        "evidence-docs/ai-policy.md",
        "evidence-docs/incident-procedure.md",
        "evidence-docs/oversight-procedure.md",
        "profile.yaml",
    ]
    for name in names:
        assert (root / "examples" / name).read_bytes() == (bundled / name).read_bytes(), name


# ---------------------------------------------------------------- the assessment-1 contract


def test_assessment_json_matches_its_schema_and_round_trips(demo: dict[str, Path]) -> None:
    from puhui.assess.types import Assessment, Finding, System

    raw = (demo["out"] / "assessment.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    a = Assessment.read(demo["out"])
    assert isinstance(a.system, System) and a.system.name == doc["system"]["name"]
    assert all(isinstance(f, Finding) for f in a.findings) and len(a.findings) > 0
    assert a.eu_ai_act_tier == doc["obligations"]["eu_ai_act"]["tier"]
    assert a.verdict == doc["summary"]["verdict"] and a.risks == doc["register"]["entries"]
    assert a.files()["report.pdf"] == demo["out"] / "report.pdf"
    back = a.to_json()
    assert back == doc and list(back) == list(doc)  # every key, in the order written
    assert Assessment.from_json(back) == a


def _broken_assessment(tmp_path: Path, drop: str) -> Path:
    """An assessment folder whose assessment.json lacks ``drop`` (a top-level field), with a
    manifest that matches it: only the contract is broken."""
    from puhui.artifacts import write_manifest

    doc = json.loads((ROOT / "tests" / "data" / "assessment-1.json").read_text("utf-8"))
    del doc[drop]
    folder = tmp_path / "assessment"
    folder.mkdir()
    (folder / "assessment.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "report.html").write_text("<html><body>Report</body></html>\n", encoding="utf-8")
    write_manifest(folder, "assessment")
    return folder


def test_cert_issue_refuses_an_assessment_missing_a_field(puhui: Run, tmp_path: Path) -> None:
    from puhui.assess.types import Assessment
    from puhui.errors import PuhuiError

    folder = _broken_assessment(tmp_path, "findings")
    with pytest.raises(PuhuiError, match="field findings: missing"):
        Assessment.read(folder)
    assert puhui("keys", "new", "--out", str(tmp_path / "key")).returncode == 0
    proc = puhui(
        "cert", "issue", str(folder), "--key", str(tmp_path / "key"),
        "--out", str(tmp_path / "cert.json"),
    )  # fmt: skip
    assert_one_line_error(
        proc, f"{folder / 'assessment.json'}: field findings: missing (schema assessment-1)"
    )
    assert not (tmp_path / "cert.json").exists()
