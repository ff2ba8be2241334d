"""The register of access grants in the API (read-only; the same rows and filters as the
page `privacy:grant_register`)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request

from kehu.api.viewsets import AuditedAPIView, PolicyPermission
from kehu.core.models import AccessGrant
from kehu.privacy.grants import all_grants_visible_to
from kehu.privacy.register import AccessGrantFilter


class AccessGrantSerializer(serializers.ModelSerializer[AccessGrant]):
    user = serializers.CharField(source="user.username", read_only=True)
    granted_by = serializers.CharField(source="granted_by.username", read_only=True)
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, allow_null=True, default=None
    )
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "user",
            "object_type",
            "object_id",
            "object_repr",
            "actions",
            "granted_at",
            "until",
            "granted_by",
            "reason",
            "revoked_at",
            "revoked_by",
        ]


class AccessGrantViewSet(AuditedAPIView, viewsets.ReadOnlyModelViewSet):
    serializer_class = AccessGrantSerializer
    filterset_class = AccessGrantFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    queryset_model = AccessGrant
    queryset = AccessGrant.objects.none()

    def get_queryset(self) -> QuerySet[AccessGrant]:
        return all_grants_visible_to(self.request.user)

    def sort_key(self, request: Request) -> Any:
        return "-pk"
