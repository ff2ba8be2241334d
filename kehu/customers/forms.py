"""Forms of the customer pages. Field rules live in `validation` (shared with the API);
the forms add the choices and defaults that depend on who fills them in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.core.masking_forms import MaskedValuesFormMixin
from kehu.customers import assignment
from kehu.customers.models import (
    BankAccount,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
    CustomerKind,
)
from kehu.customers.validation import PROVINCES, clean_contact, clean_customer
from kehu.infra.formfields import ChineseAmountField, ChineseDateField, PhoneField

SECTIONS = [
    ("basic", _("Basic data"), ["kind", "name", "owner", "unit", "province", "city"]),
    (
        "organization",
        _("Business licence"),
        [
            "credit_code",
            "org_code",
            "nature",
            "industry",
            "legal_rep_name",
            "legal_rep_title",
            "legal_rep_phone",
            "legal_rep_id_number",
            "chairman",
            "general_manager",
            "registered_address",
            "operating_address",
            "founded_on",
            "registered_capital",
            "capital_currency",
            "business_scope",
            "operating_term_until",
            "licence_valid_until",
            "issuing_authority",
            "certifications",
        ],
    ),
    (
        "individual",
        _("Person"),
        ["id_number", "gender", "birth_date", "occupation", "employer", "address"],
    ),
    ("contact", _("Contact"), ["phone", "email"]),
    (
        "business",
        _("Business relation"),
        ["products", "cooperation_since", "contract_numbers", "note"],
    ),
]
DATE_FIELDS = (
    "founded_on",
    "operating_term_until",
    "licence_valid_until",
    "birth_date",
    "cooperation_since",
)
CLASSIFICATION_PREFIX = "cls_"
DERIVED_FROM_ID_NUMBER = ("birth_date", "gender")


class CustomerForm(MaskedValuesFormMixin, forms.ModelForm[Customer]):
    registered_capital = ChineseAmountField(label=_("registered capital"), required=False)
    phone = PhoneField(label=_("phone"), required=False)
    legal_rep_phone = PhoneField(label=_("legal representative's phone"), required=False)
    province = forms.ChoiceField(
        label=_("province"), required=False, choices=[("", "—"), *((p, p) for p in PROVINCES)]
    )
    credit_code = forms.CharField(
        label=_("unified social credit code"), required=False, max_length=40
    )
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=40)
    legal_rep_id_number = forms.CharField(
        label=_("legal representative's ID number"), required=False, max_length=40
    )

    class Meta:
        model = Customer
        fields = [name for _key, _label, names in SECTIONS for name in names]
        field_classes = {name: ChineseDateField for name in DATE_FIELDS}
        widgets = {
            "business_scope": forms.Textarea(attrs={"rows": 3}),
            "certifications": forms.Textarea(attrs={"rows": 2}),
            "products": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        creating = self.instance.pk is None
        fields: dict[str, Any] = self.fields
        # Subclasses without owner/unit (ChangeRequestForm) only correct the data.
        if "unit" in fields and "owner" in fields:
            units = assignment.assignable_units(user, None if creating else self.instance)
            fields["unit"].queryset = units
            me = self.instance.owner_id if not creating else getattr(user, "pk", None)
            fields["owner"].queryset = assignment.account_managers(units, me)
            if creating:
                fields["kind"].initial = self.initial.get("kind") or "organization"
            if creating and user is not None:
                fields["owner"].initial = user.pk
                fields["unit"].initial = user.unit_id
            elif not policy.has_perm(user, "customers.customer.reassign", self.instance):
                for name in ("owner", "unit", "kind"):
                    fields[name].disabled = True
        for name in ("credit_code",):
            if self.instance.credit_code is None:
                self.initial[name] = ""
        if self._derives_from_id_number():
            for name in DERIVED_FROM_ID_NUMBER:
                if name in fields:
                    fields[name].disabled = True
                    fields[name].help_text = _("Follows from the ID number.")
        self._add_classification_fields()

    def _check_assignment(self, data: dict[str, Any]) -> None:
        instance = self.instance if self.instance.pk else None
        try:
            assignment.check_assignment(self.user, instance, data.get("unit"), data.get("owner"))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)

    def _check_id_number_unique(self, data: dict[str, Any]) -> None:
        """An ID number registered for another customer, checked here, before the save's
        transaction: the audit event of the hit outlives the refusal (services.check_unique)."""
        from kehu.customers.services import check_unique

        number = data.get("id_number")
        if "id_number" in self.errors or not number or data.get("kind") != CustomerKind.INDIVIDUAL:
            return
        try:
            check_unique(Customer(pk=self.instance.pk, id_number=number))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)

    def _derives_from_id_number(self) -> bool:
        """A stored person's birth date and gender are part of the ID number (masked with
        it): derived from it, never compared with what was sent (a mismatch error would
        tell a user who may not reveal them whether a guess was right)."""
        instance = self.instance
        return bool(instance.pk and instance.kind == CustomerKind.INDIVIDUAL and instance.id_number)

    def _add_classification_fields(self) -> None:
        chosen = (
            {v.dimension_id: v.pk for v in self.instance.classifications.all()}
            if self.instance.pk
            else {}
        )
        dimensions = ClassificationDimension.objects.filter(is_active=True).prefetch_related(
            "values"
        )
        for dimension in dimensions:
            name = f"{CLASSIFICATION_PREFIX}{dimension.code}"
            self.fields[name] = forms.ModelChoiceField(
                label=dimension.name,
                queryset=ClassificationValue.objects.filter(
                    Q(is_active=True) | Q(pk=chosen.get(dimension.pk)), dimension=dimension
                ),
                required=False,
            )
            self.initial.setdefault(name, chosen.get(dimension.pk))

    def classification_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(CLASSIFICATION_PREFIX)]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"key": key, "title": title, "fields": [self[name] for name in names]}
            for key, title, names in SECTIONS
        ]

    def validate_unique(self) -> None:
        """The services check credit codes and ID numbers, with a link to the existing one."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The shared rules also check the fields that passed the form fields' own checks, so
        # that every problem shows at once (CUS-10); a field keeps its first error only.
        failed = set(self.errors)
        if self._derives_from_id_number():
            data |= {"birth_date": None, "gender": ""}
        try:
            data.update(clean_customer({k: v for k, v in data.items() if k not in failed}))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in failed:
                    self.add_error(field if field in self.fields else None, messages)
        if "unit" in self.fields and not {"unit", "owner"} & set(self.errors):
            self._check_assignment(data)
        self._check_id_number_unique(data)
        data["classifications"] = [
            data[name]
            for name in self.fields
            if name.startswith(CLASSIFICATION_PREFIX) and data.get(name)
        ]
        return data


class ContactForm(MaskedValuesFormMixin, forms.ModelForm[Contact]):
    mobile = PhoneField(label=_("mobile"), required=False)
    office_phone = PhoneField(label=_("office phone"), required=False)

    class Meta:
        model = Contact
        fields = [
            "customer", "name", "gender", "title", "department", "mobile", "office_phone",
            "email", "role", "influence", "is_primary", "note",
        ]  # fmt: skip
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = assignment.attachable_customers(user).order_by("name_pinyin")
        if self.instance.pk:
            self.fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        failed = set(self.errors)  # as in CustomerForm.clean: every problem at once
        try:
            data.update(clean_contact({k: v for k, v in data.items() if k not in failed}))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in failed:
                    self.add_error(field, messages)
        return data


class BankAccountForm(MaskedValuesFormMixin, forms.ModelForm[BankAccount]):
    class Meta:
        model = BankAccount
        fields = [
            "customer", "account_name", "bank_name", "branch", "account_number",
            "is_primary", "note",
        ]  # fmt: skip
        widgets = {"account_number": forms.TextInput()}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = assignment.attachable_customers(user).order_by("name_pinyin")
        if self.instance.pk:
            self.fields["customer"].disabled = True

    def clean_account_number(self) -> str:
        number = "".join(self.cleaned_data["account_number"].split()).replace("-", "")
        if not number.isdigit() or not 8 <= len(number) <= 30:
            raise ValidationError(_("A bank account number has 8 to 30 digits."))
        return number


class DimensionForm(forms.ModelForm[ClassificationDimension]):
    class Meta:
        model = ClassificationDimension
        fields = ["code", "name", "order", "is_active"]


class ValueForm(forms.ModelForm[ClassificationValue]):
    class Meta:
        model = ClassificationValue
        fields = ["dimension", "code", "name", "order", "is_active"]


class StatusForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label=_("Customer number to merge into this one"),
        help_text=_(
            "Its contacts, accounts and requests move here; then it is closed and linked here."
        ),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PackageForm(forms.Form):
    """What the dossier package holds beyond the current state: every document version, and
    masked values in plain text (for whoever may reveal them, with a reason)."""

    all_versions = forms.BooleanField(
        label=_("Every version of each document, not only the current one"), required=False
    )
    reveal = forms.BooleanField(label=_("Show masked values in plain text"), required=False)
    reason = forms.CharField(
        label=_("Reason for showing them"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, may_reveal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_reveal:
            del self.fields["reveal"]
            del self.fields["reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data.setdefault("reveal", False)
        data.setdefault("reason", "")
        if data["reveal"] and not data["reason"].strip():
            self.add_error("reason", _("Give the reason for revealing masked values."))
        return data


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )
    decision_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeRequestForm(CustomerForm):
    """The customer's data as it stands, to correct; the difference becomes the proposal."""

    reason = forms.CharField(
        label=_("What is wrong, and the source of the correct data"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachment = forms.FileField(label=_("Supporting file (PDF, PNG or JPEG)"), required=False)

    class Meta(CustomerForm.Meta):
        fields = [
            "name", "credit_code", "legal_rep_name", "legal_rep_title", "legal_rep_phone",
            "registered_address", "operating_address", "founded_on", "registered_capital",
            "business_scope", "licence_valid_until", "issuing_authority", "phone", "email",
            "address", "province", "city", "occupation", "employer",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind == CustomerKind.INDIVIDUAL:
            # A person's phone is encrypted and masked (SEC-3): not shown to proposers.
            self.fields.pop("phone", None)

    def _add_classification_fields(self) -> None:
        """Classifications are the owner's call, not a correction."""
