"""Personal notes in the communication log are personal data beyond the business relation:
like the extended contact profile they need the person's consent to a profile and are read
and written only by the customer's account manager (or whoever holds an access grant).
Research on a person customer (surveys, interviews) needs their consent to research."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.customers.models import Contact, Customer, CustomerKind
from kehu.interactions.models import Interaction
from kehu.privacy.consent import has_consent
from kehu.privacy.models import Consent, Purpose

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


# --- research on a person (surveys, interviews) ---------------------------------------------


def research_allowed(customer: Customer) -> bool:
    """An organisation is researched freely; a person only with consent to research."""
    return customer.kind != CustomerKind.INDIVIDUAL or has_consent(customer, Purpose.RESEARCH)


def require_research_consent(customer: Customer, field: str = "customer") -> None:
    """Refuse research on a person customer who has not consented to it."""
    if not research_allowed(customer):
        raise ValidationError(
            {
                field: [
                    _(
                        "%(customer)s is a person: surveys and interviews need their recorded "
                        "consent to research. Record the consent first."
                    )
                    % {"customer": customer.name}
                ]
            }
        )


def researchable(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customers that may be surveyed: organisations, and persons who consented."""
    consented = Consent.objects.filter(
        customer_id=OuterRef("pk"), purpose=Purpose.RESEARCH, withdrawn_at__isnull=True,
        given_on__lte=timezone.localdate(),
    )  # fmt: skip
    return customers.filter(~Q(kind=CustomerKind.INDIVIDUAL) | Q(Exists(consented)))
