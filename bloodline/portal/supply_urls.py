"""The public supply page under /supply/ (issue 15 §2, decision 0061): no sign-in."""

from __future__ import annotations

from django.urls import path

from bloodline.portal import supply_views as views

app_name = "public_supply"

urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:public_id>/", views.establishment, name="establishment"),
    path("<uuid:public_id>/widget/", views.widget, name="widget"),
]
