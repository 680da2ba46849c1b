from __future__ import annotations

from django.urls import URLPattern, path

from bloodline.inventory import stock_views, views

app_name = "inventory"
urlpatterns: list[URLPattern] = [
    path("", stock_views.stock_page, name="stock"),
    path("thresholds/", stock_views.thresholds, name="thresholds"),
    path("supply/", stock_views.supply_page, name="supply"),
    path("supply/set/", stock_views.supply_set, name="supply_set"),
    path("supply/public/", stock_views.supply_public, name="supply_public"),
    path("process/", views.process_search, name="process_search"),
    path("process/<str:din>/", views.process, name="process"),
    path("unit/<uuid:public_id>/", views.component_page, name="component"),
    path("unit/<uuid:public_id>/label.pdf", views.label, name="label"),
    path("unit/<uuid:public_id>/scan/", views.scan_back, name="scan_back"),
    path("unit/<uuid:public_id>/move/", views.move, name="move"),
    path("unit/<uuid:public_id>/discard/", views.discard, name="discard"),
    path("unit/<uuid:public_id>/processing/", views.processing, name="processing"),
    path("locations/", stock_views.locations, name="locations"),
    path(
        "locations/<uuid:public_id>/deactivate/",
        stock_views.location_deactivate,
        name="location_deactivate",
    ),
    path("transfers/", stock_views.transfers, name="transfers"),
    path(
        "transfers/<uuid:public_id>/receive/", stock_views.transfer_receive, name="transfer_receive"
    ),
]
