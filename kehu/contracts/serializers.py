"""The contract record types in the API: the form's field names, `version` for optimistic
locking; numbers, departments and statuses are read-only (statuses change through their
own endpoint)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from kehu.contracts.models import ChecklistItem, Contract, Project
from kehu.core import policy


class ProjectSerializer(serializers.ModelSerializer[Project]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "customer", "customer_name", "name", "starts_on", "ends_on", "owner"]
        fields += ["status", "note", "version"]
        read_only_fields = ["id"]

    def validate_customer(self, customer: Any) -> Any:
        if self.instance is not None:
            return customer  # the service refuses a move
        user = self.context["request"].user
        if not policy.has_perm(user, "contracts.project.add", Project(customer=customer)):
            raise serializers.ValidationError(_("You may not add projects for this customer."))
        return customer


class ContractSerializer(serializers.ModelSerializer[Contract]):
    number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "unit_code",
            "project",
            "parent",
            "title",
            "contract_type",
            "status",
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
            "disputed",
            "note",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "disputed", "updated_at"]

    def validate_customer(self, customer: Any) -> Any:
        if self.instance is not None:
            return customer  # the service refuses a move
        user = self.context["request"].user
        probe = Contract(customer=customer, unit_id=customer.unit_id)
        if not policy.has_perm(user, "contracts.contract.add", probe):
            raise serializers.ValidationError(_("You may not add contracts for this customer."))
        return customer


class ContractChecklistItemSerializer(serializers.ModelSerializer[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = ["id", "name", "contract_type", "doc_type", "required", "order", "is_active"]
        fields += ["note", "version"]
        read_only_fields = ["id"]
