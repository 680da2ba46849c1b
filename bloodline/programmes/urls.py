from __future__ import annotations

from django.urls import path

from bloodline.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<uuid:public_id>/", views.plan_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.plan_edit, name="edit"),
    path("<uuid:public_id>/document/", views.plan_document, name="document"),
    path("<uuid:public_id>/history/", views.plan_history, name="history"),
    path("<uuid:public_id>/rounds/", views.round_add, name="round_add"),
    path("<uuid:public_id>/area-target/", views.area_target, name="area_target"),
    path("<uuid:public_id>/<str:step>/", views.plan_transition, name="transition"),
    path("<uuid:public_id>/targets/<uuid:node_id>/", views.targets, name="targets"),
    path(
        "<uuid:public_id>/targets/<uuid:node_id>/template.xlsx",
        views.targets_template,
        name="targets_template",
    ),
    path(
        "<uuid:public_id>/targets/<uuid:node_id>/upload/",
        views.targets_upload,
        name="targets_upload",
    ),
]
