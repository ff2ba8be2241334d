"""Forms of the interaction pages; the customers offered are those the user may work on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.core.models import OrgUnit, UnitKind, User
from kehu.customers.assignment import attachable_customers
from kehu.customers.models import Contact
from kehu.interactions.models import Complaint, Interaction
from kehu.interactions.personal import PERM, personal_note_visible

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InteractionForm(forms.ModelForm[Interaction]):
    """A communication: the personal note only for who may keep it (and, when editing, read
    it now)."""

    class Meta:
        model = Interaction
        fields = [
            "customer", "occurred_at", "ended_at", "channel", "subject", "our_participants",
            "contacts", "content", "needs", "follow_up", "follow_up_due", "follow_up_owner",
            "project_ref", "personal_note",
        ]  # fmt: skip
        widgets = {
            "occurred_at": DATETIME,
            "ended_at": DATETIME,
            "follow_up_due": DATE,
            "content": forms.Textarea(attrs={"rows": 4}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "personal_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        users = User.objects.filter(is_active=True).order_by("username")
        fields["our_participants"].queryset = users
        fields["follow_up_owner"].queryset = users
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        chosen = self.initial.get("customer") or self.data.get("customer")
        customer_id = self.instance.customer_id or chosen
        fields["contacts"].queryset = Contact.objects.filter(customer_id=customer_id or 0)
        for name in ("occurred_at", "ended_at"):
            fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            fields["customer"].disabled = True
            if not personal_note_visible(user, self.instance) and not (
                not self.instance.personal_note and policy.has_perm(user, PERM, self.instance)
            ):
                del fields["personal_note"]
        elif not policy.has_perm(user, PERM):
            del fields["personal_note"]
        if "personal_note" in fields:
            fields["personal_note"].help_text = _(
                "Seen only by the account manager; needs a contact's consent to a profile."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user  # the service checks and records who submits
        return data


class ComplaintForm(forms.ModelForm[Complaint]):
    """Record a complaint: when, how, what, and the route that decides who handles it."""

    class Meta:
        model = Complaint
        fields = [
            "customer", "received_on", "channel", "category", "content", "route",
            "handling_unit", "production_unit",
        ]  # fmt: skip
        widgets = {"received_on": DATE, "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        departments = OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("code")
        fields["handling_unit"].queryset = departments
        fields["production_unit"].queryset = departments
        if self.instance.pk:
            fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data
