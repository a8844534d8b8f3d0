"""URLs of the hub: pages under language prefixes (none for English), the API under /api/v1."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from puhui.hub.catalog.api import api
from puhui.hub.federation.feed import feed_view
from puhui.hub.rating import views as rating_views
from puhui.hub.rating.api import router as rating_api
from puhui.hub.sharing.api import router as sharing_api

api.add_router("", sharing_api)
api.add_router("", rating_api)

urlpatterns = [
    path("api/v1/feed", feed_view, name="federation-feed"),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("rate.js", rating_views.script, name="rating-script"),
    *i18n_patterns(
        path("learn/", include("puhui.hub.learn.urls")),
        path("programmes/", include("puhui.hub.programmes.urls")),
        path("sharing/", include("puhui.hub.sharing.urls")),
        path("rate/", include("puhui.hub.rating.urls")),
        path("", include("puhui.hub.catalog.urls")),
        prefix_default_language=False,
    ),
]
