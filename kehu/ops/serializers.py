"""The chat robot and the webhook subscriber over the API: addresses and secrets are
write-only; reads show the masked address (and whether a robot's secret is set)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from kehu.ops.models import ChatRobot, WebhookEvent, WebhookSubscriber
from kehu.ops.robots import check_kinds
from kehu.ops.webhooks import check_events


class ChatRobotSerializer(serializers.ModelSerializer[ChatRobot]):
    webhook_url = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=1000
    )
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200
    )
    clear_secret = serializers.BooleanField(write_only=True, required=False, default=False)
    webhook = serializers.CharField(source="webhook_shown", read_only=True)
    signed = serializers.BooleanField(read_only=True)
    kinds = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = ChatRobot
        fields = ["id", "name", "platform", "webhook_url", "secret", "clear_secret", "webhook"]
        fields += ["signed", "unit", "kinds", "is_active", "version"]
        read_only_fields = ["id", "version"]

    def validate_kinds(self, value: list[str]) -> list[str]:
        try:
            return check_kinds(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["kinds"]) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not (attrs.get("webhook_url") or "").strip():
            required = self.fields["webhook_url"].error_messages["required"]
            raise serializers.ValidationError({"webhook_url": [required]})
        return attrs


class WebhookSubscriberSerializer(serializers.ModelSerializer[WebhookSubscriber]):
    url = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=1000)
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200
    )
    address = serializers.CharField(source="url_shown", read_only=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["id", "name", "url", "secret", "address", "events", "is_active", "version"]
        read_only_fields = ["id", "version"]

    def validate_events(self, value: list[str]) -> list[str]:
        try:
            return check_events(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["events"]) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            for name in ("url", "secret", "events"):
                if not attrs.get(name):
                    required = self.fields[name].error_messages["required"]
                    raise serializers.ValidationError({name: [required]})
        return attrs
