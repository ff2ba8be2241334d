"""Privacy in the API: revealing a masked value (SEC-3) and consents (PRV-1), with the same
rules and audit as the pages."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.fields import ChineseDateField, error_detail
from kehu.api.viewsets import AuditedAPIView
from kehu.core import policy
from kehu.privacy import consent, services
from kehu.privacy.forms import PURPOSES
from kehu.privacy.models import Channel, Consent, Purpose


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


class RevealView(AuditedAPIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    def post(self, request: Request) -> Response:
        given = RevealSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            model = apps.get_model(data["object_type"])
        except (LookupError, ValueError):
            raise Http404 from None
        obj = policy.scope(request.user, model._default_manager.all()).filter(pk=data["object_id"])
        found = obj.first()
        if found is None:
            raise Http404
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
            raise exceptions.ValidationError(error_detail(error)) from None
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


def _person(request: Request, object_type: str, object_id: Any) -> Any:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        raise Http404 from None
    found = policy.scope(request.user, model._default_manager.all()).filter(pk=object_id).first()
    if found is None or not consent.is_person(found):
        raise Http404
    return found


class ConsentsView(AuditedAPIView):
    """Consents of one person (`?object_type=customers.contact&object_id=7`); POST records
    one (multipart when it carries the evidence file)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=ConsentSerializer(many=True))
    def get(self, request: Request) -> Response:
        subject = _person(
            request,
            request.query_params.get("object_type", ""),
            request.query_params.get("object_id", ""),
        )
        return Response(ConsentSerializer(consent.consents_of(subject), many=True).data)

    @extend_schema(request=NewConsentSerializer, responses=ConsentSerializer)
    def post(self, request: Request) -> Response:
        given = NewConsentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        subject = _person(request, data.pop("object_type"), data.pop("object_id"))
        evidence = data.pop("evidence", None)
        try:
            created = consent.record_consent(subject, data, request.user, evidence)
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied() from None
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error_detail(error)) from None
        return Response(ConsentSerializer(created).data, status=status.HTTP_201_CREATED)
