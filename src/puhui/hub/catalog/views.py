"""The hub's pages: home, search with facets, item pages, certificate verification, sign in/out.

Server-rendered, no JavaScript, one small inline style sheet: every page stays well under
100 KB. Pages use the session (signed-in person) for access; anything not visible is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from puhui.certify import limits
from puhui.hub.catalog import throttle
from puhui.hub.catalog.access import caller_from_session, visible_items
from puhui.hub.catalog.api import links
from puhui.hub.catalog.models import FACETS, KIND_ALIASES, KINDS, RELATIONS, Item
from puhui.hub.catalog.search import search
from puhui.hub.catalog.verifying import stored_certificate
from puhui.hub.catalog.verifying import verify as verify_credential
from puhui.hub.conf import LANGUAGES

MAX_CREDENTIAL_BYTES = limits.MAX_CREDENTIAL_BYTES
PER_PAGE = 20


def hub_context(request: HttpRequest) -> dict[str, Any]:
    """Template context on every page: languages for the switcher, the path to come back to."""
    return {"hub_languages": LANGUAGES, "here": request.get_full_path()}


def _facet_labels() -> dict[str, str]:
    return {
        "kind": _("Kind"),
        "language": _("Language"),
        "sector": _("Sector"),
        "country": _("Country"),
        "risk_area": _("Risk area"),
    }


def home(request: HttpRequest) -> HttpResponse:
    caller = caller_from_session(request)
    visible = visible_items(caller)
    counts = dict(visible.order_by().values_list("kind").annotate(n=Count("id")))
    kinds = [(k, label, counts.get(k, 0)) for k, label in KINDS]
    latest = visible.select_related("org")[:10]
    return render(request, "catalog/home.html", {"kinds": kinds, "latest": latest})


def search_page(request: HttpRequest) -> HttpResponse:
    caller = caller_from_session(request)
    q = request.GET.get("q", "")[:500]
    chosen = {f: [v for v in request.GET.getlist(f) if v][:20] for f in FACETS}
    chosen["kind"] = [KIND_ALIASES.get(v, v) for v in chosen["kind"]]
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    res = search(q, chosen, caller, page=page, per_page=PER_PAGE)
    labels = _facet_labels()
    kind_labels = dict(KINDS)

    def url_with(**change: Any) -> str:
        params: list[tuple[str, str]] = [("q", q)] if q else []
        for f in FACETS:
            values = list(chosen[f])
            if f in change:
                v = change[f]
                values = [x for x in values if x != v] if v in values else [*values, v]
            params += [(f, v) for v in values]
        if "page" in change:
            params.append(("page", str(change["page"])))
        return "?" + urlencode(params) if params else "?"

    facets = []
    for f in FACETS:
        values = [
            {
                "value": v,
                "label": kind_labels.get(v, v) if f == "kind" else v,
                "count": n,
                "on": v in chosen[f],
                "url": url_with(**{f: v}),
            }
            for v, n in res.facets.get(f, [])
        ]
        if values:
            facets.append({"name": f, "label": labels[f], "values": values})
    context = {
        "q": q,
        "res": res,
        "facets": facets,
        "prev_url": url_with(page=res.page - 1) if res.page > 1 else None,
        "next_url": url_with(page=res.page + 1) if res.page < res.pages else None,
    }
    return render(request, "catalog/search.html", context)


def _bar(value: Any, top: float) -> int:
    if not isinstance(value, int | float) or top <= 0:
        return 0
    return max(0, min(100, round(100 * float(value) / top)))


def _results(item: Item) -> list[dict[str, Any]]:
    """Per-language and per-group tables of a run, with bar widths."""
    tables = []
    for r in (item.metadata or {}).get("results", [])[:40]:
        rows = r.get("per_language") or []
        groups = r.get("per_group") or {}
        values = [x.get("value") for x in rows] + [
            g.get("value") for gs in groups.values() for g in gs
        ]
        nums = [float(v) for v in values if isinstance(v, int | float)]
        top = 1.0 if nums and max(nums) <= 1.0 and min(nums) >= 0 else max(nums, default=1.0)
        for x in rows:
            x["bar"] = _bar(x.get("value"), top)
        group_tables = []
        for attr, gs in groups.items():
            for g in gs:
                g["bar"] = _bar(g.get("value"), top)
            group_tables.append({"attr": attr, "rows": gs})
        tables.append({**r, "per_language": rows, "groups": group_tables})
    return tables


def _run_notes(item: Item) -> list[dict[str, Any]]:
    """A run's unscored samples and parse rates, with the texts the page shows."""
    notes = []
    for note in (item.metadata or {}).get("run_notes", [])[:50]:
        by_lang = note.get("unscored_by_language") or []
        parsing = note.get("parsing")
        if parsing:
            low = parsing.get("warn_languages") or []
            parsing = {
                **parsing,
                "rate_text": f"{float(parsing.get('rate') or 0):.1%}",
                "warn_text": ", ".join(f"{r['language']} {float(r['rate']):.1%}" for r in low)
                or f"{float(parsing.get('rate') or 0):.1%}",
            }
        measured = note.get("measured") or {}
        rows = measured.get("languages") or []
        notes.append(
            {
                **note,
                "unscored_text": ", ".join(f"{r['language']} ({r['n']})" for r in by_lang),
                "parsing": parsing,
                "scorer": measured.get("scorer", ""),
                "measured_rows": [r for r in rows if r.get("n")],
                "not_measured_text": ", ".join(r["language"] for r in rows if not r.get("n")),
            }
        )
    return notes


def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    caller = caller_from_session(request)
    item = visible_items(caller).select_related("org", "created_by").filter(pk=pk).first()
    if item is None:
        raise Http404(_("no such item"))
    out, used = links(item, caller)
    relation_labels = dict(RELATIONS)
    for ln in out + used:
        ln["relation_label"] = relation_labels.get(ln["relation"], ln["relation"])
    versions = (
        visible_items(caller)
        .filter(org=item.org, kind=item.kind, name=item.name)
        .only("pk", "version", "created")
        .order_by("-created")[:20]
    )
    files = list(item.files.all()[:200])
    by_path = {f.path: f for f in files}
    verification = None
    if item.kind == "certificate" and "certificate.json" in by_path:
        cred = stored_certificate(item)
        verification = verify_credential(cred, caller) if cred is not None else None
    audit = (item.metadata or {}).get("audit_languages", [])[:100]
    top = max((float(r.get("documents") or 0) for r in audit), default=0.0)
    for r in audit:
        r["bar"] = _bar(r.get("documents"), top)
    reports = [by_path[p] for p in ("report.html", "report.pdf", "audit.html") if p in by_path]
    context = {
        "item": item,
        "kind_label": dict(KINDS).get(item.kind, item.kind),
        "derived_from": out,
        "used_by": used,
        "versions": versions,
        "files": files,
        "reports": reports,
        "results": _results(item),
        "run_notes": _run_notes(item),
        "audit": audit,
        "audit_totals": (item.metadata or {}).get("audit_totals", {}),
        "run": (item.metadata or {}).get("run"),
        "labelled": (item.metadata or {}).get("labels"),
        "cert": (item.metadata or {}).get("certificate"),
        "verification": verification,
        "has_croissant": item.kind == "corpus" and "croissant.json" in by_path,
    }
    return render(request, "catalog/item.html", context)


def _read_credential(request: HttpRequest) -> tuple[dict[str, Any] | None, str]:
    """The credential from the upload or the text box, or an error message."""
    from puhui.certify import qr

    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is None or upload.size > MAX_CREDENTIAL_BYTES:
            return None, _("the file is {n:,} bytes; a certificate may be at most {m:,}").format(
                n=upload.size or 0, m=MAX_CREDENTIAL_BYTES
            )
        raw = upload.read(MAX_CREDENTIAL_BYTES + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, _("the file is not UTF-8 text")
    else:
        text = request.POST.get("credential", "")
    text = text.strip()
    if not text:
        return None, _("paste a certificate or choose a file")
    if text.startswith(qr.PREFIX):
        if len(text) > MAX_CREDENTIAL_BYTES:
            return None, _("the text is too large for a certificate")
        try:
            return qr.decode(text), ""
        except ValueError as e:
            return None, _("not a valid QR payload: {why}").format(why=e)
    try:  # within the size and depth limits, so nothing recursive sees a hostile document
        data = limits.loads(text, _("the certificate"))
    except limits.LimitError as e:
        return None, str(e)
    if not isinstance(data, dict):
        return None, _("a certificate is a JSON object")
    return data, ""


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        cred, error = _read_credential(request)
        if cred is None:
            context["error"] = error
            context["text"] = request.POST.get("credential", "")[:MAX_CREDENTIAL_BYTES]
        else:
            outcome = verify_credential(cred, caller_from_session(request))
            context["outcome"] = outcome
            context["result"] = outcome.result
            context["assessment"] = outcome.assessment
            context["text"] = request.POST.get("credential", "")[:MAX_CREDENTIAL_BYTES]
    status = 400 if context.get("error") else 200
    return render(request, "catalog/verify.html", context, status=status)


class _ThrottledLogin(auth_views.LoginView):
    """Django's sign-in page, refusing (429) an account or address with too many failures."""

    template_name = "catalog/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        address = str(request.META.get("REMOTE_ADDR", ""))
        wait = throttle.wait_seconds(username, address)
        if wait:
            minutes = (wait + 59) // 60
            # an unbound form: a bound one would check the password when its errors are read
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form)
            context["throttled"] = ngettext(
                "Too many failed sign-ins. Try again in {n} minute.",
                "Too many failed sign-ins. Try again in {n} minutes.",
                minutes,
            ).format(n=minutes)
            response = render(request, self.template_name, context, status=429)
            response["Retry-After"] = str(wait)
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            throttle.succeeded(username)
        else:
            throttle.failed(username, address)
        return response


login = _ThrottledLogin.as_view()
logout = auth_views.LogoutView.as_view()
