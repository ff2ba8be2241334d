"""The archive record types in the API: the same field names as the forms, `version` for
optimistic locking; numbers and reference codes are read-only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from kehu.archives.models import ArchiveCategory, Cabinet, Dossier, DossierItem
from kehu.core import policy


class CategorySerializer(serializers.ModelSerializer[ArchiveCategory]):
    class Meta:
        model = ArchiveCategory
        fields = ["id", "code", "name", "class_code", "order", "retention", "is_active"]
        fields += ["version"]
        read_only_fields = ["id"]


class CabinetSerializer(serializers.ModelSerializer[Cabinet]):
    class Meta:
        model = Cabinet
        fields = ["id", "code", "name", "room", "shelves", "is_active", "note"]
        fields += ["last_checked_on", "version"]
        read_only_fields = ["id", "last_checked_on"]


class DossierSerializer(serializers.ModelSerializer[Dossier]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    unit_code = serializers.CharField(source="customer.unit.code", read_only=True)
    location = serializers.CharField(read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "customer",
            "customer_name",
            "unit_code",
            "archive_number",
            "numbered_at",
            "title",
            "category",
            "confidentiality",
            "custodian",
            "cabinet",
            "shelf",
            "position",
            "location",
            "stage",
            "closed_on",
            "destroyed_at",
            "note",
            "version",
        ]
        read_only_fields = [
            "id",
            "archive_number",
            "numbered_at",
            "stage",
            "closed_on",
            "destroyed_at",
        ]

    def validate_customer(self, customer: Any) -> Any:
        if self.instance is not None:
            if customer != self.instance.customer:
                raise serializers.ValidationError(_("A dossier stays with its customer."))
            return customer
        user = self.context["request"].user
        if not policy.units_where(user, "archives.dossier.add").filter(pk=customer.unit_id):
            raise serializers.ValidationError(_("You may not open dossiers in this department."))
        return customer


class ItemSerializer(serializers.ModelSerializer[DossierItem]):
    filed_by = serializers.CharField(
        source="filed_by.username", read_only=True, default=None, allow_null=True
    )
    archive_number = serializers.CharField(source="dossier.archive_number", read_only=True)

    class Meta:
        model = DossierItem
        fields = [
            "id",
            "dossier",
            "archive_number",
            "category",
            "title",
            "document",
            "medium",
            "pages",
            "reference_code",
            "year",
            "retention",
            "item_no",
            "filed_at",
            "filed_by",
            "destroyed_at",
            "note",
            "version",
        ]
        read_only_fields = [
            "id",
            "reference_code",
            "year",
            "retention",
            "item_no",
            "filed_at",
            "destroyed_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if self.instance is not None:
            for name in ("dossier", "category", "document"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [_("Filed items keep this.")]})
            return attrs
        dossier = attrs["dossier"]
        if not policy.has_perm(user, "archives.dossier.change", dossier):
            raise serializers.ValidationError({"dossier": [_("You may not file into it.")]})
        document = attrs.get("document")
        if document is not None and document.customer_id != dossier.customer_id:
            raise serializers.ValidationError(
                {"document": [_("The document belongs to another customer.")]}
            )
        return attrs
