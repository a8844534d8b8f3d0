"""The assessment contract (schema assessment-1, ``puhui.assess.types``) on the hub's publish
path: an assessment folder whose assessment.json lacks a required field, sealed so that its
manifest still matches (as one written by another tool would be), is refused by a real
`puhui hub serve` (the module fixture of test_hub_e2e.py) with one line naming the file and
the field. `puhui cert issue` refuses the same folder (tests/assess/test_assess.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_hub_e2e
from test_hub_e2e import ASSESSMENT, Hub

from puhui.artifacts import write_manifest

from conftest import assert_one_line_error

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
