from __future__ import annotations

from django.urls import path

from bloodline.lab import office_views, views

app_name = "lab"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("import/", office_views.import_page, name="import"),
    path("import/<uuid:public_id>/", office_views.batch, name="batch"),
    path("notifications/", office_views.notifications, name="notifications"),
    path(
        "notifications/<uuid:public_id>/acknowledge/", office_views.acknowledge, name="acknowledge"
    ),
    # A DIN is 13 letters and digits; the fixed words above come first.
    path("<str:din>/", views.sample_page, name="sample"),
    path("<str:din>/readings/", views.readings, name="readings"),
    path("<str:din>/results/", views.enter, name="enter"),
    path("<str:din>/results/<uuid:result_id>/verify/", views.verify, name="verify"),
    path("<str:din>/results/<uuid:result_id>/correct/", views.correct, name="correct"),
    path("<str:din>/order/", views.order_test, name="order_test"),
    path("<str:din>/release/", views.release, name="release"),
    path("<str:din>/holds/<uuid:hold_id>/lift/", office_views.lift_hold, name="lift_hold"),
]
