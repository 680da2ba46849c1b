from __future__ import annotations

from django.urls import path

from bloodline.distribution import views

app_name = "distribution"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("new/", views.new_order, name="new"),
    path("<uuid:public_id>/", views.order_detail, name="order"),
    path("<uuid:public_id>/allocate/", views.allocate, name="allocate"),
    path("<uuid:public_id>/allocate-unit/", views.allocate_unit, name="allocate_unit"),
    path("<uuid:public_id>/unallocate/", views.unallocate, name="unallocate"),
    path("<uuid:public_id>/pick/", views.pick, name="pick"),
    path("<uuid:public_id>/dispatch/", views.dispatch, name="dispatch"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/emergency-release/", views.emergency_release, name="release"),
    path("<uuid:public_id>/receive/", views.receive, name="receive"),
    path("<uuid:public_id>/outcome/", views.outcome, name="outcome"),
]
