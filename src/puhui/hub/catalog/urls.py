"""Page URLs of the catalog (mounted under a language prefix, none for English)."""

from __future__ import annotations

from django.urls import path

from puhui.hub.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("items/<int:pk>/", views.item_page, name="item"),
    path("verify/", views.verify_page, name="verify"),
    path("signin/", views.login, name="login"),
    path("signout/", views.logout, name="logout"),
]
