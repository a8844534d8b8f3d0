"""May this item go there, for this purpose? :func:`check` combines the item's usage policy, the
categories of data it holds and the exporting jurisdiction's transfer rules into one
:class:`~puhui.sharing.types.Decision`. A pure function: no files, no network, no clock unless
``today`` is left out.

What it weighs, each as a named :class:`~puhui.sharing.types.Reason`:

- the policy: a purpose it does not permit (``policy-purpose``), commercial use it prohibits
  (``policy-commercial``), a recipient outside its countries and regions (``policy-recipient``),
  its expiry (``policy-expired``) deny; "on request" without a granted request is conditional
  (``policy-on-request``; ``policy-granted`` once granted); each duty is a condition and a
  conditional reason of the same name (``duty-attribution``, ``duty-delete``,
  ``duty-share-alike``, ``duty-no-reidentification``);
- the exporting jurisdiction, for every category present: a banned destination denies
  (``export-banned``), an adequate one permits (``export-adequate``, directly or through a
  region it belongs to), any other gets the category's default (``export-<category>``) with its
  conditions; a volume over a threshold gives the threshold's verdict (``export-threshold``);
  children's data is at least conditional (``export-children``) unless the profile denies it;
- no profile for the exporting country: conditional, get legal advice (``no-profile``); a profile
  not yet checked against its sources: listed in ``unverified`` (``profile-unverified``, permit,
  so pages can warn); the same country at both ends: no export rules (``domestic``).

The verdict is the strictest of the reasons (deny > conditional > permit). Not legal advice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.sharing.types import (
    CATEGORIES,
    PURPOSES,
    REGIONS,
    Decision,
    Jurisdiction,
    Policy,
    Reason,
    Rule,
    Transfer,
    Verdict,
)

_RANK: dict[Verdict, int] = {"permit": 0, "conditional": 1, "deny": 2}

#: Members of a region (``"EAC"`` → ``{"KE", "TZ", …}``).
Members = Callable[[str], set[str]]


def strictest(verdicts: Iterable[Verdict]) -> Verdict:
    """deny > conditional > permit; ``permit`` when there is none."""
    return max(verdicts, key=_RANK.__getitem__, default="permit")


def _cites(rules: Iterable[Rule]) -> str:
    return "; ".join(dict.fromkeys(r.cite for r in rules if r.cite))


def _regions_of(to: str, to_jurisdiction: Jurisdiction | None, members: Members | None) -> set[str]:
    found: set[str] = set()
    if to_jurisdiction is not None and to_jurisdiction.code == to:
        found |= to_jurisdiction.regions
    if members is not None:
        found |= {r for r in REGIONS if to in members(r)}
    return found


class _Builder:
    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.conditions: dict[str, Rule] = {}

    def reason(
        self, name: str, text: str, verdict: Verdict, cite: str = "", *conditions: Rule
    ) -> None:
        self.reasons.append(Reason(name=name, text=text, cite=cite, verdict=verdict))
        for c in conditions:
            self.conditions.setdefault(c.id, c)


def _policy_reasons(
    b: _Builder,
    policy: Policy,
    to: str,
    within: Callable[[frozenset[str]], bool],
    purpose: str,
    today: date,
    granted: bool,
) -> None:
    if purpose == "commercial" and not policy.commercial:
        b.reason("policy-commercial", _("The item's policy prohibits commercial use."), "deny")
    elif policy.purposes and purpose not in policy.purposes:
        b.reason(
            "policy-purpose",
            _("The item's policy permits only {allowed}, not {purpose}.").format(
                allowed=", ".join(p for p in PURPOSES if p in policy.purposes), purpose=purpose
            ),
            "deny",
        )
    if policy.recipients and not within(policy.recipients):
        b.reason(
            "policy-recipient",
            _("The item's policy lets it go only to {places}, not to {to}.").format(
                places=", ".join(sorted(policy.recipients)), to=to
            ),
            "deny",
        )
    if policy.expires is not None and today >= policy.expires:
        b.reason(
            "policy-expired",
            _("The item's policy ended on {d}.").format(d=policy.expires.isoformat()),
            "deny",
        )
    if policy.on_request:
        if granted:
            b.reason(
                "policy-granted",
                _("The owner granted an access request under the item's policy."),
                "permit",
            )
        else:
            ask = Rule("policy-on-request", _("Ask the owner for access."), "")
            b.reason(
                "policy-on-request",
                _("The item is shared on request: ask the owner for access."),
                "conditional",
                "",
                ask,
            )
    duties: list[Rule] = []
    if policy.attribution:
        duties.append(
            Rule("duty-attribution", _("Attribute the owner wherever the data is used."), "")
        )
    if policy.delete_after_days is not None:
        duties.append(
            Rule(
                "duty-delete",
                _("Delete the copy within {n} days of receiving it.").format(
                    n=policy.delete_after_days
                ),
                "",
            )
        )
    if policy.share_alike:
        duties.append(
            Rule("duty-share-alike", _("Share data derived from it under the same policy."), "")
        )
    if not policy.reidentification:
        duties.append(
            Rule("duty-no-reidentification", _("Do not try to re-identify anyone in the data."), "")
        )
    for duty in duties:
        b.reason(duty.id, duty.text, "conditional", "", duty)


_CHILDREN_CARE = Rule(
    "children-safeguards",
    _(
        "Children's data: make sure a parent or guardian consented where the law asks, and that "
        "sending it serves the children's interests."
    ),
    "",
)


def _category_reasons(
    b: _Builder,
    source: Jurisdiction,
    category: str,
    transfer: Transfer,
    within: Callable[[frozenset[str]], bool],
    to: str,
) -> None:
    cite = _cites(transfer.rules)
    where = {"name": source.name, "cat": category, "to": to}
    if within(transfer.banned):
        b.reason(
            "export-banned",
            _("Under {name}'s rules, {cat} data may not go to {to}.").format(**where),
            "deny",
            cite,
        )
        return
    children_care = transfer.conditions or (_CHILDREN_CARE,)
    if within(transfer.adequate):
        b.reason(
            "export-adequate",
            _("Under {name}'s rules, {cat} data may go freely to {to}.").format(**where),
            "permit",
            cite,
        )
        if category == "children":
            b.reason(
                "export-children",
                _("Children's data needs care even where it may go freely.").format(**where),
                "conditional",
                cite,
                *children_care,
            )
        return
    verdict = transfer.default
    if category == "children" and verdict == "permit":
        b.reason(
            "export-children",
            _("Under {name}'s rules, children's data may go to {to}, with care.").format(**where),
            "conditional",
            cite,
            *children_care,
        )
        return
    text = {
        "permit": _("Under {name}'s rules, {cat} data may go to {to}."),
        "conditional": _("Under {name}'s rules, {cat} data may go to {to} on conditions."),
        "deny": _("Under {name}'s rules, {cat} data may not go to {to}."),
    }[verdict].format(**where)
    conditions = transfer.conditions if verdict == "conditional" else ()
    b.reason(f"export-{category}", text, verdict, cite, *conditions)


def check(
    policy: Policy | None,
    categories: Iterable[str],
    from_: Jurisdiction | str | None,
    to: str,
    purpose: str,
    *,
    to_jurisdiction: Jurisdiction | None = None,
    records: int | None = None,
    today: date | None = None,
    granted: bool = False,
    members: Members | None = None,
) -> Decision:
    """Decide whether an item holding ``categories`` of data may go from ``from_`` to ``to``
    for ``purpose``.

    Args:
        policy: the item's usage policy (None: it has none, only the law applies).
        categories: what the data holds (:data:`~puhui.sharing.types.CATEGORIES`); none given
            means non-personal data.
        from_: the exporting jurisdiction's profile; its country code (a string) or None when
            there is no profile.
        to: the destination's country code (or a region code).
        purpose: one of :data:`~puhui.sharing.types.PURPOSES`.
        to_jurisdiction: the destination's profile, whose ``regions`` say which regions ``to``
            belongs to (for adequacy and policy recipients given as regions).
        records: how many records the item holds, for volume thresholds.
        today: the date expiry is judged on (default: today).
        granted: the owner granted an access request (for "on request" policies).
        members: the countries of a region, for regions beyond ``to_jurisdiction``'s own.
    """
    to = to.strip().upper()
    if purpose not in PURPOSES:
        raise PuhuiError(
            _("unknown purpose {p!r}").format(p=purpose),
            _("choose `purpose` from {all}").format(all=", ".join(PURPOSES)),
        )
    present = set(categories) or {"non-personal"}
    for cat in sorted(present):
        if cat not in CATEGORIES:
            raise PuhuiError(
                _("unknown data category {c!r}").format(c=cat),
                _("choose `categories` from {all}").format(all=", ".join(CATEGORIES)),
            )
    ordered = [c for c in CATEGORIES if c in present]
    regions = _regions_of(to, to_jurisdiction, members)

    def within(places: frozenset[str]) -> bool:
        return to in places or bool(regions & places)

    b = _Builder()
    if policy is not None:
        _policy_reasons(b, policy, to, within, purpose, today or date.today(), granted)

    unverified: list[str] = []
    source = from_ if isinstance(from_, Jurisdiction) else None
    source_code = from_.code if isinstance(from_, Jurisdiction) else (from_ or "").strip().upper()
    domestic = bool(source_code) and (
        to == source_code or (source_code in REGIONS and source_code in regions)
    )
    if domestic:
        b.reason(
            "domestic",
            _("The data stays within {code}: no rules on sending data abroad apply.").format(
                code=source_code
            ),
            "permit",
        )
    elif source is None:
        code = source_code or "?"
        advice = Rule(
            "no-profile",
            _("No profile for {code}: get legal advice before sending the data.").format(code=code),
            "",
        )
        b.reason(
            "no-profile",
            _("Puhui has no profile of {code}'s rules on sending data abroad.").format(code=code),
            "conditional",
            "",
            advice,
        )
    else:
        for category in ordered:
            transfer = source.transfer.get(category)
            if transfer is None:
                gap = Rule(
                    "no-profile",
                    _("No rules for {cat} data in {code}'s profile: get legal advice.").format(
                        cat=category, code=source.code
                    ),
                    "",
                )
                b.reason(
                    "no-profile",
                    _("{code}'s profile says nothing about {cat} data.").format(
                        code=source.code, cat=category
                    ),
                    "conditional",
                    "",
                    gap,
                )
                continue
            _category_reasons(b, source, category, transfer, within, to)
        for t in source.thresholds:
            if t.category in present and records is not None and records > t.records:
                b.reason(
                    "export-threshold",
                    _("Over {n:,} records of {cat} data: {what}").format(
                        n=t.records, cat=t.category, what=t.requires.text
                    ),
                    t.verdict,
                    t.requires.cite,
                    *((t.requires,) if t.verdict == "conditional" else ()),
                )
    for j in () if domestic else (source, to_jurisdiction):
        if j is not None and j.status != "verified" and j.code not in unverified:
            unverified.append(j.code)
    if unverified:
        b.reason(
            "profile-unverified",
            _("The profile of {codes} has not been checked against the official texts yet.").format(
                codes=", ".join(unverified)
            ),
            "permit",
        )
    return Decision(
        verdict=strictest(r.verdict for r in b.reasons),
        reasons=tuple(b.reasons),
        conditions=tuple(b.conditions.values()),
        unverified=tuple(unverified),
    )


#: Regional profiles whose law binds their member states directly, so a member without a profile
#: of its own exports under the region's (GDPR binds every EU and EEA state; the AU, EAC, ECOWAS,
#: SADC and ASEAN frameworks guide national law but do not replace it).
BINDING_REGIONS = ("EU", "EEA")


def exporter(
    code: str, profiles: Mapping[str, Jurisdiction], members: Members | None = None
) -> Jurisdiction | str:
    """The profile that governs data leaving ``code``: its own, else that of a binding region
    it belongs to (:data:`BINDING_REGIONS`), else the code itself (no profile)."""
    code = code.strip().upper()
    if code in profiles:
        return profiles[code]
    for region in BINDING_REGIONS:
        if region in profiles and members is not None and code in members(region):
            return profiles[region]
    return code


def categories_from_audit(audit: Mapping[str, Any]) -> set[str]:
    """The data categories a corpus audit (``audit.json``) shows.

    Personal data when the PII step found any (``pii.total`` above 0) or is not known to have
    run (nothing says there is none); non-personal only when it ran and found none. The audit
    has no flags for special-category or children's data: those come from whoever knows the
    data (the ``categories`` the caller adds).
    """
    pii = audit.get("pii")
    if not isinstance(pii, Mapping):
        return {"personal"}
    total = pii.get("total")
    if pii.get("step_ran") is not True or not isinstance(total, int) or total > 0:
        return {"personal"}
    return {"non-personal"}
