"""The audit chain's HMAC key: from KEHU_AUDIT_KEY, never from the database.

Separate from the field-encryption keyring on purpose: whoever can rotate or read the field
keys need not be able to rewrite the audit chain, and the chain key never rotates (a new key
would need a marked switch, like the one from unkeyed to keyed events).
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kehu.core.keyconfig import generate_key_file

KEY_FILE_NAME = "audit.key"


def _generated_key(folder: Path) -> str:
    """A key generated once into the data folder (mode 0600), as the other embedded keys are."""
    key_file = folder / KEY_FILE_NAME
    generate_key_file(key_file)
    return key_file.read_text().strip()


@functools.cache
def _key(given: str, vendor: str, folder: str) -> bytes:
    if given:
        if len(given) < 32:
            raise ImproperlyConfigured("KEHU_AUDIT_KEY must be at least 32 characters long.")
        return given.encode("utf-8")
    if vendor == "postgresql":
        raise ImproperlyConfigured(
            "KEHU_AUDIT_KEY is not set: on PostgreSQL the audit chain key must be given "
            "(the same on every server), see docs/operations.md."
        )
    return _generated_key(Path(folder)).encode("utf-8")


def audit_key() -> bytes:
    return _key(settings.KEHU_AUDIT_KEY, connection.vendor, str(settings.DATA_DIR))
