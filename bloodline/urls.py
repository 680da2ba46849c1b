from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bloodline.api import api
from bloodline.web import mfa
from bloodline.web import views as web

urlpatterns = [
    path("", web.home, name="home"),
    path("language/", web.set_language, name="set_language"),
    path("me/", web.profile, name="profile"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/second-factor/enrol/", mfa.enrol, name="mfa_enrol"),
    path("accounts/second-factor/", mfa.verify, name="mfa_verify"),
    path("accounts/second-factor/recovery-codes/", mfa.recovery_codes, name="mfa_recovery"),
    path("organisations/", include("bloodline.organisations.urls")),
    path("rules/", include("bloodline.jurisdictions.urls")),
    path("plans/", include("bloodline.programmes.urls")),
    path("plans/", include("bloodline.reports.urls")),
    path("drives/", include("bloodline.drives.urls")),
    path("donors/", include("bloodline.donors.urls")),
    path("stations/", include("bloodline.screening.urls")),
    path("labels/", include("bloodline.collection.label_urls")),
    path("certificates/", include("bloodline.collection.certificate_urls")),
    path("registry-import/", include("bloodline.collection.import_urls")),
    path("lab/", include("bloodline.lab.urls")),
    path("stock/", include("bloodline.inventory.urls")),
    path("orders/", include("bloodline.distribution.urls")),
    path("trace/", include("bloodline.distribution.trace_urls")),
    path("tasks/", include("bloodline.jobs.urls")),
    path("messages/", include("bloodline.notifications.urls")),
    path("donor/", include("bloodline.portal.urls")),
    path("supply/", include("bloodline.portal.supply_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
