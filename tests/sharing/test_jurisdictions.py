"""Jurisdiction profiles: every bundled one loads and cites its rules; a broken one is named
line by line (FILE:LINE: field: what); regions know their members."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from puhui import schemas
from puhui.errors import PuhuiError
from puhui.sharing import jurisdictions as J
from puhui.sharing.types import CATEGORIES, REGIONS, Rule

# A small valid profile; the line numbers the tests expect are in the comments.
VALID = """\
code: KE
name: Kenya
laws: ["Data Protection Act, 2019"]
checked: "2026-12-03"
status: unverified
regions: [AU, EAC]
sources: ["https://www.odpc.go.ke/"]
transfer:
  non-personal: {default: permit}
  personal:
    default: conditional
    adequate: [EAC, NO]
    conditions:
      - {id: ke-dpa-s48-safeguards, text: "Show safeguards.", cite: "DPA 2019, s. 48"}
    rules:
      - {id: ke-dpa-s48, text: "Data leaves with safeguards.", cite: "DPA 2019, s. 48"}
  special-category: {default: deny}
  children: {default: deny}
"""
#  line 4: checked · 8: transfer · 11: personal.default · 12: adequate · 14: condition · 16: rule


def write(folder: Path, text: str, name: str = "ke.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def all_rules(j: J.Jurisdiction) -> list[Rule]:
    rules = [r for t in j.transfer.values() for r in (*t.conditions, *t.rules)]
    return rules + [t.requires for t in j.thresholds]


# ------------------------------------------------------------------------------ bundled profiles


def test_every_bundled_profile_loads_with_all_four_categories() -> None:
    folder = J.bundled_folder()
    assert J.validate_folder(folder) == []
    profiles = J.load_all()
    stems = {p.stem.upper() for p in folder.glob("*.yaml") if p.name != "regions.yaml"}
    assert set(profiles) == stems
    wanted = {"CN", "EU", "KE", "NG", "ZA", "BR", "IN", "ID", "RW", "GH", "AU", "ASEAN"}
    assert wanted <= set(profiles)
    for code, j in profiles.items():
        assert j.code == code
        assert set(j.transfer) == set(CATEGORIES), code
        assert isinstance(j.checked, date) and j.status in ("verified", "unverified")
        assert j.sources and all(s.startswith("https://") for s in j.sources), code


def test_every_rule_is_cited_one_short_sentence_with_a_unique_id() -> None:
    seen: dict[str, str] = {}
    for code, j in J.load_all().items():
        rules = all_rules(j)
        assert rules, f"{code} cites nothing"
        for rule in rules:
            assert rule.cite.strip(), rule.id
            assert rule.id.startswith(code.lower() + "-"), rule.id
            assert rule.text.endswith(".") and len(rule.text) <= 240, rule.id
            assert rule.id not in seen, f"{rule.id} in {code} and {seen.get(rule.id)}"
            seen[rule.id] = code
        for category, transfer in j.transfer.items():
            if transfer.default == "conditional":
                assert transfer.conditions, f"{code} {category}"


def test_china_thresholds_follow_the_2024_provisions() -> None:
    cn = J.load("cn")
    by = {(t.category, t.records): t.requires.cite for t in cn.thresholds}
    assert "art. 8" in by[("personal", 100_000)]
    assert "art. 7" in by[("personal", 1_000_000)]
    assert "art. 7" in by[("special-category", 10_000)]


def test_eu_adequate_destinations_are_the_commission_list_without_partial_ones() -> None:
    personal = J.load("EU").transfer["personal"]
    assert {"EEA", "JP", "GB", "CH", "KR", "UY"} <= personal.adequate
    assert not {"US", "CA"} & personal.adequate  # partial decisions: the recipient decides


def test_load_names_the_known_codes_for_an_unknown_one() -> None:
    assert J.load(" ke ").code == "KE"
    with pytest.raises(PuhuiError, match="no jurisdiction profile for 'XX'") as info:
        J.load("XX")
    assert "KE" in (info.value.hint or "")


def test_schema_requires_exactly_the_shared_categories() -> None:
    transfer = schemas.load(J.SCHEMA)["properties"]["transfer"]
    assert transfer["required"] == list(CATEGORIES)
    assert set(transfer["properties"]) == set(CATEGORIES)


# ------------------------------------------------------------------------------ broken profiles


def test_a_valid_profile_of_ones_own_loads(tmp_path: Path) -> None:
    j = J.load_file(write(tmp_path, VALID))
    assert j.transfer["personal"].adequate == {"EAC", "NO"}  # NO stays Norway, not False
    assert j.checked == date(2026, 12, 3)
    assert J.validate_folder(tmp_path) == []


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("  children: {default: deny}\n", "", 8, "transfer.children", "missing"),
        ("default: conditional", "default: maybe", 11, "transfer.personal.default", "maybe"),
        ("[EAC, NO]", "[EAC, ZQ]", 12, "transfer.personal.adequate[1]", "'ZQ' is not an ISO"),
        ('checked: "2026-12-03"', 'checked: "2026-13-45"', 4, "checked", "not a real date"),
        ('checked: "2026-12-03"', "checked: 2026-02-30", 4, "checked", "not a real date"),
        ('checked: "2026-12-03"', "checked: 3 Dec 2026", 4, "checked", "does not match"),
        (
            "{id: ke-dpa-s48,",
            "{id: ke-dpa-s48-safeguards,",
            16,
            "transfer.personal.rules[0].id",
            "used twice (first on line 14)",
        ),
        (
            "{id: ke-dpa-s48,",
            "{id: ng-ndpa-s48,",
            16,
            "transfer.personal.rules[0].id",
            "must start with 'ke-'",
        ),
        (
            "{id: ke-dpa-s48,",
            "{id: KE_DPA,",
            16,
            "transfer.personal.rules[0].id",
            "is not a rule id",
        ),
        (
            ', cite: "DPA 2019, s. 48"}\n  special',
            "}\n  special",
            16,
            "transfer.personal.rules[0].cite",
            "missing",
        ),
        ("    adequate:", "    adequat:", 10, "transfer.personal", "unknown field"),
        ("regions: [AU, EAC]", "regions: [AU, EAX]", 6, "regions[1]", "not a region"),
        (
            "status: unverified",
            "status: unverified\nstatus: verified",
            6,
            "status",
            "written twice",
        ),
    ],
)
def test_a_broken_profile_is_named_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    problems = J.validate_folder(tmp_path)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert "\n" not in problem
    assert problem.startswith(f"{path}:{line}: {field}: "), problem
    assert says in problem
    with pytest.raises(J.JurisdictionError) as info:
        J.load_file(path)
    assert info.value.problems == (problem,)
    assert "\n" not in str(info.value)


def test_every_problem_is_listed_in_file_order(tmp_path: Path) -> None:
    text = VALID.replace("default: conditional", "default: maybe").replace("[EAC, NO]", "[1]")
    path = write(tmp_path, text)
    problems = J.validate_folder(tmp_path)
    assert [p.split(": ")[0] for p in problems] == [f"{path}:11", f"{path}:12"]
    with pytest.raises(J.JurisdictionError, match=r"\(and 1 more\)"):
        J.load_file(path)


def test_a_rule_id_used_in_two_files_is_named_with_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, VALID)
    copy = write(tmp_path, VALID, "ke-new.yaml")  # a copy being edited, ids not yet changed
    problems = J.validate_folder(tmp_path)
    assert problems == [
        f"{copy}:1: code: the file of KE must be named ke.yaml",
        f"{first}:14: transfer.personal.conditions[0].id: rule id 'ke-dpa-s48-safeguards' is "
        f"also used at {copy}:14; make it unique",
        f"{first}:16: transfer.personal.rules[0].id: rule id 'ke-dpa-s48' is also used at "
        f"{copy}:16; make it unique",
    ]


def test_unreadable_files_are_one_line_problems(tmp_path: Path) -> None:
    big = write(tmp_path, "notes: '" + "x" * (J.MAX_BYTES + 10) + "'\n", "cn.yaml")
    broken = write(tmp_path, "code: KE\nname: [unclosed\n", "ke.yaml")
    problems = J.validate_folder(tmp_path)
    assert problems[0] == f"{big}:1: (top level): larger than 256 KiB"
    assert problems[1].startswith(f"{broken}:3: (top level): not valid YAML")
    assert J.validate_folder(tmp_path / "nowhere")[0].endswith(
        "not a folder of jurisdiction profiles"
    )
    with pytest.raises(J.JurisdictionError, match="no such file"):
        J.load_file(tmp_path / "missing.yaml")


# ------------------------------------------------------------------------------------ regions


def test_region_membership() -> None:
    assert J.members("EAC") == {"BI", "CD", "KE", "RW", "SO", "SS", "TZ", "UG"}
    assert len(J.members("AU")) == 55 and "EH" in J.members("au")
    assert len(J.members("EU")) == 27 and J.members("EU") < J.members("EEA")
    assert J.members("EEA") - J.members("EU") == {"IS", "LI", "NO"}
    assert {"GH", "NG"} <= J.members("ECOWAS") and "ML" not in J.members("ECOWAS")
    assert {"ZA", "TZ", "CD"} <= J.members("SADC")
    assert {"ID", "SG", "TL"} <= J.members("ASEAN")
    assert J.expand(["EAC", "JP"]) == J.members("EAC") | {"JP"}
    with pytest.raises(PuhuiError, match="'XX' is not a region"):
        J.members("XX")


def test_every_region_is_listed_and_profiles_agree_with_it() -> None:
    for region in REGIONS:
        assert J.members(region), region
    for code, j in J.load_all().items():
        for region in j.regions:
            if code not in REGIONS:
                assert code in J.members(region), f"{code} is not in {region}"


def test_country_codes() -> None:
    assert J.is_country("KE") and J.is_country("NO") and J.is_country("XK")
    for code in ("ZQ", "EU", "SU", "ke", "KEN", "QO", "XA", "ZZ"):
        assert not J.is_country(code), code
    assert J.is_place("ASEAN") and J.is_place("AU") and not J.is_place("ZQ")
