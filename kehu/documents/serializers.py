"""API serializers of the documents app's record types."""

from __future__ import annotations

from rest_framework import serializers

from kehu.documents.models import DocumentType
from kehu.infra.uploads import CONTENT_TYPE_CHOICES


class DocumentTypeSerializer(serializers.ModelSerializer[DocumentType]):
    content_types = serializers.ListField(
        child=serializers.ChoiceField(choices=CONTENT_TYPE_CHOICES), required=False
    )

    class Meta:
        model = DocumentType
        fields = [
            "id",
            "code",
            "name",
            "has_dates",
            "multiple",
            "content_types",
            "order",
            "is_active",
            "for_contracts",
        ]
        fields += ["version"]
        read_only_fields = ["id"]
