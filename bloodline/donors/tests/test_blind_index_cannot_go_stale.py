"""A bulk ``update()`` cannot change an encrypted phone or identity number behind its blind
index's back (decision 0033): the index is computed on save, so such an update would leave
searches and duplicate checks finding the old value. It is refused with the way to do it;
other fields still update in bulk, and key rotation (which writes both) still works."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from bloodline.donors.models import Donor, IdentityDocument
from bloodline.donors.search import search
from bloodline.donors.tests.conftest import ENCRYPTED_BORN, vn_number
from bloodline.lib import crypto
from bloodline.lib.crypto import UnindexedUpdate


def test_a_bulk_update_of_a_phone_is_refused_and_names_the_action(person):
    donor, _number = person
    with pytest.raises(UnindexedUpdate) as refused:
        Donor.objects.filter(pk=donor.pk).update(phone="+84912999888")
    message = str(refused.value)
    assert "Donor.phone" in message and "phone_index" in message
    assert "donors.actions.update_donor" in message
    assert Donor.objects.get(pk=donor.pk).phone == "+84912345678"
    assert list(search("+84 912 345 678")) == [donor]


def test_a_bulk_update_of_the_index_alone_is_refused(person):
    donor, _number = person
    with pytest.raises(UnindexedUpdate):
        Donor.objects.filter(pk=donor.pk).update(phone_index="")
    assert list(search("+84 912 345 678")) == [donor]


def test_a_bulk_update_of_an_identity_number_is_refused_through_any_manager(person):
    donor, number = person
    other = vn_number(ENCRYPTED_BORN, "M", tail="777002")
    for rows in (IdentityDocument.objects.filter(donor=donor), donor.identity_documents.all()):
        with pytest.raises(UnindexedUpdate, match="add_identity_document"):
            rows.update(number=other)
    assert donor.identity_documents.get().number == number
    assert list(search(number)) == [donor]
    assert list(search(other)) == []


def test_other_fields_still_update_in_bulk(person):
    donor, _number = person
    assert Donor.objects.filter(pk=donor.pk).update(address="12 Phố Huế") == 1
    assert IdentityDocument.objects.filter(donor=donor).update(issuing_country="VN") == 1


def test_saving_a_new_phone_keeps_the_index_current(person):
    donor, _number = person
    donor.phone = "+84912999888"
    donor.save(update_fields=["phone"])
    assert list(search("+84 912 999 888")) == [donor]
    assert list(search("+84 912 345 678")) == []


def test_key_rotation_still_rewrites_both_together(person):
    donor, number = person
    with override_settings(FIELD_ENCRYPTION_KEYS=[crypto.new_key(), *_current_keys()]):
        call_command("rotate_field_keys", stdout=io.StringIO())
        assert crypto.rotate(Donor, "phone", "phone_index") == 0
        assert list(search(number)) == [donor]
        assert list(search("+84 912 345 678")) == [donor]


def _current_keys() -> list[str]:
    from django.conf import settings

    return list(settings.FIELD_ENCRYPTION_KEYS)
