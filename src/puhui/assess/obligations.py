"""Which frameworks and obligations apply to a profiled system, and why.

The rules are data (``assess/rules/obligations.yaml``): the EU AI Act tier (prohibited practice,
high-risk via an Annex III use or an Annex I product, limited-risk transparency, minimal) plus
the general-purpose-model track; the TC260 application-risk classes and an indicative grade;
which voluntary frameworks always apply (NIST, ISO/IEC 42001, UNESCO) and which apply by
jurisdiction (AU strategy, AI Verify, TC260) or by choice (the profile's ``frameworks:``). Each
decision carries reasons that cite the profile fields it rests on.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from puhui.assess import taxonomy
from puhui.assess.messages import Messages
from puhui.assess.profile import Profile

RULES = Path(__file__).with_name("rules") / "obligations.yaml"
STATUS_ORDER = ("mandatory", "applicable", "voluntary", "chosen", "not-applicable")


@functools.cache
def rules() -> dict[str, Any]:
    """The rules file, parsed."""
    data: dict[str, Any] = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return data


def _reason(text: str, *fields: str) -> dict[str, Any]:
    return {"text": text, "fields": list(fields)}


def facts(profile: Profile, m: Messages) -> dict[str, dict[str, Any]]:
    """Yes/no facts about the system, each with the reason (citing profile fields) when true."""
    r = rules()
    sysd, model, data = profile.system, profile.model, profile.dataset
    inter = set(sysd.get("interaction") or [])
    users = set(sysd.get("users") or [])
    uses = set(sysd.get("uses") or [])
    juris = set(sysd.get("jurisdictions") or [])
    vulnerable = list(sysd.get("vulnerable_groups") or [])
    vulnerable_users = sorted(users & {"children", "patients", "students"})
    annex_uses = {u for rule in r["eu_ai_act"]["annex_iii"] for u in rule["uses"]}
    flops = model.get("training_compute_flops")
    systemic = bool(model.get("systemic_risk")) or (
        isinstance(flops, int | float) and flops >= float(r["eu_ai_act"]["systemic_flops"])
    )
    org = str(sysd.get("organisation") or "").strip().lower()
    provider = str(model.get("provider") or "").strip().lower()
    gen = sorted(inter & {"chatbot", "generates-synthetic-content", "deepfakes"})
    out: dict[str, dict[str, Any]] = {}

    def put(name: str, value: bool, text: str, *fields: str) -> None:
        out[name] = {"value": value, "reason": _reason(text, *fields) if value else None}

    put(
        "generative",
        bool(gen),
        m("fact.generative", v=", ".join(gen)),
        "system.interaction",
    )
    put("chatbot", "chatbot" in inter, m("fact.chatbot"), "system.interaction")
    put(
        "public_facing",
        "general-public" in users,
        m("fact.public_facing"),
        "system.users",
    )
    put(
        "vulnerable_users",
        bool(vulnerable or vulnerable_users),
        m("fact.vulnerable_users", v=", ".join(vulnerable + vulnerable_users)),
        "system.vulnerable_groups" if vulnerable else "system.users",
    )
    decides = bool(sysd.get("decides_about_people")) or "automated-decision" in inter
    put(
        "decides_about_people",
        decides,
        m("fact.decides_about_people"),
        "system.decides_about_people",
    )
    put(
        "personal_data",
        bool(data.get("personal_data")),
        m("fact.personal_data"),
        "data.personal_data",
    )
    put(
        "general_purpose",
        bool(model.get("general_purpose")),
        m("fact.general_purpose", model=model["name"]),
        "model.general_purpose",
    )
    put(
        "systemic",
        systemic,
        m("fact.systemic"),
        "model.training_compute_flops" if flops is not None else "model.systemic_risk",
    )
    put(
        "gpai_own",
        bool(model.get("general_purpose")) and bool(org) and org == provider,
        m("fact.gpai_own"),
        "model.provider",
        "system.organisation",
    )
    put("public_body", bool(sysd.get("public_body")), m("fact.public_body"), "system.public_body")
    put(
        "high_stakes_sector",
        sysd["sector"] in r["high_stakes_sectors"],
        m("fact.high_stakes_sector", sector=sysd["sector"]),
        "system.sector",
    )
    put(
        "annex_i_product",
        bool(sysd.get("annex_i_product")),
        m("fact.annex_i_product"),
        "system.annex_i_product",
    )
    put(
        "annex_iii",
        bool(uses & annex_uses),
        m("fact.annex_iii", v=", ".join(sorted(uses & annex_uses))),
        "system.uses",
    )
    for group, members in r["jurisdictions"].items():
        hit = sorted(juris & set(members))
        put(
            f"jurisdiction:{group}",
            bool(hit),
            m("fact.jurisdiction", v=", ".join(hit), group=group),
            "system.jurisdictions",
        )
    out["always"] = {"value": True, "reason": _reason(m("fact.always"))}
    return out


def _eu(profile: Profile, f: dict[str, dict[str, Any]], m: Messages) -> dict[str, Any]:
    """The EU AI Act tier, Annex III areas, GPAI track, in-scope items and reasons."""
    r = rules()["eu_ai_act"]
    sysd = profile.system
    uses = set(sysd.get("uses") or [])
    inter = set(sysd.get("interaction") or [])
    reasons: list[dict[str, Any]] = []
    items: list[str] = list(r["always"])
    prohibited = [p for p in r["prohibited"] if p["use"] in uses]
    annex = [a for a in r["annex_iii"] if uses & set(a["uses"])]
    transparency = sorted(inter & set(r["transparency"]))
    if prohibited:
        tier = "prohibited"
        for p in prohibited:
            reasons.append(_reason(m("eu.prohibited", use=p["use"], item=p["item"]), "system.uses"))
        items += [p["item"] for p in prohibited]
    elif annex or f["annex_i_product"]["value"]:
        tier = "high-risk"
        for a in annex:
            hit = ", ".join(sorted(uses & set(a["uses"])))
            reasons.append(_reason(m("eu.annex_iii", item=a["item"], uses=hit), "system.uses"))
        if f["annex_i_product"]["value"]:
            reasons.append(_reason(m("eu.annex_i"), "system.annex_i_product"))
        items += list(r["tiers"]["high-risk"]) + [a["item"] for a in annex]
        if f["public_body"]["value"] or any(
            u in uses for u in ("credit-scoring", "insurance-pricing")
        ):
            items.append(r["fria"])
            reasons.append(_reason(m("eu.fria"), "system.public_body", "system.uses"))
    elif transparency:
        tier = "limited"
        reasons.append(
            _reason(m("eu.transparency", v=", ".join(transparency)), "system.interaction")
        )
        items += list(r["tiers"]["limited"])
    else:
        tier = "minimal"
        reasons.append(_reason(m("eu.minimal"), "system.uses", "system.interaction"))
        items += list(r["tiers"]["minimal"])
    if tier in ("high-risk", "limited") and transparency and "Art.50" not in items:
        items.append("Art.50")
        reasons.append(
            _reason(m("eu.transparency_too", v=", ".join(transparency)), "system.interaction")
        )
    if tier != "high-risk":
        hint = r["sector_hints"].get(sysd["sector"])
        if hint:
            reasons.append(
                _reason(
                    m(
                        "eu.sector_hint",
                        sector=sysd["sector"],
                        item=hint["item"],
                        uses=", ".join(hint["uses"]),
                    ),
                    "system.sector",
                    "system.uses",
                )
            )
    gpai = "none"
    if f["general_purpose"]["value"]:
        if f["gpai_own"]["value"]:
            gpai = "provider"
            items += list(r["gpai"])
            reasons.append(
                _reason(m("eu.gpai_provider"), "model.general_purpose", "model.provider")
            )
        else:
            gpai = "downstream"
            items += list(r["gpai_downstream"])
            reasons.append(
                _reason(
                    m("eu.gpai_downstream", provider=profile.model.get("provider") or "?"),
                    "model.general_purpose",
                    "model.provider",
                )
            )
        if f["systemic"]["value"]:
            items += list(r["systemic"])
            reasons.append(
                _reason(m("eu.systemic"), "model.training_compute_flops", "model.systemic_risk")
            )
    return {
        "tier": tier,
        "annex_iii": [a["item"] for a in annex],
        "prohibited": [p["item"] for p in prohibited],
        "transparency": transparency,
        "gpai": gpai,
        "items": list(dict.fromkeys(items)),
        "reasons": reasons,
        "applies_from": r["applies_from"],
    }


def _tc260(f: dict[str, dict[str, Any]], m: Messages) -> dict[str, Any]:
    r = rules()["tc260"]
    classes = []
    for c in r["classes"]:
        why = [f[x]["reason"] for x in c["when"] if f[x]["value"]]
        if why:
            classes.append(
                {
                    "id": c["id"],
                    "item": c["item"],
                    "title": m(f"tc260.class.{c['id']}"),
                    "reasons": why,
                }
            )
    grade = "low"
    for level in ("high", "medium"):
        hits = [x for x in r["grade"][level] if f[x]["value"]]
        if hits:
            grade = level
            break
    return {
        "classes": classes,
        "grade": grade,
        "grade_note": m("tc260.grade_note"),
    }


def decide(profile: Profile, m: Messages) -> dict[str, Any]:
    """Every framework with its status, reasons and in-scope items; the EU tier; TC260 classes."""
    tax = taxonomy.load()
    f = facts(profile, m)
    eu = _eu(profile, f, m)
    tc = _tc260(f, m)
    chosen = set(profile.frameworks)
    out = []
    for rule in rules()["frameworks"]:
        fw = tax.framework(rule["id"])
        hits = [f[w] for w in rule["when"] if f.get(w, {}).get("value")]
        reasons = [h["reason"] for h in hits]
        if hits:
            status = rule["status"]
        elif fw.id in chosen:
            status = "chosen"
        else:
            status = "not-applicable"
        if fw.id in chosen and hits:
            reasons.append(_reason(m("fw.also_chosen"), "frameworks"))
        elif fw.id in chosen:
            reasons.append(_reason(m("fw.chosen"), "frameworks"))
        elif not hits:
            reasons.append(_reason(m("fw.not_applicable", when=", ".join(rule["when"]))))
        entry: dict[str, Any] = {
            "framework": fw.id,
            "title": fw.short,
            "version": fw.version,
            "status": status,
            "reasons": reasons,
        }
        if fw.id == "eu-ai-act":
            entry["tier"] = eu["tier"]
            entry["reasons"] = reasons + eu["reasons"]
            entry["items"] = eu["items"]
        elif fw.id in ("tc260-v1", "tc260-v2"):
            entry["items"] = [it.id for it in fw.items]
            if fw.id == "tc260-v1":
                entry["classes"] = [c["id"] for c in tc["classes"]]
                entry["grade"] = tc["grade"]
        else:
            entry["items"] = [it.id for it in fw.items]
        out.append(entry)
    out.sort(key=lambda e: STATUS_ORDER.index(e["status"]))
    return {
        "facts": {k: v for k, v in f.items() if v["value"] and k != "always"},
        "eu_ai_act": eu,
        "tc260": tc,
        "frameworks": out,
    }


def in_scope(obligations: dict[str, Any]) -> list[dict[str, Any]]:
    """The frameworks a report covers (all but those that do not apply)."""
    return [f for f in obligations["frameworks"] if f["status"] != "not-applicable"]
