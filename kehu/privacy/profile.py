"""The extended personal profile of key contacts (CUS-14): sensitive, consent-gated, visible
only to the customer's account manager and those explicitly granted ("profile" in an access
grant on the customer). Opening and saving are audit events; the values never enter the
audit trail (only which sections changed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import policy
from kehu.customers.models import Contact
from kehu.generic.services import StaleEditError
from kehu.privacy import consent
from kehu.privacy.models import PROFILE_SECTIONS, ContactProfile, Purpose

PERM = "customers.contact.profile"
SECTIONS = [key for key, _label, _help in PROFILE_SECTIONS]


def may_open(user: Any, contact: Contact) -> bool:
    return policy.has_perm(user, PERM, contact)


def _check(user: Any, contact: Contact) -> None:
    if not may_open(user, contact):
        raise PermissionDenied(
            _("Only the account manager and users granted access may open this profile.")
        )
    consent.consent_require(contact, Purpose.PROFILE)


def open_profile(user: Any, contact: Contact) -> ContactProfile:
    """The profile for reading (created empty on first use); the opening is recorded."""
    _check(user, contact)
    with transaction.atomic():
        profile, _created = ContactProfile.objects.get_or_create(contact=contact)
        record("customers.contact.profile_open", contact, extra={"profile": profile.pk})
    return profile


def save_profile(
    user: Any, contact: Contact, values: dict[str, str], expected_version: int | None
) -> ContactProfile:
    _check(user, contact)
    with transaction.atomic():
        profile, _created = ContactProfile.objects.get_or_create(contact=contact)
        current = ContactProfile.objects.select_for_update().get(pk=profile.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleEditError()
        changed = []
        for key in SECTIONS:
            value = (values.get(key) or "").strip()
            if value != getattr(current, key):
                setattr(current, key, value)
                changed.append(key)
        if changed:
            current.version += 1
            current.save()
            record(
                "customers.contact.profile_change",
                contact,
                extra={"sections": changed, "version": current.version},
            )
    return current
