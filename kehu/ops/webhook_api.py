"""Webhooks in the API beyond the subscribers' record endpoints (/api/v1/webhooks/): the
delivery log and the retry of a failed delivery."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint
from kehu.ops import selectors, webhooks
from kehu.ops.models import WebhookDelivery


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    subscriber_name = serializers.CharField(source="subscriber.name", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscriber", "subscriber_name", "event", "event_id", "payload"]
        fields += ["status", "attempts", "response_status", "last_error", "next_try_at"]
        fields += ["created_at", "sent_at"]


class WebhookDeliveriesView(Endpoint):
    required_permissions = {"GET": "ops.webhookdelivery.view"}

    @extend_schema(
        parameters=[OpenApiParameter("subscriber", OpenApiTypes.INT, required=False)],
        responses=WebhookDeliverySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        subscriber = request.query_params.get("subscriber", "")
        rows = selectors.webhook_deliveries(int(subscriber) if subscriber.isdigit() else None)
        return Response(WebhookDeliverySerializer(rows, many=True).data)


class WebhookDeliveryRetryView(Endpoint):
    required_permissions = {"POST": "ops.webhookdelivery.change"}

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    def post(self, request: Request, pk: int) -> Response:
        delivery = self.get_or_404(WebhookDelivery.objects.select_related("subscriber"), pk)
        delivery = webhooks.delivery_retry(delivery, by=request.user)
        return Response(WebhookDeliverySerializer(delivery).data)


urlpatterns = [
    path("webhook-deliveries/", WebhookDeliveriesView.as_view(), name="webhook_deliveries"),
    path(
        "webhook-deliveries/<int:pk>/retry/",
        WebhookDeliveryRetryView.as_view(),
        name="webhook_delivery_retry",
    ),
]
