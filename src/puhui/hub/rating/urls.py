"""Page URLs of rating tasks (mounted at rate/ under a language prefix, none for English)."""

from __future__ import annotations

from django.urls import path

from puhui.hub.rating import views

app_name = "rating"

urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("join/<str:token>/", views.join, name="join"),
    path("<slug:task_id>/", views.task_page, name="task"),
    path("<slug:task_id>/manage/", views.manage, name="manage"),
]
