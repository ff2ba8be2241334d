"""Interactions in the API beyond the generated record endpoints: a customer's timeline
(newest first, one kind or all), marking a follow-up done, replying to a complaint (its
handling and approval steps go through the workflow's tasks API)."""

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
from kehu.interactions import complaints, selectors, services, timeline
from kehu.interactions.models import Complaint, Interaction
from kehu.interactions.serializers import ComplaintSerializer, InteractionSerializer


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


class ReplyRequestSerializer(serializers.Serializer[Any]):
    reply_text = serializers.CharField(required=False, allow_blank=True)
    letter = serializers.IntegerField(
        required=False, allow_null=True, help_text="A standard reply letter (used without text)"
    )


class ComplaintReplyView(Endpoint):
    """Send the reply (after the general manager's approval), by whoever it is assigned to."""

    @extend_schema(request=ReplyRequestSerializer, responses=ComplaintSerializer)
    def post(self, request: Request, pk: int) -> Response:
        complaint = self.get_visible(Complaint, pk)
        given = request.data
        data = {"reply_text": given.get("reply_text", ""), "letter": given.get("letter") or ""}  # type: ignore[union-attr]
        form = complaints.ReplyForm(data, complaint=complaint)
        try:
            done = complaints.complaint_reply(complaint, by=request.user, form=form)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(ComplaintSerializer(done, context={"request": request}).data)


urlpatterns = [
    path("complaints/<int:pk>/reply/", ComplaintReplyView.as_view(), name="complaint_reply"),
    path("customers/<int:pk>/timeline/", TimelineView.as_view(), name="customer_timeline"),
    path(
        "interactions/<int:pk>/follow-up-done/",
        FollowUpDoneView.as_view(),
        name="interaction_follow_up_done",
    ),
]
