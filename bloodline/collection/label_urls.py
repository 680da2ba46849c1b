from __future__ import annotations

from django.urls import URLPattern, path

from bloodline.collection import label_views

app_name = "labels"
urlpatterns: list[URLPattern] = [
    path("preprint/", label_views.preprint, name="preprint"),
    path("<str:din>/pdf", label_views.donation_pdf, name="pdf"),
    path("<str:din>/zpl", label_views.donation_zpl, name="zpl"),
]
