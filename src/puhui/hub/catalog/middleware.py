"""Hub middleware: request size limits checked before the body is read, and the UI language.

Bodies are limited per path (:func:`body_limit`): a certificate to verify (the API and the
/verify/ page) is at most :data:`~puhui.certify.limits.MAX_CREDENTIAL_BYTES`, an issuer or a
status list at most :data:`~puhui.certify.limits.MAX_STATUS_LIST_BYTES`, anything else (a
publish) ``PUHUI_HUB_MAX_UPLOAD_MB``. ``puhui hub serve`` applies the same limits in waitress
itself (:mod:`puhui.hub.serving`), before the body is even received.

The language is the one in the URL (``/ar/…``), else the language cookie (set by the switcher),
else ``Accept-Language``, else English. Unlike Django's own middleware, an unprefixed URL such
as ``/`` follows the browser's language (by a redirect to ``/ar/``) instead of always being
English.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from puhui.certify.limits import MAX_CREDENTIAL_BYTES, MAX_STATUS_LIST_BYTES

#: Room for a form's other fields and multipart framing around a certificate or a list.
FORM_OVERHEAD = 16 * 1024
_VERIFY_PAGE = re.compile(r"^/(?:[a-z]{2,3}(?:-[a-z0-9]+)?/)?verify/$")
_ISSUER_PATHS = ("/api/v1/issuers", "/api/v1/status-lists")
#: The largest rating task (``task.json`` with its organization) ``POST /api/v1/rating/tasks``
#: takes: about 20,000 answers of 1,000 characters.
RATING_TASK_BYTES = 20 * 1024 * 1024
RATING_TASKS_PATH = "/api/v1/rating/tasks"


def body_limit(path: str) -> tuple[int, str] | None:
    """The most bytes a request body to ``path`` may have, with what it carries (for the
    reason given); None where the hub-wide upload limit applies."""
    if path == "/api/v1/verify":
        return MAX_CREDENTIAL_BYTES, _("a certificate to verify")
    if _VERIFY_PAGE.match(path):
        return MAX_CREDENTIAL_BYTES + FORM_OVERHEAD, _("a certificate to verify")
    if path in _ISSUER_PATHS:
        return MAX_STATUS_LIST_BYTES + FORM_OVERHEAD, _("an issuer or a status list")
    if path == RATING_TASKS_PATH:
        return RATING_TASK_BYTES, _("a rating task")
    return None


def needs_token(method: str, path: str, authorization: str) -> str | None:
    """Why a request must be refused before its body is read for want of a token, or None.

    Publishing is the one request with a large body, and it needs an API token: a publish with
    no ``Authorization`` header at all is answered 401 without receiving what it sends.
    """
    if method == "POST" and path == "/api/v1/items" and not authorization.strip():
        return _("publishing needs an API token (puhui hub token new)")
    return None


def too_large(length: int, limit: int, what: str) -> str:
    """The one-line reason a body of ``length`` bytes over ``limit`` is refused."""
    return _("the request is {n:,} bytes; {what} may be at most {m:,} bytes").format(
        n=length, what=what, m=limit
    )


def upload_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answer 413 to a request whose declared body is over its path's limit (:func:`body_limit`)
    or ``PUHUI_HUB_MAX_UPLOAD_MB``, and 401 to a publish without a token (:func:`needs_token`),
    before anything reads it. Without a Content-Length Django
    reads no body at all, so nothing unbounded is read either way."""
    limit = int(settings.PUHUI["max_upload_bytes"])

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        anonymous = needs_token(
            request.method or "", request.path_info, request.headers.get("Authorization", "")
        )
        if anonymous is not None:
            return JsonResponse({"detail": anonymous}, status=401)
        small = body_limit(request.path_info)
        if small is not None and length > small[0]:
            return JsonResponse({"detail": too_large(length, *small)}, status=413)
        if length > limit:
            return JsonResponse(
                {
                    "detail": _("the request is {n} MB; this hub accepts at most {m} MB").format(
                        n=length // (1024 * 1024), m=limit // (1024 * 1024)
                    )
                },
                status=413,
            )
        return get_response(request)

    return middleware


class HubLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, but an unprefixed page follows the cookie and Accept-Language.

    ``GET /`` from a browser asking for Arabic is redirected to ``/ar/`` (English pages have no
    prefix, so they could not be told apart otherwise). Other paths (the API) are answered in the
    asked language where they have text to translate.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        language = translation.get_language_from_request(request, check_path=True)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        if (
            translation.get_language_from_path(request.path_info)
            or language == settings.LANGUAGE_CODE
        ):
            return None
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        prefixed = f"/{language}{request.path_info}"
        if not is_valid_path(prefixed, urlconf):
            return None  # not a page (the API, the language switcher)
        if request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING", "")
            target = get_script_prefix() + prefixed.lstrip("/") + (f"?{query}" if query else "")
            redirect = self.response_redirect_class(target)
            patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
            return redirect
        translation.activate(settings.LANGUAGE_CODE)  # an unprefixed form post: English page
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
