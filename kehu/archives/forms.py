"""Forms of the archive pages; choices depend on the user's scope (asks the policy)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.archives.models import (
    ArchiveCategory,
    ArchiveSettings,
    Cabinet,
    DestructionMethod,
    Dossier,
    DossierItem,
    IncidentKind,
    LoanKind,
    ReviewOutcome,
)
from kehu.core import policy
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.documents.models import Document


class CategoryForm(forms.ModelForm[ArchiveCategory]):
    class Meta:
        model = ArchiveCategory
        fields = ["code", "name", "class_code", "order", "retention", "is_active"]

    def clean_class_code(self) -> str:
        value = str(self.cleaned_data["class_code"]).strip().upper()
        if not value.isalpha() or not value.isascii():
            raise forms.ValidationError(_("Use upper-case letters only."))
        return value


class CabinetForm(forms.ModelForm[Cabinet]):
    class Meta:
        model = Cabinet
        fields = ["code", "name", "room", "shelves", "is_active", "note"]


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


class DossierForm(forms.ModelForm[Dossier]):
    """Edit a dossier: title, category, confidentiality, custodian and location."""

    class Meta:
        model = Dossier
        fields = ["title", "category", "confidentiality", "custodian", "cabinet", "shelf"]
        fields += ["position", "note"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = ArchiveCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["custodian"].queryset = _active_users()  # type: ignore[attr-defined]
        self.fields["cabinet"].queryset = Cabinet.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cabinet, shelf = data.get("cabinet"), data.get("shelf")
        if cabinet is not None and shelf and shelf > cabinet.shelves:
            self.add_error("shelf", _("This cabinet has %(n)s shelves.") % {"n": cabinet.shelves})
        if cabinet is None and (shelf or data.get("position")):
            self.add_error("cabinet", _("Choose the cabinet of this shelf and position."))
        return data


class DossierCreateForm(DossierForm):
    """Open a dossier for a customer of the user's units that has none yet."""

    class Meta(DossierForm.Meta):
        fields = ["customer", *DossierForm.Meta.fields]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Blank: the customer's name.")
        units = policy.units_where(user, "archives.dossier.add")
        self.fields["customer"].queryset = Customer.objects.filter(  # type: ignore[attr-defined]
            unit__in=units, dossier__isnull=True, merged_into__isnull=True
        ).order_by("name_pinyin", "pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        customer = data.get("customer")
        if customer is not None and not data.get("title"):
            data["title"] = customer.name[:200]
        return data


class ItemForm(forms.ModelForm[DossierItem]):
    """Edit a filed item: its reference code, category and dossier never change."""

    class Meta:
        model = DossierItem
        fields = ["title", "medium", "pages", "note"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


class ItemCreateForm(ItemForm):
    """File an item into a dossier (归档)."""

    class Meta(ItemForm.Meta):
        fields = ["dossier", "category", "title", "document", "medium", "pages", "note"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        dossiers = policy.scope(user, Dossier.objects.filter(destroyed_at__isnull=True), "change")
        self.fields["dossier"].queryset = dossiers.select_related("customer")  # type: ignore[attr-defined]
        self.fields["category"].queryset = ArchiveCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["document"].queryset = Document.objects.filter(  # type: ignore[attr-defined]
            customer__dossier__in=dossiers
        ).select_related("doc_type", "customer")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        document, dossier = data.get("document"), data.get("dossier")
        if document and dossier and document.customer_id != dossier.customer_id:
            self.add_error("document", _("The document belongs to another customer."))
        return data


class SettingsForm(forms.ModelForm[ArchiveSettings]):
    class Meta:
        model = ArchiveSettings
        fields = ["number_pattern", "fonds_code", "loan_days", "confidential_loan_working_days"]


class CabinetCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("checked on"), initial=timezone.localdate)
    lock_ok = forms.BooleanField(label=_("lock in order"), required=False, initial=True)
    damp_ok = forms.BooleanField(label=_("dry, no damp"), required=False, initial=True)
    damp_note = forms.CharField(label=_("damp care note"), required=False, max_length=300)
    disinfected = forms.BooleanField(label=_("disinfected"), required=False, initial=True)
    disinfection_note = forms.CharField(
        label=_("disinfection note"), required=False, max_length=300
    )
    dust_ok = forms.BooleanField(label=_("free of dust"), required=False, initial=True)
    dust_note = forms.CharField(label=_("dust care note"), required=False, max_length=300)
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class ArchivingReviewForm(forms.Form):
    """The check before filing: three checks with notes, and the outcome."""

    authentic = forms.BooleanField(label=_("authentic"), required=False)
    authenticity_note = forms.CharField(
        label=_("authenticity note"), required=False, max_length=300
    )
    complete = forms.BooleanField(label=_("complete"), required=False)
    completeness_note = forms.CharField(
        label=_("completeness note"), required=False, max_length=300
    )
    accurate = forms.BooleanField(label=_("accurate"), required=False)
    accuracy_note = forms.CharField(label=_("accuracy note"), required=False, max_length=300)
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("reason for returning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeDestructionForm(forms.Form):
    items = forms.MultipleChoiceField(label=_("items"), widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("method"), choices=DestructionMethod.choices)

    def __init__(self, *args: Any, choices: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = {str(r["item"].pk): r for r in choices if not r["held"] and not r["pending"]}
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (pk, r["item"].reference_code) for pk, r in self.rows.items()
        ]

    def clean_items(self) -> list[DossierItem]:
        return [self.rows[pk]["item"] for pk in self.cleaned_data["items"]]


class ExecuteDestructionForm(forms.Form):
    witnesses = forms.ModelMultipleChoiceField(
        label=_("witnesses"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        help_text=_("At least two, besides yourself."),
    )
    executed_on = forms.DateField(label=_("destroyed on"), initial=timezone.localdate)


class LoanRequestForm(forms.Form):
    archive_number = forms.CharField(
        label=_("archive number"), max_length=60, help_text=_("As on the folder or the index.")
    )
    kind = forms.ChoiceField(label=_("kind"), choices=LoanKind.choices, initial=LoanKind.PHYSICAL)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_archive_number(self) -> Dossier:
        number = self.cleaned_data["archive_number"].strip().upper()
        dossier = (
            Dossier.objects.filter(archive_number__iexact=number)
            .select_related("customer__unit")
            .first()
        )
        if dossier is None:
            raise forms.ValidationError(_("No dossier has this archive number."))
        return dossier


class RenewalForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("loss or damage"), choices=IncidentKind.choices)
    report = forms.CharField(label=_("written report"), widget=forms.Textarea(attrs={"rows": 4}))
