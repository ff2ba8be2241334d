"""The customer API's representation: English field names, the same validation and services
as the pages (CUS-10), `version` for optimistic locking."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kehu.api.fields import (
    ChineseAmountField,
    ChineseDateField,
    MaskedFieldsMixin,
    error_detail,
)
from kehu.api.representation import FastListSerializer
from kehu.core import policy
from kehu.customers import assignment, flags
from kehu.customers.models import (
    BankAccount,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
)
from kehu.customers.validation import clean_contact, clean_customer

DATE_FIELDS = (
    "founded_on",
    "operating_term_until",
    "licence_valid_until",
    "birth_date",
    "cooperation_since",
)


class ContactSerializer(MaskedFieldsMixin, serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = [
            "id", "customer", "name", "gender", "title", "department", "mobile",
            "office_phone", "email", "role", "influence", "is_primary", "note", "version",
        ]  # fmt: skip
        read_only_fields = ["id"]

    def validate_customer(self, customer: Customer) -> Customer:
        try:
            assignment.check_customer_of(self.context["request"].user, self.instance, customer)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return customer

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            return clean_contact(attrs)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error_detail(error)) from None


class BankAccountSerializer(MaskedFieldsMixin, serializers.ModelSerializer[BankAccount]):
    class Meta:
        model = BankAccount
        fields = [
            "id", "customer", "account_name", "bank_name", "branch", "account_number",
            "is_primary", "note", "version",
        ]  # fmt: skip
        read_only_fields = ["id"]

    validate_customer = ContactSerializer.validate_customer


class CustomerListSerializer(FastListSerializer):
    # As the API's queryset prefetches them (records.py).
    orderings = {"contacts": ("-is_primary", "pk")}
    # CustomerSerializer.get_archive_number, read from the joined dossier.
    computed = {
        "archive_number": ("dossier__archive_number", ""),
        # CustomerSerializer.get_flags, read from the flags' annotation.
        "flags": (flags.KEYS, [], flags.split_keys),
    }
    annotate = staticmethod(flags.annotate_flag_keys)


class CustomerSerializer(MaskedFieldsMixin, serializers.ModelSerializer[Customer]):
    credit_code = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    registered_capital = ChineseAmountField(required=False, allow_null=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    archive_number = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField(
        help_text="The keys of the flags other contexts raise for the customer (as on its "
        'list page), e.g. "credit_hold" while it is on credit hold.'
    )
    classifications = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ClassificationValue.objects.all()
    )

    class Meta:
        model = Customer
        fields = [
            "id", "kind", "name", "status", "owner", "owner_name", "unit", "unit_code",
            "credit_code", "org_code", "id_number", "nature", "industry", "legal_rep_name",
            "legal_rep_title", "legal_rep_phone", "legal_rep_id_number", "chairman",
            "general_manager", "registered_address",
            "operating_address", "founded_on", "registered_capital", "capital_currency",
            "business_scope", "operating_term_until", "licence_valid_until",
            "issuing_authority", "certifications", "gender", "birth_date", "occupation",
            "employer", "phone", "email", "address", "province", "city", "products",
            "cooperation_since", "contract_numbers", "note", "classifications", "contacts",
            "completeness", "last_verified_at", "merged_into", "archive_number", "flags",
            "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = [
            "id", "status", "completeness", "last_verified_at", "merged_into", "created_at",
            "updated_at", "version",
        ]  # fmt: skip
        extra_kwargs = {
            "owner": {"required": False},
            "unit": {"required": False},
        }
        # API list pages of 100 customers: the same data from values() queries.
        list_serializer_class = CustomerListSerializer

    def get_archive_number(self, obj: Customer) -> str:
        """The archive number of the customer's dossier (ARC-1), "" before activation."""
        # The API's queryset joins the dossier (select_related): no query per row.
        dossier = getattr(obj, "dossier", None)
        return dossier.archive_number if dossier is not None else ""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_flags(self, obj: Customer) -> list[str]:
        return flags.raised_keys(obj) if obj.pk else []

    def build_field(self, field_name: str, info: Any, model_class: Any, nested_depth: int) -> Any:
        if field_name in DATE_FIELDS:
            return ChineseDateField, {"required": False, "allow_null": True}
        return super().build_field(field_name, info, model_class, nested_depth)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(self._with_shared_rules(data, error.detail)) from None

    def _with_shared_rules(self, data: Any, detail: Any) -> Any:
        """DRF's field errors stop `validate`; the shared rules still check the other fields,
        so that every problem is reported at once (CUS-10)."""
        if not isinstance(detail, dict) or not hasattr(data, "items"):
            return detail
        rest: dict[str, Any] = {
            k: v
            for k, v in data.items()
            if k in self.fields and k not in detail and isinstance(v, str)
        }
        rest.setdefault("kind", getattr(self.instance, "kind", None))
        try:
            clean_customer(rest, partial=True)
        except DjangoValidationError as error:
            for field, messages in error_detail(error).items():
                detail.setdefault(field, messages)
        return detail

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        creating = self.instance is None
        if creating:
            attrs.setdefault("owner", user)
            attrs.setdefault("unit", attrs["owner"].unit)
        elif (
            "kind" in attrs
            and attrs["kind"] != self.instance.kind  # type: ignore[union-attr]
            and not policy.has_perm(user, "customers.customer.reassign", self.instance)
        ):
            raise serializers.ValidationError(
                {"kind": [_("Only the department head may change this.")]}
            )
        try:
            assignment.check_assignment(user, self.instance, attrs.get("unit"), attrs.get("owner"))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error_detail(error)) from None
        data = dict(attrs)
        if not creating:
            data.setdefault("kind", self.instance.kind)  # type: ignore[union-attr]
        try:
            cleaned = clean_customer(data, partial=not creating)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error_detail(error)) from None
        # Also what the rules derive (gender and birth date from a new customer's ID number).
        kept = ("kind", "owner", "unit", "gender", "birth_date")
        return {k: v for k, v in cleaned.items() if k in attrs or k in kept}


class DimensionSerializer(serializers.ModelSerializer[ClassificationDimension]):
    class Meta:
        model = ClassificationDimension
        fields = ["id", "code", "name", "order", "is_active", "version"]
        read_only_fields = ["id"]


class ValueSerializer(serializers.ModelSerializer[ClassificationValue]):
    class Meta:
        model = ClassificationValue
        fields = ["id", "dimension", "code", "name", "order", "is_active", "version"]
        read_only_fields = ["id"]
