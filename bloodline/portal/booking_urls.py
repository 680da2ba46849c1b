"""The donor portal's booking pages (issue 13 §2, decision 0057); included by ``portal.urls``
under /donor/drives/."""

from __future__ import annotations

from django.urls import path

from bloodline.portal import booking_views as views

urlpatterns = [
    path("", views.drives, name="booking_drives"),
    path("calendar/", views.calendar, name="booking_calendar"),
    path("map/", views.drive_map, name="booking_map"),
    path("mine/", views.mine, name="booking_mine"),
    path("mine/<uuid:public_id>/cancel/", views.cancel, name="booking_cancel"),
    path("mine/<uuid:public_id>/move/", views.move, name="booking_move"),
    path("waitlist/<uuid:public_id>/accept/", views.accept_offer, name="booking_accept"),
    path("waitlist/<uuid:public_id>/leave/", views.leave_waitlist, name="booking_leave"),
    path("<uuid:public_id>/", views.drive_detail, name="booking_drive"),
    path("<uuid:public_id>/book/", views.book, name="booking_book"),
    path("<uuid:public_id>/waitlist/", views.join_waitlist, name="booking_waitlist"),
]
