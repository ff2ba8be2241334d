from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.audit.purpose import PURPOSES
from kehu.core import masking
from kehu.core.models import OrgUnit, User
from kehu.documents.models import DocumentType
from kehu.infra.formfields import ChineseDateField
from kehu.privacy.models import DataCategory, RecipientKind


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSES)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose of use"), choices=PURPOSES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Required for “Other”: what the work is."),
    )


class GrantForm(forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("User"),
        queryset=None,  # set per customer in __init__
    )
    until = forms.DateTimeField(
        label=_("Valid until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    actions = forms.MultipleChoiceField(
        label=_("Also allow"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, customer: Any, by: Any = None, **kwargs: Any) -> None:
        from kehu.privacy.grants import ACTIONS, grantable_actions

        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True).exclude(pk=customer.owner_id)
        if by is not None:
            users = users.exclude(pk=by.pk)  # nobody grants to themselves
        self.fields["user"].queryset = users.order_by("username")  # type: ignore[attr-defined]
        offered = grantable_actions(by, customer) if by is not None else None
        self.fields["actions"].choices = [  # type: ignore[attr-defined]
            (key, label)
            for key, label in ACTIONS
            if key != "view" and (offered is None or key in offered)
        ]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"))
    scope = forms.CharField(
        label=_("Scope"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What data, for what use, for how long."),
    )
    given_on = ChineseDateField(label=_("Given on"))
    channel = forms.ChoiceField(label=_("Channel"))
    evidence = forms.FileField(label=_("Evidence (PDF, PNG or JPEG)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kehu.privacy.models import Channel, Purpose

        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = Purpose.choices  # type: ignore[attr-defined]
        self.fields["channel"].choices = Channel.choices  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500)


class ProfileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kehu.privacy.models import PROFILE_SECTIONS

        super().__init__(*args, **kwargs)
        for key, label, help_text in PROFILE_SECTIONS:
            self.fields[key] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"))
    received_on = ChineseDateField(label=_("Received on"))
    details = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As the person made it: what they ask for, how they proved who they are."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kehu.privacy.models import RequestKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = RequestKind.choices  # type: ignore[attr-defined]


class RetentionForm(forms.ModelForm):
    class Meta:
        from kehu.privacy.models import RetentionSettings

        model = RetentionSettings
        fields = ["individual_years", "contact_years"]


class DisclosureForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"), choices=RecipientKind.choices, widget=forms.RadioSelect
    )
    recipient_unit = forms.ModelChoiceField(
        label=_("Receiving department"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        empty_label=_("(an outside party)"),
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        max_length=200,
        required=False,
        help_text=_("The partner, supplier or authority; for a department, optional."),
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    categories = forms.MultipleChoiceField(
        label=_("Data provided"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    agreement = forms.FileField(
        label=_("Signed agreement (PDF, PNG or JPEG)"),
        required=False,
        help_text=_(
            "Required for an outside party: the data-sharing or confidentiality agreement."
        ),
    )
    agreement_reference = forms.CharField(
        label=_("Agreement number"), max_length=100, required=False
    )


class ProvisionForm(forms.Form):
    provided_on = ChineseDateField(label=_("Provided on"))
    method = forms.CharField(
        label=_("How it was provided"),
        max_length=200,
        help_text=_("E.g. encrypted e-mail to …, paper copy handed to …"),
    )


class TiersForm(forms.Form):
    """One tier choice per declared field and per document type, and the years each tier is
    kept (kehu.privacy.tiers)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.apps import apps

        from kehu.privacy import tiers
        from kehu.privacy.models import SensitivityTiers

        super().__init__(*args, **kwargs)
        self.field_keys: dict[str, str] = {}
        self.document_keys: dict[str, str] = {}
        for key, label, found in tiers.declared_keys():
            model = apps.get_model(label)
            name = "field__" + key.replace(".", "__")
            self.field_keys[name] = key
            field_name = getattr(model._meta.get_field(found.field), "verbose_name", found.field)
            self.fields[name] = forms.ChoiceField(
                label=f"{model._meta.verbose_name} · {field_name}",
                choices=tiers.TIER_CHOICES,
                initial=masking.tier_of(label, found.field),
            )
        for doc_type in DocumentType.objects.order_by("order", "code"):
            name = f"document__{doc_type.code}"
            self.document_keys[name] = doc_type.code
            self.fields[name] = forms.ChoiceField(
                label=_("Document: %(type)s") % {"type": doc_type.name},
                choices=tiers.TIER_CHOICES,
                initial=tiers.document_tier(doc_type.code),
            )
        current = SensitivityTiers.current()
        for name in tiers.YEARS_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=getattr(SensitivityTiers._meta.get_field(name), "verbose_name", name),
                min_value=0,
                max_value=100,
                initial=getattr(current, name),
            )

    def values(self) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
        from kehu.privacy import tiers

        data = self.cleaned_data
        return (
            {key: data[name] for name, key in self.field_keys.items()},
            {code: data[name] for name, code in self.document_keys.items()},
            {name: data[name] for name in tiers.YEARS_FIELDS},
        )
