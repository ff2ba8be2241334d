"""The audit chain's HMAC key: from KEHU_AUDIT_KEY, never from the database.

Separate from the field-encryption keyring on purpose: whoever can rotate or read the field
keys need not be able to rewrite the audit chain, and the chain key never rotates (a new key
would need a marked switch, like the one from unkeyed to keyed events).
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

KEY_FILE_NAME = "audit.key"


def _generated_key(folder: Path) -> str:
    """A key generated once into the data folder (mode 0600); of several processes starting
    at once exactly one key wins."""
    key_file = folder / KEY_FILE_NAME
    if not key_file.exists():
        temp = key_file.with_name(f".{KEY_FILE_NAME}.{os.getpid()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temp, key_file)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
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
