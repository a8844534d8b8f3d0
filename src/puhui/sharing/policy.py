"""Usage policies as ODRL 2.2 JSON-LD: :func:`to_odrl` writes a :class:`Policy`, :func:`from_odrl`
reads one back (strictly, with one-line errors naming the JSON path), :func:`preset` makes the
editor's presets and :func:`load` reads a policy file.

The mapping (ODRL terms unprefixed under the ODRL context, Puhui's own under ``puhui:``):

- one ``permission`` with action ``use``; its constraints: ``purpose`` ``isAnyOf`` the purposes
  (absent: any purpose), ``spatial`` ``isAnyOf`` the recipient countries and regions (absent:
  anywhere), ``dateTime`` ``lt`` the expiry date (an ``xsd:date``);
- the permission's duties: ``attribute`` (attribution); ``delete`` with the constraint
  ``elapsedTime`` ``lteq`` ``P{N}D`` (delete the copy within N days); ``nextPolicy`` for
  share-alike (whoever receives derived data gets it under the same policy: ODRL's action for
  granting a policy onwards, chosen over the deprecated ``shareAlike``); ``obtainConsent`` for
  "on request" (use needs the owner's consent, given as a granted access request);
- ``prohibition``: ``commercialize`` when commercial use is not permitted; ``puhui:reidentify``
  unless re-identifying people is permitted;
- ``puhui:preset`` names the preset the policy was made from.

The document is an ``Offer`` when it names its ``assigner`` (ODRL requires one there) and a
``Set`` otherwise; ``target`` (the item) is written at the policy level when given, and is not
part of :class:`Policy` (the policy travels with its item). The ODRL context is referenced by
its URL, not vendored: Puhui never expands the JSON-LD, it reads the compact form it writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.sharing.types import PRESETS, PURPOSES, REGIONS, Policy

ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
SHARING_NS = "https://puhui.invalid/ns/sharing#"
#: The ``@context`` of every policy Puhui writes.
CONTEXT: list[Any] = [
    ODRL_CONTEXT,
    {"puhui": SHARING_NS, "xsd": "http://www.w3.org/2001/XMLSchema#"},
]
#: Bounds on what :func:`from_odrl` and :func:`load` accept.
MAX_FILE_BYTES = 256 * 1024
MAX_LIST = 300
MAX_TEXT = 500
MAX_DAYS = 36500

_COUNTRY = re.compile(r"[A-Z]{2}")
_DURATION = re.compile(r"P([0-9]{1,5})D")
_TOP_KEYS = frozenset(
    {"@context", "@type", "uid", "assigner", "target", "profile", "permission", "prohibition"}
    | {"puhui:preset"}
)
_HINT = _("write the policy with `puhui share policy create` or fix it by hand")


def _bad(where: object, path: str, why: str) -> PuhuiError:
    return PuhuiError(f"{where}: {path or '(top level)'}: {why}", _HINT)


def _term(value: object) -> str | None:
    """An ODRL term written plainly (``use``) or prefixed (``odrl:use``); None if not a string."""
    if not isinstance(value, str):
        return None
    return value[5:] if value.startswith("odrl:") else value


def _check_places(codes: Iterable[str], where: object, path: str) -> None:
    for i, code in enumerate(codes):
        if not (_COUNTRY.fullmatch(code) or code in REGIONS):
            raise _bad(
                where,
                f"{path}[{i}]",
                _("{c!r} is neither an ISO 3166-1 alpha-2 country code nor a region ({r})").format(
                    c=code, r=", ".join(REGIONS)
                ),
            )


def check_policy(policy: Policy, where: object = "policy") -> None:
    """Raise a one-line :class:`PuhuiError` unless ``policy`` is one Puhui can write and read
    back: known purposes and presets, country or region codes, a sensible deletion period, and
    no purpose both permitted and prohibited."""
    if not policy.uid or len(policy.uid) > MAX_TEXT:
        raise _bad(
            where, "uid", _("needs an identifier (at most {n} characters)").format(n=MAX_TEXT)
        )
    if policy.preset not in (*PRESETS, "custom"):
        raise _bad(
            where,
            "puhui:preset",
            _("unknown preset {p!r}; one of {all}").format(
                p=policy.preset, all=", ".join((*PRESETS, "custom"))
            ),
        )
    for i, purpose in enumerate(sorted(policy.purposes)):
        if purpose not in PURPOSES:
            raise _bad(
                where,
                f"purposes[{i}]",
                _("unknown purpose {p!r}; one of {all}").format(p=purpose, all=", ".join(PURPOSES)),
            )
    _check_places(sorted(policy.recipients), where, "recipients")
    if "commercial" in policy.purposes and not policy.commercial:
        raise _bad(
            where,
            "purposes",
            _("commercial is permitted as a purpose but commercial use is prohibited"),
        )
    days = policy.delete_after_days
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise _bad(
            where,
            "delete_after_days",
            _("must be between 1 and {n} days").format(n=MAX_DAYS),
        )
    if len(policy.assigner) > MAX_TEXT:
        raise _bad(where, "assigner", _("longer than {n} characters").format(n=MAX_TEXT))


# ------------------------------------------------------------------------------------ writing


def to_odrl(policy: Policy, *, target: str | None = None) -> dict[str, Any]:
    """``policy`` as an ODRL 2.2 JSON-LD document (compact form; see the module's mapping)."""
    check_policy(policy)
    constraints: list[dict[str, Any]] = []
    if policy.purposes:
        constraints.append(
            {
                "leftOperand": "purpose",
                "operator": "isAnyOf",
                "rightOperand": _ordered_purposes(policy.purposes),
            }
        )
    if policy.recipients:
        constraints.append(
            {
                "leftOperand": "spatial",
                "operator": "isAnyOf",
                "rightOperand": sorted(policy.recipients),
            }
        )
    if policy.expires is not None:
        constraints.append(
            {
                "leftOperand": "dateTime",
                "operator": "lt",
                "rightOperand": {"@value": policy.expires.isoformat(), "@type": "xsd:date"},
            }
        )
    duties: list[dict[str, Any]] = []
    if policy.attribution:
        duties.append({"action": "attribute"})
    if policy.delete_after_days is not None:
        duties.append(
            {
                "action": "delete",
                "constraint": [
                    {
                        "leftOperand": "elapsedTime",
                        "operator": "lteq",
                        "rightOperand": {
                            "@value": f"P{policy.delete_after_days}D",
                            "@type": "xsd:duration",
                        },
                    }
                ],
            }
        )
    if policy.share_alike:
        duties.append({"action": "nextPolicy"})
    if policy.on_request:
        duties.append({"action": "obtainConsent"})
    permission: dict[str, Any] = {"action": "use"}
    if constraints:
        permission["constraint"] = constraints
    if duties:
        permission["duty"] = duties
    prohibitions: list[dict[str, Any]] = []
    if not policy.commercial:
        prohibitions.append({"action": "commercialize"})
    if not policy.reidentification:
        prohibitions.append({"action": "puhui:reidentify"})
    doc: dict[str, Any] = {
        "@context": [CONTEXT[0], dict(CONTEXT[1])],
        "@type": "Offer" if policy.assigner else "Set",
        "uid": policy.uid,
    }
    if policy.assigner:
        doc["assigner"] = policy.assigner
    if target:
        doc["target"] = target
    doc["puhui:preset"] = policy.preset
    doc["permission"] = [permission]
    if prohibitions:
        doc["prohibition"] = prohibitions
    return doc


def _ordered_purposes(purposes: Iterable[str]) -> list[str]:
    given = set(purposes)
    return [p for p in PURPOSES if p in given]


# ------------------------------------------------------------------------------------ reading


def _text(value: object, where: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(where, path, _("must be a non-empty string"))
    if len(value) > MAX_TEXT:
        raise _bad(where, path, _("longer than {n} characters").format(n=MAX_TEXT))
    return value


def _list(value: object, where: object, path: str) -> list[Any]:
    if isinstance(value, dict):
        value = [value]  # JSON-LD lets a one-element list be written as its element
    if not isinstance(value, list):
        raise _bad(where, path, _("must be a list"))
    if len(value) > MAX_LIST:
        raise _bad(where, path, _("more than {n} entries").format(n=MAX_LIST))
    return value


def _object(value: object, where: object, path: str, keys: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where, path, _("must be an object"))
    for key in value:
        if key not in keys:
            raise _bad(
                where,
                f"{path}.{key}" if path else str(key),
                _("not a field Puhui reads; expected one of {k}").format(k=", ".join(sorted(keys))),
            )
    return value


def _typed_value(value: object, where: object, path: str, xsd: str) -> str:
    """A literal written as ``"…"`` or ``{"@value": "…", "@type": "xsd:…"}``."""
    if isinstance(value, dict):
        _object(value, where, path, frozenset({"@value", "@type"}))
        kind = value.get("@type", xsd)
        if kind not in (xsd, "http://www.w3.org/2001/XMLSchema#" + xsd[4:]):
            raise _bad(where, f"{path}.@type", _("must be {t}").format(t=xsd))
        value = value.get("@value")
    return _text(value, where, path)


_CONSTRAINT_KEYS = frozenset({"leftOperand", "operator", "rightOperand"})


def _constraint(c: object, where: object, path: str) -> tuple[str, str, Any]:
    obj = _object(c, where, path, _CONSTRAINT_KEYS)
    for key in ("leftOperand", "operator", "rightOperand"):
        if key not in obj:
            raise _bad(where, f"{path}.{key}", _("missing"))
    left, op = _term(obj["leftOperand"]), _term(obj["operator"])
    if left is None:
        raise _bad(where, f"{path}.leftOperand", _("must be a string"))
    if op is None:
        raise _bad(where, f"{path}.operator", _("must be a string"))
    return left, op, obj["rightOperand"]


def _codes(value: object, where: object, path: str) -> list[str]:
    items = _list(value, where, path) if not isinstance(value, str) else [value]
    if not items:
        raise _bad(where, path, _("must list at least one value"))
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _bad(where, f"{path}[{i}]", _("must be a string"))
        out.append(item)
    if len(set(out)) != len(out):
        raise _bad(where, path, _("lists a value twice"))
    return out


def _permission_constraint(c: object, where: object, path: str, into: dict[str, Any]) -> None:
    left, op, right = _constraint(c, where, path)
    if left in into:
        raise _bad(where, f"{path}.leftOperand", _("{l} is constrained twice").format(l=left))
    if left in ("purpose", "spatial"):
        if op != "isAnyOf":
            raise _bad(where, f"{path}.operator", _("must be isAnyOf for {l}").format(l=left))
        values = _codes(right, where, f"{path}.rightOperand")
        if left == "purpose":
            for i, v in enumerate(values):
                if v not in PURPOSES:
                    raise _bad(
                        where,
                        f"{path}.rightOperand[{i}]",
                        _("unknown purpose {p!r}; one of {all}").format(
                            p=v, all=", ".join(PURPOSES)
                        ),
                    )
        else:
            _check_places(values, where, f"{path}.rightOperand")
        into[left] = frozenset(values)
    elif left == "dateTime":
        if op != "lt":
            raise _bad(where, f"{path}.operator", _("must be lt (use before the expiry date)"))
        text = _typed_value(right, where, f"{path}.rightOperand", "xsd:date")
        try:
            into[left] = date.fromisoformat(text)
        except ValueError:
            raise _bad(
                where, f"{path}.rightOperand", _("{v!r} is not a date (YYYY-MM-DD)").format(v=text)
            ) from None
    else:
        raise _bad(
            where,
            f"{path}.leftOperand",
            _("{l!r} is not a constraint Puhui reads (purpose, spatial, dateTime)").format(l=left),
        )


def _delete_days(duty: dict[str, Any], where: object, path: str) -> int:
    if "constraint" not in duty:
        raise _bad(where, f"{path}.constraint", _("missing: say within how many days (P{N}D)"))
    cs = _list(duty["constraint"], where, f"{path}.constraint")
    if len(cs) != 1:
        raise _bad(where, f"{path}.constraint", _("must hold exactly one elapsedTime constraint"))
    cpath = f"{path}.constraint[0]"
    left, op, right = _constraint(cs[0], where, cpath)
    if left != "elapsedTime":
        raise _bad(where, f"{cpath}.leftOperand", _("must be elapsedTime"))
    if op != "lteq":
        raise _bad(where, f"{cpath}.operator", _("must be lteq"))
    text = _typed_value(right, where, f"{cpath}.rightOperand", "xsd:duration")
    m = _DURATION.fullmatch(text)
    days = int(m.group(1)) if m else 0
    if not 1 <= days <= MAX_DAYS:
        raise _bad(
            where,
            f"{cpath}.rightOperand",
            _("{v!r} is not a number of days P{{N}}D between 1 and {n}").format(v=text, n=MAX_DAYS),
        )
    return days


_DUTY_KEYS = frozenset({"action", "constraint"})
_PERMISSION_KEYS = frozenset({"action", "constraint", "duty", "target", "assignee"})
_PROHIBITION_KEYS = frozenset({"action", "target", "assignee"})
_DUTIES = ("attribute", "delete", "nextPolicy", "obtainConsent")


def from_odrl(doc: object, where: object) -> Policy:
    """The :class:`Policy` an ODRL document written by :func:`to_odrl` (or by hand, in the same
    compact form) describes. Anything else raises a one-line :class:`PuhuiError`
    ``WHERE: JSON.PATH: why`` (``where`` names the document, usually its file)."""
    top = _object(doc, where, "", _TOP_KEYS)
    ctx = top.get("@context")
    contexts = ctx if isinstance(ctx, list) else [ctx]
    if ODRL_CONTEXT not in contexts:
        raise _bad(where, "@context", _("must include {u}").format(u=ODRL_CONTEXT))
    kind = _term(top.get("@type"))
    if kind not in ("Offer", "Set", "Policy"):
        raise _bad(where, "@type", _("must be Offer or Set"))
    uid = _text(top.get("uid"), where, "uid")
    assigner = _text(top["assigner"], where, "assigner") if "assigner" in top else ""
    if kind == "Offer" and not assigner:
        raise _bad(where, "assigner", _("an Offer must name its assigner"))
    if "target" in top:
        _text(top["target"], where, "target")
    preset_name = top.get("puhui:preset", "custom")
    if preset_name not in (*PRESETS, "custom"):
        raise _bad(
            where,
            "puhui:preset",
            _("unknown preset {p!r}; one of {all}").format(
                p=preset_name, all=", ".join((*PRESETS, "custom"))
            ),
        )
    if "permission" not in top:
        raise _bad(where, "permission", _("missing: a policy permits use under its constraints"))
    perms = _list(top["permission"], where, "permission")
    if len(perms) != 1:
        raise _bad(where, "permission", _("must hold exactly one permission (action use)"))
    perm = _object(perms[0], where, "permission[0]", _PERMISSION_KEYS)
    if _term(perm.get("action")) != "use":
        raise _bad(where, "permission[0].action", _("must be use"))
    for key in ("target", "assignee"):
        if key in perm:
            _text(perm[key], where, f"permission[0].{key}")
    found: dict[str, Any] = {}
    for i, c in enumerate(_list(perm.get("constraint", []), where, "permission[0].constraint")):
        _permission_constraint(c, where, f"permission[0].constraint[{i}]", found)
    duties: dict[str, Any] = {}
    for i, d in enumerate(_list(perm.get("duty", []), where, "permission[0].duty")):
        path = f"permission[0].duty[{i}]"
        duty = _object(d, where, path, _DUTY_KEYS)
        action = _term(duty.get("action"))
        if action not in _DUTIES:
            raise _bad(
                where,
                f"{path}.action",
                _("{a!r} is not a duty Puhui reads ({all})").format(
                    a=duty.get("action"), all=", ".join(_DUTIES)
                ),
            )
        if action in duties:
            raise _bad(where, f"{path}.action", _("{a} is listed twice").format(a=action))
        if action == "delete":
            duties[action] = _delete_days(duty, where, path)
        else:
            if "constraint" in duty:
                raise _bad(
                    where, f"{path}.constraint", _("{a} takes no constraint").format(a=action)
                )
            duties[action] = True
    prohibited: set[str] = set()
    for i, p in enumerate(_list(top.get("prohibition", []), where, "prohibition")):
        path = f"prohibition[{i}]"
        obj = _object(p, where, path, _PROHIBITION_KEYS)
        action = _term(obj.get("action"))
        if action not in ("commercialize", "puhui:reidentify"):
            raise _bad(
                where,
                f"{path}.action",
                _(
                    "{a!r} is not a prohibition Puhui reads (commercialize, puhui:reidentify)"
                ).format(a=obj.get("action")),
            )
        if action in prohibited:
            raise _bad(where, f"{path}.action", _("{a} is listed twice").format(a=action))
        prohibited.add(action)
    policy = Policy(
        uid=uid,
        preset=preset_name,
        purposes=found.get("purpose", frozenset()),
        recipients=found.get("spatial", frozenset()),
        commercial="commercialize" not in prohibited,
        reidentification="puhui:reidentify" not in prohibited,
        attribution="attribute" in duties,
        share_alike="nextPolicy" in duties,
        delete_after_days=duties.get("delete"),
        expires=found.get("dateTime"),
        on_request="obtainConsent" in duties,
        assigner=assigner,
    )
    if "commercial" in policy.purposes and not policy.commercial:
        raise _bad(
            where,
            "prohibition",
            _("commercialize is prohibited but commercial is a permitted purpose"),
        )
    return policy


def load(path: str | Path) -> Policy:
    """Read a policy file (ODRL JSON-LD, at most 256 KB)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise PuhuiError(
            _("{p}: cannot read ({why})").format(p=p, why=e.strerror or e),
            _("give the path of a policy file (policy.json)"),
        ) from None
    if size > MAX_FILE_BYTES:
        raise PuhuiError(
            _("{p}: {n} bytes is too large for a policy (at most {m})").format(
                p=p, n=size, m=MAX_FILE_BYTES
            ),
            _("give the path of a policy file (policy.json)"),
        )
    try:
        doc = json.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise PuhuiError(_("{p}: not UTF-8 text").format(p=p), _HINT) from None
    except RecursionError:
        raise PuhuiError(_("{p}: nested too deeply").format(p=p), _HINT) from None
    except json.JSONDecodeError as e:
        raise PuhuiError(
            _("{p}:{line}: not valid JSON ({why})").format(p=p, line=e.lineno, why=e.msg), _HINT
        ) from None
    return from_odrl(doc, p)


def dumps(policy: Policy, *, target: str | None = None) -> str:
    """The policy's ODRL document as the text of a ``policy.json`` file."""
    return json.dumps(to_odrl(policy, target=target), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------------ presets


def preset(name: str, *, uid: str, assigner: str = "", recipients: Iterable[str] = ()) -> Policy:
    """A policy made from one of :data:`~puhui.sharing.types.PRESETS`:

    - ``open``: any purpose, anywhere, with attribution;
    - ``research-only``: research and education, no commercial use, no re-identification,
      attribution, delete the copy within 365 days;
    - ``regional``: any purpose, only to ``recipients`` (countries or regions, e.g. ``AU``),
      with attribution and no re-identification;
    - ``on-request``: the research-only terms, and each use needs a granted access request.

    ``recipients`` narrows any preset; ``regional`` requires it.
    """
    places = frozenset(recipients)
    if name not in PRESETS:
        raise PuhuiError(
            _("unknown preset {p!r}").format(p=name),
            _("choose `preset` from {all}").format(all=", ".join(PRESETS)),
        )
    if name == "regional" and not places:
        raise PuhuiError(
            _("the regional preset needs recipient countries or regions"),
            _("give `recipients`, e.g. AU or KE,GH"),
        )
    research: dict[str, Any] = {
        "purposes": frozenset({"research", "education"}),
        "commercial": False,
        "delete_after_days": 365,
    }
    terms: Mapping[str, Any] = {
        "open": {},
        "research-only": research,
        "regional": {},
        "on-request": {**research, "on_request": True},
    }[name]
    policy = Policy(uid=uid, preset=name, recipients=places, assigner=assigner, **terms)
    check_policy(policy, _("preset {p}").format(p=name))
    return policy


def describe(policy: Policy) -> list[tuple[str, str]]:
    """The policy's terms in words, as (label, value) lines for a page or a terminal."""
    purposes = [p for p in PURPOSES if p in policy.purposes]
    duties = []
    if policy.attribution:
        duties.append(_("attribute the owner"))
    if policy.delete_after_days is not None:
        duties.append(_("delete the copy within {n} days").format(n=policy.delete_after_days))
    if policy.share_alike:
        duties.append(_("share derived data under the same policy"))
    return [
        (_("preset"), policy.preset),
        (_("purposes"), ", ".join(purposes) if purposes else _("any")),
        (_("recipients"), ", ".join(sorted(policy.recipients)) or _("anywhere")),
        (_("commercial use"), _("permitted") if policy.commercial else _("prohibited")),
        (
            _("re-identifying people"),
            _("permitted") if policy.reidentification else _("prohibited"),
        ),
        (_("duties"), "; ".join(duties) or _("none")),
        (_("expires"), policy.expires.isoformat() if policy.expires else _("never")),
        (
            _("access"),
            _("on request: the owner grants each request")
            if policy.on_request
            else _("anyone, on these terms"),
        ),
        (_("assigner"), policy.assigner or _("(not named)")),
        (_("uid"), policy.uid),
    ]
