"""The donor registry: people, their identity documents and their consents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bloodline.donors.names import name_key
from bloodline.lib.blood_groups import blood_group_long
from bloodline.lib.crypto import BlindIndexField, EncryptedTextField, IndexedQuerySet
from bloodline.lib.locking import Versioned


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ABO(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"  # noqa: E741 - the blood group's name


class RhD(models.TextChoices):
    POSITIVE = "pos", _("RhD positive")
    NEGATIVE = "neg", _("RhD negative")


class DonorQuerySet(IndexedQuerySet["Donor"]):
    # A bulk update() may not change the phone: its blind index would go stale (decision 0033).
    save_instead = "donors.actions.update_donor (or Donor.save())"

    def active(self) -> DonorQuerySet:
        """Donors that are not duplicates merged into another record."""
        return self.filter(merged_into__isnull=True)


class Donor(Versioned):
    """A person who gives, or has registered to give, blood.

    The name is stored as written; ``name_key`` is the same name without case, accents or
    spaces, for searching and for spotting duplicates. ``affiliation`` is the unit the person
    belongs to (their enterprise, school, commune…), which is credited for their donations
    unless a registration names another mobilising organisation. The blood group the person
    declares is kept apart from the one the laboratory confirmed. A duplicate record merged
    into another is never deleted: it points to the record kept (``merged_into``) and drops out
    of searches. ``version`` guards edits made at the same time by two people.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    # Encrypted at rest; found through ``phone_index``, the blind index of its E.164 form.
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(
        source="phone", purpose="phone", normaliser="bloodline.donors.phones.index_form"
    )
    address = models.TextField(_("address"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    affiliation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donors",
    )
    # The registry the person belongs to: the area at the registry's extent (a country for a
    # national registry, decision 0030) above the unit or establishment that registered them.
    registry = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("registry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_donors",
    )
    abo_declared = models.CharField(
        _("ABO group (declared)"), max_length=2, choices=ABO.choices, blank=True
    )
    rhd_declared = models.CharField(
        _("RhD (declared)"), max_length=3, choices=RhD.choices, blank=True
    )
    abo_confirmed = models.CharField(
        _("ABO group (confirmed)"), max_length=2, choices=ABO.choices, blank=True
    )
    rhd_confirmed = models.CharField(
        _("RhD (confirmed)"), max_length=3, choices=RhD.choices, blank=True
    )
    confirmed_at = models.DateTimeField(_("blood group confirmed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    # Erasure (decision 0033): personal details pseudonymised, consents withdrawn, no new
    # registration or collection; donations and results stay linked for look-back.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    # The digital donor card in force (decision 0054): 0 before the first card; each issue
    # counts one up, so every card printed before it stops working.
    card_generation = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DonorQuerySet.as_manager()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        indexes = [
            models.Index(fields=["full_name", "date_of_birth"], name="donor_name_dob_idx"),
            models.Index(fields=["phone_index"], name="donor_phone_index_idx"),
            models.Index(fields=["date_of_birth"], name="donor_dob_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(abo_confirmed="", rhd_confirmed="", confirmed_at__isnull=True)
                    | (~Q(abo_confirmed="") & ~Q(rhd_confirmed="") & Q(confirmed_at__isnull=False))
                ),
                name="donor_confirmed_group_paired",
                violation_error_message=_(
                    "A confirmed blood group needs its ABO group, RhD and date together."
                ),
            ),
            models.CheckConstraint(
                condition=Q(abo_declared__in=["", *ABO.values])
                & Q(abo_confirmed__in=["", *ABO.values])
                & Q(rhd_declared__in=["", *RhD.values])
                & Q(rhd_confirmed__in=["", *RhD.values]),
                name="donor_blood_group_values",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="donor_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def audit_label(self) -> str:
        """Nothing personal is copied into the trail; the id says who (decision 0028)."""
        return ""

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = name_key(self.full_name)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = update_fields = {*update_fields, "name_key"}  # type: ignore[misc]
        if update_fields is not None and "phone" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "phone_index"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def blood_group_declared(self) -> str:
        return blood_group_long(self.abo_declared, self.rhd_declared)

    def blood_group_confirmed(self) -> str:
        return blood_group_long(self.abo_confirmed, self.rhd_confirmed)


class DocumentKind(models.TextChoices):
    CN_RESIDENT_IDENTITY_CARD = "cn_resident_identity_card", _("Chinese resident identity card")
    VN_CITIZEN_IDENTITY_CARD = "vn_citizen_identity_card", _("Vietnamese citizen identity card")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other identity document")


# National documents are issued by one country; the others say which country issued them.
NATIONAL_COUNTRY = {
    DocumentKind.CN_RESIDENT_IDENTITY_CARD: "CN",
    DocumentKind.VN_CITIZEN_IDENTITY_CARD: "VN",
}


class IdentityDocumentQuerySet(IndexedQuerySet["IdentityDocument"]):
    # A bulk update() may not change the number: its blind index would go stale (decision 0033).
    save_instead = "donors.actions.add_identity_document (or IdentityDocument.save())"


class IdentityDocument(models.Model):
    """An identity document a donor showed: its kind, number and issuing country.

    The number is kept in one form (capitals, no spaces), so the same document can never be
    entered twice, for the same person or for another one.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="identity_documents")
    kind = models.CharField(_("kind of document"), max_length=32, choices=DocumentKind.choices)
    # Encrypted at rest; found and kept unique through ``number_index`` (decision 0033).
    number = EncryptedTextField(_("document number"), max_length=40)
    number_index = BlindIndexField(
        source="number",
        purpose="identity_number",
        normaliser="bloodline.donors.documents.normalise_number",
    )
    issuing_country = models.CharField(_("issuing country"), max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = IdentityDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        indexes = [
            # A lookup by number alone (any kind of document): the unique constraint's index
            # leads with ``kind`` and cannot bound it (decision 0041).
            models.Index(fields=["number_index"], name="identity_document_number_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number_index"],
                name="identity_document_unique_number",
                violation_error_message=_("This document is already on record."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.issuing_country})"


class DonorAccount(models.Model):
    """A person who signs in as a donor (issue 13), and the donor record they act as.

    ``donor`` is empty until the person books a first drive (a new, unclaimed record is made
    for them then) or claims their record; ``claimed_at`` says the record was proved theirs
    (identity number, date of birth and a code sent to the phone on record, or by staff at a
    drive). A donor account holds no role in the organisation tree: everything it reaches goes
    through ``donors.self_service``, which only ever returns the account's own record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="donor_account"
    )
    donor = models.OneToOneField(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("donor account")
        verbose_name_plural = _("donor accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed_at__isnull=True) | Q(donor__isnull=False),
                name="donor_account_claims_a_record",
            ),
        ]

    def __str__(self) -> str:
        return f"donor account {self.pk}"


class ConsentPurpose(models.TextChoices):
    DONATION = "donation", _("Blood donation")
    CONTACT_SMS = "contact_sms", _("Contact by text message")
    CONTACT_CALL = "contact_call", _("Contact by telephone call")
    CONTACT_EMAIL = "contact_email", _("Contact by email")
    CONTACT_ZALO = "contact_zalo", _("Contact on Zalo")
    CONTACT_WECHAT = "contact_wechat", _("Contact on WeChat")
    RESEARCH = "research", _("Research use")


class Consent(models.Model):
    """A donor's consent to one purpose, under one version of the consent text.

    Consents are versioned, never edited or deleted: a new version for the same purpose ends
    the one before it (``withdrawn_at`` and ``superseded_by``), and a withdrawal only sets
    ``withdrawn_at``. At most one consent per purpose is in force at a time.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    text_version = models.CharField(_("version of the consent text"), max_length=40)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["purpose", "-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["donor", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_in_force_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(withdrawn_at__isnull=False),
                name="consent_superseded_is_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.text_version})"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


def phone_index(phone: str) -> str:
    """The blind index a phone is found by (any written form that reads as E.164)."""
    field = Donor._meta.get_field("phone_index")
    assert isinstance(field, BlindIndexField)
    return field.digest(phone)


def number_index(number: str) -> str:
    """The blind index an identity document number is found by."""
    field = IdentityDocument._meta.get_field("number_index")
    assert isinstance(field, BlindIndexField)
    return field.digest(number)
