from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The reserved username of the system actor (``bloodline.accounts.system``).
SYSTEM_USERNAME = "system"


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Bloodline.

    The name is stored once, as the person writes it (阮氏梅, Nguyễn Thị Mai, María José
    García), never split into first and last names. What the person may see and change comes
    from their memberships in the organisation tree, not from this record.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=language_choices
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can sign in to the configuration (admin) site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # The system actor never signs in (decision 0024): whoever holds the reserved
            # username is inactive, has no usable password and is neither staff nor superuser.
            models.CheckConstraint(
                condition=~models.Q(username=SYSTEM_USERNAME)
                | models.Q(
                    is_active=False,
                    is_staff=False,
                    is_superuser=False,
                    password__startswith=UNUSABLE_PASSWORD_PREFIX,
                ),
                name="system_actor_cannot_sign_in",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def audit_label(self) -> str:
        return self.username

    @property
    def is_system(self) -> bool:
        """The system actor (decision 0024); the constraint above makes the name enough."""
        return self.username == SYSTEM_USERNAME and not self.is_active

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username
