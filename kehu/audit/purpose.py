"""The purpose of use of personal data, declared once per session and carried by every read
event of the session (kehu.audit.context.Purpose); an API request names it in a header."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.context import UNDECLARED, Purpose, current_actor
from kehu.audit.services import record

PURPOSES = [
    ("verification", gettext_lazy("Identity verification")),
    ("contact", gettext_lazy("Contacting the customer")),
    ("settlement", gettext_lazy("Payment or settlement")),
    ("review", gettext_lazy("Review or audit")),
    ("other", gettext_lazy("Other")),
]

SESSION_KEY = "kehu_purpose"
HEADER = "X-Kehu-Purpose"
NOTE_LENGTH = 200
# Reads through these paths ask for a purpose first: a single record's page or edit form.
# Lists and the card's panels record the read with "undeclared" instead, so daily work
# (searching, browsing) is never interrupted.
ASKING_VIAS = frozenset({"page", "form"})


class PurposeRequired(Exception):
    """A page would read personal data before its reader declared a purpose."""


def clean(choice: str, note: str) -> Purpose:
    """A valid purpose, or a ValidationError saying what is wrong."""
    choice = (choice or "").strip()
    note = (note or "").strip()
    if choice not in dict(PURPOSES):
        raise ValidationError(_("Choose a purpose of use from the list."))
    if choice == "other" and not note:
        raise ValidationError(_("Say in a few words what the other purpose is."))
    if len(note) > NOTE_LENGTH:
        raise ValidationError(_("The note is too long (at most 200 characters)."))
    return Purpose(choice, note, timezone.now().isoformat())


def session_purpose(request: HttpRequest) -> Purpose:
    session = getattr(request, "session", None)
    stored = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(stored, dict) or stored.get("choice") not in dict(PURPOSES):
        return UNDECLARED
    return Purpose(stored["choice"], stored.get("note", ""), stored.get("declared_at", ""))


def api_purpose(request: HttpRequest, token: Any) -> Purpose:
    """An API request's purpose: its header (`choice[:note]`), else the token's name, else
    (a session on the API) the session's."""
    header = request.headers.get(HEADER, "").strip()
    if header:
        choice, _sep, note = header.partition(":")
        purpose = clean(choice, note)
        return Purpose(purpose.choice, purpose.note)
    name = getattr(token, "name", None)
    if name is not None:
        return Purpose("api", f"API: {name}")
    return session_purpose(request)


def declare(request: HttpRequest, choice: str, note: str) -> Purpose:
    """Declare (or change) the session's purpose of use; audited."""
    purpose = clean(choice, note)
    request.session[SESSION_KEY] = {
        "choice": purpose.choice,
        "note": purpose.note,
        "declared_at": purpose.declared_at,
    }
    record(
        "privacy.purpose.declare",
        object_type="privacy.purpose",
        object_repr=label(purpose),
        extra={"choice": purpose.choice, "note": purpose.note},
    )
    return purpose


def require_declared(via: str) -> None:
    """Refuse a single record's page until a purpose is declared (raises PurposeRequired,
    which kehu.audit.middleware turns into the declaration page)."""
    purpose = current_actor().purpose
    if via in ASKING_VIAS and purpose is not None and purpose.choice == UNDECLARED.choice:
        raise PurposeRequired


def label(purpose: Purpose) -> str:
    names: dict[str, Any] = {**dict(PURPOSES), "undeclared": _("Undeclared"), "api": "API"}
    text = str(names.get(purpose.choice, purpose.choice))
    if purpose.choice == "api":
        return purpose.note or text  # "API: <token name>"
    return f"{text}：{purpose.note}" if purpose.note else text


def safe_next(request: HttpRequest, url: str) -> str:
    """`url` when it is a path on this site (no scheme, no host), else the home page."""
    if (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    ):
        return url
    return "/"
