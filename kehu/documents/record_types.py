"""Record types of the documents app: the document types (DOC-1), kept by administrators
through the generic record machinery (list, detail, edit, export, API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.customers.models import Customer
from kehu.documents import filters, forms, serializers, services
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.generic.registry import (
    ApiSpec,
    Column,
    DetailSpec,
    EditSpec,
    ListSpec,
    Nav,
    RecordType,
    register,
)

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

register(
    RecordType(
        model=DocumentType,
        slug="document-types",
        nav=Nav(_("Document types"), icon="file-certificate", permission="change"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("code", sort="code"),
                Column("has_dates", badge=True),
                Column("multiple", badge=True),
                Column("order", sort="order"),
                Column("is_active", badge=True),
            ],
            filterset=filters.DocumentTypeFilter,
            default_sort="order",
            search_fields=["name", "code"],
        ),
        detail=DetailSpec(
            fields=[
                "code",
                "name",
                "has_dates",
                "multiple",
                "content_types",
                "order",
                "is_active",
                "for_contracts",
            ]
        ),
        edit=EditSpec(form=forms.DocumentTypeForm, update=services.document_type_update),
        api=ApiSpec(serializer=serializers.DocumentTypeSerializer),
    )
)
