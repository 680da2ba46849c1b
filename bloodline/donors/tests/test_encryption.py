"""Identity numbers and phones are encrypted at rest and found through a keyed blind index;
keys rotate without losing anything (decision 0033)."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bloodline.donors import actions
from bloodline.donors.models import Donor, IdentityDocument
from bloodline.donors.search import search
from bloodline.donors.tests.conftest import ENCRYPTED_BORN
from bloodline.lib import crypto

KEY_A, KEY_B = crypto.new_key(), crypto.new_key()


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_columns_hold_ciphertext_not_the_number(person):
    donor, number = person
    document = donor.identity_documents.get()
    raw_phone = _raw("donors_donor", "phone", donor.pk)
    raw_number = _raw("donors_identitydocument", "number", document.pk)
    assert raw_phone.startswith("enc1:") and "912345678" not in raw_phone
    assert raw_number.startswith("enc1:") and number not in raw_number
    # The model reads them back plain.
    assert Donor.objects.get(pk=donor.pk).phone == "+84912345678"
    assert IdentityDocument.objects.get(pk=document.pk).number == number


def test_exact_lookups_use_the_blind_index(person):
    donor, number = person
    assert list(search(number.lower())) == [donor]
    assert list(search("+84 912 345 678")) == [donor]
    assert list(search("0912345678", region="VN")) == [donor]
    # The encrypted column itself cannot be filtered on.
    with pytest.raises(Exception, match="Unsupported lookup"):
        Donor.objects.filter(phone="+84912345678").exists()


def test_the_same_number_cannot_be_recorded_twice(person, make_donor, nurse):
    _donor, number = person
    other = make_donor(date_of_birth=ENCRYPTED_BORN, sex="M")
    with pytest.raises(Exception, match="already on record"):
        actions.add_identity_document(
            by=nurse, donor=other, kind="vn_citizen_identity_card", number=number
        )


def test_rotation_re_encrypts_with_the_newest_key_and_old_ciphertext_still_reads(make_donor):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        donor = make_donor(phone="0987 654 321")
        assert crypto.key_of(_raw("donors_donor", "phone", donor.pk)) == crypto.key_id(
            crypto._decode(KEY_A, "")
        )
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert Donor.objects.get(pk=donor.pk).phone == "+84987654321"  # A still reads
        call_command("rotate_field_keys", "--batch-size", "2", stdout=io.StringIO())
        assert crypto.key_of(_raw("donors_donor", "phone", donor.pk)) == crypto.key_id(
            crypto._decode(KEY_B, "")
        )
        # Idempotent: nothing is left to rewrite.
        assert crypto.rotate(Donor, "phone", "phone_index") == 0
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):  # A dropped
        assert Donor.objects.get(pk=donor.pk).phone == "+84987654321"
        assert list(search("+84987654321")) == [donor]


def test_blind_index_key_rotation_recomputes_the_index(person):
    donor, number = person
    with override_settings(BLIND_INDEX_KEY="a-new-blind-index-key-for-the-test"):
        assert list(search(number)) == []  # the old digests no longer match
        call_command("rotate_field_keys", stdout=io.StringIO())
        assert list(search(number)) == [donor]
        assert list(search("+84912345678")) == [donor]


def test_the_data_migration_encrypts_and_indexes_plain_values(person):
    donor, number = person
    document = donor.identity_documents.get()
    with connection.cursor() as cursor:  # as the rows stood before encryption
        cursor.execute(
            "UPDATE donors_donor SET phone = %s, phone_index = '' WHERE id = %s",
            ["0912345678", donor.pk],
        )
        cursor.execute(
            "UPDATE donors_identitydocument SET number = %s, number_index = '' WHERE id = %s",
            [number, document.pk],
        )
    migration = importlib.import_module("bloodline.donors.migrations.0004_encrypted_identity")
    migration.encrypt_existing(apps, None)
    assert _raw("donors_donor", "phone", donor.pk).startswith("enc1:")
    assert _raw("donors_identitydocument", "number", document.pk).startswith("enc1:")
    # The national form written before phones were normalised is indexed as E.164.
    assert list(search("+84912345678")) == [donor]
    assert list(search(number)) == [donor]


def test_without_keys_and_debug_off_start_up_stops_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in {"FIELD_ENCRYPTION_KEYS"}}
    env.update(DEBUG="0", SECRET_KEY="x", ALLOWED_HOSTS="127.0.0.1")
    done = subprocess.run(
        [sys.executable, "-c", "import bloodline.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must both be set" in done.stderr
