"""Template context shared by every page: the navigation a person's roles open."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bloodline.organisations import access
from bloodline.organisations.roles import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items: list[tuple[str, Any]] = [(reverse("home"), _("Home"))]
    items.append((reverse("drives:calendar"), _("Drives")))
    if user.is_authenticated:
        if access.scope_paths(user, Perm.VIEW) or user.is_superuser:
            items.append((reverse("organisations:list"), _("Organisations")))
        items.append((reverse("programmes:list"), _("Plans")))
        items.append((reverse("jurisdictions:list"), _("Rule sets")))
        items.append((reverse("profile"), _("My account")))
        if user.is_staff:
            items.append((reverse("admin:index"), _("Configuration")))
    # Each language is offered under its own name, whatever the page's language.
    return {"nav_items": items, "autonyms": settings.LANGUAGES}
