"""Disposition and the destruction register in the API: items due, proposing a destruction,
an entry, executing it. Approval goes through the workflow's tasks API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.archives import retention, selectors
from kehu.archives.models import Destruction, DestructionMethod, DossierItem
from kehu.core.models import User


class DestructionSerializer(serializers.ModelSerializer[Destruction]):
    items: Any = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="reference_code"
    )
    witnesses: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, default=None, allow_null=True
    )
    executor = serializers.CharField(
        source="executor.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Destruction
        fields = [
            "id",
            "number",
            "status",
            "reason",
            "method",
            "items",
            "approved_by",
            "approved_at",
            "executor",
            "witnesses",
            "executed_on",
            "case_id",
        ]
        read_only_fields = fields


class DestructionProposalSerializer(serializers.Serializer[Any]):
    items = serializers.PrimaryKeyRelatedField(many=True, queryset=DossierItem.objects.all())
    reason = serializers.CharField()
    method = serializers.ChoiceField(choices=DestructionMethod.choices)


class ExecuteSerializer(serializers.Serializer[Any]):
    witnesses = serializers.SlugRelatedField(
        many=True, slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    executed_on = serializers.DateField(required=False)


class DispositionView(Endpoint):
    required_permissions = {"GET": "archives.destruction.add"}

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        rows = retention.due_items(selectors.visible_dossiers(request.user, "change"))
        return Response(
            [
                {
                    "item": r["item"].pk,
                    "reference_code": r["item"].reference_code,
                    "archive_number": r["item"].dossier.archive_number,
                    "due": r["due"],
                    "held": r["held"],
                    "pending": r["pending"],
                }
                for r in rows
            ]
        )


class DestructionsView(Endpoint):
    required_permissions = {"POST": "archives.destruction.add"}

    @extend_schema(responses=DestructionSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.visible_destructions(request.user)[:500]
        return Response(DestructionSerializer(rows, many=True).data)

    @extend_schema(request=DestructionProposalSerializer, responses={201: DestructionSerializer})
    def post(self, request: Request) -> Response:
        data = DestructionProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        allowed = selectors.visible_dossiers(request.user, "change")
        items = data.validated_data["items"]
        if any(not allowed.filter(pk=i.dossier_id).exists() for i in items):
            raise exceptions.PermissionDenied()
        try:
            entry = retention.destruction_propose(
                items,
                reason=data.validated_data["reason"],
                method=data.validated_data["method"],
                by=request.user,
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(DestructionSerializer(entry).data, status=status.HTTP_201_CREATED)


class DestructionDetailView(Endpoint):
    @extend_schema(responses=DestructionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        entry = self.get_or_404(selectors.visible_destructions(request.user), pk)
        return Response(DestructionSerializer(entry).data)


class DestructionExecuteView(Endpoint):
    @extend_schema(request=ExecuteSerializer, responses=DestructionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        entry = self.get_or_404(selectors.visible_destructions(request.user), pk)
        self.require("archives.destruction.execute")
        data = ExecuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            entry = retention.destruction_execute(
                entry,
                by=request.user,
                witnesses=list(data.validated_data["witnesses"]),
                executed_on=data.validated_data.get("executed_on"),
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(DestructionSerializer(entry).data)
