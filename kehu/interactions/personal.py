"""Personal notes in the communication log are personal data beyond the business relation:
like the extended contact profile they need the person's consent to a profile and are read
and written only by the customer's account manager (or whoever holds an access grant)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.customers.models import Contact, CustomerKind
from kehu.interactions.models import Interaction
from kehu.privacy.consent import has_consent
from kehu.privacy.models import Purpose

PERM = "interactions.interaction.personal"


def _consenting(interaction: Interaction, contacts: Iterable[Contact]) -> bool:
    customer = interaction.customer
    if customer.kind == CustomerKind.INDIVIDUAL and has_consent(customer, Purpose.PROFILE):
        return True
    return any(has_consent(contact, Purpose.PROFILE) for contact in contacts)


def personal_note_allowed(user: Any, interaction: Interaction, contacts: Iterable[Contact]) -> str:
    """Why `user` may not keep a personal note on this communication ("" when they may)."""
    if not policy.has_perm(user, PERM, interaction):
        return _("Only the account manager keeps personal notes.")
    if not _consenting(interaction, contacts):
        return _(
            "A personal note needs the consent of a contact taking part (extended personal "
            "profile). Record the consent first."
        )
    return ""


def personal_note_visible(user: Any, interaction: Interaction) -> bool:
    """Whether `user` reads the note now: their permission, and a consent still in force."""
    if not interaction.personal_note:
        return False
    return policy.has_perm(user, PERM, interaction) and _consenting(
        interaction, interaction.contacts.all()
    )
