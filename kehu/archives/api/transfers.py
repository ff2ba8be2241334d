"""Hand-overs between archive stages in the API: the list, and confirming receipt."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint
from kehu.archives import selectors, transfers
from kehu.archives.models import Transfer

TRANSFERS = Transfer.objects.select_related("dossier__customer__unit", "received_by")


class TransferSerializer(serializers.ModelSerializer[Transfer]):
    archive_number = serializers.CharField(source="dossier.archive_number", read_only=True)
    received_by = serializers.CharField(
        source="received_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Transfer
        fields = [
            "id",
            "dossier",
            "archive_number",
            "from_stage",
            "to_stage",
            "status",
            "due_date",
            "received_by",
            "received_at",
            "note",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransfersView(Endpoint):
    required_permissions = {"GET": "archives.transfer.view"}

    @extend_schema(responses=TransferSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.visible_transfers(request.user)[:500]
        return Response(TransferSerializer(rows, many=True).data)


class TransferConfirmView(Endpoint):
    @extend_schema(request=ConfirmSerializer, responses=TransferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        transfer = self.get_visible(TRANSFERS, pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            transfer = transfers.transfer_confirm(
                transfer, by=request.user, note=data.validated_data["note"]
            )
        except DjangoValidationError as error:
            raise exceptions.PermissionDenied(" ".join(error.messages)) from None
        return Response(TransferSerializer(transfer).data)
