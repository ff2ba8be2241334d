"""API endpoints generated from the record registry: same scope, filters, services and
audit as the pages."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import AuditedAPIView, PolicyPermission
from kehu.api.fields import error_detail
from kehu.api.pagination import KeysetPagination
from kehu.api.representation import list_plan, page_values
from kehu.core import policy
from kehu.generic import listing, registry
from kehu.generic.services import StaleEditError, audited_create, audited_update
from kehu.infra.ratelimit import RateLimited


class RecordViewSet(AuditedAPIView, viewsets.ModelViewSet):
    record_type: registry.RecordType
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]

    @property
    def queryset_model(self) -> Any:
        return self.record_type.model

    def get_queryset(self) -> QuerySet[Any]:
        rt = self.record_type
        queryset = policy.scope(self.request.user, rt.api_base_queryset(), "view")
        try:
            return rt.apply_search(
                queryset, self.request.query_params.get("q", ""), self.request.user
            )
        except RateLimited as error:
            raise exceptions.Throttled(wait=error.wait, detail=str(error)) from None

    def sort_key(self, request: Request) -> str:
        return listing.sort_key(self.record_type, request.query_params.get("sort", ""))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = list_plan(self.get_serializer_class())
        if plan is None:
            response = super().list(request, *args, **kwargs)
            self._record_read(response.data.get("results", ()))
            return response
        # The page is read as the values the list serializer builds its rows from
        # (kehu.api.representation).
        queryset = self.filter_queryset(self.get_queryset())
        rows = page_values(plan, queryset, self.sort_key(request))
        paginator = self.paginator
        assert isinstance(paginator, KeysetPagination)
        page = paginator.paginate_queryset(queryset, request, view=self, rows=rows)
        data = self.get_serializer(page, many=True).data
        self._record_read(data)
        return self.get_paginated_response(data)

    def _record_read(self, items: Any) -> None:
        """One read event for the page's rows that hold personal data (as the detail's
        GET records one), judged on the representation: its fields are the record's. Nested
        lists of such records (a customer's contacts) are one more event."""
        reads = [(self.record_type, self.record_type.reads_in(_rows(items)))]
        for name, nested in _nested_read_types(self.get_serializer_class()).items():
            shown = _rows(c for item in items for c in item.get(name) or ())
            reads.append((nested, nested.reads_in(shown)))
        _record(reads)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        rt = self.record_type
        try:
            if rt.edit.create:
                serializer.instance = rt.edit.create(serializer.validated_data)
            else:
                serializer.instance = audited_create(rt.model(**serializer.validated_data))
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error_detail(error)) from None

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            data: Any = request.data
            version = int(data["version"])
        except (KeyError, TypeError, ValueError):
            raise exceptions.ValidationError(
                {"version": [_("Send the version you read; it guards against lost updates.")]}
            ) from None
        rt = self.record_type
        try:
            if rt.edit.update:
                saved = rt.edit.update(instance, serializer.validated_data, version)
            else:
                saved = audited_update(instance, dict(serializer.validated_data), version)
        except StaleEditError as error:
            return Response(
                {"detail": str(error), "changes": error.changes}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error_detail(error)) from None
        return Response(self.get_serializer(saved).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        data = self.get_serializer(instance).data
        rt = self.record_type
        personal = rt.reads_audited(instance)
        reads = [(rt, [instance.pk] if personal else [])]
        for name, nested in _nested_read_types(self.get_serializer_class()).items():
            reads.append((nested, nested.reads_in(_rows(data.get(name) or ()))))
        _record(reads, single=instance)
        return Response(data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "DELETE")


def _record(reads: list[tuple[registry.RecordType, list[Any]]], single: Any = None) -> None:
    """The request's read events ({record type: ids}) in one transaction, none without ids:
    `single`, the object of a detail GET, is recorded as the detail page records it."""
    reads = [(rt, ids) for rt, ids in reads if ids]
    if not reads:
        return
    with transaction.atomic():  # one commit for the request's events
        for rt, ids in reads:
            if single is not None and rt.model is type(single):
                rt.record_read(single, "api")
            else:
                rt.record_reads(ids, "api")


def _rows(items: Any) -> list[SimpleNamespace]:
    """Representations as objects `RecordType.reads_in` can judge (their id as `pk`)."""
    return [SimpleNamespace(**item, pk=item.get("id")) for item in items if "id" in item]


_NESTED: dict[type, dict[str, registry.RecordType]] = {}


def _nested_read_types(serializer_class: Any) -> dict[str, registry.RecordType]:
    """{field: record type} of a serializer's nested lists whose reads are audited, worked
    out once per serializer."""
    found = _NESTED.get(serializer_class)
    if found is None:
        found = {}
        for name, field in serializer_class().fields.items():
            model = getattr(getattr(getattr(field, "child", None), "Meta", None), "model", None)
            nested = registry.for_model(model) if model is not None else None
            if isinstance(field, serializers.ListSerializer) and nested and nested.audits_reads:
                found[name] = nested
        _NESTED[serializer_class] = found
    return found


def viewset_for(rt: registry.RecordType) -> type[RecordViewSet]:
    methods = ["get", "head", "options"]
    if rt.api.writable:
        methods += ["post", "put", "patch"]
    return type(
        f"{rt.model.__name__}ViewSet",
        (RecordViewSet,),
        {
            "record_type": rt,
            "serializer_class": rt.api.serializer,
            "filterset_class": rt.listing.filterset,
            "http_method_names": methods,
            "queryset": rt.model._default_manager.none(),
        },
    )
