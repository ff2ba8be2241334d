"""Cabinet checks in the API: a cabinet's checks, and recording one."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.archives import services
from kehu.archives.models import Cabinet, CabinetCheck


class CheckSerializer(serializers.ModelSerializer[CabinetCheck]):
    checked_by = serializers.CharField(source="checked_by.username", read_only=True)

    class Meta:
        model = CabinetCheck
        fields = [
            "id",
            "cabinet",
            "checked_on",
            "checked_by",
            "lock_ok",
            "damp_ok",
            "damp_note",
            "disinfected",
            "disinfection_note",
            "dust_ok",
            "dust_note",
            "has_problem",
            "note",
        ]
        read_only_fields = ["id", "cabinet", "checked_by", "has_problem"]
        # Checks recorded before the care items were kept leave them empty; a new check
        # states each of them.
        extra_kwargs = {
            "disinfected": {"allow_null": False, "required": True},
            "dust_ok": {"allow_null": False, "required": True},
        }


class CabinetChecksView(Endpoint):
    required_permissions = {"GET": "archives.cabinet.view"}

    @extend_schema(responses=CheckSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        cabinet = self.get_or_404(Cabinet.objects.all(), pk)
        return Response(CheckSerializer(cabinet.checks.all(), many=True).data)

    @extend_schema(request=CheckSerializer, responses={201: CheckSerializer})
    def post(self, request: Request, pk: int) -> Response:
        cabinet = self.get_or_404(Cabinet.objects.all(), pk)
        self.require("archives.cabinet.change", cabinet)
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            check = services.record_check(
                cabinet,
                request.user,
                checked_on=values["checked_on"],
                lock_ok=values["lock_ok"],
                damp_ok=values["damp_ok"],
                disinfected=values["disinfected"],
                dust_ok=values["dust_ok"],
                damp_note=values.get("damp_note", ""),
                disinfection_note=values.get("disinfection_note", ""),
                dust_note=values.get("dust_note", ""),
                note=values.get("note", ""),
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)
