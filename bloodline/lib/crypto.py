"""Personal fields encrypted at rest, and keyed blind indexes to find them (decision 0033).

Encryption is AES-256-GCM (authenticated). Keys come from ``FIELD_ENCRYPTION_KEYS``, newest
first; each ciphertext names the key that wrote it (``enc1:<key id>:<nonce+ciphertext>``), so
older keys keep reading until ``manage.py rotate_field_keys`` has re-encrypted everything with
the newest one. The table and column are bound into each ciphertext (associated data), so a
value copied into another column does not decrypt.

A blind index is HMAC-SHA256 of the normalised value under ``BLIND_INDEX_KEY`` (a separate
key): equal values give equal digests, so an exact lookup is one indexed equality, while the
column reveals nothing without the key.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
from collections.abc import Callable
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string

_M = TypeVar("_M", bound=models.Model)

PREFIX = "enc1"
_NONCE = 12
_KEY_BYTES = 32


def new_key() -> str:
    """A fresh random key, in the form the settings take (url-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(_KEY_BYTES)).decode()


def _decode(text: str, setting: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{setting} holds a key that is not url-safe base64.") from exc
    if len(raw) != _KEY_BYTES:
        raise ImproperlyConfigured(f"{setting} keys must be 32 bytes (44 base64 characters).")
    return raw


def key_id(key: bytes) -> str:
    """A short public name for a key, written into each ciphertext."""
    return hashlib.sha256(b"bloodline-field-key:" + key).hexdigest()[:8]


class DecryptionError(ValueError):
    pass


class Keyring:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS is not set. Set it to one or more keys, newest first "
                "(generate one with: python -c 'import base64,os; "
                "print(base64.urlsafe_b64encode(os.urandom(32)).decode())')."
            )
        decoded = [_decode(k, "FIELD_ENCRYPTION_KEYS") for k in keys]
        self.by_id = {key_id(k): AESGCM(k) for k in decoded}
        self.newest_id = key_id(decoded[0])

    def encrypt(self, plain: str, context: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self.by_id[self.newest_id].encrypt(nonce, plain.encode(), context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{PREFIX}:{self.newest_id}:{body}"

    def decrypt(self, stored: str, context: str) -> str:
        _prefix, kid, body = stored.split(":", 2)
        cipher = self.by_id.get(kid)
        if cipher is None:
            raise DecryptionError(f"No key with id {kid} in FIELD_ENCRYPTION_KEYS.")
        raw = base64.urlsafe_b64decode(body)
        try:
            return cipher.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError(f"A value in {context} does not decrypt.") from exc


@functools.lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> Keyring:
    return Keyring(keys)


def keyring() -> Keyring:
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX + ":")


def key_of(stored: str) -> str:
    """The id of the key a stored value was written with ("" for plain or empty)."""
    return stored.split(":", 2)[1] if is_encrypted(stored) else ""


def encrypt(plain: str, context: str) -> str:
    """Empty stays empty: a missing phone is not a secret worth a ciphertext."""
    return keyring().encrypt(plain, context) if plain else ""


def decrypt(stored: str, context: str) -> str:
    """A value written before encryption (plain) is read as it is; the data migration and
    ``rotate_field_keys`` encrypt any such leftover."""
    if not stored or not is_encrypted(stored):
        return stored
    return keyring().decrypt(stored, context)


def blind_index(value: str, purpose: str, key: str | None = None) -> str:
    """HMAC-SHA256 of ``value`` (already normalised); "" for an empty value."""
    if not value:
        return ""
    secret = key if key is not None else settings.BLIND_INDEX_KEY
    if not secret:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is not set.")
    message = f"{purpose}\x00{value}".encode()
    # The one-shot form: the same HMAC as ``hmac.new(…).hexdigest()``, without its object.
    return hmac.digest(secret.encode(), message, "sha256").hex()


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain on the model.

    The ciphertext is random, so the column cannot be filtered on: only ``isnull`` is
    offered; look values up through their blind index.
    """

    def contribute_to_class(
        self, cls: type[models.Model], name: str, *args: Any, **kw: Any
    ) -> None:
        super().contribute_to_class(cls, name, *args, **kw)
        self.context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Any:
        return value if value is None else decrypt(value, self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or (isinstance(value, str) and is_encrypted(value)):
            return value
        return encrypt(str(value), self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


@functools.lru_cache(maxsize=32)
def _normaliser(path: str) -> Callable[[str], str]:
    """The normalising function named by a dotted path, looked up once (a bulk load digests
    thousands of values)."""
    found: Callable[[str], str] = import_string(path)
    return found


class BlindIndexField(models.CharField):
    """The blind index of another field, computed on every save and bulk create.

    ``normaliser`` is the dotted path of a function giving the one form to index.
    """

    def __init__(self, *args: Any, source: str, purpose: str, normaliser: str, **kw: Any) -> None:
        self.source, self.purpose, self.normaliser = source, purpose, normaliser
        kw.setdefault("max_length", 64)
        kw.setdefault("blank", True)
        kw.setdefault("editable", False)
        super().__init__(*args, **kw)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose, normaliser=self.normaliser)
        for default in ("max_length", "blank", "editable"):
            kwargs.pop(default, None)
        if self.max_length != 64:
            kwargs["max_length"] = self.max_length
        return name, path, args, kwargs

    def digest(self, plain: str, key: str | None = None) -> str:
        normalise: Callable[[str], str] = _normaliser(self.normaliser)
        return blind_index(normalise(plain or ""), self.purpose, key)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.digest(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


class UnindexedUpdate(TypeError):
    """A bulk ``update()`` of an encrypted field would leave its blind index stale."""


class IndexedQuerySet(models.QuerySet[_M]):
    """The queryset of a model with blind-indexed fields: ``update()`` refuses to write an
    encrypted field without its index (or an index without its field). The index is computed
    in ``pre_save``, which a bulk UPDATE never calls, so such an update would leave lookups
    finding the old value. ``bulk_update`` of both together (``rotate``, the data migration)
    passes; set ``save_instead`` to name the action a caller should use."""

    save_instead = "save() on each object"

    def update(self, **kwargs: Any) -> int:
        for field in self.model._meta.concrete_fields:
            if isinstance(field, BlindIndexField) and (
                (field.source in kwargs) != (field.attname in kwargs)
            ):
                raise UnindexedUpdate(
                    f"{self.model.__name__}.{field.source} is encrypted and found through its "
                    f"blind index {field.attname}, which update() does not recompute. "
                    f"Use {self.save_instead} instead: it writes both."
                )
        return super().update(**kwargs)


def rotate(model: type[models.Model], source: str, index: str, batch_size: int = 500) -> int:
    """Re-encrypt ``source`` with the newest key and recompute ``index`` with the current
    blind-index key, for the rows that need it, in batches. Returns how many rows changed;
    a second run changes none."""
    from django.db import connection, transaction

    newest = keyring().newest_id
    field = model._meta.get_field(index)
    assert isinstance(field, BlindIndexField)
    encrypted = model._meta.get_field(source)
    assert isinstance(encrypted, EncryptedTextField)
    column, index_column = encrypted.column, field.column
    assert column and index_column
    quote = connection.ops.quote_name
    # Names from the model's own metadata, quoted; the one value is a parameter.
    sql = (
        f"SELECT {quote('id')}, {quote(column)}, {quote(index_column)} "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} WHERE {quote('id')} > %s ORDER BY {quote('id')}"
    )
    changed, last = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql + f" LIMIT {int(batch_size)}", [last])
            rows = cursor.fetchall()
        if not rows:
            return changed
        last = rows[-1][0]
        stale = []
        for pk, stored, digest in rows:
            stored = stored or ""
            plain = decrypt(stored, encrypted.context)
            if (stored and key_of(stored) != newest) or field.digest(plain) != (digest or ""):
                stale.append(pk)
        if stale:
            with transaction.atomic():
                objects = list(model._default_manager.filter(pk__in=stale).select_for_update())
                for obj in objects:
                    setattr(obj, index, field.digest(getattr(obj, source) or ""))
                model._default_manager.bulk_update(objects, [source, index])
            changed += len(stale)
