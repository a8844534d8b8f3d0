"""Page URLs of the learn pages (mounted at learn/ under a language prefix, none for English)."""

from __future__ import annotations

from django.urls import path

from puhui.hub.learn import views

app_name = "learn"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("my/xapi.json", views.my_statements, name="xapi"),
    path("<slug:org>/<slug:name>/", views.course_page, name="course"),
    path("<slug:org>/<slug:name>/images/<str:file_name>", views.image, name="image"),
    path("<slug:org>/<slug:name>/labs/<slug:lab>/", views.lab_page, name="lab"),
    path("<slug:org>/<slug:name>/labs/<slug:lab>/data.zip", views.lab_data, name="lab_data"),
    path("<slug:org>/<slug:name>/<slug:lesson>/", views.lesson_page, name="lesson"),
]
