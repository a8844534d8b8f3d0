"""Risk taxonomy, frameworks, crosswalk and checklists (src/puhui/assess/data): schema, coverage,
well-formed item IDs, unverified status, explicit gaps, OSCAL and TSV exports, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from puhui.assess import taxonomy as tx
from puhui.errors import PuhuiError

DATA = tx.DATA_DIR
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
REQUIRED = ("nist-ai-rmf", "iso-42001", "eu-ai-act")  # every area maps to these, or says why not
OSCAL_RELATIONSHIPS = {"equivalent-to", "subset-of", "superset-of", "intersects-with"}
OSCAL_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Items the research note marks [B] (background knowledge): they must stay unverified until checked.
KNOWN_UNVERIFIED = [
    ("eu-ai-act", "Art.9"),
    ("eu-ai-act", "Art.14"),
    ("eu-ai-act", "Art.27"),
    ("eu-ai-act", "Art.53(1)(c)"),
    ("eu-ai-act", "AnnexXI"),
    ("tc260-v1", "3.1.2(c)"),
    ("tc260-v1", "3.1.3(c)"),
    ("tc260-v1", "3.2.1(a)"),
    ("tc260-v1", "5.3"),
    ("tc260-v2", "technology-inherent"),
    ("unesco", "policy-data"),
    ("unesco", "tool-eia"),
    ("au-strategy", "focus-minimise-risks"),
    ("au-strategy", "principle-local-first"),
]
KNOWN_VERIFIED = [
    ("eu-ai-act", "Art.5(1)(a)"),
    ("eu-ai-act", "AnnexIII.8"),
    ("nist-ai-rmf", "GV-1.1"),
    ("iso-42001", "A.6.2.8"),
    ("tc260-v1", "3.2.4(c)"),
]


@pytest.fixture(scope="module")
def tax() -> tx.Taxonomy:
    return tx.load()


def _yaml_files() -> list[Path]:
    return sorted(DATA.glob("*.yaml")) + sorted((DATA / "checklists").glob("*.yaml"))


# --------------------------------------------------------------------------- schema


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(tx.schema())


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.name)
def test_every_file_validates_against_the_schema(path: Path) -> None:
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    errors = list(jsonschema.Draft202012Validator(tx.schema()).iter_errors(doc))
    assert not errors, f"{path.name}: {[e.message for e in errors[:3]]}"


def test_the_bundled_data_is_complete(tax: tx.Taxonomy) -> None:
    assert len(tax.areas) == 18
    assert [a.id for a in tax.areas] == [f"CR-{n:02d}" for n in range(1, 19)]
    assert {f.id for f in tax.frameworks} >= {
        "nist-ai-rmf",
        "nist-ai-600-1",
        "iso-42001",
        "eu-ai-act",
        "tc260-v1",
        "tc260-v2",
        "unesco",
        "au-strategy",
        "ai-verify",
        "ailuminate",
    }
    counts = {f.id: len(f.items) for f in tax.frameworks}
    assert counts["nist-ai-rmf"] == 72  # subcategories
    assert counts["iso-42001"] == 38  # Annex A controls
    assert counts["nist-ai-600-1"] == 12
    assert counts["ai-verify"] == 12  # 11 principles + organisational considerations
    assert sum(1 for i in tax.framework("tc260-v1").items if i.id.startswith("3.")) == 26
    assert (DATA / "SOURCE.md").is_file()
    assert tx.load() is tx.load()  # cached


# --------------------------------------------------------------------------- coverage


def test_every_area_is_mapped(tax: tx.Taxonomy) -> None:
    for a in tax.areas:
        assert tax.mappings_for(a.id), f"{a.id} has no mapping"


@pytest.mark.parametrize("framework", REQUIRED)
def test_every_area_maps_to_the_core_frameworks_or_says_why_not(
    tax: tx.Taxonomy, framework: str
) -> None:
    for a in tax.areas:
        mapped = any(m.framework == framework for m in tax.mappings_for(a.id))
        gap = [g for g in tax.gaps_for(a.id) if g.framework == framework]
        assert mapped or gap, f"{a.id} has neither a mapping to {framework} nor a stated gap"


def test_gaps_carry_reasons_and_do_not_contradict_mappings(tax: tx.Taxonomy) -> None:
    assert tax.gaps, "expected explicit gaps (e.g. AILuminate has no system-level hazards)"
    mapped = {(m.area, m.framework) for m in tax.mappings}
    for g in tax.gaps:
        assert len(g.reason.split()) >= 4, f"gap {g.area}/{g.framework}: reason too short"
        assert (g.area, g.framework) not in mapped
        tax.area(g.area)
        tax.framework(g.framework)


def test_every_framework_is_used(tax: tx.Taxonomy) -> None:
    used = {m.framework for m in tax.mappings}
    for fw in tax.frameworks:
        assert fw.id in used, f"{fw.id} is used by no mapping"


def test_every_mapping_has_source_relationship_and_rationale(tax: tx.Taxonomy) -> None:
    seen = set()
    for m in tax.mappings:
        where = f"{m.area} → {m.framework} {m.item}"
        assert m.relationship in tx.RELATIONSHIPS, where
        assert m.oscal_relationship in OSCAL_RELATIONSHIPS, where
        assert m.source in tax.sources, where
        assert m.section.strip(), where
        assert m.rationale.strip() and "\n" not in m.rationale, where
        assert m.status in ("verified", "unverified"), where
        assert (m.area, m.framework, m.item) not in seen, f"duplicate {where}"
        seen.add((m.area, m.framework, m.item))
    # The note allows `equivalent` only with an official or peer-reviewed source.
    for m in tax.mappings:
        if m.relationship == "equivalent":
            assert tax.sources[m.source]["authority"] in ("official", "peer-reviewed")


# --------------------------------------------------------------------------- item IDs


def test_every_item_id_is_well_formed(tax: tx.Taxonomy) -> None:
    for fw in tax.frameworks:
        pattern = re.compile(fw.item_pattern)
        assert fw.item_pattern.startswith("^") and fw.item_pattern.endswith("$")
        for junk in ("", " ", "foo bar", "Ü-1", "x\ty", "1"):
            assert not pattern.fullmatch(junk), f"{fw.id}: pattern accepts {junk!r}"
        ids = [i.id for i in fw.items]
        assert len(ids) == len(set(ids)), f"{fw.id}: duplicate item IDs"
        for item_id in ids:
            assert pattern.fullmatch(item_id), f"{fw.id}: {item_id!r} is malformed"


def test_nist_and_iso_patterns_reject_near_misses(tax: tx.Taxonomy) -> None:
    nist = re.compile(tax.framework("nist-ai-rmf").item_pattern)
    iso = re.compile(tax.framework("iso-42001").item_pattern)
    for bad in ("GV-1", "gv-1.1", "GV1.1", "XX-1.1", "GV-7.1"):
        assert not nist.fullmatch(bad), bad
    for bad in ("A.1.1", "A.5.1.1.1", "5.2", "A.11.2", "A.2"):
        assert not iso.fullmatch(bad), bad


def test_every_mapped_item_exists_and_matches_its_framework(tax: tx.Taxonomy) -> None:
    for m in tax.mappings:
        fw = tax.framework(m.framework)
        assert re.fullmatch(fw.item_pattern, m.item), f"{m.framework} {m.item}"
        assert fw.has_item(m.item), f"{m.framework} {m.item} not in frameworks.yaml"


def test_unverified_items_stay_unverified(tax: tx.Taxonomy) -> None:
    for fw_id, item_id in KNOWN_UNVERIFIED:
        assert tax.framework(fw_id).item(item_id).status == "unverified", (fw_id, item_id)
    for fw_id, item_id in KNOWN_VERIFIED:
        assert tax.framework(fw_id).item(item_id).status == "verified", (fw_id, item_id)
    for m in tax.mappings:
        if not tax.framework(m.framework).item(m.item).verified:
            assert m.status == "unverified", f"{m.area} → {m.framework} {m.item}"
    unverified = [i for f in tax.frameworks for i in f.items if not i.verified]
    assert unverified, "the note marks many items [B]; none unverified means the marks were lost"


# --------------------------------------------------------------------------- checklists


def test_checklists_reference_existing_areas_and_items(tax: tx.Taxonomy) -> None:
    items = [i for c in tax.checklists for i in c.items]
    assert 30 <= len(items) <= 50
    assert len({i.id for i in items}) == len(items)
    covered: set[str] = set()
    for c in tax.checklists:
        assert c.answers[:1] == ("yes",) and "no" in c.answers
        for it in c.items:
            assert it.areas, it.id
            for a in it.areas:
                tax.area(a)
            covered.update(it.areas)
            for fw_id, item_id in it.evidences:
                tax.framework(fw_id).item(item_id)
    assert covered == {a.id for a in tax.areas}, "some risk areas have no process check"


def test_checklists_are_translated_into_french(tax: tx.Taxonomy) -> None:
    for c in tax.checklists:
        assert c.review.get("fr") == "needed"
        assert c.titles.get("fr")
        for it in c.items:
            fr = it.translations.get("fr")
            assert fr and fr["question"] and fr["help"], it.id
            assert it.question_in("fr") != it.question, it.id
    it = tax.checklist("governance").items[0]
    assert it.question_in("fr-CA") == it.translations["fr"]["question"]
    assert it.question_in("sw") == it.question  # falls back to English
    assert tax.area("CR-01").title_in("fr") != tax.area("CR-01").title


def test_an_answer_record_carries_evidence_links() -> None:
    schema = tx.schema()
    answer_schema = {**schema, "$ref": "#/$defs/answer"}
    answer_schema.pop("allOf")
    answer_schema.pop("required")
    answer_schema.pop("properties")
    validator = jsonschema.Draft202012Validator(answer_schema)
    good = {
        "item": "GOV-01",
        "value": "yes",
        "evidence": [{"href": "docs/ai-policy.pdf", "sha256": "0" * 64, "title": "AI policy"}],
    }
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors({**good, "evidence": [{"title": "no link"}]}))
    assert list(validator.iter_errors({**good, "value": "maybe"}))


# --------------------------------------------------------------------------- lookups and errors


def test_lookups(tax: tx.Taxonomy) -> None:
    assert [a.id for a in tax.areas_for("ailuminate", "child_sexual_exploitation")] == ["CR-09"]
    assert any(m.item == "MS-2.12" for m in tax.mappings_for("CR-15"))
    assert tax.areas_for("tc260-v2", "reasoning-models") == ()  # an item with no edge


def test_unknown_framework_is_a_one_line_error(tax: tx.Taxonomy) -> None:
    with pytest.raises(PuhuiError) as e:
        tax.framework("nist-csf")
    text = str(e.value)
    assert "\n" not in text
    assert "unknown framework 'nist-csf'" in text
    assert "nist-ai-rmf" in (e.value.hint or "")
    for call in (
        lambda: tx.to_oscal_mapping(tax, "nist-csf"),
        lambda: tx.to_oscal_catalog(tax, "nist-csf"),
        lambda: tax.areas_for("nist-csf", "GV-1.1"),
    ):
        with pytest.raises(PuhuiError, match="unknown framework 'nist-csf'"):
            call()
    with pytest.raises(PuhuiError, match=r"unknown item 'GV-9\.9'"):
        tax.areas_for("nist-ai-rmf", "GV-9.9")
    with pytest.raises(PuhuiError, match="unknown risk area 'CR-99'"):
        tax.mappings_for("CR-99")


def _edit(name: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / name
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
        change(doc)
        text = yaml.dump(doc, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
        path.write_text(text, "utf-8")

    return apply


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    node: Any = doc
    for key in head:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value


_DELETE = object()


BROKEN = {
    "unknown-framework": (
        _edit("crosswalk.yaml", lambda d: _set(d, "mappings.0.framework", "nist-csf")),
        "crosswalk.yaml",
        "mappings[0].framework",
        "unknown framework 'nist-csf'",
    ),
    "bad-relationship": (
        _edit("crosswalk.yaml", lambda d: _set(d, "mappings.3.relationship", "overlaps")),
        "crosswalk.yaml",
        "mappings[3].relationship",
        "overlaps",
    ),
    "no-source": (
        _edit("crosswalk.yaml", lambda d: _set(d, "mappings.5.source", _DELETE)),
        "crosswalk.yaml",
        "mappings[5]",
        "'source' is a required property",
    ),
    "unknown-item": (
        _edit("crosswalk.yaml", lambda d: _set(d, "mappings.0.item", "MS-2.99")),
        "crosswalk.yaml",
        "mappings[0].item",
        "not an item of nist-ai-rmf",
    ),
    "malformed-item": (
        _edit("crosswalk.yaml", lambda d: _set(d, "mappings.0.item", "MS2.5")),
        "crosswalk.yaml",
        "mappings[0].item",
        "not a well-formed nist-ai-rmf item ID",
    ),
    "verified-edge-to-unverified-item": (
        _edit(
            "crosswalk.yaml",
            lambda d: _set(
                d,
                f"mappings.{_first_unverified(d)}.status",
                "verified",
            ),
        ),
        "crosswalk.yaml",
        ".status",
        "must be unverified",
    ),
    "gap-without-reason": (
        _edit("crosswalk.yaml", lambda d: _set(d, "gaps.0.reason", "")),
        "crosswalk.yaml",
        "gaps[0].reason",
        "",
    ),
    "item-id-against-pattern": (
        _edit("frameworks.yaml", lambda d: _set(d, "frameworks.0.items.0.id", "GV-1")),
        "frameworks.yaml",
        "frameworks[0].items[0].id",
        "does not match item_pattern",
    ),
    "bad-status": (
        _edit("frameworks.yaml", lambda d: _set(d, "frameworks.2.items.1.status", "maybe")),
        "frameworks.yaml",
        "frameworks[2].items[1].status",
        "maybe",
    ),
    "area-unknown-group": (
        _edit("risk-areas.yaml", lambda d: _set(d, "areas.4.group", "misc")),
        "risk-areas.yaml",
        "areas[4].group",
        "unknown group 'misc'",
    ),
    "checklist-unknown-area": (
        _edit("checklists/governance.yaml", lambda d: _set(d, "items.0.areas", ["CR-42"])),
        "governance.yaml",
        "items[0].areas[0]",
        "CR-42",
    ),
    "checklist-unknown-evidence": (
        _edit(
            "checklists/testing.yaml",
            lambda d: _set(d, "items.1.evidences", ["ailuminate:piracy"]),
        ),
        "testing.yaml",
        "items[1].evidences[0]",
        "'piracy' is not an item of ailuminate",
    ),
}


def _first_unverified(doc: dict[str, Any]) -> int:
    return next(i for i, m in enumerate(doc["mappings"]) if m["status"] == "unverified")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_copy_fails_with_a_one_line_error_naming_file_and_field(
    tmp_path: Path, case: str
) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    change, filename, field, why = BROKEN[case]
    change(root)
    with pytest.raises(PuhuiError) as e:
        tx.load(root)
    text = str(e.value)
    assert "\n" not in text
    assert filename in e.value.message, text
    assert field in e.value.message, text
    assert why in e.value.message, text
    assert e.value.hint


def test_invalid_yaml_and_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    (root / "risk-areas.yaml").write_text("areas: [unclosed\n", encoding="utf-8")
    with pytest.raises(PuhuiError, match=r"risk-areas\.yaml line \d+: not valid YAML"):
        tx.load(root)
    (root / "risk-areas.yaml").unlink()
    with pytest.raises(PuhuiError, match=r"risk-areas\.yaml: file is missing"):
        tx.load(root)


def test_an_unchanged_copy_loads(tmp_path: Path, tax: tx.Taxonomy) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    assert tx.load(root) == tax


# --------------------------------------------------------------------------- OSCAL


def _check_metadata(meta: dict[str, Any]) -> None:
    assert meta["title"] and meta["version"]
    assert meta["oscal-version"] == "1.2.0"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", meta["last-modified"])


def _check_props(props: list[dict[str, str]]) -> None:
    for p in props:
        assert OSCAL_TOKEN.fullmatch(p["name"]) and p["value"]


def test_oscal_catalog_of_risk_areas(tax: tx.Taxonomy) -> None:
    doc = tx.to_oscal_catalog(tax)
    cat = doc["catalog"]
    assert UUID.fullmatch(cat["uuid"])
    _check_metadata(cat["metadata"])
    controls = [c for g in cat["groups"] for c in g["controls"]]
    assert sorted(c["id"] for c in controls) == sorted(tx.oscal_id(a.id) for a in tax.areas)
    assert {c["title"] for c in controls} == {a.title for a in tax.areas}
    for g in cat["groups"]:
        assert OSCAL_TOKEN.fullmatch(g["id"]) and g["title"]
    for c in controls:
        assert OSCAL_TOKEN.fullmatch(c["id"])
        _check_props(c["props"])
        names = {p["name"] for p in c["props"]}
        assert {"label", "status"} <= names
        assert c["parts"][0]["prose"]
    assert tx.to_oscal_catalog(tax) == doc
    assert json.dumps(tx.to_oscal_catalog(tax)) == json.dumps(doc)


@pytest.mark.parametrize("framework", ["nist-ai-rmf", "eu-ai-act", "tc260-v1", "ailuminate"])
def test_oscal_catalog_of_a_framework(tax: tx.Taxonomy, framework: str) -> None:
    fw = tax.framework(framework)
    cat = tx.to_oscal_catalog(tax, framework)["catalog"]
    _check_metadata(cat["metadata"])
    ids = [c["id"] for c in cat["controls"]]
    assert len(ids) == len(fw.items) == len(set(ids))
    for c, item in zip(cat["controls"], fw.items, strict=True):
        assert OSCAL_TOKEN.fullmatch(c["id"])
        assert {"name": "label", "value": item.id} in c["props"]
        assert any(p["name"] == "status" and p["value"] == item.status for p in c["props"])


def test_oscal_ids_are_tokens_and_distinct_within_each_framework(tax: tx.Taxonomy) -> None:
    assert tx.oscal_id("Art.5(1)(a)") == "art.5.1.a"
    assert tx.oscal_id("3.1.1(a)") == "s3.1.1.a"
    for fw in tax.frameworks:
        ids = [tx.oscal_id(i.id) for i in fw.items]
        assert len(set(ids)) == len(ids), fw.id
        assert all(OSCAL_TOKEN.fullmatch(i) for i in ids), fw.id


def test_oscal_mapping_collection(tax: tx.Taxonomy) -> None:
    doc = tx.to_oscal_mapping(tax)
    mc = doc["mapping-collection"]
    assert UUID.fullmatch(mc["uuid"])
    _check_metadata(mc["metadata"])
    prov = mc["provenance"]
    assert prov["method"] in ("human", "automation")
    assert prov["matching-rationale"] in ("syntactic", "semantic", "functional")
    assert prov["status"] in ("complete", "not-complete", "draft", "deprecated", "superseded")
    assert prov["mapping-description"]
    resources = {r["uuid"]: r for r in mc["back-matter"]["resources"]}
    uuids: list[str] = [mc["uuid"]]
    pairs = set()
    assert {m["target-resource"]["href"] for m in mc["mappings"]} == {
        f"#{tx._framework_resource(f)['uuid']}" for f in tax.frameworks
    }
    for mapping in mc["mappings"]:
        uuids.append(mapping["uuid"])
        for end in ("source-resource", "target-resource"):
            assert mapping[end]["type"] == "catalog"
            assert mapping[end]["href"].lstrip("#") in resources
        fw_title = resources[mapping["target-resource"]["href"][1:]]["title"]
        fw = next(f for f in tax.frameworks if f.title == fw_title)
        targets = {tx.oscal_id(i.id) for i in fw.items}
        assert mapping["maps"]
        for mp in mapping["maps"]:
            uuids.append(mp["uuid"])
            assert mp["relationship"] in OSCAL_RELATIONSHIPS
            assert mp["remarks"]
            _check_props(mp["props"])
            (src,) = mp["sources"]
            (tgt,) = mp["targets"]
            assert src["type"] == tgt["type"] == "control"
            assert tgt["id-ref"] in targets
            label = next(p["value"] for p in tgt["props"] if p["name"] == "label")
            pairs.add((src["id-ref"], fw.id, label))
    assert all(UUID.fullmatch(u) for u in uuids)
    assert len(set(uuids)) == len(uuids)
    assert pairs == {(tx.oscal_id(m.area), m.framework, m.item) for m in tax.mappings}
    assert sum(len(m["maps"]) for m in mc["mappings"]) == len(tax.mappings)
    assert json.dumps(tx.to_oscal_mapping(tax), sort_keys=True) == json.dumps(doc, sort_keys=True)


def test_oscal_mapping_for_one_framework(tax: tx.Taxonomy) -> None:
    mc = tx.to_oscal_mapping(tax, "ailuminate")["mapping-collection"]
    (mapping,) = mc["mappings"]
    assert len(mapping["maps"]) == sum(1 for m in tax.mappings if m.framework == "ailuminate")
    unmapped = mapping["source-gap-summary"]["unmapped-controls"][0]["with-ids"]
    assert "cr-01" in unmapped and "cr-09" not in unmapped
    assert "AILuminate scores content hazards" in mapping["remarks"]
    rels = {m["relationship"] for m in mapping["maps"]}
    assert "superset-of" in rels
    assert tx.to_oscal_mapping(tax, "ailuminate") == tx.to_oscal_mapping(tax, "ailuminate")


# --------------------------------------------------------------------------- TSV


def test_tsv_has_a_header_and_one_row_per_mapping(tax: tx.Taxonomy) -> None:
    text = tx.to_tsv(tax)
    lines = text.splitlines()
    assert lines[0].split("\t") == list(tx.TSV_COLUMNS)
    assert len(lines) == len(tax.mappings) + 1
    assert all(line.count("\t") == len(tx.TSV_COLUMNS) - 1 for line in lines)
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) == len(tax.mappings)
    assert {(r["area"], r["framework"], r["item"]) for r in rows} == {
        (m.area, m.framework, m.item) for m in tax.mappings
    }
    for r in rows:
        assert r["relationship"] in tx.RELATIONSHIPS and r["source"] and r["rationale"]
    assert tx.to_tsv(tax) == text
