"""Every change to the communication log: validated (errors keyed by field, nothing stored),
one transaction, audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.context import current_actor
from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import DENIED
from kehu.core.models import User
from kehu.customers.assignment import attachable_customers
from kehu.customers.models import Customer
from kehu.generic.services import audited_create, audited_update
from kehu.interactions.models import Interaction
from kehu.interactions.personal import personal_note_allowed

FIELDS = (
    "occurred_at", "ended_at", "channel", "subject", "content", "needs", "follow_up",
    "follow_up_due", "follow_up_owner", "project_ref", "personal_note",
)  # fmt: skip
M2M = ("our_participants", "contacts")


def actor_user() -> User | None:
    user_id = current_actor().user_id
    return User.objects.filter(pk=user_id).first() if user_id else None


def _check(data: dict[str, Any], customer: Customer) -> None:
    """The rules a form cannot see on its own: times in order, contacts of this customer,
    a follow-up that says what and when together."""
    errors: dict[str, list[str]] = {}
    start, end = data.get("occurred_at"), data.get("ended_at")
    if start and end and end < start:
        errors["ended_at"] = [_("The end must not be before the start.")]
    if start and start > timezone.now() + datetime.timedelta(days=1):
        errors["occurred_at"] = [_("A communication is recorded after it took place.")]
    strangers = [c for c in data.get("contacts") or () if c.customer_id != customer.pk]
    if strangers:
        name = strangers[0].name
        errors["contacts"] = [_("%(name)s is not a contact of this customer.") % {"name": name}]
    if data.get("follow_up_due") and not (data.get("follow_up") or "").strip():
        errors["follow_up"] = [_("Say what is to be done by the due date.")]
    if (data.get("follow_up") or "").strip() and not data.get("follow_up_due"):
        errors["follow_up_due"] = [_("Give the date the follow-up is due.")]
    if errors:
        raise ValidationError(errors)


def _check_personal_note(user: Any, interaction: Interaction, contacts: Any) -> None:
    if not (interaction.personal_note or "").strip():
        return
    problem = personal_note_allowed(user, interaction, contacts)
    if problem:
        raise ValidationError({"personal_note": [problem]})


def interaction_create(data: dict[str, Any]) -> Interaction:
    """Record a communication for a customer the author may work on; the author is given
    (`submitted_by`: the form's and the API's user) or the acting user."""
    user = data.get("submitted_by") or actor_user()
    customer: Customer = data["customer"]
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    _check(data, customer)
    values = {k: data[k] for k in FIELDS if k in data}
    interaction = Interaction(customer=customer, author=user, **values)
    if interaction.follow_up_due and interaction.follow_up_owner is None:
        interaction.follow_up_owner = user
    _check_personal_note(user, interaction, data.get("contacts") or ())
    interaction.full_clean()
    with transaction.atomic():
        audited_create(interaction)
        for name in M2M:
            if name in data:
                getattr(interaction, name).set(data[name])
    return interaction


def interaction_update(
    interaction: Interaction, data: dict[str, Any], expected_version: int | None
) -> Interaction:
    """Edit a communication; a personal note stays as it is for who may not see it."""
    user = data.get("submitted_by") or actor_user()
    merged = {k: data.get(k, getattr(interaction, k)) for k in FIELDS}
    merged["contacts"] = data.get("contacts", interaction.contacts.all())
    _check(merged, interaction.customer)
    # Unchanged values stay out (a time given in another zone is the same instant).
    # (Compared with the stored row: a model form has already set its values on the object.)
    stored = Interaction.objects.get(pk=interaction.pk)
    values = {k: data[k] for k in FIELDS if k in data and data[k] != getattr(stored, k)}
    if "personal_note" in values:
        if not policy.has_perm(user, "interactions.interaction.personal", interaction):
            values.pop("personal_note")
        else:
            note = values["personal_note"]
            probe = Interaction(customer=interaction.customer, personal_note=note)
            _check_personal_note(user, probe, merged["contacts"])
    owner_missing = not values.get("follow_up_owner") and not stored.follow_up_owner_id
    if values.get("follow_up_due") and owner_missing:
        values["follow_up_owner"] = user
    m2m = {k: data[k] for k in M2M if k in data}
    updated = audited_update(interaction, values, expected_version, m2m=m2m)
    assert isinstance(updated, Interaction)
    return updated


def interaction_follow_up_done(interaction: Interaction, *, by: User) -> Interaction:
    """The follow-up is done: its reminders stop."""
    if not policy.has_perm(by, "interactions.interaction.change", interaction) and (
        interaction.follow_up_owner_id != by.pk
    ):
        raise PermissionDenied(DENIED)
    if not interaction.follow_up_open:
        raise ValidationError(_("This communication has no open follow-up."))
    with transaction.atomic():
        current = Interaction.objects.select_for_update().get(pk=interaction.pk)
        current.follow_up_done_at = timezone.now()
        current.version += 1
        current.save(update_fields=["follow_up_done_at", "version", "updated_at"])
        extra = {"due": current.follow_up_due}
        record("interactions.interaction.follow_up_done", current, extra=extra)
    return current
