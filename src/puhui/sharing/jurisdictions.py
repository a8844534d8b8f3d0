"""Jurisdiction profiles: each country's (or region's) rules for data leaving it, read from YAML.

The bundled profiles live in ``puhui/content/jurisdictions/<code>.yaml`` (see its README.md:
they are summaries in our own words with citations, not legal advice). :func:`load` and
:func:`load_all` read them; :func:`load_file` and :func:`validate_folder` check a person's own
profile (or a folder of them) the same way. Every problem is one line, ``FILE:LINE: FIELD: what
— what to do``: first against the ``jurisdiction-1`` JSON Schema, then what the schema cannot
say — a real date, real country and region codes, rule ids unique across all files, the file
named after its code. :func:`members` says which countries a region (``EAC``, ``EU``…) holds,
from ``regions.yaml`` in the same folder.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from puhui import schemas
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.sharing.types import (
    CATEGORIES,
    REGIONS,
    Jurisdiction,
    Rule,
    Threshold,
    Transfer,
    Verdict,
)
from puhui.sharing.yamlread import Marked, TooLarge, read_marked

#: The cap on one profile (or regions.yaml) while reading it.
MAX_BYTES = 256 * 1024
SCHEMA = "jurisdiction-1"
REGIONS_FILE = "regions.yaml"
#: ISO 3166 codes that name no single country (groupings, private use, the unknown region).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "AA"})

FieldPath = tuple[str | int, ...]


class JurisdictionError(PuhuiError):
    """One or more problems in jurisdiction profiles; :attr:`problems` lists them, one line
    each, and the message is the first (with how many more)."""

    def __init__(self, problems: Sequence[str], hint: str | None = None) -> None:
        self.problems = tuple(problems)
        more = len(self.problems) - 1
        first = self.problems[0] if self.problems else _("no problems")
        message = first if more <= 0 else _("{first} (and {n} more)").format(first=first, n=more)
        super().__init__(message, hint or _("fix the profile; see jurisdictions/README.md"))


def bundled_folder() -> Path:
    """The folder of the bundled profiles (package data)."""
    return Path(str(resources.files("puhui.content").joinpath("jurisdictions")))


@functools.cache
def is_country(code: str) -> bool:
    """Whether ``code`` is a current ISO 3166-1 alpha-2 country or territory code (upper case)."""
    import langcodes
    from langcodes.data_dicts import TERRITORY_REPLACEMENTS

    if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.isupper():
        return False
    if code in _NOT_COUNTRIES or code.lower() in TERRITORY_REPLACEMENTS:  # withdrawn: SU, YU…
        return False
    if code[0] in "QX" and code != "XK":  # user-assigned ranges (XK: Kosovo, in common use)
        return False
    name = str(langcodes.Language.make(territory=code).territory_name())
    return not name.startswith("Unknown")


def is_place(code: str) -> bool:
    """A region of :data:`REGIONS` (``AU`` means the African Union here) or a country."""
    return code in REGIONS or is_country(code)


# ----------------------------------------------------------------------------- one-line problems


def _field(path: FieldPath) -> str:
    """A path written the way :func:`puhui.schemas.field_of` writes one."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif out and ("/" in step or "." in step or " " in step):
            out += f"[{step!r}]"
        else:
            out += f".{step}" if out else step
    return out or _("(top level)")


class _Problems:
    """Collects one-line problems about one file, each with its line and field."""

    def __init__(self, where: object, marked: Marked | None = None) -> None:
        self.where = where
        self.marked = marked
        self.items: list[tuple[int, str]] = []

    def add(self, path: FieldPath, why: str, line: int | None = None) -> None:
        if line is None:
            line = self.marked.line(path) if self.marked is not None else 1
        self.items.append((line, f"{self.where}:{line}: {_field(path)}: {why}"))

    def lines(self) -> list[str]:
        return [text for _line, text in sorted(self.items, key=lambda item: item[0])]


def _schema_problems(doc: Any, problems: _Problems) -> None:
    errors = schemas.validator(SCHEMA).iter_errors(doc)
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        path: FieldPath = tuple(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for missing in cast(list[str], error.validator_value):
                if missing not in error.instance:  # named at its parent's line
                    problems.add((*path, missing), _("missing"), _line_of(problems, path))
            continue
        problems.add(path, _explain(error))


def _line_of(problems: _Problems, path: FieldPath) -> int:
    """The line of ``path`` in the file ``problems`` is about (1 without a parsed file)."""
    return problems.marked.line(path) if problems.marked is not None else 1


def _explain(error: jsonschema.ValidationError) -> str:
    """What is wrong, briefly: the schema's message for most, a clearer one for a few."""
    if error.validator == "additionalProperties":
        return _("unknown field ({why}); check its spelling").format(why=error.message)
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in cast(list[Any], error.validator_value))
        return _("{value!r} is not one of: {allowed}").format(value=error.instance, allowed=allowed)
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "id":
        return _("{value!r} is not a rule id (lower case, like ke-dpa-s48-consent)").format(
            value=error.instance
        )
    return str(error.message)


# ----------------------------------------------------------------------------- checks beyond it


def _check_places(
    codes: Any, path: FieldPath, problems: _Problems, allow_regions: bool = True
) -> None:
    for i, code in enumerate(codes or ()):
        if not isinstance(code, str):
            continue
        ok = is_place(code) if allow_regions else code in REGIONS
        if not ok:
            what = (
                _("{code!r} is not an ISO 3166-1 alpha-2 country or a region ({regions})")
                if allow_regions
                else _("{code!r} is not a region ({regions})")
            )
            problems.add((*path, i), what.format(code=code, regions=", ".join(REGIONS)))


def _rules_of(doc: Mapping[str, Any]) -> list[tuple[FieldPath, str]]:
    """(path of the id, id) of every rule in a schema-valid profile, in file order."""
    out: list[tuple[FieldPath, str]] = []
    for category, transfer in (doc.get("transfer") or {}).items():
        for kind in ("conditions", "rules"):
            for i, rule in enumerate(transfer.get(kind) or ()):
                out.append((("transfer", category, kind, i, "id"), rule["id"]))
    for i, threshold in enumerate(doc.get("thresholds") or ()):
        out.append((("thresholds", i, "requires", "id"), threshold["requires"]["id"]))
    return out


def _semantic_problems(doc: Mapping[str, Any], stem: str | None, problems: _Problems) -> None:
    code = doc["code"]
    if not is_place(code):
        problems.add(
            ("code",),
            _("{code!r} is not an ISO 3166-1 alpha-2 country or a region ({regions})").format(
                code=code, regions=", ".join(REGIONS)
            ),
        )
    if stem is not None and stem != code.lower():
        problems.add(
            ("code",),
            _("the file of {code} must be named {name}").format(
                code=code, name=f"{code.lower()}.yaml"
            ),
        )
    try:
        date.fromisoformat(doc["checked"])
    except ValueError:
        problems.add(
            ("checked",),
            _("{value!r} is not a real date; write YYYY-MM-DD").format(value=doc["checked"]),
        )
    _check_places(doc.get("regions"), ("regions",), problems, allow_regions=False)
    for category, transfer in doc["transfer"].items():
        at: FieldPath = ("transfer", category)
        _check_places(transfer.get("adequate"), (*at, "adequate"), problems)
        _check_places(transfer.get("banned"), (*at, "banned"), problems)
        both = set(transfer.get("adequate") or ()) & set(transfer.get("banned") or ())
        for place in sorted(both):
            problems.add(
                (*at, "banned"),
                _("{code} is both adequate and banned; keep one").format(code=place),
            )
        if transfer["default"] == "conditional" and not transfer.get("conditions"):
            problems.add(
                (*at, "conditions"),
                _("a conditional default needs at least one cited condition"),
            )
    prefix = code.lower() + "-"
    seen: dict[str, int] = {}
    for path, rule_id in _rules_of(doc):
        line = _line_of(problems, path)
        if not rule_id.startswith(prefix):
            problems.add(
                path,
                _("{id!r} must start with {prefix!r} (<code>-<law>-<article>)").format(
                    id=rule_id, prefix=prefix
                ),
            )
        if rule_id in seen:
            problems.add(
                path,
                _("rule id {id!r} is used twice (first on line {line}); make it unique").format(
                    id=rule_id, line=seen[rule_id]
                ),
            )
        else:
            seen[rule_id] = line


# ----------------------------------------------------------------------------- building records


def _rule(d: Mapping[str, Any]) -> Rule:
    return Rule(id=d["id"], text=" ".join(d["text"].split()), cite=d["cite"])


def _transfer(d: Mapping[str, Any]) -> Transfer:
    return Transfer(
        default=cast(Verdict, d["default"]),
        adequate=frozenset(d.get("adequate") or ()),
        banned=frozenset(d.get("banned") or ()),
        conditions=tuple(_rule(r) for r in d.get("conditions") or ()),
        rules=tuple(_rule(r) for r in d.get("rules") or ()),
    )


def _build(doc: Mapping[str, Any]) -> Jurisdiction:
    return Jurisdiction(
        code=doc["code"],
        name=doc["name"],
        laws=tuple(doc["laws"]),
        checked=date.fromisoformat(doc["checked"]),
        status=doc["status"],
        regions=frozenset(doc.get("regions") or ()),
        transfer={c: _transfer(doc["transfer"][c]) for c in CATEGORIES},
        thresholds=tuple(
            Threshold(
                category=t["category"],
                records=t["records"],
                requires=_rule(t["requires"]),
                verdict=t.get("verdict", "conditional"),
            )
            for t in doc.get("thresholds") or ()
        ),
        sources=tuple(doc["sources"]),
        notes=" ".join(str(doc.get("notes") or "").split()),
    )


def _read(path: Path, problems: _Problems) -> Marked | None:
    try:
        return read_marked(path, MAX_BYTES)
    except TooLarge:
        problems.add((), _("larger than {n} KiB").format(n=MAX_BYTES // 1024), 1)
    except FileNotFoundError:
        problems.add((), _("no such file"), 1)
    except IsADirectoryError:
        problems.add((), _("is a folder, not a profile"), 1)
    except UnicodeDecodeError:
        problems.add((), _("not UTF-8 text"), 1)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        why = getattr(e, "problem", None) or e
        problems.add((), _("not valid YAML ({why})").format(why=why), line)
    except OSError as e:
        problems.add((), _("cannot be read ({why})").format(why=e.strerror or e), 1)
    return None


def check_file(
    path: Path, where: object = None
) -> tuple[Jurisdiction | None, list[str], dict[str, tuple[int, str]]]:
    """Check one profile: ``(jurisdiction or None, problems, {rule id: (line, field)})``; the
    rule ids are there whenever the file matches the schema, so a folder check can find an id
    used in two files even when one of them has other problems."""
    problems = _Problems(where if where is not None else path)
    marked = _read(path, problems)
    if marked is None:
        return None, problems.lines(), {}
    problems.marked = marked
    for key_path, line in marked.duplicates:
        problems.add(key_path, _("written twice; keep one"), line)
    doc = marked.value
    _schema_problems(doc, problems)
    if problems.items:
        return None, problems.lines(), {}
    ids: dict[str, tuple[int, str]] = {}
    for rule_path, rule_id in _rules_of(doc):
        ids.setdefault(rule_id, (marked.line(rule_path), _field(rule_path)))
    _semantic_problems(doc, path.stem, problems)
    if problems.items:
        return None, problems.lines(), ids
    return _build(doc), [], ids


def load_file(path: str | Path) -> Jurisdiction:
    """Read and check one profile (a person's own, say); :class:`JurisdictionError` lists every
    problem, one line each."""
    found, problems, _ids = check_file(Path(path))
    if problems or found is None:
        raise JurisdictionError(problems)
    return found


def _profiles(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != REGIONS_FILE)


def _check_folder(folder: Path) -> tuple[dict[str, Jurisdiction], list[str]]:
    found: dict[str, Jurisdiction] = {}
    problems: list[str] = []
    first_use: dict[str, str] = {}
    for path in _profiles(folder):
        jurisdiction, these, ids = check_file(path)
        problems.extend(these)
        for rule_id, (line, field) in ids.items():
            if rule_id in first_use:
                problems.append(
                    f"{path}:{line}: {field}: "
                    + _("rule id {id!r} is also used at {other}; make it unique").format(
                        id=rule_id, other=first_use[rule_id]
                    )
                )
            else:
                first_use[rule_id] = f"{path}:{line}"
        if jurisdiction is not None:
            found[jurisdiction.code] = jurisdiction
    return found, problems


def validate_folder(folder: str | Path) -> list[str]:
    """Every problem in a folder of profiles (``*.yaml`` but ``regions.yaml``), one line each,
    including rule ids used in two files; ``[]`` when all is well."""
    where = Path(folder)
    if not where.is_dir():
        return [_("{where}: not a folder of jurisdiction profiles").format(where=where)]
    return _check_folder(where)[1]


@functools.cache
def load_all() -> dict[str, Jurisdiction]:
    """Every bundled profile by code (``CN``, ``EU``, ``AU``…)."""
    found, problems = _check_folder(bundled_folder())
    if problems:
        raise JurisdictionError(problems, _("a bundled profile is broken; report this bug"))
    return found


def load(code: str) -> Jurisdiction:
    """The bundled profile of ``code`` (any case)."""
    everything = load_all()
    wanted = code.strip().upper()
    if wanted not in everything:
        raise PuhuiError(
            _("no jurisdiction profile for {code!r}").format(code=code),
            _("choose one of {codes}, or check your own with `load_file`").format(
                codes=", ".join(sorted(everything))
            ),
        )
    return everything[wanted]


# ----------------------------------------------------------------------------------- regions


def _check_regions(doc: Any, problems: _Problems) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    regions = doc.get("regions") if isinstance(doc, dict) else None
    if not isinstance(regions, dict):
        problems.add(("regions",), _("missing (a mapping of region code to its members)"))
        return out
    for code in REGIONS:
        if code not in regions:
            problems.add(("regions", code), _("missing"))
    for code, entry in regions.items():
        at: FieldPath = ("regions", str(code))
        if code not in REGIONS:
            problems.add(at, _("not a region ({regions})").format(regions=", ".join(REGIONS)))
            continue
        members = entry.get("members") if isinstance(entry, dict) else None
        if not isinstance(members, list) or not members:
            problems.add((*at, "members"), _("missing (a list of country codes)"))
            continue
        for i, member in enumerate(members):
            if not isinstance(member, str) or not is_country(member):
                problems.add(
                    (*at, "members", i),
                    _("{code!r} is not an ISO 3166-1 alpha-2 country").format(code=member),
                )
        out[str(code)] = frozenset(m for m in members if isinstance(m, str))
    return out


@functools.cache
def _regions() -> dict[str, frozenset[str]]:
    path = bundled_folder() / REGIONS_FILE
    problems = _Problems(path)
    marked = _read(path, problems)
    problems.marked = marked
    found = _check_regions(marked.value, problems) if marked is not None else {}
    if problems.items:
        raise JurisdictionError(problems.lines(), _("regions.yaml is broken; report this bug"))
    return found


def members(region: str) -> set[str]:
    """The member countries (ISO 3166-1 alpha-2) of ``region`` (a :data:`REGIONS` code)."""
    wanted = region.strip().upper()
    if wanted not in REGIONS:
        raise PuhuiError(
            _("{region!r} is not a region").format(region=region),
            _("choose one of {regions}").format(regions=", ".join(REGIONS)),
        )
    return set(_regions()[wanted])


def expand(places: Iterable[str]) -> set[str]:
    """Countries named by ``places``: each region replaced by its members."""
    out: set[str] = set()
    for place in places:
        out |= members(place) if place in REGIONS else {place}
    return out
