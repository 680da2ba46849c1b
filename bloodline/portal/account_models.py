"""What the donor's own door keeps (issue 13 §1, §2, §7; decision 0056): the addresses a
donor signs in with, the one-time codes sent to them, the attempts that are counted for rate
limits, and the donor's requests to be erased."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bloodline.donors.models import Donor, DonorAccount
from bloodline.lib.crypto import BlindIndexField, EncryptedTextField


class CodeChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign in")
    CLAIM = "claim", _("Claim a donor record")
    LINK = "link", _("Link at a drive")


class SignInAddress(models.Model):
    """A phone number or email address a donor account signs in with, proved by a code.
    Kept encrypted and found through its blind index (decision 0033); one account per
    address."""

    account = models.ForeignKey(
        DonorAccount, on_delete=models.CASCADE, related_name="sign_in_addresses"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=CodeChannel.choices)
    address = EncryptedTextField(_("address"), max_length=254)
    address_index = BlindIndexField(
        source="address",
        purpose="sign_in_address",
        normaliser="bloodline.portal.account_addresses.index_form",
    )
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("sign-in address")
        verbose_name_plural = _("sign-in addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_index"], name="sign_in_address_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"sign-in address {self.pk}"


class OneTimeCode(models.Model):
    """A short code sent to (or shown by) a donor, kept only as a keyed hash: a sign-in code
    to a typed address, a claim code to the phone on the record being claimed, or a link code
    the donor shows a nurse at a drive. It expires, works once, and stops after a few wrong
    tries (``account_codes``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=8, choices=CodePurpose.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=CodeChannel.choices, blank=True)
    # The blind index of the address the code went to (empty for a link code).
    address = EncryptedTextField(max_length=254, blank=True)
    address_index = models.CharField(max_length=64, blank=True, db_index=True)
    code_hash = models.CharField(max_length=64)
    account = models.ForeignKey(
        DonorAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["purpose", "code_hash"], name="onetimecode_hash_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="onetimecode_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"one-time code {self.uuid}"


class AttemptKind(models.TextChoices):
    CODE_SENT = "code_sent", _("Code sent")
    CLAIM = "claim", _("Claim attempt")
    PASSWORD = "password", _("Password sign-in failed")


class Attempt(models.Model):
    """One counted try (a code asked for, a claim tried), by the blind index of the address
    or account it concerns and of the network address it came from: what the rate limits
    count. Old rows only matter inside the window."""

    kind = models.CharField(max_length=12, choices=AttemptKind.choices)
    subject = models.CharField(max_length=64)
    origin = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "subject", "at"], name="attempt_subject_idx"),
            models.Index(fields=["kind", "origin", "at"], name="attempt_origin_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ERASED = "erased", _("Erased")
    REFUSED = "refused", _("Refused")


class ErasureRequest(models.Model):
    """A donor's own request to have their personal details erased (decision 0033). Erasure
    cannot be undone, so staff decide: the request waits until someone who manages the
    registry erases the record (``donors.erasure``) or refuses with a reason."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=8, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["donor"],
                condition=Q(status="pending"),
                name="erasure_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="erasure_request_decided_paired",
            ),
        ]

    def __str__(self) -> str:
        return f"erasure request {self.uuid}"


class ResultRelease(models.Model):
    """Whether an establishment shows donors their verified test results in the portal
    (issue 13 §4). Off unless an administrator switches it on: no row means off."""

    establishment = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    to_donors = models.BooleanField(_("show test results to donors"), default=False)

    class Meta:
        verbose_name = _("release of test results to donors")
        verbose_name_plural = _("releases of test results to donors")

    def __str__(self) -> str:
        return f"result release {self.pk}"
