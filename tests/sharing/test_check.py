"""The transfer check as a table: item policy × data categories × from/to × purpose × records →
the verdict and the set of reason names, on small made-up jurisdiction profiles (their rules are
invented for the test, not a summary of any law)."""

from __future__ import annotations

from datetime import date

import pytest

from puhui.errors import PuhuiError
from puhui.sharing.check import check, strictest
from puhui.sharing.policy import preset
from puhui.sharing.types import Jurisdiction, Policy, Rule, Threshold, Transfer

TODAY = date(2026, 12, 3)


def rule(rid: str) -> Rule:
    return Rule(rid, f"made-up rule {rid}", f"Test Act, s. {rid}")


def profile(code: str, status: str = "verified", regions: tuple[str, ...] = (), **kw: object):
    return Jurisdiction(
        code=code,
        name=f"Testland {code}",
        laws=("Test Act",),
        checked=date(2026, 12, 1),
        status=status,  # type: ignore[arg-type]
        regions=frozenset(regions),
        **kw,  # type: ignore[arg-type]
    )


# A West African state: personal data free within ECOWAS, never to ZZ; children's data permitted.
GH = profile(
    "GH",
    regions=("AU", "ECOWAS"),
    transfer={
        "non-personal": Transfer("permit"),
        "personal": Transfer(
            "conditional",
            adequate=frozenset({"ECOWAS"}),
            banned=frozenset({"ZZ"}),
            conditions=(rule("gh-safeguards"),),
            rules=(rule("gh-1"),),
        ),
        "special-category": Transfer(
            "conditional",
            banned=frozenset({"ZZ"}),
            conditions=(rule("gh-consent"),),
            rules=(rule("gh-2"),),
        ),
        "children": Transfer("permit", adequate=frozenset({"ECOWAS"}), rules=(rule("gh-3"),)),
    },
)
# Volume thresholds, an unverified profile, children's data denied above a volume.
CN = profile(
    "CN",
    status="unverified",
    transfer={
        "non-personal": Transfer("permit"),
        "personal": Transfer(
            "conditional", conditions=(rule("cn-contract"),), rules=(rule("cn-38"),)
        ),
        "special-category": Transfer(
            "conditional", conditions=(rule("cn-separate-consent"),), rules=(rule("cn-29"),)
        ),
        "children": Transfer(
            "conditional", conditions=(rule("cn-guardian"),), rules=(rule("cn-31"),)
        ),
    },
    thresholds=(
        Threshold("personal", 100_000, rule("cn-certification")),
        Threshold("personal", 1_000_000, rule("cn-assessment")),
        Threshold("special-category", 10_000, rule("cn-assessment-sensitive")),
        Threshold("children", 500_000, rule("cn-children-cap"), verdict="deny"),
    ),
)
# An East African state: free within EAC, children's data never leaves.
KE = profile(
    "KE",
    regions=("AU", "EAC"),
    transfer={
        "non-personal": Transfer("permit"),
        "personal": Transfer(
            "conditional",
            adequate=frozenset({"EAC"}),
            banned=frozenset({"ZZ"}),
            conditions=(rule("ke-48"),),
            rules=(rule("ke-48"),),
        ),
        "special-category": Transfer("conditional", conditions=(rule("ke-consent"),)),
        "children": Transfer("deny", rules=(rule("ke-33"),)),
    },
)
# A regional profile: moving between its members is domestic.
EU = profile(
    "EU",
    transfer={
        "non-personal": Transfer("permit"),
        "personal": Transfer(
            "conditional",
            adequate=frozenset({"CH", "JP"}),
            conditions=(rule("eu-sccs"),),
            rules=(rule("eu-45"), rule("eu-46")),
        ),
        "special-category": Transfer(
            "conditional", adequate=frozenset({"CH", "JP"}), conditions=(rule("eu-9"),)
        ),
        "children": Transfer("conditional", conditions=(rule("eu-8"),)),
    },
)
NG = profile("NG", status="unverified", regions=("AU", "ECOWAS"))
PROFILES = {"GH": GH, "CN": CN, "KE": KE, "EU": EU}
DESTINATIONS = {"GH": GH, "KE": KE, "NG": NG}
MEMBERS = {
    "EAC": {"KE", "TZ", "UG", "RW"},
    "ECOWAS": {"GH", "NG", "SN"},
    "AU": {"GH", "NG", "SN", "KE", "TZ", "UG", "RW", "ZA"},
    "EU": {"DE", "FR"},
}


def members(region: str) -> set[str]:
    return MEMBERS.get(region, set())


OPEN = preset("open", uid="urn:open")
RESEARCH = preset("research-only", uid="urn:research")
REGIONAL = preset("regional", uid="urn:regional", recipients=["AU"])
EAST = preset("regional", uid="urn:east", recipients=["EAC"])
ON_REQUEST = preset("on-request", uid="urn:ask")
EXPIRED = Policy(uid="urn:old", attribution=False, reidentification=True, expires=date(2026, 1, 1))
BARE = Policy(uid="urn:bare", attribution=False, reidentification=True)
SHARE = Policy(uid="urn:share", attribution=False, reidentification=True, share_alike=True)

D_OPEN = {"duty-attribution", "duty-no-reidentification"}
D_RESEARCH = D_OPEN | {"duty-delete"}
UNV = {"profile-unverified"}

P, C, D = "permit", "conditional", "deny"
# (policy, categories, from, to, purpose, records, granted) → verdict, reason names
Case = tuple[Policy | None, tuple[str, ...], str | None, str, str, int | None, bool, str, set[str]]
CASES: list[Case] = [
    # the law alone
    (None, ("non-personal",), "GH", "KE", "research", None, False, P, {"export-non-personal"}),
    (None, (), "GH", "KE", "research", None, False, P, {"export-non-personal"}),
    (None, ("personal",), "GH", "NG", "research", None, False, P, {"export-adequate"} | UNV),
    (None, ("personal",), "GH", "KE", "research", None, False, C, {"export-personal"}),
    (None, ("personal",), "GH", "ZZ", "research", None, False, D, {"export-banned"}),
    (None, ("special-category",), "GH", "ZZ", "education", None, False, D, {"export-banned"}),
    (None, ("personal", "special-category"), "GH", "SN", "research", None, False, C,
     {"export-adequate", "export-special-category"}),
    (None, ("children",), "GH", "SN", "research", None, False, C,
     {"export-adequate", "export-children"}),
    (None, ("children",), "GH", "KE", "research", None, False, C, {"export-children"}),
    (None, ("personal", "children"), "GH", "KE", "education", None, False, C,
     {"export-personal", "export-children"}),
    (None, ("non-personal", "personal", "special-category", "children"), "GH", "ZZ", "research",
     None, False, D, {"export-non-personal", "export-banned", "export-children"}),
    # the item's policy
    (OPEN, ("personal",), "GH", "SN", "research", None, False, C, {"export-adequate"} | D_OPEN),
    (OPEN, ("non-personal",), "GH", "US", "commercial", None, False, C,
     {"export-non-personal"} | D_OPEN),
    (RESEARCH, ("personal",), "GH", "KE", "research", None, False, C,
     {"export-personal"} | D_RESEARCH),
    (RESEARCH, ("personal",), "GH", "KE", "commercial", None, False, D,
     {"policy-commercial", "export-personal"} | D_RESEARCH),
    (RESEARCH, ("personal",), "GH", "KE", "public-service", None, False, D,
     {"policy-purpose", "export-personal"} | D_RESEARCH),
    (RESEARCH, ("non-personal",), "GH", "KE", "education", None, False, C,
     {"export-non-personal"} | D_RESEARCH),
    (REGIONAL, ("personal",), "GH", "KE", "research", None, False, C, {"export-personal"} | D_OPEN),
    (REGIONAL, ("personal",), "GH", "US", "research", None, False, D,
     {"policy-recipient", "export-personal"} | D_OPEN),
    (REGIONAL, ("personal",), "GH", "GH", "research", None, False, C, {"domestic"} | D_OPEN),
    (REGIONAL, ("personal",), "EU", "DE", "research", None, False, D,
     {"policy-recipient", "domestic"} | D_OPEN),
    (EAST, ("personal",), "GH", "UG", "research", None, False, C, {"export-personal"} | D_OPEN),
    (EAST, ("personal",), "GH", "NG", "research", None, False, D,
     {"policy-recipient", "export-adequate"} | D_OPEN | UNV),
    (ON_REQUEST, ("personal",), "GH", "KE", "research", None, False, C,
     {"policy-on-request", "export-personal"} | D_RESEARCH),
    (ON_REQUEST, ("personal",), "GH", "KE", "research", None, True, C,
     {"policy-granted", "export-personal"} | D_RESEARCH),
    (ON_REQUEST, ("non-personal",), "GH", "GH", "research", None, True, C,
     {"policy-granted", "domestic"} | D_RESEARCH),
    (ON_REQUEST, ("personal",), "GH", "KE", "commercial", None, True, D,
     {"policy-granted", "policy-commercial", "export-personal"} | D_RESEARCH),
    (EXPIRED, ("non-personal",), "GH", "KE", "research", None, False, D,
     {"policy-expired", "export-non-personal"}),
    (EXPIRED, ("personal",), "GH", "GH", "research", None, False, D,
     {"policy-expired", "domestic"}),
    (BARE, ("personal",), "GH", "SN", "commercial", None, False, P, {"export-adequate"}),
    (SHARE, ("personal",), "GH", "SN", "research", None, False, C,
     {"export-adequate", "duty-share-alike"}),
    # volume thresholds, an unverified profile
    (None, ("personal",), "CN", "KE", "research", 50_000, False, C, {"export-personal"} | UNV),
    (None, ("personal",), "CN", "KE", "research", 200_000, False, C,
     {"export-personal", "export-threshold"} | UNV),
    (None, ("personal",), "CN", "DE", "commercial", 2_000_000, False, C,
     {"export-personal", "export-threshold"} | UNV),
    (None, ("personal",), "CN", "KE", "research", None, False, C, {"export-personal"} | UNV),
    (None, ("personal",), "CN", "KE", "research", 100_000, False, C, {"export-personal"} | UNV),
    (None, ("non-personal",), "CN", "KE", "research", 2_000_000, False, P,
     {"export-non-personal"} | UNV),
    (None, ("children",), "CN", "KE", "research", 600_000, False, D,
     {"export-children", "export-threshold"} | UNV),
    (None, ("special-category",), "CN", "KE", "research", 20_000, False, C,
     {"export-special-category", "export-threshold"} | UNV),
    (None, ("personal",), "CN", "CN", "research", 2_000_000, False, P, {"domestic"}),
    # free within a region; children's data that may not leave
    (None, ("personal",), "KE", "TZ", "research", None, False, P, {"export-adequate"}),
    (None, ("personal",), "KE", "GH", "research", None, False, C, {"export-personal"}),
    (None, ("children",), "KE", "TZ", "research", None, False, D, {"export-children"}),
    (None, ("special-category",), "KE", "US", "public-service", None, False, C,
     {"export-special-category"}),
    (None, ("personal",), "KE", "ZZ", "research", None, False, D, {"export-banned"}),
    (OPEN, ("personal", "children"), "KE", "UG", "education", None, False, D,
     {"export-adequate", "export-children"} | D_OPEN),
    # a regional profile
    (None, ("personal",), "EU", "CH", "commercial", None, False, P, {"export-adequate"}),
    (None, ("personal",), "EU", "KE", "research", None, False, C, {"export-personal"}),
    (None, ("special-category",), "EU", "JP", "research", None, False, P, {"export-adequate"}),
    (None, ("children",), "EU", "US", "education", None, False, C, {"export-children"}),
    (None, ("personal",), "EU", "FR", "research", None, False, P, {"domestic"}),
    # no profile
    (None, ("personal",), "BR", "KE", "research", None, False, C, {"no-profile"}),
    (None, ("personal",), None, "KE", "research", None, False, C, {"no-profile"}),
    (None, ("non-personal",), "BR", "BR", "research", None, False, P, {"domestic"}),
    (RESEARCH, ("personal",), "BR", "KE", "commercial", None, False, D,
     {"policy-commercial", "no-profile"} | D_RESEARCH),
]  # fmt: skip


def run(policy, categories, source, to, purpose, records, granted):  # type: ignore[no-untyped-def]
    return check(
        policy,
        categories,
        PROFILES.get(source, source) if source else None,
        to,
        purpose,
        to_jurisdiction=DESTINATIONS.get(to),
        records=records,
        today=TODAY,
        granted=granted,
        members=members,
    )


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    cats = {c for case in CASES for c in case[1]}
    assert {"children", "special-category"} <= cats


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=[
        f"{i}-{c[0].uid if c[0] else 'none'}-{'+'.join(c[1]) or 'none'}-{c[2]}-{c[3]}-{c[4]}"
        for i, c in enumerate(CASES)
    ],
)
def test_transfer_table(case) -> None:  # type: ignore[no-untyped-def]
    *given, verdict, names = case
    decision = run(*given)
    assert {r.name for r in decision.reasons} == names, decision.reasons
    assert decision.verdict == verdict
    assert decision.verdict == strictest(r.verdict for r in decision.reasons)
    # conditions are there exactly when something is conditional
    assert bool(decision.conditions) == any(r.verdict == C for r in decision.reasons)


def test_reasons_cite_the_rules_and_conditions() -> None:
    d = run(None, ("personal",), "GH", "KE", "research", None, False)
    (reason,) = d.reasons
    assert reason.cite == "Test Act, s. gh-1"
    assert [c.id for c in d.conditions] == ["gh-safeguards"]
    d = run(None, ("personal",), "CN", "KE", "research", 2_000_000, False)
    assert [c.id for c in d.conditions] == ["cn-contract", "cn-certification", "cn-assessment"]
    assert {r.cite for r in d.reasons if r.name == "export-threshold"} == {
        "Test Act, s. cn-certification",
        "Test Act, s. cn-assessment",
    }
    assert d.unverified == ("CN",)
    d = run(None, ("personal",), "EU", "KE", "research", None, False)
    assert d.reasons[0].cite == "Test Act, s. eu-45; Test Act, s. eu-46"


def test_children_get_a_safeguard_when_the_profile_lists_none() -> None:
    d = run(None, ("children",), "GH", "KE", "research", None, False)
    assert [c.id for c in d.conditions] == ["children-safeguards"]


def test_no_profile_asks_for_legal_advice() -> None:
    d = run(None, ("personal",), "BR", "KE", "research", None, False)
    assert [c.id for c in d.conditions] == ["no-profile"]
    assert "BR" in d.conditions[0].text and "legal advice" in d.conditions[0].text


def test_on_request_condition_and_duties() -> None:
    d = run(ON_REQUEST, ("non-personal",), "GH", "GH", "research", None, False)
    ids = [c.id for c in d.conditions]
    assert ids[0] == "policy-on-request" and "ask the owner" in d.conditions[0].text.lower()
    assert set(ids[1:]) == D_RESEARCH
    assert any("365 days" in c.text for c in d.conditions)


def test_expiry_is_judged_on_today() -> None:
    kw = {"to_jurisdiction": KE, "members": members}
    before = check(EXPIRED, ["non-personal"], GH, "KE", "research", today=date(2025, 12, 31), **kw)
    on = check(EXPIRED, ["non-personal"], GH, "KE", "research", today=date(2026, 1, 1), **kw)
    assert before.verdict == P and on.verdict == D


def test_regions_from_the_destination_profile_alone() -> None:
    # without `members`, KE's own profile says it belongs to EAC
    assert check(None, ["personal"], KE, "KE ", "research", to_jurisdiction=KE).verdict == P
    assert check(None, ["personal"], KE, "TZ", "research").verdict == C
    assert check(None, ["personal"], KE, "tz", "research", members=members).verdict == P


def test_unverified_destination_profile_is_listed() -> None:
    d = run(None, ("personal",), "GH", "NG", "research", None, False)
    assert d.unverified == ("NG",)
    assert {r.verdict for r in d.reasons if r.name == "profile-unverified"} == {P}


def test_bad_arguments() -> None:
    with pytest.raises(PuhuiError, match="purpose"):
        check(None, ["personal"], GH, "KE", "marketing")
    with pytest.raises(PuhuiError, match="categories"):
        check(None, ["health"], GH, "KE", "research")


def test_exporter_falls_back_to_a_binding_region_only() -> None:
    from puhui.sharing.check import exporter

    assert exporter("ke", PROFILES, members) is KE
    assert exporter("FR", PROFILES, members) is EU  # GDPR binds its members
    assert exporter("SN", PROFILES, members) == "SN"  # ECOWAS rules do not replace Senegal's
    assert exporter("FR", PROFILES) == "FR"
    d = check(None, ["personal"], exporter("FR", PROFILES, members), "DE", "research",
              members=members)  # fmt: skip
    assert [r.name for r in d.reasons] == ["domestic"]


@pytest.mark.parametrize(
    ("pii", "expected"),
    [
        ({"total": 4, "step_ran": True}, {"personal"}),
        ({"total": 0, "step_ran": True}, {"non-personal"}),
        ({"total": 0, "step_ran": False}, {"personal"}),
        ({"total": 0, "step_ran": None}, {"personal"}),
        ({"step_ran": True}, {"personal"}),
        (None, {"personal"}),
    ],
)
def test_categories_from_audit(pii: object, expected: set[str]) -> None:
    from puhui.sharing.check import categories_from_audit

    audit = {} if pii is None else {"pii": pii}
    assert categories_from_audit(audit) == expected
