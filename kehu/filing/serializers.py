"""API serializers of the filing configuration's record types."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehu.customers.identifiers import clean_credit_code
from kehu.customers.models import Industry
from kehu.filing.models import ChecklistItem, RiskRule, WatchListEntry, check_item


class ChecklistItemSerializer(serializers.ModelSerializer[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = [
            "id", "name", "customer_kind", "industry", "item_kind", "field_name", "doc_type",
            "note", "condition", "order", "is_active", "version",
        ]  # fmt: skip
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        current = self.instance
        value = {
            name: attrs.get(name, getattr(current, name, None))
            for name in ("item_kind", "field_name", "doc_type")
        }
        try:
            check_item(value["item_kind"] or "", value["field_name"] or "", value["doc_type"])
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class WatchListEntrySerializer(serializers.ModelSerializer[WatchListEntry]):
    class Meta:
        model = WatchListEntry
        fields = [
            "id", "name", "credit_code", "list_kind", "source", "listed_on", "note", "is_active",
            "version",
        ]  # fmt: skip
        read_only_fields = ["id"]

    def validate_credit_code(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        try:
            return clean_credit_code(value) if value.strip() else ""
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class RiskRuleSerializer(serializers.ModelSerializer[RiskRule]):
    industries = serializers.ListField(
        child=serializers.ChoiceField(choices=Industry.choices), required=False
    )

    class Meta:
        model = RiskRule
        fields = ["id", "name", "kind", "threshold", "industries", "is_active", "note", "version"]
        read_only_fields = ["id"]
