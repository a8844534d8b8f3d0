"""Per framework, which of its in-scope items the assessment evidences.

An item is **evidenced** when a checklist answer that cites it says "yes" and links evidence, or
when a risk area that contains it (crosswalk relationship ``equivalent``/``superset``) has test
evidence; **partly evidenced** when only an overlapping area (``intersects``/``subset``) has
evidence, or an answer says "partial" or "yes" without a link; otherwise **not evidenced**.
A missing crosswalk edge never counts as coverage. Items answered only "not applicable" are
marked so.
"""

from __future__ import annotations

from typing import Any

from puhui.assess import taxonomy

RANK = {"not-evidenced": 0, "partly": 1, "evidenced": 2}
STATUSES = ("evidenced", "partly", "not-evidenced", "not-applicable")


def _order(ref: str) -> tuple[int, str]:
    """E1, E2, … (evidence) before checklist items (GOV-01, …)."""
    return (0, f"{int(ref[1:]):06d}") if ref[1:].isdigit() else (1, ref)


def build(
    frameworks: list[dict[str, Any]],
    evidence: list[dict[str, Any]],
    answers: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One table per framework in scope: each item with status, relation, evidence and answers."""
    tax = taxonomy.load()
    tested: dict[str, list[str]] = {}
    for ev in evidence:
        for a in ev["risk_areas"]:
            tested.setdefault(a, []).append(ev["id"])
    answered_areas: dict[str, list[str]] = {}
    for ans in answers:
        if ans["value"] == "yes" and ans["evidence"]:
            for a in ans["areas"]:
                answered_areas.setdefault(a, []).append(ans["item"])
    out = []
    for entry in frameworks:
        fw = tax.framework(entry["framework"])
        rows = []
        for item_id in entry["items"]:
            item = fw.item(item_id)
            status = "not-evidenced"
            via = []
            evs: list[str] = []
            for mp in tax.mappings:
                if mp.framework != fw.id or mp.item != item_id:
                    continue
                area_ev = tested.get(mp.area, [])
                area_ans = answered_areas.get(mp.area, [])
                has = bool(area_ev or area_ans)
                via.append({"area": mp.area, "relationship": mp.relationship, "evidenced": has})
                evs += area_ev + area_ans
                if has:
                    got = "evidenced" if mp.relationship in ("equivalent", "superset") else "partly"
                    if RANK[got] > RANK[status]:
                        status = got
            direct = [a for a in answers if f"{fw.id}:{item_id}" in a["evidences"]]
            evs = [e for e in evs if e not in {a["item"] for a in direct}]
            for a in direct:
                if a["value"] == "yes":
                    got = "evidenced" if a["evidence"] else "partly"
                elif a["value"] == "partial":
                    got = "partly"
                else:
                    continue
                if RANK[got] > RANK[status]:
                    status = got
            if (
                status == "not-evidenced"
                and direct
                and all(a["value"] == "not-applicable" for a in direct)
            ):
                status = "not-applicable"
            rows.append(
                {
                    "item": item_id,
                    "title": item.title,
                    "verified": item.verified,
                    "status": status,
                    "via": via,
                    "answers": [f"{a['item']}={a['value']}" for a in direct],
                    "evidence": sorted(set(evs), key=_order),
                }
            )
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
        out.append(
            {
                "framework": fw.id,
                "title": fw.short,
                "status": entry["status"],
                "counts": counts,
                "items": rows,
            }
        )
    return out
