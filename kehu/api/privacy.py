"""Privacy in the API: revealing a masked value (SEC-3), with the same rules and audit as
the page."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.fields import error_detail
from kehu.api.records import AuditedAPIView
from kehu.core import policy
from kehu.privacy import services
from kehu.privacy.forms import PURPOSES


class RevealSerializer(serializers.Serializer[Any]):
    object_type = serializers.CharField(help_text='e.g. "customers.customer"')
    object_id = serializers.IntegerField()
    field = serializers.CharField(help_text='e.g. "id_number", "phone", "mobile"')
    purpose = serializers.ChoiceField(choices=PURPOSES)
    reason = serializers.CharField()


class RevealedSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()


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
            value = services.reveal(
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
        return Response({"value": value})
