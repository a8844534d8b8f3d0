"""Usage policies as ODRL 2.2 JSON-LD: round trips, presets, and bad documents refused in one
line naming the JSON path."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from puhui.errors import PuhuiError
from puhui.sharing.policy import ODRL_CONTEXT, from_odrl, load, preset, to_odrl
from puhui.sharing.types import PRESETS, Policy

POLICIES = [
    Policy(uid="urn:uuid:1"),
    Policy(
        uid="urn:uuid:2",
        preset="custom",
        purposes=frozenset({"research", "public-service"}),
        recipients=frozenset({"KE", "EAC", "GH"}),
        commercial=False,
        reidentification=True,
        attribution=False,
        share_alike=True,
        delete_after_days=30,
        expires=date(2027, 6, 30),
        on_request=True,
        assigner="https://hub.example/orgs/ug-lab",
    ),
    Policy(uid="https://hub.example/items/7/policy", attribution=False, commercial=False),
    Policy(uid="urn:uuid:4", purposes=frozenset({"commercial"}), assigner="Org"),
]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.uid)
def test_round_trip(policy: Policy) -> None:
    doc = to_odrl(policy)
    assert from_odrl(doc, "p.json") == policy
    # and through JSON text, as files carry it
    assert from_odrl(json.loads(json.dumps(doc)), "p.json") == policy


@pytest.mark.parametrize("name", PRESETS)
def test_presets_round_trip(name: str) -> None:
    p = preset(name, uid="urn:uuid:x", assigner="Lab", recipients=("AU",))
    assert p.preset == name
    assert from_odrl(to_odrl(p), "x") == p


def test_preset_terms() -> None:
    open_ = preset("open", uid="u")
    assert (open_.purposes, open_.recipients, open_.attribution) == (frozenset(), frozenset(), True)
    assert open_.commercial and not open_.on_request
    research = preset("research-only", uid="u")
    assert research.purposes == {"research", "education"}
    assert not research.commercial and not research.reidentification
    assert research.delete_after_days == 365
    asked = preset("on-request", uid="u")
    assert asked.on_request and asked.purposes == research.purposes
    assert asked.delete_after_days == 365 and not asked.commercial
    regional = preset("regional", uid="u", recipients=["AU"])
    assert regional.recipients == {"AU"}
    with pytest.raises(PuhuiError, match="recipient"):
        preset("regional", uid="u")
    with pytest.raises(PuhuiError, match="unknown preset"):
        preset("closed", uid="u")
    with pytest.raises(PuhuiError, match="recipients"):
        preset("open", uid="u", recipients=["Kenya"])


def test_odrl_shape() -> None:
    doc = to_odrl(preset("research-only", uid="urn:uuid:9", assigner="UG"), target="urn:item:1")
    assert doc["@context"][0] == ODRL_CONTEXT
    assert doc["@type"] == "Offer" and doc["target"] == "urn:item:1"
    perm = doc["permission"][0]
    assert perm["action"] == "use"
    assert perm["constraint"][0] == {
        "leftOperand": "purpose",
        "operator": "isAnyOf",
        "rightOperand": ["research", "education"],
    }
    actions = [d["action"] for d in perm["duty"]]
    assert actions == ["attribute", "delete"]
    assert perm["duty"][1]["constraint"][0]["rightOperand"]["@value"] == "P365D"
    assert [p["action"] for p in doc["prohibition"]] == ["commercialize", "puhui:reidentify"]
    assert to_odrl(Policy(uid="u"))["@type"] == "Set"
    # a document naming its target reads back the same policy
    assert from_odrl(doc, "x") == preset("research-only", uid="urn:uuid:9", assigner="UG")


def test_prefixed_terms_and_single_objects_are_read() -> None:
    doc = to_odrl(POLICIES[1])
    doc["permission"][0]["action"] = "odrl:use"
    doc["permission"] = doc["permission"][0]
    doc["@type"] = "odrl:Offer"
    assert from_odrl(doc, "x") == POLICIES[1]


def _edit(path: list[Any], value: Any, delete: bool = False) -> dict[str, Any]:
    doc = copy.deepcopy(to_odrl(POLICIES[1]))
    node: Any = doc
    for step in path[:-1]:
        node = node[step]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


# permission[0].constraint: [purpose, spatial, dateTime]; duty: [delete, nextPolicy, obtainConsent]
BAD = [
    (["@context"], ["https://example.org/other"], "@context"),
    (["@type"], "Agreement", "@type"),
    (["uid"], "", "uid"),
    (["uid"], "x" * 600, "uid"),
    (["assigner"], None, "assigner", True),
    (["extra"], 1, "extra"),
    (["puhui:preset"], "closed", "puhui:preset"),
    (["permission"], [], "permission"),
    (["permission", 0, "action"], "distribute", "permission[0].action"),
    (
        ["permission", 0, "constraint", 0, "rightOperand"],
        ["research", "war"],
        "permission[0].constraint[0].rightOperand[1]",
    ),
    (["permission", 0, "constraint", 0, "operator"], "eq", "permission[0].constraint[0].operator"),
    (
        ["permission", 0, "constraint", 1, "rightOperand", 0],
        "Kenya",
        "permission[0].constraint[1].rightOperand[0]",
    ),
    (
        ["permission", 0, "constraint", 1, "rightOperand"],
        [],
        "permission[0].constraint[1].rightOperand",
    ),
    (
        ["permission", 0, "constraint", 1, "rightOperand"],
        ["KE", "KE"],
        "permission[0].constraint[1].rightOperand",
    ),
    (
        ["permission", 0, "constraint", 1, "leftOperand"],
        "purpose",
        "permission[0].constraint[1].leftOperand",
    ),
    (
        ["permission", 0, "constraint", 2, "rightOperand"],
        "2027-13-40",
        "permission[0].constraint[2].rightOperand",
    ),
    (
        ["permission", 0, "constraint", 2, "rightOperand", "@type"],
        "xsd:string",
        "permission[0].constraint[2].rightOperand.@type",
    ),
    (
        ["permission", 0, "constraint", 2, "leftOperand"],
        "industry",
        "permission[0].constraint[2].leftOperand",
    ),
    (
        ["permission", 0, "constraint", 2, "rightOperand"],
        None,
        "permission[0].constraint[2].rightOperand",
        True,
    ),
    (
        ["permission", 0, "duty", 0, "constraint", 0, "rightOperand", "@value"],
        "P0D",
        "permission[0].duty[0].constraint[0].rightOperand",
    ),
    (
        ["permission", 0, "duty", 0, "constraint", 0, "rightOperand", "@value"],
        "P1Y",
        "permission[0].duty[0].constraint[0].rightOperand",
    ),
    (["permission", 0, "duty", 0, "constraint"], None, "permission[0].duty[0].constraint", True),
    (["permission", 0, "duty", 1, "action"], "pay", "permission[0].duty[1].action"),
    (["permission", 0, "duty", 2, "action"], "nextPolicy", "permission[0].duty[2].action"),
    (["permission", 0, "duty", 1, "constraint"], [], "permission[0].duty[1].constraint"),
    (["permission", 0, "duty"], "attribute", "permission[0].duty"),
    (["prohibition", 0, "action"], "print", "prohibition[0].action"),
    (["prohibition", 0, "note"], "x", "prohibition[0].note"),
    (
        ["permission", 0, "constraint"],
        [{"leftOperand": "purpose"}] * 1,
        "permission[0].constraint[0].operator",
    ),
    (["permission", 0, "constraint"], list(range(301)), "permission[0].constraint"),
]


@pytest.mark.parametrize("case", BAD, ids=lambda c: "/".join(map(str, c[0])) + f"={c[1]!r}"[:30])
def test_bad_documents_one_line(case: tuple[Any, ...]) -> None:
    path, value, where = case[0], case[1], case[2]
    doc = _edit(path, value, delete=len(case) > 3)
    with pytest.raises(PuhuiError) as e:
        from_odrl(doc, "bad.json")
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(f"bad.json: {where}: "), message


def test_commercial_both_permitted_and_prohibited() -> None:
    doc = to_odrl(Policy(uid="u", purposes=frozenset({"research"}), commercial=False))
    doc["permission"][0]["constraint"][0]["rightOperand"] = ["research", "commercial"]
    with pytest.raises(PuhuiError, match=r"^p: prohibition: commercialize"):
        from_odrl(doc, "p")
    with pytest.raises(PuhuiError, match="commercial"):
        to_odrl(Policy(uid="u", purposes=frozenset({"commercial"}), commercial=False))


def test_not_an_object() -> None:
    with pytest.raises(PuhuiError, match=r"^x: \(top level\): must be an object"):
        from_odrl([1], "x")


def test_load_file(tmp_path: Path) -> None:
    good = tmp_path / "policy.json"
    good.write_text(json.dumps(to_odrl(POLICIES[1])), encoding="utf-8")
    assert load(good) == POLICIES[1]
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "uid": \n}', encoding="utf-8")
    with pytest.raises(PuhuiError, match=r"broken.json:3: not valid JSON"):
        load(broken)
    big = tmp_path / "big.json"
    big.write_text(" " * 300_000, encoding="utf-8")
    with pytest.raises(PuhuiError, match="too large"):
        load(big)
    with pytest.raises(PuhuiError, match="cannot read"):
        load(tmp_path / "absent.json")
