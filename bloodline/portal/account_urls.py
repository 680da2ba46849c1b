"""The donor portal's account pages (issue 13 §1, §2, §4, §7); included by ``portal.urls``."""

from __future__ import annotations

from django.urls import URLPattern, path

from bloodline.portal import account_record_views as record
from bloodline.portal import account_views as views

urlpatterns: list[URLPattern] = [
    path("", record.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/password/", views.sign_in_password, name="sign_in_password"),
    path("password/", views.password, name="password"),
    path("claim/", views.claim, name="claim"),
    path("claim/code/", views.claim_code, name="claim_code"),
    path("link-code/", views.link_code, name="link_code"),
    path("staff/link/<uuid:public_id>/", views.staff_link, name="staff_link"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/results/<uuid:public_id>/", views.result_release, name="result_release"),
    path("staff/erasure-requests/", views.erasure_requests, name="erasure_requests"),
    path(
        "staff/erasure-requests/<uuid:public_id>/",
        views.erasure_decision,
        name="erasure_decision",
    ),
    path("card/", record.donor_card, name="card"),
    path("donations/<str:din>/certificate.pdf", record.certificate, name="certificate"),
    path("consents/", record.consents, name="consents"),
    path("privacy/", record.privacy, name="privacy"),
    path("privacy/export.json", record.export_download, {"fmt": "json"}, name="export_json"),
    path("privacy/export.pdf", record.export_download, {"fmt": "pdf"}, name="export_pdf"),
    path("privacy/erasure/", record.erasure, name="erasure"),
]
