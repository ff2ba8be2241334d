"""Documents in the API: upload (multipart), listing, versions, download. Same services,
selectors and policy as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseBase
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.customers.api import CustomerActionView
from kehu.customers.duplicates import resolve
from kehu.documents import opening, selectors, services
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.documents.views import _stream


class VersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    version = serializers.IntegerField(source="number", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    attested_by = serializers.CharField(
        source="attested_by.username", read_only=True, default=None, allow_null=True
    )
    download = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id", "document", "version", "original_name", "stored_name", "size", "content_type",
            "sha256", "uploaded_by", "uploaded_at", "issued_on", "expires_on", "attested_by",
            "attested_at", "note", "download",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download(self, obj: DocumentVersion) -> str:
        return f"/api/v1/document-versions/{obj.pk}/download/"


class DocumentSerializer(serializers.ModelSerializer[Document]):
    doc_type = serializers.CharField(source="doc_type.code", read_only=True)
    doc_type_name = serializers.CharField(source="doc_type.name", read_only=True)
    current = VersionSerializer(read_only=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id", "customer", "doc_type", "doc_type_name", "title", "reference", "expires_on",
            "current", "page",
        ]  # fmt: skip
        read_only_fields = fields

    def get_page(self, obj: Document) -> str:
        return reverse("documents:document", args=[obj.pk])


class UploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    doc_type = serializers.SlugRelatedField(
        slug_field="code", queryset=DocumentType.objects.filter(is_active=True)
    )
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    attested = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A type that allows several per customer: the document that gets the new "
        "version (none: a new document).",
    )
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class CustomerDocumentsView(CustomerActionView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk)
        rows = selectors.visible_documents(request.user).filter(customer=customer)
        return Response(DocumentSerializer(rows, many=True).data)

    @extend_schema(request=UploadSerializer, responses={201: VersionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        customer = resolve(self.customer(pk))
        if not selectors.can_upload(request.user, customer):
            raise exceptions.PermissionDenied()
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        target = None
        if values.get("document"):
            target = self.get_visible(selectors.document_rows(), values["document"])
            if target.customer_id != customer.pk:
                raise exceptions.NotFound()
        try:
            version = services.document_upload(
                customer,
                values["doc_type"],
                values["file"],
                request.user,
                issued_on=values.get("issued_on"),
                expires_on=values.get("expires_on"),
                attested=values["attested"],
                note=values["note"],
                document=target,
                title=values["title"],
                reference=values["reference"],
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DocumentVersionsView(Endpoint):
    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        document = self.get_visible(Document, pk)
        versions = document.versions.select_related("uploaded_by", "attested_by")
        return Response(VersionSerializer(versions.order_by("-number"), many=True).data)


class VersionDownloadView(Endpoint):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        version = self.get_visible(
            DocumentVersion.objects.select_related(
                "document", "document__customer", "document__doc_type"
            ),
            pk,
        )
        if not opening.may_open_version(request.user, version):
            raise exceptions.PermissionDenied(
                _("This document's type is sensitive: you may not open it.")
            )
        services.record_access(version, "download")
        return _stream(version, inline=False)


urlpatterns = [
    path("customers/<int:pk>/documents/", CustomerDocumentsView.as_view()),
    path("documents/<int:pk>/versions/", DocumentVersionsView.as_view()),
    path(
        "document-versions/<int:pk>/download/",
        VersionDownloadView.as_view(),
        name="document_download",
    ),
]
