"""The permission matrix: for every page and API operation, what each persona gets on an
object inside their scope (the Vietnamese tree) and one outside it (the Chinese tree).

Read a row like the table it is. The grid has one two-letter cell per column of ``COLUMNS``;
the first letter is the answer on the Vietnamese object, the second on the Chinese one:

    A  allowed (2xx, or a redirect that is not to the sign-in page)
    V  the body was refused (400/409/422) — not refused for access; nothing may be written
    F  403: the person can see the object but may not do this
    H  404: hidden — the person may not know the object exists
    L  sent to sign in (a page) or 401 (the API)

Pages are keyed by URL name, API operations by "METHOD /path" under /api/v1. The first
argument of ``R`` names the object kind that fills ``public_id`` (see ``matrix_world``); other
parameters are filled by their name (``PARAM_KINDS``). API writes are sent an empty JSON body
unless ``body`` gives a minimal one (``"@kind"`` stands for that object of the case's side).
django-ninja checks the body before the view runs, so a row without a body answers 422 for
everyone who is signed in — such a row proves only that nothing is written.

A new endpoint fails ``test_every_endpoint_has_a_row`` until it gets a row here.
"""

from __future__ import annotations

from typing import Any

COLUMNS = (
    "anonymous",
    "outsider",  # signed in, no membership anywhere
    "committee",  # district steering-committee member (Đông Giang)
    "establishment_admin",  # blood-centre administrator
    "drive_nurse",
    "physician",
    "lab_technician",  # results and release: the lab releaser holds the same role
    "inventory_clerk",  # stock and issue desk
    "hospital_user",  # the hospital blood bank that orders
    "inactive_superuser",
    "superuser",
)
SIDES = ("inside", "outside")
# The donor persona (decision 0056): signed in with a donor account (``matrix_world``), no
# membership. It answers like ``outsider`` everywhere except the rows of ``DONOR_CELLS``.
DONOR = "donor"
OUTCOMES = {"A": "allowed", "V": "invalid", "F": "403", "H": "404", "L": "login"}

# Parameters filled by their name; ``public_id`` is named by each row.
PARAM_KINDS = {
    "language": "language",  # the prefix of i18n_patterns, if any
    "node_id": "node",
    "registration_id": "registration",
    "presentation_id": "presentation",
    "duplicate_id": "duplicate",
    "din": "din",
    "result_id": "result",
    "hold_id": "hold",
    "token": "board",
    "code": "code",
    "slug": "slug",
    "step": "step",
    "queue_step": "queue_step",
    "number": "line",
    "component_id": "shipment_item",
    "task_id": "task",
    "signed": "certificate",
}

# A one-time code id nobody was sent (the donor portal's sign-in and claim, decision 0056).
NO_CODE = "00000000-0000-4000-8000-000000000000"

# Endpoints deliberately outside the matrix, each with its reason (matched by prefix).
OUTSIDE_THE_MATRIX = {
    "admin:": "Django's admin site: staff-only by Django itself (is_staff and is_active), "
    "not part of the product's scopes",
}


class R:
    """One row: the object kind behind ``public_id`` (if any), the grid, and how to ask."""

    def __init__(
        self,
        *args: str,
        method: str = "GET",
        query: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        self.kind: str | None = None if len(args) == 1 else args[0]
        self.grid: str = args[-1]
        self.method = method
        self.query = query or {}  # query parameter -> object kind
        self.body = body

    def expected(self, persona: str, side: str) -> str:
        cell = self.grid.split()[COLUMNS.index(persona)]
        return OUTCOMES[cell[SIDES.index(side)]]


# The grid columns, for reading:  anon outs comm esta driv phys lab_ inve hosp inac supe
PAGES: dict[str, R] = {
    "home": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "set_language": R("VV VV VV VV VV VV VV VV VV VV VV", method="POST"),
    "profile": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "login": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "logout": R("AA AA AA AA AA AA AA AA AA AA AA", method="POST"),
    "mfa_enrol": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "mfa_verify": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "mfa_recovery": R("LL AA AA AA AA AA AA AA AA LL AA", method="POST"),
    "organisations:list": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "organisations:detail": R("organisation", "LL HH AH AH AH AH AH AH AH LL AA"),
    "organisations:children": R("organisation", "LL HH AH AH AH AH AH AH AH LL AA"),
    "organisations:add_child": R("organisation", "LL HH AH AH FH FH FH FH FH LL AA"),
    "organisations:edit": R("organisation", "LL HH AH AH FH FH FH FH FH LL AA"),
    "organisations:move": R("organisation", "LL HH AH FH FH FH FH FH FH LL AA"),
    "organisations:history": R("organisation", "LL HH AH AH FH FH FH FH FH LL AA"),
    "jurisdictions:list": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "jurisdictions:detail": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "programmes:list": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "programmes:create": R("LL FF AA FF FF FF FF FF FF LL AA"),
    "programmes:detail": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "programmes:edit": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    # The demo plans carry no uploaded document: 404 for everyone, the superuser too.
    "programmes:document": R("plan", "LL HH HH HH HH HH HH HH HH LL HH"),
    "programmes:history": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "programmes:round_add": R("plan", "LL HH AH HH HH HH HH HH HH LL AA", method="POST"),
    "programmes:area_target": R("plan", "LL HH AH HH HH HH HH HH HH LL AA", method="POST"),
    "programmes:transition": R("plan", "LL HH AH HH HH HH HH HH HH LL AA", method="POST"),
    "programmes:targets": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "programmes:targets_template": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "programmes:targets_upload": R("plan", "LL HH VH HH HH HH HH HH HH LL VV", method="POST"),
    "reports:progress": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "reports:progress_export": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "drives:calendar": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "drives:create": R("LL FF FF AA FF FF FF FF FF LL AA"),
    "drives:requests": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "drives:request_create": R("LL FF AA FF FF FF FF FF FF LL AA"),
    # The Chinese request is never built (matrix_world.NEVER_BUILT): its id is nobody's.
    "drives:request_detail": R("request", "LL HH AH AH AH AH AH AH HH LL AH"),
    "drives:request_accept": R("request", "LL HH FH AH FH FH FH FH HH LL AH", method="POST"),
    "drives:request_decline": R("request", "LL HH FH AH FH FH FH FH HH LL AH", method="POST"),
    "drives:board": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "drives:detail": R("drive", "AA AA AA AA AA AA AA AA AA AA AA"),
    # Reconciling answers 404 until a drive is closed; the drive used is still running.
    # The Chinese drive is public, so a foreign administrator gets 403 rather than 404.
    "drives:reconcile": R("drive", "LL FF FF HF FF FF FF FF FF LL HH"),
    "drives:reconcile_status": R("drive", "LL FF FF HF FF FF FF FF FF LL HH", method="POST"),
    "drives:void_din": R("drive", "LL FF FF HF FF FF FF FF FF LL HH", method="POST"),
    "drives:resolve_mismatch": R("drive", "LL FF FF HF FF FF FF FF FF LL HH", method="POST"),
    "drives:reopen": R("drive", "LL FF FF HF FF FF FF FF FF LL HH", method="POST"),
    "drives:mark_left": R("drive", "LL FF FF HF FF FF FF FF FF LL HH", method="POST"),
    "drives:board_share": R("drive", "LL FF FF AF FF FF FF FF FF LL AA", method="POST"),
    "drives:board_revoke": R("drive", "LL FF FF AF FF FF FF FF FF LL AA", method="POST"),
    "drives:edit": R("drive", "LL FF FF AF FF FF FF FF FF LL AA"),
    "drives:status": R("drive", "LL FF FF AF FF FF FF FF FF LL AA", method="POST"),
    "drives:cancel": R("drive", "LL FF FF AF FF FF FF FF FF LL AA"),
    # A public drive is visible to everyone, so a registrar may open its registration
    # pages wherever it is; crediting another country's unit is refused at the field
    # (drives/tests/test_registration_across_countries.py, decision 0024).
    "drives:register": R("drive", "LL FF AA FF FF FF FF FF FF LL AA"),
    "drives:slots": R("drive", "LL FF AA AF FF FF FF FF FF LL AA"),
    "drives:upload": R("drive", "LL FF AA FF FF FF FF FF FF LL AA"),
    "drives:upload_apply": R("drive", "LL FF AA FF FF FF FF FF FF LL AA", method="POST"),
    # A workbook's outcome (decision 0044): the matrix's tasks are no workbook's, so even
    # the registrars who may upload get 404.
    "drives:upload_result": R("drive", "LL FF HH FF FF FF FF FF FF LL HH"),
    "drives:upload_template": R("drive", "LL FF AA FF FF FF FF FF FF LL AA"),
    "drives:cancel_registration": R("drive", "LL HH AH AH HH HH HH HH HH LL AA", method="POST"),
    # A registry is national, never global (decision 0030): registry staff read and change
    # the donors of their own country's registry; a Chinese donor is hidden from them
    # (donors/tests/test_scope.py, and CROSS_COUNTRY below for Chinese staff on Vietnamese
    # donors).
    "donors:search": R("LL FF FF AA AA AA FF FF FF LL AA"),
    "donors:create": R("LL FF FF AA AA AA FF FF FF LL AA"),
    "donors:detail": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:edit": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:add_document": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:add_consent": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:duplicates": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:merge": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    # Who looked at the donor: for those who manage the donor's record (decision 0030).
    "donors:reads": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    # Erasure and export need DONOR_MANAGE (decision 0033); the GET of erase is its form.
    "donors:erase": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:export": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:card": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "donors:card_pdf": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    # Only a redirect to the check-in station, which then checks access itself.
    # The donor's pre-screening of their own booking (decision 0058): hidden from staff.
    "portal:prescreen": R("LL HH HH HH HH HH HH HH HH LL HH"),
    "stations:index": R("drive", "LL AA AA AA AA AA AA AA AA LL AA"),
    "stations:station": R("drive", "LL HH FH AH AH AH FH FH HH LL AA"),
    "stations:queue": R("drive", "LL HH FH AH AH AH FH FH HH LL AA"),
    "labels:preprint": R("LL FF FF AA AA AA FF FF FF LL AA"),
    "labels:pdf": R("LL HH HH AH AH AH FH FH HH LL AA"),
    "labels:zpl": R("LL HH HH AH AH AH FH FH HH LL AA"),
    "certificates:pdf": R("LL HH HH AH AH AH FH FH HH LL AA"),
    # Public: the page says only whether a certificate is genuine, with its date and place.
    "certificates:verify": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "lab:worklist": R("LL FF FF AA FF FF AA FF FF LL AA"),
    "lab:import": R("LL FF FF AA FF FF AA FF FF LL AA"),
    "lab:batch": R("batch", "LL HH HH AH FH FH AH FH HH LL AA"),
    "registry_import:upload": R("LL FF FF AA FF FF FF FF FF LL AA"),
    "registry_import:run": R("registry_import", "LL HH HH AH FH FH FH FH HH LL AA"),
    "registry_import:rejected_csv": R("registry_import", "LL HH HH AH FH FH FH FH HH LL AA"),
    "registry_import:rejected_xlsx": R("registry_import", "LL HH HH AH FH FH FH FH HH LL AA"),
    "lab:notifications": R("LL FF FF AA FF FF AA FF AA LL AA"),
    "lab:acknowledge": R("notification", "LL FF FF AH FF FF AH FF AH LL AH", method="POST"),
    "lab:sample": R("LL HH HH AH FH FH AH FH HH LL AA"),
    "lab:readings": R("LL HH HH AH FH FH AH FH HH LL AA"),
    "lab:enter": R("LL HH HH AH FH FH AH FH HH LL AA", method="POST"),
    "lab:verify": R("LL HH HH AH FH FH AH FH HH LL AA", method="POST"),
    "lab:correct": R("LL HH HH AH FH FH AH FH HH LL AA", method="POST"),
    "lab:order_test": R("LL HH HH AH FH FH AH FH HH LL AA", method="POST"),
    "lab:release": R("LL HH HH AH FH FH AH FH HH LL AA", method="POST"),
    # The Vietnamese hold belongs to another donation than the DIN used: 404 for all.
    "lab:lift_hold": R("LL HH HH HH FH FH HH FH HH LL HH", method="POST"),
    "inventory:stock": R("LL FF FF AA FF FF AA AA FF LL AA"),
    "inventory:thresholds": R("LL FF FF AA FF FF FF AA FF LL AA"),
    "inventory:supply": R("LL FF FF AA FF FF AA AA FF LL AA"),
    # An empty form is refused (400) for those who may set a level; nothing is written.
    "inventory:supply_set": R("LL FF FF VV FF FF FF VV FF LL VV", method="POST"),
    "inventory:supply_public": R("LL FF FF VV FF FF FF VV FF LL VV", method="POST"),
    # The public supply page (decision 0061): anyone, signed in or not, on both sides.
    "public_supply:index": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "public_supply:establishment": R("centre", "AA AA AA AA AA AA AA AA AA AA AA"),
    "public_supply:widget": R("centre", "AA AA AA AA AA AA AA AA AA AA AA"),
    "inventory:process_search": R("LL FF FF AA FF FF AA AA FF LL AA"),
    "inventory:process": R("LL HH HH AH FH FH AH AH HH LL AA"),
    "inventory:component": R("component", "LL HH HH AH FH FH AH AH HH LL AA"),
    "inventory:label": R("component", "LL HH HH AH FH FH FH AH HH LL AA"),
    "inventory:scan_back": R("component", "LL HH HH VH FH FH FH VH HH LL VV", method="POST"),
    "inventory:move": R("component", "LL HH HH VH FH FH FH VH HH LL VV", method="POST"),
    "inventory:discard": R("component", "LL HH HH VH FH FH FH VH HH LL VV", method="POST"),
    "inventory:processing": R("component", "LL HH HH VH FH FH FH VH HH LL VV", method="POST"),
    "inventory:locations": R("LL FF FF AA FF FF FF AA FF LL AA"),
    "inventory:location_deactivate": R(
        "location", "LL HH HH AH FH FH FH AH HH LL AA", method="POST"
    ),
    "inventory:transfers": R("LL FF FF AA FF FF AA AA FF LL AA"),
    # No transfer is ever built on either side (NEVER_BUILT): 404 for everyone.
    "inventory:transfer_receive": R("transfer", "LL HH HH HH HH HH HH HH HH LL HH", method="POST"),
    "distribution:orders": R("LL FF FF AA FF FF FF AA AA LL AA"),
    "distribution:new": R("LL FF FF FF FF FF FF FF AA LL AA"),
    # Order pages show an order only to its parties (distribution/access.py get_order with
    # onlookers_see=False): the drive nurse, physician and lab technician, who see the
    # supplying centre, get 404 here, where the API answers them 403.
    "distribution:order": R("order", "LL HH HH AH HH HH HH AH AH LL AA"),
    "distribution:allocate": R("order", "LL HH HH AH HH HH HH AH FH LL AA", method="POST"),
    "distribution:allocate_unit": R("order", "LL HH HH AH HH HH HH AH FH LL AA", method="POST"),
    "distribution:unallocate": R("order", "LL HH HH AH HH HH HH AH FH LL AA", method="POST"),
    "distribution:pick": R("order", "LL HH HH AH HH HH HH AH FH LL AA", method="POST"),
    "distribution:dispatch": R("order", "LL HH HH AH HH HH HH AH FH LL AA", method="POST"),
    "distribution:cancel": R("order", "LL HH HH AH HH HH HH AH AH LL AA", method="POST"),
    "distribution:release": R("order", "LL HH HH FH HH HH HH FH AH LL AA", method="POST"),
    "distribution:receive": R("order", "LL HH HH FH HH HH HH FH AH LL AA", method="POST"),
    "distribution:outcome": R("order", "LL HH HH FH HH HH HH FH AH LL AA", method="POST"),
    "trace:search": R("LL FF FF AA FF FF AA AA AA LL AA"),
    # The donor's trace shows unsafe components (infectious-marker results): TRACE_VIEW over
    # the donor's registry, so drive nurses and physicians are refused (decision 0030).
    "trace:donor": R("donor", "LL HH HH AH FH FH HH HH HH LL AA"),
    "trace:unit": R("LL FF FF AH FF FF AH AH HH LL AA"),
    # A task (decision 0044) is its owner's only: "inside" is the persona's own task,
    # "outside" someone else's, which nobody else may know exists — the superuser included.
    "tasks:detail": R("task", "LL AH AH AH AH AH AH AH AH LL AH"),
    "tasks:progress": R("task", "LL AH AH AH AH AH AH AH AH LL AH"),
    "tasks:download": R("task", "LL AH AH AH AH AH AH AH AH LL AH"),
    # The establishment's message templates (decision 0053): its administrators only.
    "notifications:templates": R("centre", "LL HH HH AH FH FH FH FH HH LL AA"),
    "notifications:edit_template": R(
        "centre",
        "LL HH HH AH FH FH FH FH HH LL AA",
        query={"event": "event", "language": "lang", "channel": "channel"},
    ),
    "notifications:switch_messages": R("centre", "LL HH HH AH FH FH FH FH HH LL AA", method="POST"),
    # The donor portal's booking pages (decision 0057): finding drives is open to anyone;
    # booking needs a donor account, which no staff persona holds (403), and a donor's own
    # bookings answer 404 to every other donor (portal/tests/test_booking_book.py).
    "portal:booking_drives": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "portal:booking_calendar": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "portal:booking_map": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "portal:booking_drive": R("drive", "AA AA AA AA AA AA AA AA AA AA AA"),
    "portal:booking_book": R("drive", "LL FF FF FF FF FF FF FF FF LL FF", method="POST"),
    "portal:booking_waitlist": R("drive", "LL FF FF FF FF FF FF FF FF LL FF", method="POST"),
    "portal:booking_mine": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:booking_cancel": R("registration", "LL FF FF FF FF FF FF FF FF LL FF", method="POST"),
    "portal:booking_move": R("registration", "LL FF FF FF FF FF FF FF FF LL FF"),
    # No waiting-list entry exists in the matrix world: a registration's id stands in.
    "portal:booking_accept": R("registration", "LL FF FF FF FF FF FF FF FF LL FF", method="POST"),
    "portal:booking_leave": R("registration", "LL FF FF FF FF FF FF FF FF LL FF", method="POST"),
    "api-1:openapi-json": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "api-1:openapi-view": R("AA AA AA AA AA AA AA AA AA AA AA"),
    # django-ninja's catch-all root: no operation answers there.
    "api-1:api-root": R("HH HH HH HH HH HH HH HH HH HH HH"),
    # Donor portal, account part (decision 0056): for a person signed in with a donor
    # account only. Anyone else signed in is told the page is for donors (403); strangers
    # are sent to the portal's sign-in by code. Staff link an account through donors.access.
    "portal:home": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:sign_in": R("AA AA AA AA AA AA AA AA AA AA AA"),
    # Without a code asked for first, the code page sends everyone back to the sign-in.
    "portal:sign_in_code": R("LL LL LL LL LL LL LL LL LL LL LL"),
    "portal:sign_in_password": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "portal:password": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:claim": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:claim_code": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:link_code": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:staff_link": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "portal:erasure_requests": R("LL FF FF AA AA AA FF FF FF LL AA"),
    # The staff side's page: for those who manage donors or an establishment's messages.
    "portal:staff": R("LL FF FF AA AA AA FF FF FF LL AA"),
    "portal:result_release": R("centre", "LL HH HH AH FH FH FH FH HH LL AA", method="POST"),
    "portal:erasure_decision": R("erasure_request", "LL HH HH AH AH AH HH HH HH LL AA"),
    "portal:card": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:certificate": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:consents": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:privacy": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:export_json": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:export_pdf": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "portal:erasure": R("LL FF FF FF FF FF FF FF FF LL FF", method="POST"),
}

# The grid columns, for reading:  anon outs comm esta driv phys lab_ inve hosp inac supe
OPERATIONS: dict[str, R] = {
    "GET /organisations": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "GET /supply": R("AA AA AA AA AA AA AA AA AA AA AA"),
    "GET /supply/{public_id}": R("centre", "AA AA AA AA AA AA AA AA AA AA AA"),
    "POST /organisations": R(
        "LL HH VH VH FH FH FH FH FH LL VV",
        body={"parent": "@organisation", "kind": "enterprise", "name": "Matrix"},
    ),
    "GET /organisations/{public_id}": R("organisation", "LL HH AH AH AH AH AH AH AH LL AA"),
    "PATCH /organisations/{public_id}": R(
        "organisation", "LL HH AH AH FH FH FH FH FH LL AA", body={"version": 1}
    ),
    "POST /organisations/{public_id}/move": R(
        "organisation", "LL HH VH HH HH HH HH HH HH LL AA", body={"new_parent": "@node"}
    ),
    "GET /organisations/{public_id}/history": R("organisation", "LL HH AH AH FH FH FH FH FH LL AA"),
    "GET /me": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "PATCH /me": R("LL AA AA AA AA AA AA AA AA LL AA", body={"preferred_language": "vi"}),
    # A donor's own bookings (decision 0057): staff personas hold no donor account (403).
    "GET /me/drives": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "GET /me/drives/{public_id}": R("drive", "LL AA AA AA AA AA AA AA AA LL AA"),
    "GET /me/bookings": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "POST /me/bookings": R(
        "drive",
        "LL FF FF FF FF FF FF FF FF LL FF",
        body={"drive": "@drive", "slot": "2030-01-01T00:00:00Z"},
    ),
    "POST /me/bookings/{public_id}/cancel": R("registration", "LL FF FF FF FF FF FF FF FF LL FF"),
    "POST /me/bookings/{public_id}/move": R(
        "registration", "LL FF FF FF FF FF FF FF FF LL FF", body={"slot": "2030-01-01T00:00:00Z"}
    ),
    "GET /me/waitlist": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "POST /me/waitlist": R(
        "drive",
        "LL FF FF FF FF FF FF FF FF LL FF",
        body={"drive": "@drive", "slot": "2030-01-01T00:00:00Z"},
    ),
    "POST /me/waitlist/{public_id}/accept": R("registration", "LL FF FF FF FF FF FF FF FF LL FF"),
    "POST /me/waitlist/{public_id}/leave": R("registration", "LL FF FF FF FF FF FF FF FF LL FF"),
    # A donor's own bookings (decision 0058): no persona here holds a donor account, so the
    # list is empty for each and any booking is hidden, the superuser's too.
    "GET /me/prescreen/bookings": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "GET /me/prescreen/{registration_id}": R("LL HH HH HH HH HH HH HH HH LL HH"),
    "PUT /me/prescreen/{registration_id}": R(
        "LL HH HH HH HH HH HH HH HH LL HH", method="PUT", body={"answers": {}}
    ),
    # The donor's own record and choices (decision 0056): a donor account only.
    "GET /me/record": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "GET /me/consents": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "POST /me/consents": R("LL FF FF FF FF FF FF FF FF LL FF", body={"purpose": "contact_sms"}),
    "POST /me/consents/withdraw": R(
        "LL FF FF FF FF FF FF FF FF LL FF", body={"purpose": "contact_sms"}
    ),
    "GET /me/export": R("LL FF FF FF FF FF FF FF FF LL FF"),
    "POST /me/erasure-request": R("LL FF FF FF FF FF FF FF FF LL FF"),
    # Signing in by code is open to everyone (a code to a new address; an unknown code is
    # refused as a bad body); claiming needs a donor account.
    "POST /me/sign-in/code": R(
        "AA AA AA AA AA AA AA AA AA AA AA", body={"address": "+84912000999"}
    ),
    "POST /me/sign-in": R(
        "VV VV VV VV VV VV VV VV VV VV VV", body={"code_id": NO_CODE, "code": "1"}
    ),
    "POST /me/claim": R(
        "LL FF FF FF FF FF FF FF FF LL FF",
        body={"number": "079099000001", "date_of_birth": "1990-01-01"},
    ),
    "POST /me/claim/code": R(
        "LL FF FF FF FF FF FF FF FF LL FF", body={"code_id": NO_CODE, "code": "1"}
    ),
    "GET /jurisdictions": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "GET /jurisdictions/{code}": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "GET /plans": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "POST /plans": R(
        "LL HH AH HH HH HH HH HH HH LL AA",
        body={
            "issuer": "@issuer",
            "number": "1/KH",
            "issued_on": "2026-12-01",
            "title": "x",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "measure": "bags",
            "total_target": 10,
        },
    ),
    "GET /plans/{public_id}": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "PATCH /plans/{public_id}": R("plan", "LL HH VH HH HH HH HH HH HH LL VV", body={"version": 1}),
    "POST /plans/{public_id}/issue": R("plan", "LL HH VH HH HH HH HH HH HH LL VV"),
    "POST /plans/{public_id}/close": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "POST /plans/{public_id}/revise": R("plan", "LL HH VH HH HH HH HH HH HH LL VV"),
    "GET /plans/{public_id}/rounds": R("plan", "LL HH AH HH HH HH HH HH HH LL AA"),
    "POST /plans/{public_id}/rounds": R(
        "plan",
        "LL HH VH HH HH HH HH HH HH LL VV",
        body={"name": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-31"},
    ),
    "GET /plans/{public_id}/targets": R(
        "plan", "LL HH AH HH HH HH HH HH HH LL AA", query={"parent": "node"}
    ),
    "PUT /plans/{public_id}/targets": R(
        "plan", "LL HH AH HH HH HH HH HH HH LL AA", body={"parent": "@node", "targets": {}}
    ),
    "GET /plans/{public_id}/progress": R(
        "plan", "LL HH AH HH HH HH HH HH HH LL AA", query={"node": "node"}
    ),
    "GET /drives": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "POST /drives": R(
        "LL HH HH VH FH FH FH FH HH LL VV",
        body={
            "establishment": "@centre",
            "hosts": [],
            "title": "x",
            "venue": "x",
            "starts_on": "2027-01-15",
            "opens_at": "07:00",
            "closes_at": "09:00",
        },
    ),
    "GET /drives/requests": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "POST /drives/requests": R(
        "LL HH AH HH HH HH HH HH HH LL AA",
        body={
            "requested_by": "@unit",
            "establishment": "@centre",
            "option_1": "2027-01-15",
            "expected_donors": 10,
            "venue": "x",
        },
    ),
    "GET /drives/requests/{public_id}": R("request", "LL HH AH AH AH AH AH AH HH LL AH"),
    "POST /drives/requests/{public_id}/accept": R(
        "request",
        "LL HH FH VH FH FH FH FH HH LL VH",
        body={"date": "2027-01-15", "opens_at": "07:00", "closes_at": "09:00"},
    ),
    "POST /drives/requests/{public_id}/decline": R(
        "request", "LL HH FH AH FH FH FH FH HH LL AH", body={"reason": "x"}
    ),
    "GET /drives/{public_id}": R("drive", "LL AA AA AA AA AA AA AA AA LL AA"),
    "PATCH /drives/{public_id}": R(
        "drive", "LL FF FF VF FF FF FF FF FF LL VV", body={"version": 1}
    ),
    "POST /drives/{public_id}/status": R(
        "drive", "LL FF FF VF FF FF FF FF FF LL VV", body={"status": "confirmed"}
    ),
    "GET /drives/{public_id}/slots": R("drive", "LL FF AA AF FF FF FF FF FF LL AA"),
    "GET /drives/{public_id}/registrations": R("drive", "LL FF AA AF FF FF FF FF FF LL AA"),
    "POST /drives/{public_id}/registrations": R(
        "drive",
        "LL FF AH FF FF FF FF FF FF LL AA",
        body={
            "slot": "@slot",
            "full_name": "王小明",
            "date_of_birth": "1995-03-03",
            "unit": "@unit",
        },
    ),
    "POST /drives/{public_id}/registrations/{registration_id}/cancel": R(
        "drive", "LL HH AH AH HH HH HH HH HH LL AA"
    ),
    "POST /eligibility/check": R(
        "LL AA AA AA AA AA AA AA AA LL AA",
        body={
            "jurisdiction": "@code",
            "on": "2026-12-01",
            "sex": "F",
            "date_of_birth": "1990-01-01",
            "donation_type": "whole_blood",
        },
    ),
    # The stations over the API (decision 0042): the station pages' answers. Nobody has
    # checked in at a demo drive, so a presentation answers 404 once the drive is allowed;
    # a scan nobody holds is refused at check-in with nothing written.
    "GET /stations/labels/{din}": R("LL HH HH AH AH AH FH FH HH LL AA"),
    "GET /stations/{public_id}/arrivals": R("drive", "LL HH FH AH AH AH FH FH HH LL AA"),
    "GET /stations/{public_id}/queue/{queue_step}": R("drive", "LL HH FH AH AH AH FH FH HH LL AA"),
    "POST /stations/{public_id}/check-in": R(
        "drive", "LL HH FH VH VH VH FH FH HH LL VV", body={"scan": "nobody"}
    ),
    "GET /stations/{public_id}/presentations/{presentation_id}": R(
        "drive", "LL HH FH HH HH HH FH FH HH LL HH"
    ),
    "POST /stations/{public_id}/presentations/{presentation_id}/answers": R(
        "drive", "LL HH FH HH HH HH FH FH HH LL HH", body={"answers": {}}
    ),
    "POST /stations/{public_id}/presentations/{presentation_id}/vitals": R(
        "drive",
        "LL HH FH HH HH HH FH FH HH LL HH",
        body={
            "weight_kg": 60,
            "temperature_c": 36.6,
            "systolic": 120,
            "diastolic": 80,
            "pulse": 70,
            "hb_g_l": 135,
        },
    ),
    "POST /stations/{public_id}/presentations/{presentation_id}/decision": R(
        "drive", "LL HH FH FH FH HH FH FH HH LL HH", body={"decision": "defer"}
    ),
    "POST /stations/{public_id}/presentations/{presentation_id}/collection": R(
        "drive",
        "LL HH FH HH HH HH FH FH HH LL HH",
        body={
            "bag_type": "triple",
            "volume_ml": 350,
            "started_at": "2026-12-01T08:00:00+07:00",
            "ended_at": "2026-12-01T08:10:00+07:00",
        },
    ),
    "POST /stations/{public_id}/presentations/{presentation_id}/post-care": R(
        "drive", "LL HH FH HH HH HH FH FH HH LL HH", body={}
    ),
    "GET /donors": R("LL FF FF AA AA AA FF FF FF LL AA"),
    "POST /donors": R("LL FF FF AA AA AA FF FF FF LL AA", body={"full_name": "x"}),
    # The station's card by one number (decision 0041): the Vietnamese donation's donor is in
    # the registry staff read; the Chinese one answers 404 like a number nobody holds. Named
    # by its DIN's kind so the Chinese staff run it against the Vietnamese number too.
    "GET /donors/lookup": R("din", "LL FF FF AH AH AH FF FF FF LL AA", query={"din": "din"}),
    "GET /donors/{public_id}": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "PATCH /donors/{public_id}": R(
        "donor", "LL HH HH AH AH AH HH HH HH LL AV", body={"version": 1}
    ),
    "GET /donors/{public_id}/documents": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "POST /donors/{public_id}/documents": R(
        "donor", "LL HH HH VH VH VH HH HH HH LL VV", body={"kind": "passport", "number": "x"}
    ),
    "GET /donors/{public_id}/consents": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "POST /donors/{public_id}/consents": R(
        "donor", "LL HH HH VH VH VH HH HH HH LL VV", body={"purpose": "x", "text_version": "1"}
    ),
    "GET /donors/{public_id}/duplicates": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "POST /donors/{public_id}/merge": R(
        "donor", "LL HH HH AH AH AH HH HH HH LL AA", body={"duplicate": "@duplicate", "reason": "x"}
    ),
    # An empty reason is refused, so the shared world is never erased by the matrix.
    "POST /donors/{public_id}/erase": R(
        "donor", "LL HH HH VH VH VH HH HH HH LL VV", body={"reason": " "}
    ),
    "GET /donors/{public_id}/export": R("donor", "LL HH HH AH AH AH HH HH HH LL AA"),
    "POST /lab/results/import": R(
        "LL HH HH VH FH FH VH FH HH LL VV",
        body={"establishment": "@centre", "file_name": "x.csv", "csv": "din"},
    ),
    # Multipart upload: an empty JSON body is refused (422) before the view, for everyone.
    "POST /lab/results/import-file": R("LL VV VV VV VV VV VV VV VV LL VV"),
    "GET /lab/samples/{din}": R("LL HH HH AH FH FH AH FH HH LL AA"),
    "POST /lab/samples/{din}/results": R("LL HH HH VH FH FH VH FH HH LL VV", body={"test": "abo"}),
    "POST /lab/results/{public_id}/verify": R("result", "LL HH HH VH FH FH VH FH HH LL VV"),
    "POST /lab/results/{public_id}/correct": R(
        "result", "LL HH HH VH FH FH VH FH HH LL VV", body={"reason": "x"}
    ),
    "POST /lab/components/{public_id}/release": R(
        "component", "LL HH HH VH FH FH VH FH HH LL VV", body={"version": 1}
    ),
    "POST /lab/holds/{public_id}/lift": R("hold", "LL HH HH VH FH FH VH FH HH LL VH"),
    "GET /stock/": R("LL HH HH AH FH FH AH AH HH LL AA", query={"establishment": "centre"}),
    "GET /stock/units/{public_id}": R("component", "LL HH HH AH FH FH AH AH HH LL AA"),
    "POST /stock/units/{public_id}/processing": R(
        "component", "LL HH HH VH FH FH FH VH HH LL VV", body={"kind": "x"}
    ),
    "GET /stock/units/{public_id}/processing": R("component", "LL HH HH AH FH FH AH AH HH LL AA"),
    "GET /distribution/orders": R("LL AA AA AA AA AA AA AA AA LL AA"),
    "POST /distribution/orders": R(
        "LL HH HH HH HH HH HH HH VH LL VV",
        body={
            "hospital": "@hospital",
            "supplier": "@centre",
            "urgency": "routine",
            "needed_by": "2027-01-15T10:00:00Z",
            "lines": [],
        },
    ),
    "GET /distribution/orders/{public_id}": R("order", "LL HH HH AH FH FH FH AH AH LL AA"),
    "POST /distribution/orders/{public_id}/allocate": R(
        "order", "LL HH HH AH FH FH FH AH FH LL AA", body={"version": 1}
    ),
    "POST /distribution/orders/{public_id}/lines/{number}/emergency-release": R(
        "order",
        "LL HH HH FH FH FH FH FH VH LL VV",
        body={"clinician": "x", "reason": "x", "version": 1},
    ),
    # The Vietnamese order used has not been shipped yet: 404 even for its supplier.
    "GET /distribution/orders/{public_id}/shipment": R("order", "LL HH HH HH FH FH FH HH HH LL HH"),
    "POST /distribution/orders/{public_id}/pick": R(
        "order", "LL HH HH VH FH FH FH VH FH LL VV", body={"din_scan": "x", "product_scan": "x"}
    ),
    "POST /distribution/orders/{public_id}/dispatch": R(
        "order", "LL HH HH VH FH FH FH VH FH LL VV", body={"packed_count": 1, "version": 1}
    ),
    "POST /distribution/orders/{public_id}/receive": R(
        "order", "LL HH HH FH FH FH FH FH VH LL VV", body={"received_count": 1}
    ),
    "POST /distribution/shipment-items/{component_id}/outcome": R(
        "LL HH HH FH FH FH FH FH VH LL VH", body={"outcome": "transfused"}
    ),
}

# The cross-country pair (decision 0030): Chinese staff knocking on the Vietnamese objects.
# A Chinese establishment administrator and a Chinese drive nurse hold every donor
# permission, but in China: every donor row answers them 404, and every other row they run
# answers what someone with no place in Vietnam gets (the outsider's answer, or 404 where
# the outsider is refused at the door with 403 because they hold the permission nowhere).
# Only the donor, trace, drive, registration and station rows run for the pair, to keep the
# module's runtime bounded; the rest of the matrix has no donor data to leak.
CROSS_COUNTRY_PERSONAS = ("cn_establishment_admin", "cn_drive_nurse")
CROSS_COUNTRY_PAGES = ("donors:", "trace:", "drives:", "stations:")
CROSS_COUNTRY_OPERATIONS = ("/donors", "/drives", "/trace", "/screening", "/stations")


# What the donor persona gets where it differs from an outsider: its own portal pages and
# /api/v1/me operations. "inside" is the donor's own record and donation (the "din" kind).
DONOR_CELLS: dict[str, str] = {
    "portal:home": "AA",
    "portal:sign_in_code": "LL",
    "portal:claim": "AA",
    "portal:password": "AA",
    "portal:claim_code": "AA",  # no claim under way: back to the claim form
    "portal:link_code": "AA",
    "portal:card": "AA",
    "portal:certificate": "AH",  # its own donation; the Chinese one is not its own
    "portal:consents": "AA",
    "portal:privacy": "AA",
    "portal:export_json": "AA",
    "portal:export_pdf": "AA",
    "portal:erasure": "AA",
    "GET /me/record": "AA",
    "GET /me/consents": "AA",
    "POST /me/consents": "AA",
    "POST /me/consents/withdraw": "VV",  # nothing given yet: nothing to withdraw
    "GET /me/export": "AA",
    "POST /me/erasure-request": "AA",
    "POST /me/claim": "VV",  # the record is claimed already
    "POST /me/claim/code": "VV",
    # Booking (decision 0057): the donor's own lists answer; the matrix's slot is not a real
    # one (refused as invalid); the matrix's registrations are other donors' (hidden).
    "portal:booking_mine": "AA",
    "portal:booking_book": "VV",
    "portal:booking_waitlist": "VV",
    "portal:booking_cancel": "HH",
    "portal:booking_move": "HH",
    "portal:booking_accept": "HH",
    "portal:booking_leave": "HH",
    "GET /me/bookings": "AA",
    "GET /me/waitlist": "AA",
    "POST /me/bookings": "VV",
    "POST /me/waitlist": "VV",
    "POST /me/bookings/{public_id}/cancel": "HH",
    "POST /me/bookings/{public_id}/move": "HH",
    "POST /me/waitlist/{public_id}/accept": "HH",
    "POST /me/waitlist/{public_id}/leave": "HH",
}


def donor_expected(key: str, row: R, side: str) -> str:
    cell = DONOR_CELLS.get(key) or row.grid.split()[COLUMNS.index("outsider")]
    return OUTCOMES[cell[SIDES.index(side)]]
