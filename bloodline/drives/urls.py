from __future__ import annotations

from django.urls import path

from bloodline.drives import closing_views, registration_views, request_views, views

app_name = "drives"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("new/", views.create, name="create"),
    path("requests/", request_views.request_list, name="requests"),
    path("requests/new/", request_views.request_create, name="request_create"),
    path("requests/<uuid:public_id>/", request_views.request_detail, name="request_detail"),
    path("requests/<uuid:public_id>/accept/", request_views.request_accept, name="request_accept"),
    path(
        "requests/<uuid:public_id>/decline/",
        request_views.request_decline,
        name="request_decline",
    ),
    path("board/<str:token>/", closing_views.live_board, name="board"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/reconcile/", closing_views.reconcile, name="reconcile"),
    path(
        "<uuid:public_id>/reconcile/status/",
        closing_views.close_or_reconcile,
        name="reconcile_status",
    ),
    path("<uuid:public_id>/reconcile/void/", closing_views.void_din, name="void_din"),
    path(
        "<uuid:public_id>/reconcile/resolve/",
        closing_views.resolve_mismatch,
        name="resolve_mismatch",
    ),
    path("<uuid:public_id>/reconcile/reopen/", closing_views.reopen, name="reopen"),
    path(
        "<uuid:public_id>/reconcile/left/<uuid:presentation_id>/",
        closing_views.mark_left,
        name="mark_left",
    ),
    path("<uuid:public_id>/board/share/", closing_views.share_board, name="board_share"),
    path("<uuid:public_id>/board/revoke/", closing_views.revoke_board, name="board_revoke"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/status/", views.change_status, name="status"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/register/", registration_views.register, name="register"),
    path("<uuid:public_id>/slots/", registration_views.slots, name="slots"),
    path("<uuid:public_id>/upload/", registration_views.bulk_upload, name="upload"),
    path("<uuid:public_id>/upload/apply/", registration_views.bulk_apply, name="upload_apply"),
    path(
        "<uuid:public_id>/upload/result/<task_id>/",
        registration_views.bulk_result,
        name="upload_result",
    ),
    path(
        "<uuid:public_id>/upload/template.xlsx",
        registration_views.bulk_template,
        name="upload_template",
    ),
    path(
        "<uuid:public_id>/registrations/<uuid:registration_id>/cancel/",
        registration_views.cancel_registration,
        name="cancel_registration",
    ),
]
