from __future__ import annotations

from django.urls import URLPattern, path

from bloodline.collection import import_views

app_name = "registry_import"
urlpatterns: list[URLPattern] = [
    path("", import_views.upload, name="upload"),
    path("<uuid:public_id>/", import_views.run, name="run"),
    path(
        "<uuid:public_id>/rejected.csv",
        import_views.rejected,
        {"kind": "csv"},
        name="rejected_csv",
    ),
    path(
        "<uuid:public_id>/rejected.xlsx",
        import_views.rejected,
        {"kind": "xlsx"},
        name="rejected_xlsx",
    ),
]
