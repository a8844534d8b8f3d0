"""Page URLs of sharing (mounted at sharing/ under a language prefix, none for English)."""

from __future__ import annotations

from django.urls import path

from puhui.hub.sharing import views

app_name = "sharing"

urlpatterns = [
    path("items/<int:pk>/policy/", views.policy_page, name="policy"),
    path("items/<int:pk>/request/", views.request_page, name="request"),
    path("items/<int:pk>/audit/", views.audit_page, name="audit"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/<int:rid>/<slug:action>/", views.decide, name="decide"),
]
