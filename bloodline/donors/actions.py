"""Writes to the donor registry. Each is one transaction with its audit event.

Audit events carry public ids and the names of the fields that changed, never people's
names, numbers or health details: the trail is read by more people than the registry.
Actions check the registry permission themselves, so no caller can skip it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import diff, record, snapshot
from bloodline.donors import access, phones, self_service
from bloodline.donors.documents import check_document, normalise_number
from bloodline.donors.duplicates import Candidate, find_candidates
from bloodline.donors.models import (
    ABO,
    NATIONAL_COUNTRY,
    Consent,
    ConsentPurpose,
    DocumentKind,
    Donor,
    IdentityDocument,
    RhD,
    Sex,
    number_index,
)
from bloodline.lib import national_ids
from bloodline.lib.locking import bump, bumped, check_version
from bloodline.organisations.models import Organisation

NAME_MAX = 200
Errors = dict[str, list[str]]
# Personal and health details: the trail says that they changed, not what they were.
PRIVATE_FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "phone",
    "address",
    "abo_declared",
    "rhd_declared",
)
EDITABLE_FIELDS = frozenset({*PRIVATE_FIELDS, "preferred_language", "affiliation"})


class PossibleDuplicate(ValidationError):
    """The person may already be on record; saving needs a confirmation that they are not."""

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__(
            {
                "confirmed_distinct": [
                    _(
                        "This person may already be on record. Check the people listed; save "
                        "only if this is a different person."
                    )
                ]
            },
            code="duplicate",
        )
        self.candidates = candidates


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _clean_person(values: dict[str, Any], region: str, errors: Errors) -> None:
    """Normalise ``values`` in place and collect each problem at its field."""
    for name in ("full_name", "phone", "sex", "preferred_language", "abo_declared", "rhd_declared"):
        if name in values:
            values[name] = " ".join(str(values[name] or "").split())
    if "address" in values:
        values["address"] = str(values["address"] or "").strip()
    if "full_name" in values:
        if not values["full_name"]:
            _add(errors, "full_name", _("Enter the person's full name."))
        elif len(values["full_name"]) > NAME_MAX:
            _add(errors, "full_name", _("Enter at most %(n)s characters.") % {"n": NAME_MAX})
    born = values.get("date_of_birth")
    if born is not None and born > timezone.localdate():
        _add(errors, "date_of_birth", _("The date of birth is in the future."))
    if values.get("sex") and values["sex"].upper() not in Sex.values:
        _add(errors, "sex", _("Choose the sex from the list."))
    elif "sex" in values:
        values["sex"] = values["sex"].upper()
    if values.get("abo_declared") and values["abo_declared"] not in ABO.values:
        _add(errors, "abo_declared", _("Choose the ABO group from the list."))
    if values.get("rhd_declared") and values["rhd_declared"] not in RhD.values:
        _add(errors, "rhd_declared", _("Choose the RhD type from the list."))
    language = values.get("preferred_language")
    if language and language not in dict(settings.LANGUAGES):
        _add(errors, "preferred_language", _("Choose a language from the list."))
    if values.get("phone"):
        try:
            values["phone"] = phones.normalise(values["phone"], region)
        except phones.InvalidPhone:
            _add(errors, "phone", phone_message(region))


def phone_message(region: str) -> str:
    if region in phones.REGIONS:
        return _(
            "This phone number cannot be read. Write a national number such as 0912 345 678, "
            "or an international one starting with + and the country code."
        )
    return _("Write the phone number with + and the country code, such as +84 912 345 678.")


def _check_against_documents(donor: Donor, errors: Errors) -> None:
    """A changed date of birth or sex must still match the national identity numbers."""
    for document in donor.identity_documents.filter(kind__in=list(NATIONAL_COUNTRY)):
        facts = national_ids.read(document.kind, document.number)
        for problem in national_ids.check_consistent(facts, donor.date_of_birth, ""):
            _add(errors, "date_of_birth", problem)
        for problem in national_ids.check_consistent(facts, None, donor.sex):
            _add(errors, "sex", problem)


def _public(value: Any) -> Any:
    if isinstance(value, Organisation):
        return str(value.uuid)
    return value


@transaction.atomic
def create_donor(
    *,
    by: User,
    full_name: str,
    date_of_birth: dt.date | None,
    sex: str = "",
    phone: str = "",
    address: str = "",
    preferred_language: str = "",
    abo_declared: str = "",
    rhd_declared: str = "",
    affiliation: Organisation | None = None,
    region: str = "",
    confirmed_distinct: bool = False,
) -> Donor:
    """Add a person to the registry, unless they may already be on record and the caller has
    not confirmed that this is a different person (``PossibleDuplicate`` lists who)."""
    access.require_manage(by)
    values: dict[str, Any] = {
        "full_name": full_name,
        "date_of_birth": date_of_birth,
        "sex": sex,
        "phone": phone,
        "address": address,
        "preferred_language": preferred_language,
        "abo_declared": abo_declared,
        "rhd_declared": rhd_declared,
    }
    errors: Errors = {}
    _clean_person(values, region, errors)
    if errors:
        raise ValidationError(errors)
    # The registry is the one of the person's unit, else of where the registrar works.
    registry = access.registry_for(affiliation) or access.registry_of_user(by)
    candidates = find_candidates(
        full_name=values["full_name"],
        date_of_birth=date_of_birth,
        phone=values["phone"],
        registry=registry,
    )
    if candidates and not confirmed_distinct:
        raise PossibleDuplicate(candidates)
    donor = Donor.objects.create(affiliation=affiliation, registry=registry, **values)
    changes: dict[str, Any] = {
        "affiliation": [None, _public(affiliation)],
        "fields": [None, sorted(k for k in PRIVATE_FIELDS if values.get(k))],
    }
    if candidates:
        changes["confirmed_distinct_from"] = [None, [str(c.donor.uuid) for c in candidates]]
    record(by=by, action="donor.create", obj=donor, changes=changes)
    return donor


def _locked(donor: Donor) -> Donor:
    return Donor.objects.select_for_update().get(pk=donor.pk)


def refuse_closed(donor: Donor) -> None:
    """Refuse a write to an erased record or to a duplicate merged into another one."""
    if donor.erased_at is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("This donor's personal details were erased; the record cannot change.")
                ]
            }
        )
    if donor.merged_into_id is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "This record was merged into another one and is kept only for the "
                        "history; change the record it was merged into."
                    )
                ]
            }
        )


@transaction.atomic
def update_donor(
    *,
    by: User,
    donor: Donor,
    version: int,
    changes: Mapping[str, Any],
    region: str = "",
    confirmed_distinct: bool = False,
    reason: str = "",
) -> Donor:
    """Change a donor's details, refusing if someone else saved the record meanwhile."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    access.require_donor(by, donor)
    current = _locked(donor)
    refuse_closed(current)
    check_version(current, version)
    values = dict(changes)
    errors: Errors = {}
    _clean_person(values, region, errors)
    if errors:
        raise ValidationError(errors)
    changed = [k for k, v in values.items() if getattr(current, k) != v]
    if not changed:
        return current
    before = snapshot(current, changed)
    for name in changed:
        setattr(current, name, values[name])
    _check_against_documents(current, errors)
    if errors:
        raise ValidationError(errors)
    if {"full_name", "date_of_birth", "phone"} & set(changed) and not confirmed_distinct:
        candidates = find_candidates(
            full_name=current.full_name,
            date_of_birth=current.date_of_birth,
            phone=current.phone,
            exclude=current,
            registry=current.registry,
        )
        if candidates:
            raise PossibleDuplicate(candidates)
    bump(current)
    current.save()
    # Old → new for every changed field; record() masks the phone and address (decision 0032).
    trail: dict[str, Any] = {"version": [version, current.version]}
    after = snapshot(current, changed)
    trail.update(diff(before, after))
    record(by=by, action="donor.update", obj=current, changes=trail, reason=reason)
    return current


@transaction.atomic
def add_identity_document(
    *, by: User, donor: Donor, kind: str, number: str, issuing_country: str = ""
) -> IdentityDocument:
    """Record an identity document the donor showed, after checking its number against the
    donor's date of birth and sex. The same document can never be on record twice."""
    access.require_donor(by, donor)
    current = _locked(donor)
    refuse_closed(current)
    number = normalise_number(number)
    country = issuing_country.strip().upper()
    if not country and kind in NATIONAL_COUNTRY:
        country = NATIONAL_COUNTRY[DocumentKind(kind)]
    errors = check_document(kind, number, country, current.date_of_birth, current.sex)
    if errors:
        raise ValidationError(errors)
    taken = _("This document is already on record.")
    if IdentityDocument.objects.filter(kind=kind, number_index=number_index(number)).exists():
        raise ValidationError({"number": [taken]})
    try:
        with transaction.atomic():
            document = IdentityDocument.objects.create(
                donor=current, kind=kind, number=number, issuing_country=country, created_by=by
            )
    except IntegrityError as exc:  # entered at the same moment elsewhere
        raise ValidationError({"number": [taken]}) from exc
    record(
        by=by,
        action="donor.identity_document.add",
        obj=current,
        changes={"identity_document": [None, str(document.uuid)], "kind": [None, kind]},
    )
    return document


def _require_manager_or_self(by: User, donor: Donor) -> None:
    """Consents are given and withdrawn by registry staff for the donor, or by the donor
    themself through the portal (issue 13 §1; ``self_service``)."""
    if not self_service.is_self(by, donor):
        access.require_donor(by, donor)


@transaction.atomic
def record_consent(
    *,
    by: User,
    donor: Donor,
    purpose: str,
    text_version: str,
    given_at: dt.datetime | None = None,
) -> Consent:
    """Record the donor's consent to ``purpose`` under ``text_version`` of its text. A consent
    already in force for the purpose is ended, not changed: the history keeps both."""
    _require_manager_or_self(by, donor)
    current = _locked(donor)
    refuse_closed(current)
    text_version = text_version.strip()
    errors: Errors = {}
    if purpose not in ConsentPurpose.values:
        _add(errors, "purpose", _("Choose a purpose from the list."))
    if not text_version:
        _add(errors, "text_version", _("Enter the version of the consent text the donor read."))
    elif len(text_version) > 40:
        _add(errors, "text_version", _("Enter at most %(n)s characters.") % {"n": 40})
    now = timezone.now()
    given_at = given_at or now
    if given_at > now:
        _add(errors, "given_at", _("The consent cannot be given in the future."))
    if errors:
        raise ValidationError(errors)
    previous = (
        Consent.objects.select_for_update()
        .filter(donor=current, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if previous is not None:
        Consent.objects.filter(pk=previous.pk).update(withdrawn_at=max(now, previous.given_at))
    consent = Consent.objects.create(
        donor=current,
        purpose=purpose,
        text_version=text_version,
        given_at=given_at,
        recorded_by=by,
    )
    if previous is not None:
        Consent.objects.filter(pk=previous.pk).update(superseded_by=consent)
    record(
        by=by,
        action="donor.consent.give",
        obj=current,
        changes={
            "consent": [None, str(consent.uuid)],
            "purpose": [None, purpose],
            "text_version": [previous.text_version if previous else None, text_version],
            "superseded": [None, str(previous.uuid) if previous else None],
        },
    )
    return consent


@transaction.atomic
def withdraw_consent(*, by: User, consent: Consent, reason: str = "") -> Consent:
    """The donor withdraws a consent. It is ended, never deleted."""
    _require_manager_or_self(by, consent.donor)
    now = timezone.now()
    ended = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    if not ended:
        raise ValidationError({NON_FIELD_ERRORS: [_("This consent is no longer in force.")]})
    consent.refresh_from_db()
    record(
        by=by,
        action="donor.consent.withdraw",
        obj=consent.donor,
        changes={
            "consent": [str(consent.uuid), None],
            "purpose": [consent.purpose, consent.purpose],
        },
        reason=reason,
    )
    return consent


# Merging ------------------------------------------------------------------------------------


def _donor_links() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) pointing at a donor: identity documents and consents here, and
    registrations, presentations, deferrals and donations in the apps above this one, without
    importing them."""
    return [
        (rel.related_model, rel.field.name)  # type: ignore[misc]
        for rel in Donor._meta.related_objects
        if rel.one_to_many and rel.related_model is not None
    ]


def _once_per_person_clashes(keep: Donor, duplicate: Donor) -> list[str]:
    """Records that may exist once per person and per something (a registration per drive, a
    presentation per drive): both donors having one for the same thing blocks the merge."""
    problems = []
    for model, field in _donor_links():
        if model is Consent:
            continue  # consents are ended by version instead, see _end_overlapping_consents
        for constraint in model._meta.constraints:
            if not isinstance(constraint, models.UniqueConstraint):
                continue
            fields = list(constraint.fields)
            if field not in fields or len(fields) < 2:
                continue
            others = [f for f in fields if f != field]
            rows = model._default_manager.all()
            if constraint.condition is not None:
                rows = rows.filter(constraint.condition)
            mine = set(rows.filter(**{field: keep}).values_list(*others))
            theirs = set(rows.filter(**{field: duplicate}).values_list(*others))
            if mine & theirs:
                problems.append(_clash_message(model, others))
    return problems


def _clash_message(model: type[models.Model], others: list[str]) -> str:
    if model._meta.label == "drives.Registration":
        return _(
            "Both records are registered for the same drive. Cancel one of the two "
            "registrations before merging."
        )
    return _(
        "Both records have a %(record)s for the same %(field)s, which can exist only once per "
        "person. Correct one of them before merging."
    ) % {
        "record": model._meta.verbose_name,
        "field": model._meta.get_field(others[0]).verbose_name,  # type: ignore[union-attr]
    }


def _end_overlapping_consents(keep: Donor, duplicate: Donor, now: dt.datetime) -> list[str]:
    """Where both records have a consent in force for a purpose, the older one is ended and
    superseded by the newer, as if the newer had been recorded after it."""
    ended = []
    in_force = Consent.objects.select_for_update().filter(
        donor__in=[keep, duplicate], withdrawn_at__isnull=True
    )
    by_purpose: dict[str, list[Consent]] = {}
    for consent in in_force.order_by("given_at", "pk"):
        by_purpose.setdefault(consent.purpose, []).append(consent)
    for consents in by_purpose.values():
        newest = consents[-1]
        for older in consents[:-1]:
            Consent.objects.filter(pk=older.pk).update(
                withdrawn_at=max(now, older.given_at), superseded_by=newest
            )
            ended.append(str(older.uuid))
    return ended


def _check_merge(keep: Donor, duplicate: Donor, reason: str) -> None:
    errors: Errors = {}
    if not reason.strip():
        _add(errors, "reason", _("Say why these two records are the same person."))
    if keep.pk == duplicate.pk:
        _add(errors, "duplicate", _("A record cannot be merged into itself."))
    elif keep.merged_into_id is not None:
        _add(errors, "keep", _("The record to keep was itself merged into another one."))
    elif duplicate.merged_into_id is not None:
        _add(errors, "duplicate", _("This record was already merged into another one."))
    if errors:
        raise ValidationError(errors)
    clashes = _once_per_person_clashes(keep, duplicate)
    if clashes:
        raise ValidationError({NON_FIELD_ERRORS: clashes})


def _move(model: type[models.Model], field: str, duplicate: Donor, keep: Donor) -> list[str]:
    rows = model._default_manager.filter(**{field: duplicate})
    has_uuid = any(f.name == "uuid" for f in model._meta.get_fields())
    moved = [str(u) for u in rows.values_list("uuid", flat=True)] if has_uuid else []
    count = rows.update(**{field: keep})
    return moved or ([str(count)] if count else [])


@transaction.atomic
def merge_donors(*, by: User, keep: Donor, duplicate: Donor, reason: str) -> Donor:
    """Fold ``duplicate`` into ``keep``: its documents, consents, registrations, presentations,
    deferrals and donations move to ``keep``; the duplicate stays, pointing at ``keep``, so
    every reference to it can still be followed."""
    access.require_donor(by, keep)
    access.require_donor(by, duplicate)
    locked = {
        d.pk: d
        for d in Donor.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    _check_merge(keep, duplicate, reason)
    now = timezone.now()
    trail: dict[str, Any] = {"merged": [None, str(duplicate.uuid)]}
    ended = _end_overlapping_consents(keep, duplicate, now)
    if ended:
        trail["consents_superseded"] = [None, ended]
    # Progress keeps first-time flags and distinct donors (decisions 0039, 0052): collection
    # sits above donors, so it is reached through the app registry.
    donations = apps.get_model("collection", "Donation").objects
    before = donations.donors_changing([keep.pk, duplicate.pk])
    for model, field in _donor_links():
        moved = _move(model, field, duplicate, keep)
        if moved:
            trail[model._meta.label_lower] = [None, moved]
    Donor.objects.filter(pk=duplicate.pk).update(merged_into=keep, version=bumped())
    # The keeper's first donation may now be the duplicate's; both count once as donors.
    donations.donors_changed([keep.pk, duplicate.pk], before=before)
    Donor.objects.filter(pk=keep.pk).update(version=bumped())
    record(by=by, action="donor.merge", obj=keep, changes=trail, reason=reason, correction=True)
    record(
        by=by,
        action="donor.merged_into",
        obj=duplicate,
        changes={"merged_into": [None, str(keep.uuid)]},
        reason=reason,
        correction=True,
    )
    keep.refresh_from_db()
    return keep
