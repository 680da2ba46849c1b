"""The donor portal's account pages (issue 13); included by ``portal.urls``."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
