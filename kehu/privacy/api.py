"""Privacy in the API: revealing a masked value (SEC-3), consents (PRV-1) and the register of
access grants (read-only; the same rows and filters as the page `privacy:grant_register`),
with the same rules and audit as the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import AuditedAPIView, Endpoint, PolicyPermission, invalid
from kehu.api.fields import ChineseDateField
from kehu.audit.purpose import PURPOSES
from kehu.core.access import NOT_FOUND
from kehu.core.models import AccessGrant
from kehu.privacy import consent, services
from kehu.privacy.grants import all_grants_visible_to
from kehu.privacy.models import Channel, Consent, Purpose
from kehu.privacy.register import AccessGrantFilter


class RevealSerializer(serializers.Serializer[Any]):
    object_type = serializers.CharField(help_text='e.g. "customers.customer"')
    object_id = serializers.IntegerField()
    field = serializers.CharField(help_text='e.g. "id_number", "phone", "mobile"')
    purpose = serializers.ChoiceField(choices=PURPOSES)
    reason = serializers.CharField()


class RevealedSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    revealed_with = serializers.DictField(
        required=False,
        child=serializers.CharField(allow_blank=True),
        help_text='Values revealed together with it, e.g. {"birth_date": …, "gender": …}.',
    )


def _model(object_type: str) -> type[Model]:
    """The model an `object_type` ("app.model") names; 404 when it names none."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        raise Http404(NOT_FOUND) from None


class RevealView(Endpoint):
    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    def post(self, request: Request) -> Response:
        given = RevealSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        found = self.get_visible(_model(data["object_type"]), data["object_id"])
        try:
            values = services.reveal_values(
                request.user,
                found,
                data["field"],
                purpose=data["purpose"],
                reason=data["reason"],
            )
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied() from None
        except DjangoValidationError as error:
            raise invalid(error) from None
        value = values.pop(data["field"])
        return Response({"value": value, "revealed_with": values} if values else {"value": value})


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    object_type = serializers.SerializerMethodField()
    object_id = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id", "object_type", "object_id", "purpose", "scope", "given_on", "channel",
            "has_evidence", "recorded_by", "withdrawn_at", "withdrawal_note", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_object_type(self, obj: Consent) -> str:
        return str(obj.subject._meta.label_lower)

    def get_object_id(self, obj: Consent) -> int:
        return int(obj.subject.pk)

    def get_has_evidence(self, obj: Consent) -> bool:
        return bool(obj.evidence)


class NewConsentSerializer(serializers.Serializer[Any]):
    object_type = serializers.ChoiceField(choices=["customers.customer", "customers.contact"])
    object_id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    scope = serializers.CharField()
    given_on = ChineseDateField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    evidence = serializers.FileField(required=False)


class ConsentsView(Endpoint):
    """Consents of one person (`?object_type=customers.contact&object_id=7`); POST records
    one (multipart when it carries the evidence file)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def person(self, object_type: str, object_id: Any) -> Any:
        """The person (a customer who is an individual, or a contact) the user may see."""
        found = self.get_visible(_model(object_type), object_id)
        if not consent.is_person(found):
            raise Http404(NOT_FOUND)
        return found

    @extend_schema(responses=ConsentSerializer(many=True))
    def get(self, request: Request) -> Response:
        subject = self.person(
            request.query_params.get("object_type", ""),
            request.query_params.get("object_id", ""),
        )
        return Response(ConsentSerializer(consent.consents_of(subject), many=True).data)

    @extend_schema(request=NewConsentSerializer, responses=ConsentSerializer)
    def post(self, request: Request) -> Response:
        given = NewConsentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        subject = self.person(data.pop("object_type"), data.pop("object_id"))
        evidence = data.pop("evidence", None)
        try:
            created = consent.record_consent(subject, data, request.user, evidence)
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied() from None
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(ConsentSerializer(created).data, status=status.HTTP_201_CREATED)


class AccessGrantSerializer(serializers.ModelSerializer[AccessGrant]):
    user = serializers.CharField(source="user.username", read_only=True)
    granted_by = serializers.CharField(source="granted_by.username", read_only=True)
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, allow_null=True, default=None
    )
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "user",
            "object_type",
            "object_id",
            "object_repr",
            "actions",
            "granted_at",
            "until",
            "granted_by",
            "reason",
            "revoked_at",
            "revoked_by",
        ]


class AccessGrantViewSet(AuditedAPIView, viewsets.ReadOnlyModelViewSet):
    serializer_class = AccessGrantSerializer
    filterset_class = AccessGrantFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    queryset_model = AccessGrant
    queryset = AccessGrant.objects.none()

    def get_queryset(self) -> QuerySet[AccessGrant]:
        return all_grants_visible_to(self.request.user)

    def sort_key(self, request: Request) -> Any:
        return "-pk"


urlpatterns = [
    path("reveal/", RevealView.as_view(), name="reveal"),
    path("consents/", ConsentsView.as_view(), name="consents"),
]
