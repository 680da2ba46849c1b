"""The donor's own writes (issue 13 §1, §2, §7; decision 0056): signing up or in with a code,
claiming a donor record, linking an account at a drive, and asking for erasure. Each is one
transaction with its audit event; a refused code still commits its wrong-try count before
the refusal is passed on."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.record import record
from bloodline.donors import access as donor_access
from bloodline.donors import self_service
from bloodline.donors.actions import merge_donors
from bloodline.donors.documents import normalise_number
from bloodline.donors.erasure import erase_donor
from bloodline.donors.models import Donor, DonorAccount, IdentityDocument, number_index
from bloodline.lib.crypto import BlindIndexField
from bloodline.notifications.outbox import enqueue
from bloodline.organisations import access as organisation_access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.portal import account_addresses, account_codes
from bloodline.portal.account_codes import CodeRefused
from bloodline.portal.account_models import (
    AttemptKind,
    CodeChannel,
    CodePurpose,
    ErasureRequest,
    ErasureStatus,
    OneTimeCode,
    ResultRelease,
    SignInAddress,
)

# Stored with the merge in the trail (a reason is a stored sentence, like staff's).
CLAIM_MERGE_REASON = (
    "The donor claimed this record; the record made at their first booking joins it."
)


def _address_index(address: str) -> str:
    field = SignInAddress._meta.get_field("address_index")
    assert isinstance(field, BlindIndexField)
    return field.digest(address)


def _send(code: account_codes.Issued, *, by: User, language: str, **target: object) -> None:
    enqueue(
        "sign_in_code",
        context={"code": code.plain, "minutes": account_codes.CODE_MINUTES},
        key=f"sign_in_code:{code.code.uuid}",
        language=language,
        by=by,
        **target,  # type: ignore[arg-type]
    )


def send_sign_in_code(*, address: str, origin: str, language: str, by: User) -> OneTimeCode:
    """Send a sign-in code to ``address`` (a phone by SMS, an email address by email).
    ``ValidationError`` for an unreadable address or when the rate limit is reached."""
    channel, normal = account_addresses.normalise(address)
    digest = _address_index(normal)
    with transaction.atomic():
        account_codes.spend(AttemptKind.CODE_SENT, subject=digest, origin=origin)
        issued = account_codes.issue(
            CodePurpose.SIGN_IN, channel=channel, address=normal, address_index=digest
        )
        _send(issued, by=by, language=language, address=normal, channel=channel)
    return issued.code


def _gone() -> CodeRefused:
    return CodeRefused(_("This code has expired. Ask for a new code."), code="expired")


def sign_in_with_code(*, code_id: uuid.UUID | str, typed: str, language: str = "") -> User:
    """The person behind the code: the account that signs in with its address, made now
    (a user without a password, and their donor account) on a first sign-in."""
    refused: CodeRefused
    with transaction.atomic():
        code = (
            OneTimeCode.objects.select_for_update()
            .filter(uuid=code_id, purpose=CodePurpose.SIGN_IN)
            .first()
        )
        if code is None:
            raise _gone()
        try:
            account_codes.check(code, typed)
        except CodeRefused as exc:
            refused = exc
        else:
            return _account_for(code, language).user
    raise refused


def _account_for(code: OneTimeCode, language: str) -> DonorAccount:
    known = (
        SignInAddress.objects.select_related("account__user")
        .filter(channel=code.channel, address_index=code.address_index)
        .first()
    )
    if known is not None:
        return known.account
    user = User(
        username=f"donor-{uuid.uuid4().hex[:20]}",
        email=code.address if code.channel == CodeChannel.EMAIL else "",
        preferred_language=language,
    )
    user.set_unusable_password()
    user.save()
    account = DonorAccount.objects.create(user=user)
    SignInAddress.objects.create(
        account=account, channel=code.channel, address=code.address, verified_at=timezone.now()
    )
    record(
        by=user,
        action="donor_account.create",
        obj=account,
        changes={"channel": [None, code.channel]},
    )
    return account


def sign_in_with_password(*, address: str, password: str, origin: str) -> User:
    """The account that signs in with ``address``, when the password it set is right. Wrong
    tries are counted per address and network address; one answer whatever went wrong."""
    refused = ValidationError(
        {NON_FIELD_ERRORS: [_("This address and password do not match an account.")]}
    )
    try:
        channel, normal = account_addresses.normalise(address)
    except ValidationError as exc:
        raise refused from exc
    digest = _address_index(normal)
    account_codes.refuse_when_limited(AttemptKind.PASSWORD, subject=digest, origin=origin)
    known = (
        SignInAddress.objects.select_related("account__user")
        .filter(channel=channel, address_index=digest)
        .first()
    )
    user = known.account.user if known else None
    if user is None or not user.is_active or not user.check_password(password):
        with transaction.atomic():
            account_codes.note(AttemptKind.PASSWORD, subject=digest, origin=origin)
        raise refused
    return user


@transaction.atomic
def set_password(*, by: User, password: str) -> None:
    """The donor chooses a password (optional: codes keep working)."""
    if self_service.account_of(by) is None:
        raise PermissionDenied
    by.set_password(password)
    by.save(update_fields=["password"])
    account = self_service.account_of(by)
    assert account is not None
    record(
        by=by, action="donor_account.password_set", obj=account, changes={"password": [None, True]}
    )


# Claiming ----------------------------------------------------------------------------------


def claim_sent_message() -> str:
    """The one answer to every claim attempt that passes the rate limit: it never says
    whether the identity number exists."""
    return _(
        "If these details match a donor record, a code is on its way to the phone on that "
        "record. Type it below."
    )


def _own_account(by: User) -> DonorAccount:
    account = DonorAccount.objects.select_for_update().filter(user_id=by.pk).first()
    if account is None:
        raise PermissionDenied
    return account


def _claimable(number: str, date_of_birth: dt.date, account: DonorAccount) -> Donor | None:
    """The record these details prove, if any: a document with this number whose holder
    has this date of birth, a phone on record, is neither merged nor erased, and is not
    another account's record."""
    found = (
        IdentityDocument.objects.filter(number_index=number_index(normalise_number(number)))
        .select_related("donor")
        .first()
    )
    if found is None:
        return None
    donor = found.donor
    if donor.date_of_birth != date_of_birth or donor.is_merged or donor.is_erased:
        _refused_on(donor, account)
        return None
    if not donor.phone or DonorAccount.objects.filter(donor=donor).exclude(pk=account.pk).exists():
        _refused_on(donor, account)
        return None
    return donor


def _refused_on(donor: Donor, account: DonorAccount) -> None:
    """A claim that named this record and failed: the record's history says so."""
    record(
        by=account.user,
        action="donor.claim_refused",
        obj=donor,
        changes={"account": [None, str(account.user.uuid)]},
    )


def start_claim(
    *, by: User, number: str, date_of_birth: dt.date, origin: str, language: str
) -> OneTimeCode:
    """Check the details and send a code to the phone on the matching record. Whatever the
    outcome, a code row is made and the same answer given (a code matching nothing can never
    be right). ``ValidationError`` only when the rate limit is reached."""
    with transaction.atomic():
        account = _own_account(by)
        if account.claimed_at is not None:
            raise ValidationError(
                {NON_FIELD_ERRORS: [_("Your account is already linked to your donor record.")]}
            )
        subject = str(account.user.uuid)
        account_codes.spend(AttemptKind.CLAIM, subject=subject, origin=origin)
        donor = _claimable(number, date_of_birth, account)
        issued = account_codes.issue(
            CodePurpose.CLAIM, channel=CodeChannel.SMS, account=account, donor=donor
        )
        if donor is not None:
            _send(issued, by=by, language=language, to_donor=donor, channel=CodeChannel.SMS)
        record(
            by=by,
            action="donor_account.claim_attempt",
            obj=account,
            changes={"code": [None, str(issued.code.uuid)]},
        )
    return issued.code


def finish_claim(*, by: User, code_id: uuid.UUID | str, typed: str) -> Donor:
    """Link the account to the record the code was sent for (merging the record made at a
    first booking into it)."""
    refused: CodeRefused
    with transaction.atomic():
        account = _own_account(by)
        code = (
            OneTimeCode.objects.select_for_update()
            .filter(uuid=code_id, purpose=CodePurpose.CLAIM, account=account)
            .first()
        )
        if code is None:
            raise _gone()
        try:
            account_codes.check(code, typed)
        except CodeRefused as exc:
            refused = exc
        else:
            if code.donor is None:  # cannot happen with the right code; be safe
                raise _gone()
            return _link(account, code.donor, by=by, how="code")
    raise refused


def _link(account: DonorAccount, target: Donor, *, by: User, how: str) -> Donor:
    """Make ``target`` the account's claimed record; a different, unclaimed record the account
    had (from a first booking) is merged into it by the system actor."""
    target = Donor.objects.select_for_update().get(pk=target.pk)
    if target.is_merged or target.is_erased:
        raise _gone()
    if DonorAccount.objects.filter(donor=target).exclude(pk=account.pk).exists():
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This donor record is already linked to another account.")]}
        )
    previous = account.donor
    if account.claimed_at is not None and previous is not None and previous.pk != target.pk:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This account is already linked to another donor record.")]}
        )
    if previous is not None and previous.pk != target.pk:
        DonorAccount.objects.filter(pk=account.pk).update(donor=None)
        merge_donors(by=system_actor(), keep=target, duplicate=previous, reason=CLAIM_MERGE_REASON)
    account.donor = target
    account.claimed_at = timezone.now()
    account.save(update_fields=["donor", "claimed_at"])
    # A record that never had a language takes the one the donor signed up in, so their
    # messages are in it (before, only their country's language reached them).
    language = account.user.preferred_language
    chosen = {}
    if language and not target.preferred_language:
        Donor.objects.filter(pk=target.pk).update(preferred_language=language)
        target.preferred_language = language
        chosen = {"preferred_language": [None, language]}
    record(
        by=by,
        action="donor_account.claim",
        obj=account,
        changes={
            "donor": [str(previous.uuid) if previous else None, str(target.uuid)],
            "how": [None, how],
            **chosen,
        },
    )
    return target


def start_link(*, by: User) -> account_codes.Issued:
    """A short code the donor shows a nurse at a drive, who types it on the donor's page."""
    with transaction.atomic():
        account = _own_account(by)
        return account_codes.issue(
            CodePurpose.LINK, digits=account_codes.LINK_CODE_DIGITS, account=account
        )


def link_at_drive(*, by: User, donor: Donor, typed: str) -> DonorAccount:
    """Staff who manage ``donor`` link the account whose link code the donor shows them."""
    donor_access.require_donor(by, donor)
    with transaction.atomic():
        code = (
            OneTimeCode.objects.select_for_update()
            .filter(
                purpose=CodePurpose.LINK,
                code_hash=account_codes.link_hash("".join(typed.split())),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if code is None or code.account_id is None:
            raise ValidationError(
                {"code": [_("This code is not right or has expired. Ask the donor for a new one.")]}
            )
        OneTimeCode.objects.filter(pk=code.pk).update(used_at=timezone.now())
        account = DonorAccount.objects.select_for_update().get(pk=code.account_id)
        _link(account, donor, by=by, how="staff")
        return account


# Privacy -----------------------------------------------------------------------------------


def request_erasure(*, by: User) -> ErasureRequest:
    """The donor asks for their personal details to be erased; staff decide (it cannot be
    undone), so the request waits for them."""
    donor = self_service.donor_of(by)
    if donor is None:
        raise PermissionDenied
    with transaction.atomic():
        if donor.is_erased:
            raise ValidationError({NON_FIELD_ERRORS: [_("Your details are already erased.")]})
        try:
            with transaction.atomic():
                request = ErasureRequest.objects.create(
                    donor=donor, requested_by=by, requested_at=timezone.now()
                )
        except IntegrityError as exc:
            raise ValidationError(
                {NON_FIELD_ERRORS: [_("You have already asked for erasure; staff will answer.")]}
            ) from exc
        record(
            by=by,
            action="donor.erasure_request",
            obj=donor,
            changes={"request": [None, str(request.uuid)]},
        )
    return request


def _close_account(donor: Donor) -> None:
    """The erased donor's account keeps no address either: its sign-in addresses go, its
    email is blanked and it can no longer sign in (the record stays pseudonymised)."""
    account = DonorAccount.objects.select_related("user").filter(donor=donor).first()
    if account is None:
        return
    SignInAddress.objects.filter(account=account).delete()
    user = account.user
    user.email, user.is_active = "", False
    user.set_unusable_password()
    user.save(update_fields=["email", "is_active", "password"])


@transaction.atomic
def decide_erasure(
    *, by: User, request: ErasureRequest, erase: bool, reason: str
) -> ErasureRequest:
    """Staff who manage the donor answer a request: erase (``donors.erasure``, with the
    reason) or refuse (the reason is required too, and kept in the trail)."""
    donor_access.require_donor(by, request.donor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why, for the donor and the record.")]})
    current = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != ErasureStatus.PENDING:
        raise ValidationError({NON_FIELD_ERRORS: [_("This request was already answered.")]})
    if erase:
        erase_donor(by=by, donor=current.donor, reason=reason)
        _close_account(current.donor)
    current.status = ErasureStatus.ERASED if erase else ErasureStatus.REFUSED
    current.decided_at, current.decided_by = timezone.now(), by
    current.save(update_fields=["status", "decided_at", "decided_by"])
    record(
        by=by,
        action="donor.erasure_request_answered",
        obj=current.donor,
        changes={"request": [None, str(current.uuid)], "status": ["pending", current.status]},
        reason=reason,
    )
    return current


@transaction.atomic
def set_result_release(*, by: User, establishment: Organisation, to_donors: bool) -> bool:
    """Whether ``establishment`` shows its donors their verified test results in the portal
    (issue 13 §4): those who manage its messages to donors decide. Audited when it changes;
    returns whether it changed."""
    organisation_access.require(by, Perm.MESSAGES_MANAGE, establishment)
    if not establishment.is_establishment:
        raise PermissionDenied
    row = ResultRelease.objects.select_for_update().filter(establishment=establishment).first()
    if (row.to_donors if row else False) == to_donors:  # no row means off
        return False
    row = row or ResultRelease(establishment=establishment)
    row.to_donors = to_donors
    row.save()
    record(
        by=by,
        action="portal.result_release_set",
        obj=establishment,
        changes={"to_donors": [not to_donors, to_donors]},
    )
    return True
