"""API tokens in the API: list one's own (an administrator anyone's with `?all=true` or
`?user=`), create one (the token is in the answer, once), revoke one. Same rules as the page
(`kehu.api.services`): a user whose role requires a second factor creates a token only from a
session that passed it, never with another token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api import services
from kehu.api.base import Endpoint, invalid
from kehu.api.models import ApiToken
from kehu.core import policy
from kehu.core.access import DENIED, NOT_FOUND


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    user = serializers.CharField(source="user.username", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id", "user", "name", "prefix", "created_at", "expires_at", "last_used_at",
            "revoked_at", "state",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state(self, token: ApiToken) -> str:
        return services.state_of(token)


class NewTokenSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(required=False, min_value=1)


class CreatedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="shown only in this answer")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


def _second_factor_passed(request: Request) -> bool:
    """Only a session can have passed the second factor; a bearer token never counts."""
    if isinstance(request.auth, ApiToken):
        return False
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _visible(request: Request) -> QuerySet[ApiToken]:
    mine = services.tokens_of(request.user).select_related("user")
    wants_all = request.query_params.get("all") in ("1", "true") or "user" in request.query_params
    if not wants_all:
        return mine
    if not policy.has_perm(request.user, services.VIEW_PERM):
        raise exceptions.PermissionDenied(DENIED)
    rows = services.tokens_visible_to(request.user)
    username = request.query_params.get("user", "").strip()
    return rows.filter(user__username__iexact=username) if username else rows


class TokensView(Endpoint):
    @extend_schema(
        parameters=[
            OpenApiParameter("all", bool, description="anyone's tokens (administrators)"),
            OpenApiParameter("user", str, description="one user's tokens (administrators)"),
        ],
        responses=ApiTokenSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = _visible(request)[:500]
        return Response(ApiTokenSerializer(rows, many=True).data)

    @extend_schema(request=NewTokenSerializer, responses={201: CreatedTokenSerializer})
    def post(self, request: Request) -> Response:
        given = NewTokenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            token, raw = services.create_token(
                request.user,  # type: ignore[arg-type]
                given.validated_data["name"],
                days=given.validated_data.get("days"),
                second_factor_passed=_second_factor_passed(request),
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        token.token = raw  # type: ignore[attr-defined]
        return Response(CreatedTokenSerializer(token).data, status=status.HTTP_201_CREATED)


def _token(request: Request, pk: int) -> ApiToken:
    found = services.tokens_of(request.user).filter(pk=pk).first()
    if found is None and policy.has_perm(request.user, services.VIEW_PERM):
        found = services.tokens_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


class TokenDetailView(Endpoint):
    @extend_schema(responses=ApiTokenSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ApiTokenSerializer(_token(request, pk)).data)


class TokenRevokeView(Endpoint):
    @extend_schema(request=None, responses=ApiTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        try:
            token = services.revoke_token(_token(request, pk), by=request.user)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        return Response(ApiTokenSerializer(token).data)
