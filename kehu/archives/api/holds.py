"""Holds in the API: a dossier's holds, placing one, lifting one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.archives import retention
from kehu.archives.models import Dossier, Hold

DOSSIERS = Dossier.objects.select_related(
    "customer", "customer__unit", "category", "cabinet", "custodian"
)


class HoldSerializer(serializers.ModelSerializer[Hold]):
    placed_by = serializers.CharField(source="placed_by.username", read_only=True)
    lifted_by = serializers.CharField(
        source="lifted_by.username", read_only=True, default=None, allow_null=True
    )
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hold
        fields = [
            "id",
            "dossier",
            "name",
            "reason",
            "active",
            "placed_by",
            "placed_at",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]
        read_only_fields = ["id", "dossier", "placed_at", "lifted_at", "lift_reason"]


class LiftSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class DossierHoldsView(Endpoint):
    @extend_schema(responses=HoldSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        dossier = self.get_visible(DOSSIERS, pk)
        return Response(HoldSerializer(dossier.holds.all(), many=True).data)

    @extend_schema(request=HoldSerializer, responses={201: HoldSerializer})
    def post(self, request: Request, pk: int) -> Response:
        dossier = self.get_visible(DOSSIERS, pk)
        self.require("archives.hold.add", dossier)
        data = HoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hold = retention.place_hold(dossier, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class HoldLiftView(Endpoint):
    @extend_schema(request=LiftSerializer, responses=HoldSerializer)
    def post(self, request: Request, pk: int) -> Response:
        hold = self.get_or_404(Hold.objects.all(), pk)
        dossier = self.get_visible(DOSSIERS, hold.dossier_id)
        self.require("archives.hold.change", dossier)
        data = LiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hold = retention.lift_hold(hold, reason=data.validated_data["reason"], by=request.user)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(HoldSerializer(hold).data)
