"""Hub middleware: a request size limit checked before the body is read, and the UI language.

The language is the one in the URL (``/ar/…``), else the language cookie (set by the switcher),
else ``Accept-Language``, else English. Unlike Django's own middleware, an unprefixed URL such
as ``/`` follows the browser's language (by a redirect to ``/ar/``) instead of always being
English.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


def upload_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answer 413 to a request whose declared body is over ``PUHUI_HUB_MAX_UPLOAD_MB``."""
    limit = int(settings.PUHUI_MAX_UPLOAD_BYTES)

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
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
