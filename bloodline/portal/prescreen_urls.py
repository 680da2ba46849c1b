"""The donor portal's prescreen pages (issue 13); included by ``portal.urls``."""

from __future__ import annotations

from django.urls import URLPattern, path

from bloodline.portal import prescreen_views

urlpatterns: list[URLPattern] = [
    path(
        "<uuid:registration_id>/",
        prescreen_views.questionnaire,
        name="prescreen",
    ),
]
