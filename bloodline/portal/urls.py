"""The donor portal's pages under /donor/: each part in its own module (decision 0055)."""

from __future__ import annotations

from django.urls import include, path

app_name = "portal"

urlpatterns = [
    path("", include("bloodline.portal.account_urls")),
    path("drives/", include("bloodline.portal.booking_urls")),
    path("prescreen/", include("bloodline.portal.prescreen_urls")),
]
