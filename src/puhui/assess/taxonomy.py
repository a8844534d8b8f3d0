"""The common risk taxonomy, the frameworks it is mapped onto, the crosswalk and the checklists.

All of it is data under ``puhui/assess/data`` (YAML, validated against
``puhui/schemas/crosswalk-1.schema.json`` and then cross-checked: every area, framework and item a
file names must exist, every item ID must match its framework's pattern, and a mapping to an
unverified item must itself be unverified). :func:`load` reads it into frozen dataclasses;
:func:`to_oscal_catalog`, :func:`to_oscal_mapping` and :func:`to_tsv` export it. Exports are
deterministic: UUIDs are derived from content (uuid5) and dates come from the data, not the clock.

Why one file of ~780 lines: the loader and its cross-checks (about two thirds) and the exports
share the frozen dataclasses, and the exports' ids (``oscal_id``, the uuid5 namespace) are also
what ``assess.oscal`` cites. The data itself already lives in YAML. The exports (from
:func:`oscal_id` down) are the part to move to a module of their own when they grow.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from puhui.errors import PuhuiError, yaml_error
from puhui.i18n import _

DATA_DIR = Path(__file__).with_name("data")
SCHEMA = "crosswalk-1.schema.json"
FILES = ("frameworks.yaml", "risk-areas.yaml", "crosswalk.yaml")
RELATIONSHIPS = ("equivalent", "subset", "superset", "intersects")
OSCAL_RELATIONSHIP = {
    "equivalent": "equivalent-to",
    "subset": "subset-of",
    "superset": "superset-of",
    "intersects": "intersects-with",
}
OSCAL_VERSION = "1.2.0"
PROP_NS = "https://puhui.invalid/ns/oscal"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://puhui.invalid/assess/taxonomy")
TSV_COLUMNS = (
    "area",
    "area_title",
    "framework",
    "item",
    "item_title",
    "relationship",
    "status",
    "rationale",
    "source",
)


@dataclass(frozen=True)
class FrameworkItem:
    """One item of a framework (a subcategory, control, article, risk, principle...)."""

    framework: str
    id: str
    title: str  # our own short paraphrase
    status: str  # verified | unverified
    note: str | None = None

    @property
    def verified(self) -> bool:
        return self.status == "verified"


@dataclass(frozen=True)
class Framework:
    """A framework, law or taxonomy, with the items Puhui maps onto."""

    id: str
    title: str
    short: str
    version: str
    publisher: str
    url: str
    reuse: str
    source: str
    item_kind: str
    item_pattern: str
    items: tuple[FrameworkItem, ...]

    def item(self, item_id: str) -> FrameworkItem:
        """The item ``item_id``; a :class:`PuhuiError` if this framework has none."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise PuhuiError(
            _("unknown item {item!r} in framework {fw!r}").format(item=item_id, fw=self.id),
            _("item IDs of {fw} look like {eg}").format(
                fw=self.id, eg=", ".join(i.id for i in self.items[:3])
            ),
        )

    def has_item(self, item_id: str) -> bool:
        return any(it.id == item_id for it in self.items)


@dataclass(frozen=True)
class RiskArea:
    """One of the common risk areas (CR-01 …)."""

    id: str
    title: str
    group: str
    applies_to: tuple[str, ...]
    status: str  # draft | reviewed
    description: str
    titles: dict[str, str] = field(default_factory=dict, compare=False)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (a BCP-47 tag), falling back to English."""
        return self.titles.get(lang) or self.titles.get(lang.split("-")[0]) or self.title


@dataclass(frozen=True)
class Mapping:
    """One crosswalk edge: ``area <relationship> framework item``."""

    area: str
    framework: str
    item: str
    relationship: str  # equivalent | subset | superset | intersects
    status: str  # verified | unverified
    source: str  # a key of Taxonomy.sources
    section: str
    rationale: str

    @property
    def oscal_relationship(self) -> str:
        return OSCAL_RELATIONSHIP[self.relationship]


@dataclass(frozen=True)
class Gap:
    """An explicit statement that an area has no counterpart in a framework, and why."""

    area: str
    framework: str
    reason: str


@dataclass(frozen=True)
class ChecklistItem:
    """One process check. Questions are data; translations are per BCP-47 tag."""

    checklist: str
    id: str
    question: str
    help: str
    areas: tuple[str, ...]
    evidences: tuple[tuple[str, str], ...]  # (framework id, item id)
    evidence: str  # required | recommended
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    def question_in(self, lang: str) -> str:
        return self._text(lang, "question") or self.question

    def help_in(self, lang: str) -> str:
        return self._text(lang, "help") or self.help

    def _text(self, lang: str, key: str) -> str | None:
        for tag in (lang, lang.split("-")[0]):
            if tag in self.translations:
                return self.translations[tag].get(key)
        return None


@dataclass(frozen=True)
class Checklist:
    """A named list of process checks (governance, data, testing...)."""

    id: str
    title: str
    answers: tuple[str, ...]
    items: tuple[ChecklistItem, ...]
    review: dict[str, str] = field(default_factory=dict, compare=False)
    titles: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Taxonomy:
    """Everything under ``assess/data``, cross-checked."""

    version: str
    updated: str
    groups: tuple[tuple[str, str], ...]  # (id, title)
    areas: tuple[RiskArea, ...]
    frameworks: tuple[Framework, ...]
    mappings: tuple[Mapping, ...]
    gaps: tuple[Gap, ...]
    checklists: tuple[Checklist, ...]
    sources: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    def framework(self, framework_id: str) -> Framework:
        """The framework ``framework_id``; a one-line :class:`PuhuiError` if unknown."""
        for fw in self.frameworks:
            if fw.id == framework_id:
                return fw
        raise PuhuiError(
            _("unknown framework {fw!r}").format(fw=framework_id),
            _("known frameworks: {ids}").format(ids=", ".join(f.id for f in self.frameworks)),
        )

    def area(self, area_id: str) -> RiskArea:
        """The risk area ``area_id``; a one-line :class:`PuhuiError` if unknown."""
        for a in self.areas:
            if a.id == area_id:
                return a
        raise PuhuiError(
            _("unknown risk area {a!r}").format(a=area_id),
            _("risk areas are {first} to {last}").format(
                first=self.areas[0].id, last=self.areas[-1].id
            ),
        )

    def mappings_for(self, area_id: str) -> tuple[Mapping, ...]:
        """Every crosswalk edge from ``area_id``, in data order."""
        self.area(area_id)
        return tuple(m for m in self.mappings if m.area == area_id)

    def areas_for(self, framework_id: str, item_id: str) -> tuple[RiskArea, ...]:
        """The risk areas mapped to one framework item (empty if none is)."""
        self.framework(framework_id).item(item_id)
        ids = {m.area for m in self.mappings if m.framework == framework_id and m.item == item_id}
        return tuple(a for a in self.areas if a.id in ids)

    def gaps_for(self, area_id: str) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.area == area_id)

    def checklist(self, checklist_id: str) -> Checklist:
        for c in self.checklists:
            if c.id == checklist_id:
                return c
        raise PuhuiError(
            _("unknown checklist {c!r}").format(c=checklist_id),
            _("known checklists: {ids}").format(ids=", ".join(c.id for c in self.checklists)),
        )


# --------------------------------------------------------------------------- loading


def load(path: str | Path | None = None) -> Taxonomy:
    """Read and check the taxonomy in ``path`` (a folder laid out like ``assess/data``).

    Without ``path``, the bundled data. Results are cached per folder. Any problem raises a
    one-line :class:`PuhuiError` naming the file and the field.
    """
    folder = Path(path) if path is not None else DATA_DIR
    return _load(str(folder.resolve()))


@functools.lru_cache(maxsize=8)
def _load(folder: str) -> Taxonomy:
    root = Path(folder)
    validator = jsonschema.Draft202012Validator(schema())
    fw_path, area_path, cw_path = (root / name for name in FILES)
    fw_doc = _read(fw_path, validator, "frameworks")
    area_doc = _read(area_path, validator, "risk-areas")
    cw_doc = _read(cw_path, validator, "crosswalk")
    frameworks = _frameworks(fw_path, fw_doc)
    groups, areas = _areas(area_path, area_doc)
    by_fw = {f.id: f for f in frameworks}
    area_ids = {a.id for a in areas}
    mappings, gaps, sources = _crosswalk(cw_path, cw_doc, by_fw, area_ids)
    checklist_dir = root / "checklists"
    paths = sorted(checklist_dir.glob("*.yaml")) if checklist_dir.is_dir() else []
    checklists: list[Checklist] = []
    seen_items: dict[str, Path] = {}
    for p in paths:
        doc = _read(p, validator, "checklist")
        checklists.append(_checklist(p, doc, by_fw, area_ids, seen_items))
    return Taxonomy(
        version=str(cw_doc["version"]),
        updated=str(cw_doc["updated"]),
        groups=groups,
        areas=areas,
        frameworks=frameworks,
        mappings=mappings,
        gaps=gaps,
        checklists=tuple(checklists),
        sources=sources,
    )


def schema() -> dict[str, Any]:
    """The JSON Schema every data file is validated against."""
    text = resources.files("puhui.schemas").joinpath(SCHEMA).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _fail(path: Path, where: str, why: str, hint: str | None = None) -> PuhuiError:
    return PuhuiError(
        _("{p}: field {field}: {why}").format(p=path, field=where, why=why),
        hint or _("fix the file; see puhui/schemas/{s}").format(s=SCHEMA),
    )


def _field(error: jsonschema.ValidationError) -> str:
    parts: list[str] = []
    for p in error.absolute_path:
        parts.append(f"[{p}]" if isinstance(p, int) else (f".{p}" if parts else str(p)))
    return "".join(parts) or "(top level)"


def _read(path: Path, validator: jsonschema.Draft202012Validator, kind: str) -> dict[str, Any]:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise PuhuiError(
            _("{p}: file is missing").format(p=path),
            _("a taxonomy folder holds {files} and checklists/").format(files=", ".join(FILES)),
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise PuhuiError(
            _("{p}: cannot read ({why})").format(p=path, why=e), _("check the file")
        ) from None
    except yaml.YAMLError as e:
        raise yaml_error(path, e) from None
    if not isinstance(doc, dict):
        raise PuhuiError(
            _("{p}: expected a mapping with kind: {kind}").format(p=path, kind=kind),
            _("fix the file; see puhui/schemas/{s}").format(s=SCHEMA),
        )
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        raise _fail(path, _field(error), error.message)
    if doc["kind"] != kind:
        raise _fail(
            path, "kind", _("is {got!r}, expected {kind!r}").format(got=doc["kind"], kind=kind)
        )
    return doc


def _frameworks(path: Path, doc: dict[str, Any]) -> tuple[Framework, ...]:
    out: list[Framework] = []
    seen: set[str] = set()
    for i, f in enumerate(doc["frameworks"]):
        at = f"frameworks[{i}]"
        if f["id"] in seen:
            raise _fail(path, f"{at}.id", _("duplicate framework {fw!r}").format(fw=f["id"]))
        seen.add(f["id"])
        try:
            pattern = re.compile(f["item_pattern"])
        except re.error as e:
            raise _fail(
                path,
                f"{at}.item_pattern",
                _("not a valid regular expression ({why})").format(why=e),
            ) from None
        items: list[FrameworkItem] = []
        ids: set[str] = set()
        for j, it in enumerate(f["items"]):
            iat = f"{at}.items[{j}].id"
            if not pattern.fullmatch(it["id"]):
                raise _fail(
                    path,
                    iat,
                    _("{item!r} does not match item_pattern {pat}").format(
                        item=it["id"], pat=f["item_pattern"]
                    ),
                )
            if it["id"] in ids:
                raise _fail(path, iat, _("duplicate item {item!r}").format(item=it["id"]))
            ids.add(it["id"])
            items.append(
                FrameworkItem(f["id"], it["id"], it["title"], it["status"], it.get("note"))
            )
        out.append(
            Framework(
                id=f["id"],
                title=f["title"],
                short=f["short"],
                version=f["version"],
                publisher=f["publisher"],
                url=f["url"],
                reuse=f["reuse"],
                source=f["source"],
                item_kind=f["item_kind"],
                item_pattern=f["item_pattern"],
                items=tuple(items),
            )
        )
    return tuple(out)


def _areas(
    path: Path, doc: dict[str, Any]
) -> tuple[tuple[tuple[str, str], ...], tuple[RiskArea, ...]]:
    groups = tuple((g["id"], g["title"]) for g in doc["groups"])
    group_ids = {g for g, _t in groups}
    out: list[RiskArea] = []
    seen: set[str] = set()
    for i, a in enumerate(doc["areas"]):
        at = f"areas[{i}]"
        if a["id"] in seen:
            raise _fail(path, f"{at}.id", _("duplicate risk area {a!r}").format(a=a["id"]))
        seen.add(a["id"])
        if a["group"] not in group_ids:
            raise _fail(
                path,
                f"{at}.group",
                _("unknown group {g!r}").format(g=a["group"]),
                _("known groups: {ids}").format(ids=", ".join(sorted(group_ids))),
            )
        titles = {lang: t["title"] for lang, t in (a.get("translations") or {}).items()}
        out.append(
            RiskArea(
                id=a["id"],
                title=a["title"],
                group=a["group"],
                applies_to=tuple(a["applies_to"]),
                status=a["status"],
                description=" ".join(a["description"].split()),
                titles=titles,
            )
        )
    return groups, tuple(out)


def _known(path: Path, where: str, what: str, value: str, known: set[str] | dict[str, Any]) -> None:
    if value not in known:
        raise _fail(
            path,
            where,
            _("unknown {what} {v!r}").format(what=what, v=value),
            _("known: {ids}").format(ids=", ".join(sorted(known))),
        )


def _crosswalk(
    path: Path, doc: dict[str, Any], by_fw: dict[str, Framework], area_ids: set[str]
) -> tuple[tuple[Mapping, ...], tuple[Gap, ...], dict[str, dict[str, str]]]:
    sources: dict[str, dict[str, str]] = doc["sources"]
    mappings: list[Mapping] = []
    seen: set[tuple[str, str, str]] = set()
    for i, m in enumerate(doc["mappings"]):
        at = f"mappings[{i}]"
        _known(path, f"{at}.area", _("risk area"), m["area"], area_ids)
        _known(path, f"{at}.framework", _("framework"), m["framework"], by_fw)
        _known(path, f"{at}.source", _("source"), m["source"], sources)
        fw = by_fw[m["framework"]]
        if not re.fullmatch(fw.item_pattern, m["item"]):
            raise _fail(
                path,
                f"{at}.item",
                _("{item!r} is not a well-formed {fw} item ID ({pat})").format(
                    item=m["item"], fw=fw.id, pat=fw.item_pattern
                ),
            )
        if not fw.has_item(m["item"]):
            raise _fail(
                path,
                f"{at}.item",
                _("{item!r} is not an item of {fw}").format(item=m["item"], fw=fw.id),
                _("add it to frameworks.yaml first"),
            )
        if m["status"] == "verified" and not fw.item(m["item"]).verified:
            raise _fail(
                path,
                f"{at}.status",
                _("{fw} {item} is unverified, so the mapping must be unverified too").format(
                    fw=fw.id, item=m["item"]
                ),
            )
        key = (m["area"], m["framework"], m["item"])
        if key in seen:
            raise _fail(path, at, _("duplicate mapping {k}").format(k=" ".join(key)))
        seen.add(key)
        mappings.append(
            Mapping(
                area=m["area"],
                framework=m["framework"],
                item=m["item"],
                relationship=m["relationship"],
                status=m["status"],
                source=m["source"],
                section=m["section"],
                rationale=m["rationale"],
            )
        )
    mapped = {(m.area, m.framework) for m in mappings}
    gaps: list[Gap] = []
    for i, g in enumerate(doc["gaps"]):
        at = f"gaps[{i}]"
        _known(path, f"{at}.area", _("risk area"), g["area"], area_ids)
        _known(path, f"{at}.framework", _("framework"), g["framework"], by_fw)
        if (g["area"], g["framework"]) in mapped:
            raise _fail(
                path,
                at,
                _("{a} is both mapped to {fw} and listed as a gap").format(
                    a=g["area"], fw=g["framework"]
                ),
            )
        gaps.append(Gap(g["area"], g["framework"], g["reason"]))
    return tuple(mappings), tuple(gaps), sources


def _checklist(
    path: Path,
    doc: dict[str, Any],
    by_fw: dict[str, Framework],
    area_ids: set[str],
    seen_items: dict[str, Path],
) -> Checklist:
    if doc["id"] != path.stem:
        raise _fail(path, "id", _("{id!r} must match the file name").format(id=doc["id"]))
    items: list[ChecklistItem] = []
    for i, it in enumerate(doc["items"]):
        at = f"items[{i}]"
        if it["id"] in seen_items:
            raise _fail(
                path,
                f"{at}.id",
                _("duplicate check {id!r} (also in {other})").format(
                    id=it["id"], other=seen_items[it["id"]].name
                ),
            )
        seen_items[it["id"]] = path
        for j, a in enumerate(it["areas"]):
            _known(path, f"{at}.areas[{j}]", _("risk area"), a, area_ids)
        evidences: list[tuple[str, str]] = []
        for j, ref in enumerate(it["evidences"]):
            fw_id, _sep, item_id = ref.partition(":")
            _known(path, f"{at}.evidences[{j}]", _("framework"), fw_id, by_fw)
            if not by_fw[fw_id].has_item(item_id):
                raise _fail(
                    path,
                    f"{at}.evidences[{j}]",
                    _("{item!r} is not an item of {fw}").format(item=item_id, fw=fw_id),
                )
            evidences.append((fw_id, item_id))
        items.append(
            ChecklistItem(
                checklist=doc["id"],
                id=it["id"],
                question=it["question"],
                help=it["help"],
                areas=tuple(it["areas"]),
                evidences=tuple(evidences),
                evidence=it["evidence"],
                translations={k: dict(v) for k, v in (it.get("translations") or {}).items()},
            )
        )
    return Checklist(
        id=doc["id"],
        title=doc["title"],
        answers=tuple(doc["answers"]),
        items=tuple(items),
        review=dict(doc.get("review") or {}),
        titles={k: v["title"] for k, v in (doc.get("translations") or {}).items()},
    )


# --------------------------------------------------------------------------- exports


def oscal_id(item_id: str) -> str:
    """An OSCAL token for a framework item or area ID (``Art.5(1)(a)`` → ``art.5.1.a``)."""
    s = re.sub(r"\(([^)]*)\)", r".\1", item_id)
    s = re.sub(r"[^A-Za-z0-9._-]", "-", s).lower()
    return s if s[:1].isalpha() or s[:1] == "_" else "s" + s


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "|".join(parts)))


def _metadata(tax: Taxonomy, title: str, version: str, remarks: str) -> dict[str, Any]:
    return {
        "title": title,
        "last-modified": f"{tax.updated}T00:00:00Z",
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "remarks": remarks,
    }


def _prop(name: str, value: str, ns: str | None = PROP_NS) -> dict[str, str]:
    prop = {"name": name, "value": value}
    if ns:
        prop["ns"] = ns
    return prop


def _area_resource(tax: Taxonomy) -> dict[str, Any]:
    return {
        "uuid": _uuid("resource", "risk-areas", tax.version),
        "title": "Puhui common AI risk areas (CR-01 to CR-18)",
        "description": "The catalog produced by puhui.assess.taxonomy.to_oscal_catalog().",
    }


def _framework_resource(fw: Framework) -> dict[str, Any]:
    return {
        "uuid": _uuid("resource", fw.id),
        "title": fw.title,
        "description": f"{fw.publisher}, version {fw.version}. {fw.reuse}",
        "rlinks": [{"href": fw.url}],
    }


def to_oscal_catalog(tax: Taxonomy, framework_id: str | None = None) -> dict[str, Any]:
    """An OSCAL catalog: the risk areas as controls, or (with ``framework_id``) that framework's
    items as controls, with our own titles and a ``status`` prop (verified / unverified)."""
    if framework_id is not None:
        fw = tax.framework(framework_id)
        controls = [
            {
                "id": oscal_id(it.id),
                "class": fw.item_kind.split()[0],
                "title": it.title,
                "props": [_prop("label", it.id, None), _prop("status", it.status)],
            }
            for it in fw.items
        ]
        resource = _framework_resource(fw)
        return {
            "catalog": {
                "uuid": _uuid("catalog", fw.id, tax.version),
                "metadata": _metadata(
                    tax,
                    f"{fw.title}: item index (Puhui)",
                    tax.version,
                    "Item IDs as published; titles are Puhui's own short paraphrases, not the "
                    f"framework's text. Source of the structure: {fw.source}.",
                ),
                "controls": controls,
                "back-matter": {"resources": [resource]},
            }
        }
    groups = []
    for gid, gtitle in tax.groups:
        controls = []
        for a in tax.areas:
            if a.group != gid:
                continue
            props = [_prop("label", a.id, None), _prop("status", a.status)]
            props += [_prop("applies-to", x) for x in a.applies_to]
            controls.append(
                {
                    "id": oscal_id(a.id),
                    "class": "risk-area",
                    "title": a.title,
                    "props": props,
                    "parts": [
                        {"id": f"{oscal_id(a.id)}_smt", "name": "statement", "prose": a.description}
                    ],
                }
            )
        if controls:
            groups.append(
                {"id": gid, "class": "risk-area-group", "title": gtitle, "controls": controls}
            )
    return {
        "catalog": {
            "uuid": _uuid("catalog", "risk-areas", tax.version),
            "metadata": _metadata(
                tax,
                "Puhui common AI risk areas",
                tax.version,
                "A pivot taxonomy of AI risk areas, mapped onto frameworks by the Puhui "
                "mapping collection. Titles and descriptions are Puhui's own words.",
            ),
            "groups": groups,
            "back-matter": {"resources": [_area_resource(tax)]},
        }
    }


def to_oscal_mapping(tax: Taxonomy, framework_id: str | None = None) -> dict[str, Any]:
    """An OSCAL 1.2 ``mapping-collection`` from the risk areas to one framework (or all)."""
    frameworks = [tax.framework(framework_id)] if framework_id else list(tax.frameworks)
    area_res = _area_resource(tax)
    resources_out = [area_res]
    mappings = []
    for fw in frameworks:
        edges = [m for m in tax.mappings if m.framework == fw.id]
        if not edges:
            continue
        fw_res = _framework_resource(fw)
        resources_out.append(fw_res)
        maps = []
        for m in edges:
            src = tax.sources[m.source]
            maps.append(
                {
                    "uuid": _uuid("map", m.framework, m.area, m.item),
                    "relationship": m.oscal_relationship,
                    "sources": [{"type": "control", "id-ref": oscal_id(m.area)}],
                    "targets": [
                        {
                            "type": "control",
                            "id-ref": oscal_id(m.item),
                            "props": [_prop("label", m.item, None)],
                        }
                    ],
                    "props": [
                        _prop("status", m.status),
                        _prop("source", f"{src['title']}, {m.section}"),
                        _prop("authority", src["authority"]),
                    ],
                    "remarks": m.rationale,
                }
            )
        mapping: dict[str, Any] = {
            "uuid": _uuid("mapping", fw.id),
            "source-resource": {"type": "catalog", "href": f"#{area_res['uuid']}"},
            "target-resource": {"type": "catalog", "href": f"#{fw_res['uuid']}"},
            "maps": maps,
        }
        mapped = {m.area for m in edges}
        unmapped = [oscal_id(a.id) for a in tax.areas if a.id not in mapped]
        if unmapped:
            mapping["source-gap-summary"] = {
                "uuid": _uuid("gap-summary", fw.id, tax.version),
                "unmapped-controls": [{"with-ids": unmapped}],
            }
        reasons = [f"{g.area}: {g.reason}" for g in tax.gaps if g.framework == fw.id]
        if reasons:
            mapping["remarks"] = "Explicit gaps. " + " ".join(reasons)
        mappings.append(mapping)
    scope = tax.framework(framework_id).short if framework_id else "frameworks"
    return {
        "mapping-collection": {
            "uuid": _uuid("mapping-collection", framework_id or "*", tax.version),
            "metadata": _metadata(
                tax,
                f"Puhui common AI risk areas mapped to {scope}",
                tax.version,
                "A mapping asserts only what it maps; nothing follows from a missing edge.",
            ),
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "draft",
                "mapping-description": (
                    "Each Puhui risk area (source) is related to framework items (targets) it "
                    "overlaps. Edges are analyst judgements with a rationale in remarks; edges to "
                    "items not yet checked against the primary text carry status=unverified."
                ),
            },
            "mappings": mappings,
            "back-matter": {"resources": resources_out},
        }
    }


def _cell(text: str) -> str:
    return " ".join(text.split())


def to_tsv(tax: Taxonomy) -> str:
    """The crosswalk as TSV: a header, then one row per mapping."""
    titles = {a.id: a.title for a in tax.areas}
    lines = ["\t".join(TSV_COLUMNS)]
    for m in tax.mappings:
        item = tax.framework(m.framework).item(m.item)
        row = (
            m.area,
            titles[m.area],
            m.framework,
            m.item,
            item.title,
            m.relationship,
            m.status,
            m.rationale,
            f"{m.source}: {m.section}",
        )
        lines.append("\t".join(_cell(c) for c in row))
    return "\n".join(lines) + "\n"
