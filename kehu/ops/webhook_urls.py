"""A webhook subscriber's address: http or https only, a host, no user name or password in it
(credentials belong in the signing secret, and an address is shown in lists and logs). Shown
anywhere only as its scheme, host and path: the query may carry the receiver's key."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_URL = 1000


def check_subscriber_url(url: str) -> None:
    """Refuse (ValidationError on `url`) an address the delivery would not post to."""
    text = (url or "").strip()
    if not text:
        return  # the form's required field says so
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (a malformed port raises here)
    except ValueError:
        raise ValidationError({"url": [_("Enter a full http:// or https:// address.")]}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(text) > MAX_URL:
        raise ValidationError({"url": [_("Enter a full http:// or https:// address.")]})
    if parts.username or parts.password:
        raise ValidationError({"url": [_("The address must not contain a user name or password.")]})
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise ValidationError({"url": [_("Enter a full http:// or https:// address.")]})


def mask_subscriber_url(url: str) -> str:
    """The address as lists, forms, logs and audit events show it: no query, no fragment."""
    if not url:
        return ""
    parts = urlsplit(str(url))
    port = f":{parts.port}" if parts.port else ""
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}{query}"
