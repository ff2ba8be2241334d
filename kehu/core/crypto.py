"""Field-level encryption (SEC-3): sensitive columns hold AES-256-GCM ciphertext, never the
plain value. `EncryptedTextField` encrypts on the way into the database and decrypts on the
way out, so the rest of Kehu reads and writes plain strings; exact lookups go through a keyed
digest column beside it (`kehu.core.digest.lookup_digest`), because a random nonce makes
equal values differ in the database.

Keys: a keyring settings.KEHU_FIELD_KEYS = [(key id, secret)], the current key first (see
kehu.core.keyconfig). New writes use the current key; reads take the key named in the value.

Stored form: "kehu2:" + key id + ":" + scope + ":" + base64url(12-byte nonce | ciphertext |
tag). Scope "r" binds the row: the associated data is "<model label>.<field>|<pk>", so a
value copied into another row (or column) fails to decrypt. Scope "c" binds the column only
("<model label>.<field>"): written where the row is not known (an insert, before the
database gives the pk). A saved insert is re-bound to its row right after
(`_bind_inserted_rows`); QuerySet.update and bulk_update bind each value to its row through
the models' manager (kehu.core.rowbound); `kehu keys rotate` re-binds what is left. Reads learn
the row because the column is selected as "<pk>|<stored value>" (`RowCol`).

Every non-blank value is encrypted, whatever it looks like (no prefix ambiguity). Blank
stays blank (so `exclude(field="")` keeps working and blanks say nothing). Legacy forms are
still read: "kehu1:" (column-bound, no key id: every key of the ring is tried) and plain
text (rows written before encryption); `kehu keys rotate` rewrites both. A value that cannot
be decrypted (lost or wrong key, altered or moved ciphertext) reads as `Unreadable`, a marker
text, logged once: the rest of the row stays readable; the start-up check
(kehu.core.keychecks) refuses to start when the keys do not match the database at all."""

from __future__ import annotations

import base64
import binascii
import logging
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.db.models.expressions import Col
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from kehu.core.request_memo import REBIND

PREFIX = "kehu2:"
LEGACY_PREFIX = "kehu1:"
ROW, COLUMN = "r", "c"
_NONCE = 12

logger = logging.getLogger("kehu.crypto")


class Undecryptable(Exception):
    """The value is not ours, names an unknown key, or fails authentication."""


class Sealed(str):
    """Ciphertext made by this module, on its way to the database: stored as it is."""


class Unreadable(str):
    """The marker read in place of a value that cannot be decrypted. Saving it back keeps
    the stored ciphertext (`stored`), so a key restored later still opens it."""

    stored: str

    def __new__(cls, stored: str) -> Unreadable:
        marker = super().__new__(cls, _("(cannot be decrypted)"))
        marker.stored = stored
        return marker


def _derive(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kehu-fields-v1").derive(
        secret.encode()
    )
    return AESGCM(key)


class Keyring:
    """The AEAD objects of the configured keys, made once (key derivation is slow)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        if not pairs:
            raise ValueError("the field keyring is empty")
        self.current_id = pairs[0][0]
        self.ids = [key_id for key_id, _secret in pairs]
        self.aeads = {key_id: _derive(secret) for key_id, secret in pairs}
        self.current = self.aeads[self.current_id]


_ring: Keyring | None = None


def keyring() -> Keyring:
    global _ring
    if _ring is None:
        _ring = Keyring(list(settings.KEHU_FIELD_KEYS))
    return _ring


@receiver(setting_changed)
def _forget_keyring(setting: str, **kwargs: Any) -> None:
    global _ring
    if setting == "KEHU_FIELD_KEYS":
        _ring = None


def associated_data(context: str, row: Any = None) -> bytes:
    return (context if row is None else f"{context}|{row}").encode()


def seal(plain: str, context: str, row: Any = None, key_id: str | None = None) -> Sealed:
    """Encrypt `plain` under the current key (or `key_id`), bound to the row when given."""
    ring = keyring()
    key_id = key_id or ring.current_id
    nonce = os.urandom(_NONCE)
    sealed = ring.aeads[key_id].encrypt(nonce, plain.encode(), associated_data(context, row))
    scope = COLUMN if row is None else ROW
    body = base64.urlsafe_b64encode(nonce + sealed).decode()
    return Sealed(f"{PREFIX}{key_id}:{scope}:{body}")


# base64url → base64, for binascii in one step (base64.urlsafe_b64decode takes three, a
# noticeable share of decrypting a page of customers with their contacts).
_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _raw(body: str) -> bytes:
    try:
        return binascii.a2b_base64(body.encode("ascii").translate(_URLSAFE))
    except (binascii.Error, UnicodeEncodeError):
        raise Undecryptable("not base64") from None


def _aead_open(aead: AESGCM, raw: bytes, aad: bytes) -> str:
    try:
        return aead.decrypt(raw[:_NONCE], raw[_NONCE:], aad).decode()
    except (InvalidTag, ValueError, UnicodeDecodeError):
        raise Undecryptable("fails authentication") from None


def parse(stored: str) -> tuple[str, str, str]:
    """(key id, scope, body) of a "kehu2:" value; key id "" and scope COLUMN for "kehu1:"."""
    if stored.startswith(PREFIX):
        key_id, scope, body = [*stored[len(PREFIX) :].split(":", 2), "", ""][:3]
        if scope not in (ROW, COLUMN) or not body:
            raise Undecryptable("malformed")
        return key_id, scope, body
    if stored.startswith(LEGACY_PREFIX):
        return "", COLUMN, stored[len(LEGACY_PREFIX) :]
    raise Undecryptable("not encrypted")


def open_sealed(stored: str, context: str, row: Any = None) -> str:
    """The plain text of an encrypted value; raises Undecryptable."""
    key_id, scope, body = parse(stored)
    raw = _raw(body)
    ring = keyring()
    if scope == ROW:
        if row is None:
            raise Undecryptable("row-bound value read without its row")
        aad = associated_data(context, row)
    else:
        aad = associated_data(context)
    if key_id:
        aead = ring.aeads.get(key_id)
        if aead is None:
            raise Undecryptable(f"unknown key id {key_id!r}")
        return _aead_open(aead, raw, aad)
    for candidate in ring.aeads.values():  # legacy: no key id, try each key
        try:
            return _aead_open(candidate, raw, aad)
        except Undecryptable:
            continue
    raise Undecryptable("no configured key opens it")


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and str(stored).startswith((PREFIX, LEGACY_PREFIX))


_reported: set[tuple[str, str]] = set()


def unreadable(stored: str, context: str, row: Any, reason: str) -> Unreadable:
    """The marker for a value that cannot be decrypted, logged once per value and process."""
    where = f"{context}|{row}" if row is not None else context
    if (where, stored) not in _reported and len(_reported) < 10000:
        _reported.add((where, stored))
        logger.error("Cannot decrypt %s (%s); shown as a marker.", where, reason)
    return Unreadable(stored)


def json_item_row(pk: Any, name: str, index: int) -> str:
    """What a value kept in a {name: [value, value]} JSON column is bound to: its row, its
    key and its place, so that it cannot be moved to another row, key or place."""
    return f"{pk}/{name}/{index}"


def encrypt(plain: str, context: str, row: Any = None) -> str:
    """Encryption for values kept outside an encrypted column (JSON), bound to `row` (see
    `json_item_row`); column-bound only where no row exists."""
    if not plain:
        return plain
    return str(seal(plain, context, row=row))


def decrypt(stored: str, context: str, row: Any = None) -> str:
    """The counterpart of `encrypt` (`row` as given there; column-bound values from before
    need none): plain text kept from before encryption is returned as it is; a value that
    cannot be decrypted gives the `Unreadable` marker."""
    if not stored or not is_encrypted(stored):
        return stored
    try:
        return open_sealed(stored, context, row)
    except Undecryptable as error:
        return unreadable(stored, context, row, str(error))


class RowCol(Col):
    """The column of an encrypted field: selected as "<pk>|<stored value>" so that reading
    it knows the row its value must be bound to (only in SELECT; filters see the column)."""

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        pk = self.target.model._meta.pk
        identifiers = (self.alias, pk.column) if self.alias else (pk.column,)
        pk_sql = ".".join(map(compiler.quote_name, identifiers))
        return f"(CAST({pk_sql} AS TEXT) || '|' || {sql})", params


class EncryptedTextField(models.TextField):
    """A text column stored encrypted. Filter on its digest column, never on the field: an
    equality lookup would compare with a fresh ciphertext and find nothing."""

    @cached_property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_col(self, alias: str, output_field: Any = None) -> Col:
        if alias == self.model._meta.db_table and output_field in (None, self):
            return self.cached_col
        return RowCol(alias, self, output_field)

    @cached_property
    def cached_col(self) -> Col:
        return RowCol(self.model._meta.db_table, self)

    @cached_property
    def _row_context(self) -> str:
        return f"{self.context}|"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        """The plain value (on every read: the common case, a current value, inline)."""
        if value is None:
            return value
        row = None
        if expression.__class__ is RowCol:
            row, _bar, value = value.partition("|")
        if value.startswith(PREFIX):
            ring = _ring or keyring()
            try:
                key_id, scope, body = value[len(PREFIX) :].split(":", 2)
                raw = binascii.a2b_base64(body.encode("ascii").translate(_URLSAFE))
                if scope == ROW and row is not None:
                    aad = (self._row_context + row).encode()
                elif scope == COLUMN:
                    aad = self.context.encode()
                else:
                    raise Undecryptable("malformed or read without its row")
                return ring.aeads[key_id].decrypt(raw[:_NONCE], raw[_NONCE:], aad).decode()
            except (KeyError, ValueError, InvalidTag, binascii.Error, UnicodeError, Undecryptable):
                pass  # the general path below says why
        if value.startswith((PREFIX, LEGACY_PREFIX)):
            try:
                return open_sealed(value, self.context, row)
            except Undecryptable as error:
                return unreadable(value, self.context, row, str(error))
        return value  # blank, or plain text from before encryption

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None or value == "" or isinstance(value, Sealed | Unreadable):
            return value
        if model_instance.pk is None:
            # Bound to the column now, to the row once the insert gives the pk.
            rebind = REBIND.get(model_instance)
            if rebind is None:
                rebind = REBIND.set(model_instance, set())
            rebind.add(self.attname)
            return seal(str(value), self.context)
        return seal(str(value), self.context, row=model_instance.pk)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Unreadable):
            return value.stored
        if isinstance(value, Sealed):
            return str(value)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return str(seal(str(value), self.context))


@receiver(post_save, dispatch_uid="kehu-crypto-bind-inserted-rows")
def _bind_inserted_rows(sender: Any, instance: models.Model, using: str, **kwargs: Any) -> None:
    """Re-encrypt the values an insert wrote column-bound, now bound to the new row."""
    names = REBIND.pop(instance)
    if not names or instance.pk is None:
        return
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        plain = getattr(instance, name)
        if isinstance(field, EncryptedTextField) and plain and not isinstance(plain, Unreadable):
            values[name] = seal(str(plain), field.context, row=instance.pk)
    if values:
        type(instance)._base_manager.using(using).filter(pk=instance.pk).update(**values)
