"""Programme pages: for members of the organization that runs the programme (rosters are
personal data); the reach page (counts only, small cells hidden) for its viewers too.

The attendance page is built for a facilitator's phone: one checkbox per participant, one
button, no JavaScript; it works on a laptop hub with no network. The reach page draws its bars
as inline SVG from the same cells as its CSV (``reach.csv``) and its PDF (``reach.pdf``).
"""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from puhui.hub.catalog.access import acts_in, caller_from_session
from puhui.hub.programmes import report, service
from puhui.hub.programmes.models import Cohort, Enrolment, Mark, Programme, Session

MEMBERS = ("admin", "member")
READERS = ("admin", "member", "viewer")


def _programme(request: HttpRequest, org: str, slug: str, roles: tuple[str, ...]) -> Programme:
    programme = Programme.objects.select_related("org").filter(org__slug=org, slug=slug).first()
    if programme is None or not acts_in(caller_from_session(request), programme.org, roles):
        raise Http404(_("no such programme"))
    return programme


def _cohort(request: HttpRequest, org: str, prog: str, slug: str) -> Cohort:
    programme = _programme(request, org, prog, MEMBERS)
    return get_object_or_404(Cohort.objects.select_related("programme__org"),
                             programme=programme, slug=slug)  # fmt: skip


@login_required
def programmes(request: HttpRequest) -> HttpResponse:
    caller = caller_from_session(request)
    rows = [
        p
        for p in Programme.objects.select_related("org").order_by("org__slug", "slug")[:500]
        if acts_in(caller, p.org, READERS)
    ]
    return render(request, "programmes/list.html", {"programmes": rows})


@login_required
def programme_page(request: HttpRequest, org: str, prog: str) -> HttpResponse:
    programme = _programme(request, org, prog, READERS)
    member = acts_in(caller_from_session(request), programme.org, MEMBERS)
    cohorts = list(programme.cohorts.all())
    return render(
        request,
        "programmes/programme.html",
        {"programme": programme, "cohorts": cohorts, "member": member},
    )


@login_required
def cohort_page(request: HttpRequest, org: str, prog: str, cohort: str) -> HttpResponse:
    found = _cohort(request, org, prog, cohort)
    rows = service.outcomes(found)
    sessions = list(found.sessions.all())
    context = {
        "programme": found.programme,
        "cohort": found,
        "sessions": sessions,
        "rows": rows,
        "completed": sum(1 for _e, o, _r in rows if o.complete),
        "rule": service.rule_text(found),
    }
    return render(request, "programmes/cohort.html", context)


@login_required
def attendance_page(
    request: HttpRequest, org: str, prog: str, cohort: str, session: str
) -> HttpResponse:
    """Tick who is here; saving marks everyone else absent for this session."""
    found = _cohort(request, org, prog, cohort)
    sess = get_object_or_404(Session, cohort=found, slug=session)
    enrolments = list(
        Enrolment.objects.filter(cohort=found, role="participant")
        .select_related("person")
        .order_by("person__name", "id")
    )
    saved = None
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("present")[:10_000] if v.isdigit()}
        saved = service.mark(sess, ids & {e.id for e in enrolments}, request.user)
    present = set(
        Mark.objects.filter(session=sess, present=True).values_list("enrolment_id", flat=True)
    )
    context = {
        "programme": found.programme,
        "cohort": found,
        "session": sess,
        "people": [(e, e.id in present) for e in enrolments],
        "saved": saved,
        "count": len(present),
    }
    return render(request, "programmes/attendance.html", context)


@login_required
def new_session(request: HttpRequest, org: str, prog: str, cohort: str) -> HttpResponse:
    """Add a session (name, date, place) from the cohort page's small form."""
    found = _cohort(request, org, prog, cohort)
    if request.method != "POST":
        return redirect(reverse("programmes:cohort", args=[org, prog, cohort]))
    name = request.POST.get("name", "").strip()[:200]
    if name:
        created: list[str] = []
        sess = service._session(found, name, created)
        date = request.POST.get("date", "").strip()[:10]
        place = request.POST.get("place", "").strip()[:200]
        if date or place:
            from datetime import date as day

            with contextlib.suppress(ValueError):  # a browser without a date picker
                sess.date = day.fromisoformat(date) if date else sess.date
            sess.place = place or sess.place
            sess.save()
        return redirect(reverse("programmes:attendance", args=[org, prog, cohort, sess.slug]))
    return redirect(reverse("programmes:cohort", args=[org, prog, cohort]))


# ---------------------------------------------------------------- who was reached


@login_required
def reach_page(request: HttpRequest, org: str, prog: str) -> HttpResponse:
    programme = _programme(request, org, prog, READERS)
    return render(request, "programmes/reach.html", report.context(programme))


@login_required
def reach_csv(request: HttpRequest, org: str, prog: str) -> HttpResponse:
    programme = _programme(request, org, prog, READERS)
    text = service.reach_of(programme, by=("gender", "country")).to_csv()
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-reach.csv"'
    return response


@login_required
def reach_pdf(request: HttpRequest, org: str, prog: str) -> HttpResponse:
    """The funders' report: the reach page as a PDF (WeasyPrint, no network)."""
    programme = _programme(request, org, prog, READERS)
    pdf = report.pdf(report.html(programme, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-reach.pdf"'
    return response
