"""Keyed digests of identifiers: uniqueness and exact lookup without storing or comparing
the plain value (SEC-3). One key (KEHU_LOOKUP_KEY) for the whole installation."""

import hashlib
import hmac

from django.conf import settings


def lookup_digest(kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value, namespaced by its kind ("id_number", "phone", …)."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.KEHU_LOOKUP_KEY.encode(), message, hashlib.sha256).hexdigest()
