"""The base of every API view: the token's user acts for the audit log, read-only users are
refused, and the permission a view needs is declared and asked of the policy. Model viewsets
declare it through their model and action (`PolicyPermission`); hand-written endpoints through
`Endpoint.required_permissions`, and they fetch objects with `Endpoint.get_visible`
(`kehu.core.access.get_visible_or_404`)."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import Token
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from kehu.api.fields import error_detail
from kehu.audit.context import Actor, _current, actor_for
from kehu.audit.middleware import client_ip
from kehu.audit.purpose import api_purpose
from kehu.core import policy
from kehu.core.access import DENIED, NOT_FOUND, get_visible_or_404
from kehu.core.middleware import read_only_refusal

ACTIONS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class PolicyPermission(permissions.BasePermission):
    """A model viewset's permission: `<queryset_model>.<action>`, on the object if any."""

    message = DENIED

    def has_permission(self, request: Request, view: Any) -> bool:
        action = ACTIONS.get(view.action, "view")
        return policy.has_perm(request.user, policy.perm_name(view.queryset_model, action))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = ACTIONS.get(view.action, "view")
        return policy.has_perm(request.user, policy.perm_name(type(obj), action), obj)


class AuditedAPIView(APIView):
    """Makes the token's user the actor of audit events (the middleware ran before DRF
    authenticated the request)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        match = request._request.resolver_match
        refusal = read_only_refusal(
            request.method or "GET", request.user, match.view_name if match else ""
        )
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        try:
            purpose = api_purpose(request._request, request.auth)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"purpose": error.messages}) from None
        self._actor_token: Token[Actor] | None = _current.set(
            actor_for(request.user, client_ip(request._request), purpose)
        )

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        token = getattr(self, "_actor_token", None)
        if token is not None:
            _current.reset(token)
            self._actor_token = None
        return super().finalize_response(request, response, *args, **kwargs)


# Base of the hand-written endpoints in the apps' `api` modules. `required_permissions`
# ({HTTP method: permission}) is checked before the handler runs; a permission that depends on
# an object is checked with `require` once the handler has it. (No docstring: the schema shows
# a view's inherited docstring as each operation's description.)
class Endpoint(AuditedAPIView):
    permission_classes = [permissions.IsAuthenticated]
    required_permissions: ClassVar[Mapping[str, str]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        method = "GET" if request.method == "HEAD" else request.method or "GET"
        perm = self.required_permissions.get(method)
        if perm:
            self.require(perm)

    def require(self, perm: str, obj: Any = None) -> None:
        """Refuse (403) unless the user holds `perm`, on `obj` when given."""
        if not policy.has_perm(self.request.user, perm, obj):
            raise exceptions.PermissionDenied()

    def get_visible[M: Model](
        self, queryset: QuerySet[M] | type[M], pk: Any, action: str = "view"
    ) -> M:
        """The object `pk` if the user may do `action` on it; 404 otherwise."""
        return get_visible_or_404(self.request.user, queryset, pk, action)

    def get_or_404[M: Model](self, queryset: QuerySet[M], pk: Any) -> M:
        """The object `pk` of a queryset already limited to what the user may see, or whose
        permission the endpoint checks on the object itself (403 rather than 404); 404
        otherwise."""
        try:
            return queryset.get(pk=pk)
        except ObjectDoesNotExist:
            raise Http404(NOT_FOUND) from None


def invalid(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as the API's 400, field by field."""
    return exceptions.ValidationError(error_detail(error))
