from __future__ import annotations

from django.urls import path

from bloodline.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/children/", views.children, name="children"),
    path("<uuid:public_id>/add/", views.add_child, name="add_child"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/move/", views.move, name="move"),
    path("<uuid:public_id>/history/", views.history, name="history"),
]
