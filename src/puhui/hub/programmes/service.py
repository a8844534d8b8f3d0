"""What can be done with programmes on this hub, as plain functions: ``puhui programme`` calls
them on this machine's hub, the pages call them for a signed-in member.

Create programmes and cohorts, import a roster or an attendance file (all or nothing: the engine
checks every row first, then one transaction writes them), evaluate completion, award
credentials in bulk, and compute who was reached. Errors a person causes are one-line
:class:`~puhui.errors.PuhuiError` s whose hints name parameters in backquotes.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from puhui.errors import PuhuiError
from puhui.hub.catalog.models import Organization
from puhui.hub.programmes.models import Award, Cohort, Enrolment, Mark, Person, Programme, Session
from puhui.i18n import _
from puhui.programmes import types
from puhui.programmes.rules import evaluate, rule_from_dict, rule_to_dict

DEFAULT_ORG = "local"


def _slug(name: str, fallback: str) -> str:
    return slugify(name)[:64].strip("-") or fallback


def touch(programme: Programme | int) -> None:
    """Mark ``programme`` changed (its cached reach table is then computed again)."""
    pk = programme if isinstance(programme, int) else programme.pk
    Programme.objects.filter(pk=pk).update(changed=timezone.now())


def organization(slug: str = "") -> Organization:
    """The organization ``slug`` (created when new); without one, the hub's only organization
    (``local`` is created on a hub that has none)."""
    if slug:
        org, _new = Organization.objects.get_or_create(slug=slug, defaults={"name": slug})
        return org
    orgs = list(Organization.objects.order_by("slug")[:2])
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        org, _new = Organization.objects.get_or_create(
            slug=DEFAULT_ORG, defaults={"name": str(_("Local programmes"))}
        )
        return org
    raise PuhuiError(_("this hub has several organizations"), _("name one with `org`"))


def new_programme(name: str, *, org: str = "", description: str = "") -> Cohort:
    """A new programme named ``name`` and its first cohort of the same name."""
    if not name.strip():
        raise PuhuiError(_("a programme needs a name"), _("give `name`"))
    owner = organization(org)
    slug = _slug(name, "programme")
    if Programme.objects.filter(org=owner, slug=slug).exists():
        raise PuhuiError(
            _("programme {s} already exists in {o}").format(s=slug, o=owner.slug),
            _("choose another `name`"),
        )
    with transaction.atomic():
        programme = Programme.objects.create(
            org=owner, slug=slug, name=name.strip()[:200], description=description
        )
        return Cohort.objects.create(
            programme=programme,
            slug=slug,
            name=name.strip()[:200],
            rule=rule_to_dict(types.Rule()),
        )


def summary() -> list[dict[str, Any]]:
    """Every programme on this hub, its cohorts, and how many people and sessions each has."""
    rows: list[dict[str, Any]] = []
    for p in Programme.objects.select_related("org").order_by("org__slug", "slug"):
        cohorts = p.cohorts.annotate(
            n=Count("enrolments", distinct=True), s=Count("sessions", distinct=True)
        ).order_by("slug")
        rows.append(
            {
                "org": p.org.slug,
                "programme": p.slug,
                "name": p.name,
                "cohorts": [
                    {"cohort": c.slug, "name": c.name, "people": c.n, "sessions": c.s}
                    for c in cohorts
                ],
            }
        )
    return rows


def find_programme(ref: str, *, org: str = "") -> Programme:
    """A programme by slug or name (in ``org``, or in any organization when unique)."""
    found = Programme.objects.select_related("org").filter(
        Q(slug=ref) | Q(slug=_slug(ref, ref)) | Q(name=ref)
    )
    if org:
        found = found.filter(org__slug=org)
    rows = list(found[:2])
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise PuhuiError(
            _("no programme {p}").format(p=ref), _("create it with `puhui programme new`")
        )
    raise PuhuiError(
        _("several programmes are named {p}").format(p=ref), _("name the organization with `org`")
    )


def new_cohort(programme: str, name: str, *, org: str = "") -> Cohort:
    """A new cohort of ``programme``, with the default completion rule."""
    prog = find_programme(programme, org=org)
    slug = _slug(name, "cohort")
    if Cohort.objects.filter(programme=prog, slug=slug).exists():
        raise PuhuiError(
            _("cohort {c} already exists in {p}").format(c=slug, p=prog.slug),
            _("choose another `name`"),
        )
    return Cohort.objects.create(
        programme=prog, slug=slug, name=name.strip()[:200], rule=rule_to_dict(types.Rule())
    )


def find_cohort(ref: str, *, org: str = "") -> Cohort:
    """A cohort by ``PROGRAMME/COHORT`` or by its own slug or name when that is unique."""
    found = Cohort.objects.select_related("programme", "programme__org")
    if "/" in ref:
        prog, _sep, name = ref.partition("/")
        found = found.filter(Q(programme__slug=prog) | Q(programme__name=prog))
    else:
        name = ref
    found = found.filter(Q(slug=name) | Q(slug=_slug(name, name)) | Q(name=name))
    if org:
        found = found.filter(programme__org__slug=org)
    rows = list(found[:2])
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise PuhuiError(
            _("no cohort {c}").format(c=ref),
            _("`puhui programme new` creates a programme and its first cohort"),
        )
    raise PuhuiError(
        _("several cohorts are named {c}").format(c=ref), _("write it as PROGRAMME/COHORT")
    )


def set_rule(cohort: Cohort, doc: dict[str, Any]) -> types.Rule:
    """Replace the cohort's completion rule (checked first)."""
    rule = rule_from_dict(doc, "rule")
    cohort.rule = rule_to_dict(rule)
    cohort.save(update_fields=["rule"])
    touch(cohort.programme_id)
    return rule


# ---------------------------------------------------------------- rosters and attendance


@dataclass
class Imported:
    """What an import changed."""

    added: int = 0
    updated: int = 0
    enrolled: int = 0
    unchanged: int = 0
    sessions_created: list[str] = field(default_factory=list)


_PERSON_FIELDS = (
    "name", "email", "phone", "country", "organisation", "role", "sector", "gender",
    "age_band", "consent", "guardian_consent",
)  # fmt: skip


def _person_values(p: types.Person) -> dict[str, Any]:
    return {f: getattr(p, f) for f in _PERSON_FIELDS}


def save_people(
    org: Organization, people: Iterable[types.Person], cohort: Cohort | None, role: str
) -> Imported:
    """Create or update ``people`` in ``org`` (found by contact key) and enrol them in
    ``cohort``; in one transaction, in batches."""
    result = Imported()
    rows = list(people)
    with transaction.atomic():
        existing = {
            p.key: p
            for p in Person.objects.filter(org=org, key__in=[r.key for r in rows]).iterator()
        }
        new, changed = [], []
        for r in rows:
            values = _person_values(r)
            have = existing.get(r.key)
            if have is None:
                new.append(Person(org=org, key=r.key, **values))
            elif any(getattr(have, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(have, k, v)
                changed.append(have)
            else:
                result.unchanged += 1
        Person.objects.bulk_create(new, batch_size=2000)
        Person.objects.bulk_update(changed, list(_PERSON_FIELDS), batch_size=2000)
        result.added, result.updated = len(new), len(changed)
        if cohort is not None:
            ids = dict(
                Person.objects.filter(org=org, key__in=[r.key for r in rows]).values_list(
                    "key", "id"
                )
            )
            enrolled = set(
                Enrolment.objects.filter(cohort=cohort).values_list("person_id", flat=True)
            )
            todo = [
                Enrolment(cohort=cohort, person_id=ids[r.key], role=role)
                for r in rows
                if ids[r.key] not in enrolled
            ]
            Enrolment.objects.bulk_create(todo, batch_size=2000)
            result.enrolled = len(todo)
        for programme_id in Programme.objects.filter(org=org).values_list("id", flat=True):
            touch(programme_id)  # a person's demographics count in every programme of theirs
    return result


def import_roster(cohort: Cohort, path: Path, *, role: str = "participant") -> Imported:
    """Read a roster (CSV or XLSX; every row checked first, nothing written when one is bad)
    and enrol its people in ``cohort``."""
    from puhui.programmes.roster import read_roster

    if role not in types.ROLES:
        raise PuhuiError(
            _("role {r!r}: not one of {a}").format(r=role, a=", ".join(types.ROLES)),
            _("give `role` as participant or facilitator"),
        )
    people = read_roster(path)
    return save_people(cohort.programme.org, people, cohort, role)


def roster_of(cohort: Cohort) -> list[types.Person]:
    """The cohort's people as roster records, in name order."""
    rows = Person.objects.filter(enrolments__cohort=cohort).order_by("name", "id")
    return [types.Person(**{f: getattr(p, f) for f in _PERSON_FIELDS}) for p in rows]


def export_roster(cohort: Cohort, path: Path) -> int:
    """Write the cohort's roster in the shape it is imported in; how many people."""
    from puhui.programmes.roster import write_roster

    people = roster_of(cohort)
    write_roster(people, path)
    return len(people)


def _session(cohort: Cohort, name: str, created: list[str]) -> Session:
    slug = _slug(name, "session")
    session, new = Session.objects.get_or_create(
        cohort=cohort, slug=slug, defaults={"name": name[:200]}
    )
    if new:
        created.append(slug)
    return session


def import_attendance(cohort: Cohort, path: Path, *, by: Any = None) -> Imported:
    """Read an attendance file (every row checked first) and record its marks; a session named
    for the first time is created. A person not enrolled in the cohort is a bad row."""
    from puhui.programmes.roster import read_attendance

    marks = read_attendance(path)
    enrolment_of = dict(Enrolment.objects.filter(cohort=cohort).values_list("person__key", "id"))
    missing = sorted({m.key for m in marks if m.key not in enrolment_of})
    if missing:
        raise PuhuiError(
            _("{f}: {n} people are not on the roster of {c}, e.g. {k}").format(
                f=path, n=len(missing), c=cohort.slug, k=missing[0].split(":", 1)[-1]
            ),
            _("import them with `puhui programme roster import` first"),
        )
    result = Imported()
    with transaction.atomic():
        sessions: dict[str, Session] = {}
        for m in marks:
            if m.session not in sessions:
                sessions[m.session] = _session(cohort, m.session, result.sessions_created)
        have = {
            (mk.session_id, mk.enrolment_id): mk
            for mk in Mark.objects.filter(session__cohort=cohort).only(
                "id", "session_id", "enrolment_id", "present"
            )
        }
        new, changed = [], []
        for m in marks:
            key = (sessions[m.session].id, enrolment_of[m.key])
            found = have.get(key)
            if found is None:
                new.append(Mark(session_id=key[0], enrolment_id=key[1], present=m.present,
                                marked_by=by))  # fmt: skip
            elif found.present != m.present:
                found.present, found.marked_by = m.present, by
                changed.append(found)
        Mark.objects.bulk_create(new, batch_size=2000)
        Mark.objects.bulk_update(changed, ["present", "marked_by"], batch_size=2000)
        result.added, result.updated = len(new), len(changed)
        result.unchanged = len(marks) - len(new) - len(changed)
        touch(cohort.programme_id)
    return result


def mark(session: Session, present_ids: set[int], by: Any) -> int:
    """Record one session's attendance as a facilitator ticked it: the enrolments in
    ``present_ids`` present, every other participant absent. Returns how many are present."""
    enrolments = list(Enrolment.objects.filter(cohort=session.cohort, role="participant"))
    with transaction.atomic():
        for e in enrolments:
            Mark.objects.update_or_create(
                session=session,
                enrolment=e,
                defaults={"present": e.id in present_ids, "marked_by": by},
            )
        touch(session.cohort.programme_id)
    return sum(1 for e in enrolments if e.id in present_ids)


# ---------------------------------------------------------------- completion


def _learning(cohort: Cohort, emails: list[str]) -> dict[str, tuple[float | None, frozenset[str]]]:
    """What people did in the cohort's linked courses (the hub's learn pages), by e-mail of
    their hub account: the mean of their best quiz scores, and the labs they passed."""
    if not cohort.courses or not emails:
        return {}
    from django.contrib.auth import get_user_model

    from puhui.hub.learn.models import Progress

    users = dict(
        get_user_model().objects.filter(email__in=emails, is_active=True).values_list("id", "email")
    )
    scores: dict[str, list[int]] = {}
    labs: dict[str, set[str]] = {}
    rows = Progress.objects.filter(user_id__in=list(users), course__in=list(cohort.courses))
    for row in rows.values_list("user_id", "step", "best_percent", "passed"):
        user_id, step, best, passed = row
        email = str(users[user_id]).casefold()
        if step.startswith("lab:"):
            if passed:
                labs.setdefault(email, set()).add(step.removeprefix("lab:"))
        elif best is not None:
            scores.setdefault(email, []).append(best)
    return {
        email: (
            sum(scores[email]) / len(scores[email]) if scores.get(email) else None,
            frozenset(labs.get(email, ())),
        )
        for email in {*scores, *labs}
    }


def outcomes(cohort: Cohort) -> list[tuple[Enrolment, types.Outcome, types.Record]]:
    """Every participant's completion, with reasons, under the cohort's rule. Quiz scores and
    labs come from the cohort's linked courses, for people whose hub account has their e-mail."""
    rule = rule_from_dict(cohort.rule or {}, f"cohort {cohort.slug}: rule")
    held = cohort.sessions.count()
    rows = list(
        Enrolment.objects.filter(cohort=cohort, role="participant")
        .select_related("person")
        .annotate(attended=Count("marks", filter=Q(marks__present=True)))
        .order_by("person__name", "id")
    )
    learned = (
        _learning(cohort, [e.person.email for e in rows if e.person.email])
        if rule.quizzes is not None or rule.labs
        else {}
    )
    out = []
    for e in rows:
        quiz, labs = learned.get(e.person.email.casefold(), (None, frozenset()))
        record = types.Record(
            sessions=held,
            attended=e.attended,
            quiz_percent=quiz,
            labs_passed=labs,
            project_accepted=e.project_accepted,
        )
        out.append((e, evaluate(rule, record), record))
    return out


def link_courses(cohort: Cohort, courses: list[str]) -> None:
    """Link the cohort to courses of the hub's learn pages (``org/name``), whose quizzes and
    labs its completion rule may ask for."""
    for ref in courses:
        org, _sep, name = ref.partition("/")
        if not org or not name or "/" in name:
            raise PuhuiError(
                _("course {c}: write it as ORG/NAME, as in its address /learn/ORG/NAME/").format(
                    c=ref
                ),
                _("give `courses` as ORG/NAME"),
            )
    cohort.courses = list(dict.fromkeys(courses))
    cohort.save(update_fields=["courses"])
    touch(cohort.programme_id)


def accept_project(cohort: Cohort, who: str, accepted: bool = True) -> Enrolment:
    """Record that ``who``'s (e-mail, phone or exact name) final project was accepted."""
    return _update_enrolment(cohort, who, project_accepted=accepted)


def _enrolment(cohort: Cohort, who: str) -> Enrolment:
    key = types.contact_key(email=who) if "@" in who else types.contact_key(phone=who)
    found = Enrolment.objects.select_related("person").filter(cohort=cohort)
    rows = list(found.filter(Q(person__key=key) | Q(person__name=who))[:2])
    if len(rows) != 1:
        raise PuhuiError(
            _("{w}: {n} people of {c} match").format(w=who, n=len(rows), c=cohort.slug),
            _("give their e-mail address or phone number"),
        )
    return rows[0]


def _update_enrolment(cohort: Cohort, who: str, **values: Any) -> Enrolment:
    e = _enrolment(cohort, who)
    for k, v in values.items():
        setattr(e, k, v)
    e.save(update_fields=list(values))
    touch(cohort.programme_id)
    return e


def revoke(cohort: Cohort, who: str, key_dir: Path, *, reason: str | None = None) -> Award:
    """Revoke ``who``'s credential for ``cohort``: its bit in the issuer's status list is set
    (verifiers holding the list see it at once) and the hub marks the award revoked."""
    from puhui.certify.credential import revoke as revoke_credential

    e = _enrolment(cohort, who)
    award = Award.objects.filter(enrolment=e, revoked=False).order_by("-issued").first()
    if award is None:
        raise PuhuiError(
            _("{n} holds no credential for {c}").format(n=e.person.name, c=cohort.slug),
            _("nothing to revoke"),
        )
    revoke_credential(award.credential, key_dir, reason=reason)
    award.revoked = True
    award.save(update_fields=["revoked"])
    return award


def _criteria(rule: types.Rule) -> str:
    parts = []
    if rule.attendance is not None:
        parts.append(
            # xgettext:no-python-format
            _("attended at least {p}% of the sessions").format(p=round(rule.attendance * 100))
        )
    if rule.quizzes is not None:
        # xgettext:no-python-format
        parts.append(_("scored at least {p}% in the quizzes").format(p=round(rule.quizzes)))
    if rule.labs:
        parts.append(_("passed the labs {labs}").format(labs=", ".join(rule.labs)))
    if rule.project:
        parts.append(_("had a final project accepted"))
    return _("Completed the cohort: {parts}.").format(parts="; ".join(parts) or _("enrolled"))


def rule_text(cohort: Cohort) -> str:
    """The cohort's completion rule in one sentence."""
    return _criteria(rule_from_dict(cohort.rule or {}, f"cohort {cohort.slug}: rule"))


@dataclass
class Completion:
    """What ``complete`` did: credentials written (new and already awarded) and who has not
    completed yet, with reasons."""

    written: list[Path] = field(default_factory=list)
    new: int = 0
    revoked: int = 0
    incomplete: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


def complete(
    cohort: Cohort, key_dir: Path, out: Path, *, valid_days: int | None = None
) -> Completion:
    """Award an Open Badges 3.0 credential, signed with ``key_dir``, to every participant who
    completed ``cohort`` (once: a participant already awarded gets the same credential again),
    and write one JSON file per completing participant into ``out``, with a printable HTML page
    beside it (their name, the achievement, a QR code of the badge)."""
    from puhui.artifacts import atomic_write_json
    from puhui.certify import keys
    from puhui.certify.badges import issue_badges, write_badge_page

    rule = rule_from_dict(cohort.rule or {}, f"cohort {cohort.slug}: rule")
    pair = keys.load_key_dir(key_dir)
    result = Completion()
    done: list[Enrolment] = []
    for e, outcome, _record in outcomes(cohort):
        if outcome.complete:
            done.append(e)
        else:
            result.incomplete.append((e.person.name, outcome.reasons))
    # one award per person: a revoked one is not issued again behind the issuer's back
    awarded = {
        a.enrolment_id: a for a in Award.objects.filter(enrolment__in=done).order_by("issued")
    }
    todo = [e for e in done if e.id not in awarded]
    programme = cohort.programme
    achievement = {
        "id": f"urn:uuid:{cohort.uid}",
        "name": f"{programme.name}: {cohort.name}"
        if cohort.name != programme.name
        else cohort.name,
        "description": programme.description or cohort.name,
        "criteria": {"narrative": _criteria(rule)},
    }
    recipients = []
    for e in todo:
        salt = secrets.token_hex(8)
        kind = "emailAddress" if e.person.key.startswith("mailto:") else "phone"
        recipients.append(
            {
                "identity_hash": types.identity_hash(e.person.key, salt),
                "salt": salt,
                "identity_type": kind,
            }
        )
    creds = (
        issue_badges(
            achievement=achievement,
            recipients=recipients,
            key_dir=key_dir,
            issuer_name=pair.name or programme.org.name,
            valid_days=valid_days,
        )
        if todo
        else []
    )
    with transaction.atomic():
        for e, cred in zip(todo, creds, strict=True):
            awarded[e.id] = Award.objects.create(
                enrolment=e, credential_id=str(cred["id"]), credential=cred
            )
    result.new = len(todo)
    out.mkdir(parents=True, exist_ok=True)
    for e in done:
        award = awarded[e.id]
        if award.revoked:
            result.revoked += 1
            continue
        path = out / f"{_slug(e.person.name, 'participant')[:40]}-{str(e.person.uid)[:8]}.json"
        atomic_write_json(path, award.credential)
        # the printable page (with a QR code of the badge) names the person; the badge does not
        write_badge_page(award.credential, path.with_suffix(".html"), recipient_name=e.person.name)
        result.written.append(path)
    return result


# ---------------------------------------------------------------- who was reached


_DIMS = ("person__gender", "person__country", "person__role", "person__age_band")


def reach_rows(programme: Programme) -> Iterable[Any]:
    """One row per person enrolled as a participant in any cohort of ``programme``: their
    demographics, whether they attended at least one session, whether they completed a cohort.

    Counted in the database where that is exact: when nobody is in two cohorts of the
    programme and no rule needs quiz or lab results, people are grouped by their demographics,
    the sessions they attended and their project, and each group's rule is evaluated once (the
    rows of a group are the same object repeated). Otherwise row by row, reading only the
    columns needed."""
    from puhui.programmes.reach import Reached

    cohorts = {c.id: c for c in programme.cohorts.all()}
    rules = {i: rule_from_dict(c.rule or {}, f"cohort {c.slug}: rule") for i, c in cohorts.items()}
    held = dict(
        Session.objects.filter(cohort__in=list(cohorts))
        .values_list("cohort_id")
        .annotate(n=Count("id"))
    )
    participants = Enrolment.objects.filter(cohort__in=list(cohorts), role="participant")
    needs_learning = any(r.quizzes is not None or r.labs for r in rules.values())
    counts = participants.aggregate(n=Count("id"), people=Count("person_id", distinct=True))
    attended = Count("marks", filter=Q(marks__present=True))
    judged: dict[tuple[int, int, bool], bool] = {}

    def completed(cohort_id: int, n_attended: int, project: bool) -> bool:
        key = (cohort_id, n_attended, project)
        if key not in judged:
            record = types.Record(held.get(cohort_id, 0), n_attended, project_accepted=project)
            judged[key] = evaluate(rules[cohort_id], record).complete
        return judged[key]

    if not needs_learning and counts["n"] == counts["people"]:
        present = (
            Mark.objects.filter(enrolment=OuterRef("pk"), present=True)
            .order_by()
            .values("enrolment")
            .annotate(c=Count("id"))
            .values("c")
        )
        groups = (
            participants.annotate(att=Coalesce(Subquery(present, output_field=IntegerField()), 0))
            .values(*_DIMS, "cohort_id", "project_accepted", "att")
            .annotate(n=Count("id"))
            .order_by()
            .values_list(*_DIMS, "cohort_id", "project_accepted", "att", "n")
        )
        for gender, country, role, age, cohort_id, project, n_att, n in groups:
            group = Reached(
                gender=gender, country=country, role=role, age_band=age,
                attended=n_att > 0, completed=completed(cohort_id, n_att, project),
            )  # fmt: skip
            yield from itertools.repeat(group, n)
        return
    people: dict[int, list[Any]] = {}
    if needs_learning:
        for cohort in cohorts.values():
            for e, outcome, record in outcomes(cohort):
                p = e.person
                row = people.setdefault(
                    e.person_id, [p.gender, p.country, p.role, p.age_band, False, False]
                )
                row[4] = row[4] or record.attended > 0
                row[5] = row[5] or outcome.complete
    else:
        for person_id, *dims, cohort_id, project, n_att in (
            participants.annotate(attended=attended)
            .values_list("person_id", *_DIMS, "cohort_id", "project_accepted", "attended")
            .order_by()
            .iterator(chunk_size=5000)
        ):
            row = people.setdefault(person_id, [*dims, False, False])
            row[4] = row[4] or n_att > 0
            row[5] = row[5] or completed(cohort_id, n_att, project)
    for gender, country, role, age, was_there, done in people.values():
        yield Reached(gender=gender, country=country, role=role, age_band=age,
                      attended=was_there, completed=done)  # fmt: skip


def reach_of(programme: Programme, by: tuple[str, ...] = ("gender", "country")) -> Any:
    """Enrolled, attended and completed by ``by``, small cells suppressed. Kept in the hub's
    cache until the programme changes (:func:`touch`), so a report read again costs nothing."""
    from django.core.cache import cache

    from puhui.programmes.reach import reach

    changed = Programme.objects.filter(pk=programme.pk).values_list("changed", flat=True).first()
    key = f"puhui:reach:{programme.pk}:{changed.isoformat() if changed else ''}:{','.join(by)}"
    found = cache.get(key)
    if found is None:
        found = reach(reach_rows(programme), by=by)
        cache.set(key, found, timeout=24 * 3600)
    return found


# ---------------------------------------------------------------- bundles between hubs

_BUNDLE_PERSON = ("uid", "key", *_PERSON_FIELDS)


def export_bundle(cohort: Cohort, key_dir: Path, out: Path) -> dict[str, Any]:
    """Write the cohort's records as a signed bundle (:mod:`puhui.programmes.bundle`); people
    under 18 are left out (only their number is said)."""
    from puhui.programmes.bundle import write_bundle

    programme = cohort.programme
    enrolments = list(Enrolment.objects.filter(cohort=cohort).select_related("person"))
    adults = [e for e in enrolments if e.person.age_band != "under-18"]
    keep = {e.id for e in adults}
    doc = {
        "programme": {
            "uid": str(programme.uid),
            "slug": programme.slug,
            "name": programme.name,
            "description": programme.description,
            "org": {"slug": programme.org.slug, "name": programme.org.name},
        },
        "cohort": {
            "uid": str(cohort.uid),
            "slug": cohort.slug,
            "name": cohort.name,
            "rule": cohort.rule,
            "courses": cohort.courses,
        },
        "sessions": [
            {
                "uid": str(s.uid),
                "slug": s.slug,
                "name": s.name,
                "date": s.date.isoformat() if s.date else None,
                "place": s.place,
            }
            for s in cohort.sessions.all()
        ],
        "people": [
            {
                k: str(v) if k == "uid" else v
                for k, v in ((f, getattr(e.person, f)) for f in _BUNDLE_PERSON)
            }
            for e in adults
        ],
        "enrolments": [
            {"person": str(e.person.uid), "role": e.role, "project_accepted": e.project_accepted}
            for e in adults
        ],
        "marks": [
            {
                "session": str(m.session.uid),
                "person": str(m.enrolment.person.uid),
                "present": m.present,
            }
            for m in Mark.objects.filter(
                session__cohort=cohort, enrolment_id__in=keep
            ).select_related("session", "enrolment__person")
        ],
        "awards": [
            {
                "person": str(a.enrolment.person.uid),
                "credential_id": a.credential_id,
                "credential": a.credential,
                "revoked": a.revoked,
            }
            for a in Award.objects.filter(enrolment_id__in=keep).select_related("enrolment__person")
        ],
        "withheld_minors": len(enrolments) - len(adults),
    }
    return write_bundle(doc, key_dir, out)


@dataclass
class BundleImport:
    """What importing a bundle changed, and what it found in conflict (kept as this hub has
    it)."""

    created: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    signer: str = ""

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def import_bundle(path: Path, trusted: Iterable[str] | None, *, org: str = "") -> BundleImport:
    """Import a bundle from another hub; importing it twice changes nothing. People are found
    by contact key in the organization (never duplicated); a record this hub already holds
    with other values is a conflict, reported and left as it is here."""
    from puhui.programmes.bundle import read_bundle

    doc, signer = read_bundle(path, trusted)
    result = BundleImport(signer=signer)
    p_doc, c_doc = doc["programme"], doc["cohort"]
    with transaction.atomic():
        owner = organization(org or str(p_doc.get("org", {}).get("slug") or ""))
        programme = Programme.objects.filter(uid=p_doc["uid"]).first()
        if programme is None:
            slug = str(p_doc.get("slug") or "programme")[:64]
            if Programme.objects.filter(org=owner, slug=slug).exists():
                slug = f"{slug[:55]}-{str(p_doc['uid'])[:8]}"
            programme = Programme.objects.create(
                org=owner, uid=p_doc["uid"], slug=slug, name=str(p_doc.get("name") or slug)[:200],
                description=str(p_doc.get("description") or ""),
            )  # fmt: skip
            result.add("programmes")
        cohort = Cohort.objects.filter(uid=c_doc["uid"]).first()
        if cohort is None:
            slug = str(c_doc.get("slug") or "cohort")[:64]
            if Cohort.objects.filter(programme=programme, slug=slug).exists():
                slug = f"{slug[:55]}-{str(c_doc['uid'])[:8]}"
            rule = rule_to_dict(rule_from_dict(c_doc.get("rule") or {}, f"{path}: cohort.rule"))
            cohort = Cohort.objects.create(
                programme=programme, uid=c_doc["uid"], slug=slug,
                name=str(c_doc.get("name") or slug)[:200], rule=rule,
                courses=list(c_doc.get("courses") or []),
            )  # fmt: skip
            result.add("cohorts")
        sessions: dict[str, Session] = {}
        for s in doc["sessions"]:
            found = Session.objects.filter(uid=s["uid"]).first()
            if found is None:
                slug = str(s["slug"])[:64]
                if Session.objects.filter(cohort=cohort, slug=slug).exists():
                    slug = f"{slug[:55]}-{str(s['uid'])[:8]}"
                found = Session.objects.create(
                    cohort=cohort, uid=s["uid"], slug=slug, name=str(s["name"])[:200],
                    date=s.get("date") or None, place=str(s.get("place") or "")[:200],
                )  # fmt: skip
                result.add("sessions")
            sessions[str(s["uid"])] = found
        people: dict[str, Person] = {}
        for p in doc["people"]:
            values = {f: p.get(f) for f in _PERSON_FIELDS if f in p}
            person = Person.objects.filter(org=programme.org, key=p["key"]).first()
            if person is None:
                person = Person.objects.create(org=programme.org, key=p["key"], **values)
                result.add("people")
            else:
                differs = sorted(k for k, v in values.items() if getattr(person, k) != v)
                if differs:
                    result.conflicts.append(
                        _("person {n}: {fields} differ; kept this hub's").format(
                            n=person.name, fields=", ".join(differs)
                        )
                    )
            people[str(p["uid"])] = person
        enrolment_of: dict[str, Enrolment] = {}
        for e in doc["enrolments"]:
            person = people.get(str(e["person"]))
            if person is None:
                continue
            found, created = Enrolment.objects.get_or_create(
                cohort=cohort, person=person,
                defaults={"role": e["role"], "project_accepted": bool(e.get("project_accepted"))},
            )  # fmt: skip
            if created:
                result.add("enrolments")
            enrolment_of[str(e["person"])] = found
        for m in doc["marks"]:
            session = sessions.get(str(m["session"]))
            enrolment = enrolment_of.get(str(m["person"]))
            if session is None or enrolment is None:
                continue
            have = Mark.objects.filter(session=session, enrolment=enrolment).first()
            if have is None:
                Mark.objects.create(
                    session=session, enrolment=enrolment, present=bool(m["present"])
                )
                result.add("marks")
            elif have.present != bool(m["present"]):
                result.conflicts.append(
                    _("attendance of {n} at {s}: differs; kept this hub's").format(
                        n=enrolment.person.name, s=session.slug
                    )
                )
        for a in doc["awards"]:
            enrolment = enrolment_of.get(str(a["person"]))
            if enrolment is None or Award.objects.filter(credential_id=a["credential_id"]).exists():
                continue
            Award.objects.create(
                enrolment=enrolment, credential_id=str(a["credential_id"])[:100],
                credential=a["credential"], revoked=bool(a.get("revoked")),
            )  # fmt: skip
            result.add("awards")
        touch(programme)
    return result
