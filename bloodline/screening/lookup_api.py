"""``GET /api/v1/donors/lookup``: the donor card a station needs, by one number (decision 0041).

Mounted under /donors before the registry's own router, so ``lookup`` is not read as a
donor's id. It lives in screening because the card carries the engine's answer.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from bloodline.lib.blood_groups import blood_group_long
from bloodline.screening import lookup
from bloodline.screening.api import ReasonOut

router = Router(tags=["donors"])


class DonationBriefOut(Schema):
    din: str
    collected_at: dt.datetime
    donation_type: str
    donation_type_label: str = Field(description="In words, in the request's language")
    volume_ml: int
    outcome: str


class DeferralBriefOut(Schema):
    code: str
    reason: str = Field(description="In words, in the request's language")
    starts_on: dt.date
    until: dt.date | None
    permanent: bool


class EligibilityOut(Schema):
    outcome: str = Field(
        description="eligible, review, deferred_temporary, deferred_permanent, or unknown "
        "(no sex or date of birth on record, or no rule set applies)"
    )
    next_eligible_on: dt.date | None = Field(
        description="Today when nothing defers the donor; the end of every dated deferral; "
        "empty when permanent, open-ended or unknown"
    )
    donation_type: str
    rule_set: str
    reasons: list[ReasonOut]


class DonorCardOut(Schema):
    uuid: UUID
    full_name: str
    date_of_birth: dt.date | None
    sex: str
    abo: str = Field(description="Confirmed by the laboratory if it has been, else declared")
    rhd: str
    blood_group: str = Field(description="In words, in the request's language")
    blood_group_confirmed: bool
    last_donations: list[DonationBriefOut]
    active_deferrals: list[DeferralBriefOut]
    eligibility: EligibilityOut


def _out(found: lookup.Card) -> DonorCardOut:
    donor = found.donor
    confirmed = bool(donor.abo_confirmed)
    abo = donor.abo_confirmed if confirmed else donor.abo_declared
    rhd = donor.rhd_confirmed if confirmed else donor.rhd_declared
    judged = found.eligibility
    return DonorCardOut(
        uuid=donor.uuid,
        full_name=donor.full_name,
        date_of_birth=donor.date_of_birth,
        sex=donor.sex,
        abo=abo,
        rhd=rhd,
        blood_group=blood_group_long(abo, rhd),
        blood_group_confirmed=confirmed,
        last_donations=[
            DonationBriefOut(
                din=d.din,
                collected_at=d.collected_at,
                donation_type=d.donation_type,
                donation_type_label=str(d.get_donation_type_display()),
                volume_ml=d.volume_ml,
                outcome=d.outcome,
            )
            for d in found.last_donations
        ],
        active_deferrals=[
            DeferralBriefOut(
                code=d.code,
                reason=d.reason_label(),
                starts_on=d.starts_on,
                until=d.until,
                permanent=d.permanent,
            )
            for d in found.active_deferrals
        ],
        eligibility=EligibilityOut(
            outcome=judged.outcome,
            next_eligible_on=judged.next_eligible_on,
            donation_type=lookup.CARD_DONATION_TYPE,
            rule_set=judged.rule_set,
            reasons=[
                ReasonOut(
                    code=r.code,
                    params=dict(r.params),
                    message=r.message,
                    source=r.source,
                    verified=r.verified,
                )
                for r in judged.reasons
            ],
        ),
    )


@router.get("/lookup", response=list[DonorCardOut])
def lookup_donor(
    request: HttpRequest,
    identity_number: str = Query("", max_length=60),
    phone: str = Query("", max_length=30),
    din: str = Query("", max_length=20),
    card: str = Query("", max_length=120),
) -> list[DonorCardOut]:
    """The card of the donor holding exactly one of: an identity document number, a phone
    number (several donors when a family shares it), a donation number (DIN, scanned or
    typed, with or without its check or flag characters) or a scanned donor card (the QR
    code's text; 422 with the reason when it expired, was replaced or is not genuine). 404
    when nobody in the registries you read holds it."""
    found = lookup.find(
        request.user,  # type: ignore[arg-type]
        identity_number=identity_number,
        phone=phone,
        din=din,
        card=card,
    )
    if not found:
        raise Http404
    return [_out(lookup.card(request.user, donor)) for donor in found]  # type: ignore[arg-type]
