from __future__ import annotations

from django.urls import path

from bloodline.jurisdictions import views

app_name = "jurisdictions"
urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("<str:code>/", views.rule_set_detail, name="detail"),
]
