"""Erasing a donor's personal details while keeping donation traceability (decision 0033).

Erasure restricts and pseudonymises: the name becomes a code, the date of birth keeps only
its year, phone and address are blanked, identity numbers become codes, every consent in
force is withdrawn and the record is marked erased. Donations, DINs, results, components,
deferrals and registrations stay linked to the (now pseudonymous) record, so look-back and
recalls still find them. An erased donor is not found by searches or duplicate checks, and
no new registration, check-in or collection is taken for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors import access
from bloodline.donors.models import Consent, Donor, IdentityDocument
from bloodline.lib.locking import bump

PSEUDONYM_PREFIX = "ERASED-"


# What apps above the registry hold about a person and erase with them (pre-screening answers
# at home…), each registered from its AppConfig.ready like the tally's sources. An eraser
# runs in the erasure's transaction and returns what it did as audit changes ([old, new]).
Eraser = Callable[[Donor], Mapping[str, list[Any]]]
ERASERS: list[Eraser] = []


def register_eraser(eraser: Eraser) -> None:
    if eraser not in ERASERS:
        ERASERS.append(eraser)


def erased_message() -> str:
    return _(
        "This donor's personal details were erased. No new registration, check-in or "
        "collection can be recorded for them."
    )


def refuse_erased(donor: Donor) -> None:
    """Refuse an action for a donor whose details were erased (read from the database, so a
    stale copy cannot slip through)."""
    if Donor.objects.filter(pk=donor.pk, erased_at__isnull=False).exists():
        raise ValidationError({NON_FIELD_ERRORS: [erased_message()]})


def pseudonym(public_id: object) -> str:
    """A code standing for the person: not a word to translate, and unique."""
    return PSEUDONYM_PREFIX + str(public_id).replace("-", "")[:12].upper()


@transaction.atomic
def erase_donor(*, by: User, donor: Donor, reason: str) -> Donor:
    """Erase ``donor``'s personal details (a correction: a reason is required).

    No legal hold exists in Bloodline yet; an open look-back does not block erasure because
    the links it follows are kept.
    """
    access.require_manage(by)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why this donor's details are erased.")]})
    current = Donor.objects.select_for_update().get(pk=donor.pk)
    if current.merged_into_id is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("Erase the record this one was merged into.")]})
    if current.erased_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This donor's details are already erased.")]})
    now = timezone.now()
    current.full_name = pseudonym(current.uuid)
    if current.date_of_birth is not None:  # the year stays, for age-band statistics
        current.date_of_birth = dt.date(current.date_of_birth.year, 1, 1)
    current.phone = ""
    current.address = ""
    current.preferred_language = ""
    current.erased_at = now
    bump(current)
    current.save()
    documents = list(IdentityDocument.objects.select_for_update().filter(donor=current))
    for document in documents:
        document.number = pseudonym(document.uuid)
        document.save(update_fields=["number", "number_index"])
    withdrawn = list(
        Consent.objects.filter(donor=current, withdrawn_at__isnull=True).order_by("pk")
    )
    Consent.objects.filter(pk__in=[c.pk for c in withdrawn]).update(withdrawn_at=now)
    elsewhere: dict[str, list[Any]] = {}
    for eraser in ERASERS:
        elsewhere.update(eraser(current))
    record(
        by=by,
        action="donor.erased",
        obj=current,
        changes={
            "erased": [False, True],
            "identity_documents": [None, [str(d.uuid) for d in documents]],
            "consents_withdrawn": [None, [str(c.uuid) for c in withdrawn]],
            **elsewhere,
        },
        reason=reason.strip(),
        correction=True,
    )
    return current
