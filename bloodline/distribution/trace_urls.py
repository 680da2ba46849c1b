from __future__ import annotations

from django.urls import path

from bloodline.distribution import trace_views as views

app_name = "trace"
urlpatterns = [
    path("", views.trace_search, name="search"),
    path("donor/<uuid:public_id>/", views.trace_donor, name="donor"),
    path("<str:din>/", views.trace_unit, name="unit"),
]
