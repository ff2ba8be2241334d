"""Record types of the documents app: the document types (DOC-1), kept by administrators
through the generic record machinery (list, detail, edit, export, API, standard tests)."""

from __future__ import annotations

import itertools
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kehu.core import policy
from kehu.customers.models import Customer
from kehu.documents.models import CONTENT_TYPE_CHOICES, Document, DocumentType, DocumentVersion
from kehu.generic.filtering import ListFilterSet
from kehu.generic.registry import Column, RecordType, register

# A grant on the customer lets its documents be read, never changed or replaced.
policy.register_scope(
    Document,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)
policy.register_scope(
    DocumentVersion,
    "document__customer__unit__path",
    "document__customer__owner_id",
    grant_parent=(Customer, "document__customer_id"),
    grant_actions=("view",),
)

_counter = itertools.count(1)


class DocumentTypeForm(forms.ModelForm[DocumentType]):
    content_types = forms.TypedMultipleChoiceField(
        label=_("allowed file types"),
        choices=CONTENT_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: PDF, JPEG, PNG and TIFF."),
    )

    class Meta:
        model = DocumentType
        fields = ["code", "name", "has_dates", "content_types", "order", "is_active"]


class DocumentTypeFilter(ListFilterSet):
    is_active = django_filters.BooleanFilter(label=_("active"))
    has_dates = django_filters.BooleanFilter(label=_("has issue and expiry dates"))

    class Meta:
        model = DocumentType
        fields = ["is_active", "has_dates"]


class DocumentTypeSerializer(serializers.ModelSerializer[DocumentType]):
    content_types = serializers.ListField(
        child=serializers.ChoiceField(choices=CONTENT_TYPE_CHOICES), required=False
    )

    class Meta:
        model = DocumentType
        fields = ["id", "code", "name", "has_dates", "content_types", "order", "is_active"]
        fields += ["version"]
        read_only_fields = ["id"]


def _sample_type() -> dict[str, Any]:
    n = next(_counter)
    return {
        "code": f"sample_type_{n}",
        "name": f"样例文件类型{n}",
        "has_dates": "on",
        "content_types": ["application/pdf"],
        "order": 100 + n,
        "is_active": "on",
    }


register(
    RecordType(
        model=DocumentType,
        slug="document-types",
        columns=[
            Column("name", sort="name", link=True),
            Column("code", sort="code"),
            Column("has_dates", badge=True),
            Column("order", sort="order"),
            Column("is_active", badge=True),
        ],
        filterset=DocumentTypeFilter,
        form=DocumentTypeForm,
        serializer=DocumentTypeSerializer,
        detail_fields=["code", "name", "has_dates", "content_types", "order", "is_active"],
        search_fields=["name", "code"],
        default_sort="order",
        icon="file-certificate",
        sample_data=_sample_type,
        test_users={"editor": "admin", "outsider": "manager1", "scoped": "auditor"},
        extra={"nav_label": _("Document types"), "test_unit_scoped": False},
    )
)
