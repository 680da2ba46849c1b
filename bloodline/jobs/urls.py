from __future__ import annotations

from django.urls import path

from bloodline.jobs import views

app_name = "tasks"

urlpatterns = [
    path("<public_id>/", views.detail, name="detail"),
    path("<public_id>/progress/", views.progress, name="progress"),
    path("<public_id>/download/", views.download, name="download"),
]
