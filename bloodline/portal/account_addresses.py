"""The address a donor types to get a code: an email address or a phone number, read into
the one form it is kept and found under (lower-case email; phone in E.164)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from bloodline.donors import phones
from bloodline.portal.account_models import CodeChannel

# The country whose national numbers a reader of each language most likely types; anyone
# else writes the number with its country code (+84…, +86…).
REGION_OF_LANGUAGE = {"vi": "VN", "zh-hans": "CN"}


def channel_of(address: str) -> str:
    return CodeChannel.EMAIL if "@" in address else CodeChannel.SMS


def index_form(address: str) -> str:
    """The form an address is indexed under (already normalised when stored)."""
    text = address.strip()
    if "@" in text:
        return text.lower()
    return phones.index_form(text)


def normalise(raw: str) -> tuple[str, str]:
    """The channel and the normalised address; ``ValidationError`` with a translated
    message when it is neither a readable phone number nor an email address."""
    text = raw.strip()
    if not text:
        raise ValidationError(_("Enter your phone number or email address."), code="empty")
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError as exc:
            raise ValidationError(
                _("This email address does not look right. Check it and try again."),
                code="email",
            ) from exc
        return CodeChannel.EMAIL, text.lower()
    region = REGION_OF_LANGUAGE.get((translation.get_language() or "").lower(), "")
    try:
        return CodeChannel.SMS, phones.normalise(text, region)
    except phones.InvalidPhone as exc:
        raise ValidationError(
            _(
                "This phone number could not be read. Write it with its country code, "
                "such as +84 912 345 678."
            ),
            code="phone",
        ) from exc
