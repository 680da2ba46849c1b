from __future__ import annotations

from django.urls import path

from bloodline.donors import views

app_name = "donors"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/documents/new/", views.add_document, name="add_document"),
    path("<uuid:public_id>/consents/new/", views.add_consent, name="add_consent"),
    path("<uuid:public_id>/duplicates/", views.duplicates, name="duplicates"),
    path("<uuid:public_id>/reads/", views.reads_page, name="reads"),
    path("<uuid:public_id>/erase/", views.erase, name="erase"),
    path("<uuid:public_id>/export/", views.export, name="export"),
    path("<uuid:public_id>/card/", views.card_page, name="card"),
    path("<uuid:public_id>/card/pdf", views.card_pdf, name="card_pdf"),
    path(
        "<uuid:public_id>/merge/<uuid:duplicate_id>/",
        views.merge,
        name="merge",
    ),
]
