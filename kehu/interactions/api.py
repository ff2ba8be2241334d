"""Interactions in the API beyond the generated record endpoints: a customer's timeline
(newest first, one kind or all) and marking a follow-up done."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.customers.models import Customer
from kehu.interactions import selectors, services, timeline
from kehu.interactions.models import Interaction
from kehu.interactions.serializers import InteractionSerializer


class EntrySerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    when = serializers.DateTimeField()
    title = serializers.CharField()
    summary = serializers.CharField()
    link = serializers.CharField()
    who = serializers.CharField()
    badge = serializers.CharField()


class TimelineSerializer(serializers.Serializer[Any]):
    results = EntrySerializer(many=True)
    next_before = serializers.DateTimeField(allow_null=True)


class TimelineView(Endpoint):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, description="communication, …"),
            OpenApiParameter("before", str, description="ISO date-time: older entries"),
        ],
        responses=TimelineSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = self.get_visible(Customer, pk)
        before = selectors.parse_before(request.query_params.get("before", ""))
        kind = request.query_params.get("kind", "")
        entries = timeline.timeline(request.user, customer, kind=kind, before=before, limit=51)
        return Response(
            {
                "results": EntrySerializer(entries[:50], many=True).data,
                "next_before": entries[49].when if len(entries) > 50 else None,
            }
        )


class FollowUpDoneView(Endpoint):
    @extend_schema(request=None, responses=InteractionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        interaction = self.get_visible(Interaction, pk)
        try:
            done = services.interaction_follow_up_done(interaction, by=request.user)  # type: ignore[arg-type]
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(InteractionSerializer(done, context={"request": request}).data)


urlpatterns = [
    path("customers/<int:pk>/timeline/", TimelineView.as_view(), name="customer_timeline"),
    path(
        "interactions/<int:pk>/follow-up-done/",
        FollowUpDoneView.as_view(),
        name="interaction_follow_up_done",
    ),
]
