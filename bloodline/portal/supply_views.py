"""The public supply page (issue 15 §2, decision 0061): anyone, signed in or not, sees the
supply level of each component class and group at the establishments that publish; a small
widget of one establishment for other websites to embed; the same figures as JSON under
/api/v1/supply. Read through ``inventory.access``; the figures come from
``inventory.public_supply``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from bloodline.inventory import access as inventory_access
from bloodline.inventory import public_supply
from bloodline.inventory.models import SupplyLevel
from bloodline.organisations.models import Organisation


def _entries(establishments: list[Organisation]) -> list[tuple[Organisation, object]]:
    return [(e, public_supply.status_of(e)) for e in establishments]


def _context(entries: list[tuple[Organisation, object]]) -> dict[str, object]:
    return {"entries": entries, "levels": SupplyLevel.choices}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    establishments = list(inventory_access.published_establishments())
    return render(request, "portal/supply_index.html", _context(_entries(establishments)))


@require_GET
def establishment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = inventory_access.published_establishment(public_id)
    context = _context(_entries([found])) | {"establishment": found}
    return render(request, "portal/supply_index.html", context)


LANGUAGES = {code for code, _name in settings.LANGUAGES}


@require_GET
@xframe_options_exempt
def widget(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One establishment's levels, small enough for an iframe on another site; ``?lang=``
    picks the language (the embedding page's), else the visitor's own."""
    found = inventory_access.published_establishment(public_id)
    lang = request.GET.get("lang", "").strip().lower().replace("_", "-")
    if lang and lang not in LANGUAGES:
        message = _("Unknown language “%(lang)s”: use one of %(languages)s.") % {
            "lang": lang[:20],
            "languages": ", ".join(sorted(LANGUAGES)),
        }
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    with translation.override(lang or translation.get_language()):
        context = _context(_entries([found])) | {"establishment": found}
        response = render(request, "portal/supply_widget.html", context)
    # Any site may frame the widget (django-csp reads this as its ``csp_replace`` decorator
    # does; the decorator's type admits views without URL arguments only).
    setattr(response, "_csp_replace", {"frame-ancestors": ["*"]})  # noqa: B010
    return response
