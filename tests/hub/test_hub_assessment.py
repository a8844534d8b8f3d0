"""The assessment contract (schema assessment-1, ``puhui.assess.types``) on the hub's publish
path: an assessment folder whose assessment.json lacks a required field, sealed so that its
manifest still matches (as one written by another tool would be), is refused by a real
`puhui hub serve` (the module fixture of test_hub_e2e.py) with one line naming the file and
the field. `puhui cert issue` refuses the same folder (tests/assess/test_assess.py).

An assessment that `puhui assess new` really wrote is described by what it holds: the system's
languages, sector and countries, the risk areas of its register, its evidence as lineage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_hub_e2e
from test_hub_e2e import ASSESSMENT, Hub

from puhui.artifacts import write_manifest

from conftest import assert_one_line_error

ROOT = Path(__file__).resolve().parents[2]
INSPECT_LOG = ROOT / "tests" / "data" / "imports" / "inspect-capitals.eval"

pytestmark = pytest.mark.slow  # the hub fixture starts a real `puhui hub serve`
hub = test_hub_e2e.hub  # the same real hub, set up once for this module


def test_the_hub_refuses_an_assessment_missing_a_field(hub: Hub, tmp_path: Path) -> None:
    doc = json.loads(ASSESSMENT.read_text(encoding="utf-8"))
    folder = tmp_path / "assessment"
    folder.mkdir()
    (folder / "report.html").write_text("<html><body>Report</body></html>\n", encoding="utf-8")
    (folder / "assessment.json").write_text(json.dumps(doc), encoding="utf-8")
    write_manifest(folder, "assessment")
    assert hub.publish(folder, "--name", "complete-assessment")["created"]  # whole: accepted

    del doc["system"]["intended_use"]
    (folder / "assessment.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "manifest.json").unlink()
    write_manifest(folder, "assessment")
    proc = hub.cli(
        "hub", "publish", str(folder), "--url", hub.url, "--token", hub.publish_token,
        "--name", "broken-assessment",
    )  # fmt: skip
    assert_one_line_error(
        proc, "assessment.json: field system.intended_use: missing (schema assessment-1)"
    )


def test_a_real_assessment_shows_its_scope_risk_areas_and_evidence(
    hub: Hub, tmp_path: Path
) -> None:
    """`puhui assess new` on the bundled demo profile, with an imported run as evidence: the
    hub's item has the register's risk areas, the system's languages, sector and countries, and
    links to the run (a run of kind "run" before the run is published, the run's item after)."""
    run, out = tmp_path / "run", tmp_path / "assessment"
    proc = hub.cli("eval", "import", str(INSPECT_LOG), "--out", str(run))
    assert proc.returncode == 0, proc.stderr
    proc = hub.cli(
        "assess", "new", "--profile", str(ROOT / "examples" / "profile.yaml"),
        "--evidence", str(run), "--out", str(out), "--no-pdf",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    areas = [r["area"] for r in doc["register"]["entries"]]
    assert "CR-09" in areas and len(areas) > 1

    published = hub.publish(out, "--name", "real-assessment")
    item = hub.api(f"/api/v1/items/{published['id']}").json()
    assert item["risk_areas"] == areas
    assert item["languages"] == ["sw", "en", "ar"] == doc["system"]["languages"]
    assert item["sector"] == "public-administration" and item["countries"] == ["KE", "EU"]
    assert item["title"] == doc["system"]["name"]
    assert item["metadata"]["reports"] == ["report.html", "oscal.json"]
    links = {(x["relation"], x["kind"], x["item_id"], x["label"]) for x in item["derived_from"]}
    # the evidence run, not yet on the hub (and the profile, a file the manifest names)
    assert links == {("uses_evidence", "run", None, "E1"), ("uses_evidence", "", None, "profile")}

    ran = hub.publish(run, "--name", "real-assessment-evidence")
    item = hub.api(f"/api/v1/items/{published['id']}").json()
    links = {(ln["kind"], ln["item_id"]) for ln in item["derived_from"]}
    assert links == {("run", ran["id"]), ("", None)}  # the link now leads to the run's item
    res = hub.api(
        "/api/v1/items", params={"risk_area": "CR-09", "language": "en", "kind": "assessment"}
    ).json()
    assert published["id"] in {i["id"] for i in res["items"]}
