"""The transfer check on the bundled jurisdiction profiles: a few real routes, each with the
reasons it must give and a condition it must name (the profiles' rule ids)."""

from __future__ import annotations

from datetime import date

import pytest

from puhui.sharing import jurisdictions
from puhui.sharing.check import check, exporter
from puhui.sharing.policy import preset
from puhui.sharing.types import Policy

OPEN = preset("open", uid="urn:open")
RESEARCH = preset("research-only", uid="urn:research")
D_OPEN = {"duty-attribution", "duty-no-reidentification"}
D_RESEARCH = D_OPEN | {"duty-delete"}
UNV = {"profile-unverified"}

# (policy, categories, from, to, purpose, records) → verdict, reason names, a condition id
CASES: list[
    tuple[Policy | None, tuple[str, ...], str, str, str, int | None, str, set[str], str | None]
] = [
    (RESEARCH, ("personal",), "GH", "KE", "research", None, "conditional",
     {"export-personal"} | D_RESEARCH | UNV, "gh-dpa-s47-registration"),
    (None, ("personal",), "CN", "DE", "research", 2_000_000, "conditional",
     {"export-personal", "export-threshold"} | UNV, "cn-provisions-art7-security-assessment"),
    (None, ("personal",), "CN", "DE", "research", 50_000, "conditional",
     {"export-personal"} | UNV, "cn-pipl-art39-separate-consent"),
    (None, ("personal",), "FR", "KE", "research", None, "conditional",
     {"export-personal"} | UNV, "eu-gdpr-art46-sccs"),
    (None, ("personal",), "FR", "JP", "commercial", None, "permit",
     {"export-adequate"} | UNV, None),
    (None, ("personal",), "DE", "NO", "research", None, "permit", {"export-adequate"} | UNV, None),
    (None, ("personal",), "FR", "DE", "research", None, "permit", {"domestic"}, None),
    (None, ("children",), "KE", "UG", "education", None, "conditional",
     {"export-children"} | UNV, "ke-dpa-s33-parental-consent"),
    (None, ("personal",), "IN", "US", "commercial", None, "permit",
     {"export-personal"} | UNV, None),
    (None, ("children",), "IN", "US", "research", None, "conditional",
     {"export-children"} | UNV, "in-dpdp-s9-1-parental-consent"),
    (OPEN, ("special-category",), "ZA", "NG", "commercial", None, "conditional",
     {"export-special-category"} | D_OPEN | UNV, "za-popia-s27-authorisation"),
    (RESEARCH, ("personal",), "MX", "KE", "commercial", None, "deny",
     {"policy-commercial", "no-profile"} | D_RESEARCH | UNV, "no-profile"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[f"{c[2]}-{c[3]}-{'+'.join(c[1])}" for c in CASES])
def test_bundled_routes(case) -> None:  # type: ignore[no-untyped-def]
    policy, categories, source, to, purpose, records, verdict, names, condition = case
    profiles = jurisdictions.load_all()
    decision = check(
        policy,
        categories,
        exporter(source, profiles, jurisdictions.members),
        to,
        purpose,
        to_jurisdiction=profiles.get(to),
        records=records,
        today=date(2026, 12, 3),
        members=jurisdictions.members,
    )
    assert {r.name for r in decision.reasons} == names, decision.reasons
    assert decision.verdict == verdict
    if condition:
        assert condition in {c.id for c in decision.conditions}
    for reason in decision.reasons:
        if reason.name.startswith("export-"):
            assert reason.cite, reason
