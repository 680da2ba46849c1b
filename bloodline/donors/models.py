from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Donor(models.Model):
    """A person who gives, or has registered to give, blood.

    The name is stored as written. ``affiliation`` is the unit the person belongs to (their
    enterprise, school, commune…), which is credited for their donations unless a registration
    names another mobilising organisation. Identity documents, consents and duplicate merging
    arrive with the donor-registry work; organisers can already register people by name, date
    of birth and phone, and duplicates are found on those.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    affiliation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donors",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        indexes = [
            models.Index(fields=["full_name", "date_of_birth"], name="donor_name_dob_idx"),
            models.Index(fields=["phone"], name="donor_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name
