from __future__ import annotations

from django.urls import path

from bloodline.reports import views

app_name = "reports"
urlpatterns = [
    path("<uuid:public_id>/progress/<uuid:node_id>/", views.progress_page, name="progress"),
    path(
        "<uuid:public_id>/progress/<uuid:node_id>/export.xlsx",
        views.progress_export,
        name="progress_export",
    ),
]
