from __future__ import annotations

from django.urls import path

from bloodline.screening import views

app_name = "stations"
urlpatterns = [
    path("<uuid:public_id>/", views.index, name="index"),
    path("<uuid:public_id>/<slug:slug>/", views.station_page, name="station"),
    path("<uuid:public_id>/<slug:slug>/queue/", views.queue, name="queue"),
]
