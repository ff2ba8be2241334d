"""Forms of the contract pages; the choices of customers, projects and parent contracts are
those the user may see (the policy), and the services check the rules between fields."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.contracts import checklist, services, statistics
from kehu.contracts.models import (
    ChecklistItem,
    Contract,
    ContractSettings,
    ContractStatus,
    Project,
)
from kehu.core import policy
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.documents.models import DocumentType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


def _customers_for(user: Any, action: str) -> Any:
    """The customers the user sees; the form's clean asks whether he may `action` there."""
    return policy.scope(user, Customer.objects.all(), "view").order_by("name_pinyin", "pk")


class ProjectForm(forms.ModelForm[Project]):
    class Meta:
        model = Project
        fields = ["name", "starts_on", "ends_on", "owner", "status", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = _active_users()  # type: ignore[attr-defined]
        if user is not None and not self.instance.pk:
            self.fields["owner"].initial = user.pk


class ProjectCreateForm(ProjectForm):
    class Meta(ProjectForm.Meta):
        fields = ["customer", *ProjectForm.Meta.fields]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["customer"].queryset = _customers_for(user, "view")  # type: ignore[attr-defined]

    def clean_customer(self) -> Customer:
        customer: Customer = self.cleaned_data["customer"]
        if not policy.has_perm(self.user, "contracts.project.add", Project(customer=customer)):
            raise forms.ValidationError(_("You may not add projects for this customer."))
        return customer


class ContractForm(forms.ModelForm[Contract]):
    """Edit a contract: everything but its counterparty and number."""

    class Meta:
        model = Contract
        fields = [
            "title",
            "contract_type",
            "project",
            "parent",
            "signing_unit",
            "signatory",
            "counterparty_signatory",
            "handler",
            "amount",
            "currency",
            "signed_on",
            "effective_on",
            "ends_on",
            "payment_terms",
            "guarantee",
            "note",
        ]
        widgets = {"signed_on": DATE, "effective_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["handler"].queryset = _active_users()  # type: ignore[attr-defined]
        if user is not None and not self.instance.pk:
            self.fields["handler"].initial = user.pk
        customer_id = self.instance.customer_id if self.instance.pk else None
        projects = policy.scope(user, Project.objects.all(), "view")
        parents = policy.scope(user, Contract.objects.all(), "view")
        if customer_id:
            projects = projects.filter(customer_id=customer_id)
            parents = parents.filter(customer_id=customer_id).exclude(pk=self.instance.pk)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        # Any visible contract may be chosen; the service refuses another customer's.
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """The service's rules between fields, each error beside its field at once."""
        data = super().clean() or {}
        customer = data.get("customer") or getattr(self.instance, "customer", None)
        if customer is None:
            return data
        probe = Contract(pk=self.instance.pk, customer=customer, unit_id=customer.unit_id)
        for name in services.CONTRACT_FIELDS:
            if name in self.fields:
                setattr(probe, name, data.get(name))
        try:
            services.contract_check(probe)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        number = (data.get("number") or "").strip()
        if number and Contract.objects.filter(number=number).exists():
            self.add_error("number", _("This contract number is already in use."))
        return data


class ContractCreateForm(ContractForm):
    """Register a contract for a customer the user may keep contracts of; the number is
    taken from the department's sequence unless typed."""

    number = forms.CharField(
        label=_("contract number"),
        max_length=60,
        required=False,
        help_text=_("Leave empty: the next number of the department is given."),
    )

    class Meta(ContractForm.Meta):
        # `number` is a form field only: typed or taken by the service, never the model form's.
        fields = ["customer", *ContractForm.Meta.fields]

    field_order = ["customer", "number"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["customer"].queryset = _customers_for(user, "add")  # type: ignore[attr-defined]

    def clean_customer(self) -> Customer:
        customer: Customer = self.cleaned_data["customer"]
        probe = Contract(customer=customer, unit_id=customer.unit_id)
        if not policy.has_perm(self.user, "contracts.contract.add", probe):
            raise forms.ValidationError(_("You may not add contracts for this customer."))
        return customer


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=ContractStatus.choices)
    on = forms.DateField(label=_("date"), required=False, widget=DATE)
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DisputeForm(forms.Form):
    on = forms.DateField(label=_("date"), required=False, widget=DATE)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistItemForm(forms.ModelForm[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = ["name", "contract_type", "doc_type", "required", "order", "is_active", "note"]


class SettingsForm(forms.ModelForm[ContractSettings]):
    class Meta:
        model = ContractSettings
        fields = ["number_pattern", "handover_days"]


class AttachForm(forms.Form):
    """File a document as an item of a contract's dossier."""

    doc_type = forms.ModelChoiceField(
        label=_("dossier item"),
        queryset=DocumentType.objects.filter(is_active=True, for_contracts=True),
        to_field_name="code",
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF or a scan (JPEG, PNG, TIFF)."))
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def __init__(self, *args: Any, contract: Contract | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contract is not None:
            codes = checklist.items_for(contract.contract_type).values("doc_type_id")
            self.fields["doc_type"].queryset = DocumentType.objects.filter(  # type: ignore[attr-defined]
                is_active=True, for_contracts=True, pk__in=codes
            )
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.docx,.xlsx"


def half_of(period: statistics.Period) -> int:
    return 1 if period.start.month == 1 else 2


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("half-year"),
        coerce=int,
        choices=[(1, _("first half")), (2, _("second half"))],
    )

    def period(self) -> statistics.Period:
        month = 1 if self.cleaned_data["half"] == 1 else 7
        return statistics.half_year(datetime.date(self.cleaned_data["year"], month, 1))


class AnnualReportForm(forms.Form):
    """The year of the annual credit-management analysis report."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


class DepartmentStatisticsForm(forms.Form):
    """The period of the statistics per department: a half-year or the whole year."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("period"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[(0, _("whole year")), (1, _("first half")), (2, _("second half"))],
    )
