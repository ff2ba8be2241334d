"""Keyed digests of identifiers: uniqueness and exact lookup without storing or comparing
the plain value (SEC-3). One key (KEHU_LOOKUP_KEY) for the whole installation.

The lookup key is separate from the field keys and does not rotate with them: `kehu keys
rotate` re-encrypts the columns, the digests (of the plain values) stay valid as they are."""

import hashlib
import hmac

from django.conf import settings

from kehu.core.crypto import Unreadable


def lookup_digest(kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value, namespaced by its kind ("id_number", "phone", …).
    A value that cannot be decrypted gets a placeholder that matches nothing and is unique
    per stored ciphertext ("!" and 63 hex digits), so saving its row neither collides nor
    makes it findable by the marker text."""
    if isinstance(value, Unreadable):
        return "!" + hashlib.sha256(value.stored.encode()).hexdigest()[:63]
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.KEHU_LOOKUP_KEY.encode(), message, hashlib.sha256).hexdigest()
