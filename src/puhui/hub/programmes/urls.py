"""Page URLs of programmes (mounted at programmes/ under a language prefix, none for English)."""

from __future__ import annotations

from django.urls import path

from puhui.hub.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programmes, name="list"),
    path("<slug:org>/<slug:prog>/", views.programme_page, name="programme"),
    path("<slug:org>/<slug:prog>/reach/", views.reach_page, name="reach"),
    path("<slug:org>/<slug:prog>/reach.csv", views.reach_csv, name="reach_csv"),
    path("<slug:org>/<slug:prog>/reach.pdf", views.reach_pdf, name="reach_pdf"),
    path("<slug:org>/<slug:prog>/<slug:cohort>/", views.cohort_page, name="cohort"),
    path("<slug:org>/<slug:prog>/<slug:cohort>/sessions/", views.new_session, name="new_session"),
    path(
        "<slug:org>/<slug:prog>/<slug:cohort>/sessions/<slug:session>/",
        views.attendance_page,
        name="attendance",
    ),
]
