from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request

from kehu.api.records import AuditedAPIView, PolicyPermission
from kehu.audit.filters import AuditEventFilter
from kehu.audit.models import AuditEvent
from kehu.core import policy


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor_id",
            "actor_username",
            "source_ip",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "extra",
            "prev_hash",
            "hash",
        ]


class AuditEventViewSet(AuditedAPIView, viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    queryset_model = AuditEvent
    queryset = AuditEvent.objects.none()
    lookup_field = "seq"

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return policy.scope(self.request.user, AuditEvent.objects.all())

    def sort_key(self, request: Request) -> Any:
        # Insertion order: events not sealed yet (no seq) are listed too.
        return "-pk"
