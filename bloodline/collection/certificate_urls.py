from __future__ import annotations

from django.urls import URLPattern, path

from bloodline.collection import certificate_views

app_name = "certificates"
urlpatterns: list[URLPattern] = [
    path("verify/<str:signed>/", certificate_views.verify, name="verify"),
    path("<str:din>/pdf", certificate_views.certificate_pdf, name="pdf"),
]
