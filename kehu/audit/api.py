"""The audit log in the API (read-only): the same rows, filters and masking as its page."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request

from kehu.api.base import AuditedAPIView, PolicyPermission
from kehu.audit.chain import HASHED_FIELDS
from kehu.audit.filters import AuditEventFilter
from kehu.audit.models import AuditEvent
from kehu.audit.selectors import readable_types, redact, restrict_filters
from kehu.core import policy


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    # Sensitive values masked, as on the audit page (kehu.audit.presentation.shown_changes).
    changes = serializers.JSONField(source="shown_changes", read_only=True)

    class Meta:
        model = AuditEvent
        # Everything the chain hashes, and the hash: an event can be checked from the API.
        fields = [*HASHED_FIELDS, "hash"]

    def to_representation(self, instance: AuditEvent) -> dict[str, Any]:
        # Shown as the page shows it: in full only for types the reader reads everywhere.
        readable = self.context.get("readable_types")
        return super().to_representation(redact(instance, readable))


class AuditEventViewSet(AuditedAPIView, viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    queryset_model = AuditEvent
    queryset = AuditEvent.objects.none()
    lookup_field = "seq"

    def get_queryset(self) -> QuerySet[AuditEvent]:
        rows = policy.scope(self.request.user, AuditEvent.objects.all())
        return restrict_filters(rows, self._readable(), self.request.query_params)

    def _readable(self) -> frozenset[str] | None:
        if not hasattr(self, "_readable_types"):
            self._readable_types = readable_types(self.request.user)
        return self._readable_types

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "readable_types": self._readable()}

    def sort_key(self, request: Request) -> Any:
        # Insertion order: events not sealed yet (no seq) are listed too.
        return "-pk"
