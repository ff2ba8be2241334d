"""What is due and the reminder settings in the API: the same selectors and services as the
pages (`reminders.due_for`, `preferences.preferences_save`)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint
from kehu.ops import preferences
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import due_for, rules


class DueSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(source="rule.kind")
    kind_label = serializers.CharField()
    title = serializers.CharField()
    deadline = serializers.DateField()
    state = serializers.ChoiceField(choices=["overdue", "today", "soon"])
    link = serializers.CharField()


class ReminderSettingSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField(read_only=True)
    channel = serializers.ChoiceField(choices=ReminderChannel.choices)


def _settings(user: Any) -> list[dict[str, Any]]:
    chosen = preferences.channels_chosen(user)
    return [
        {
            "kind": r.kind,
            "kind_label": str(r.label),
            "channel": chosen.get(r.kind, r.default_channel),
        }
        for r in rules()
    ]


class DueListView(Endpoint):
    @extend_schema(responses=DueSerializer(many=True))
    def get(self, request: Request) -> Response:
        items = due_for(request.user)
        kind = request.query_params.get("kind")
        if kind:
            items = [i for i in items if i.rule.kind == kind]
        return Response(DueSerializer(items, many=True).data)


class ReminderSettingsView(Endpoint):
    @extend_schema(responses=ReminderSettingSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ReminderSettingSerializer(_settings(request.user), many=True).data)

    @extend_schema(
        request=ReminderSettingSerializer(many=True),
        responses=ReminderSettingSerializer(many=True),
    )
    def put(self, request: Request) -> Response:
        data = ReminderSettingSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        known = {r.kind for r in rules()}
        unknown = sorted({row["kind"] for row in data.validated_data} - known)
        if unknown:
            message = _("Unknown kind of reminder: %(kind)s") % {"kind": unknown[0]}
            raise serializers.ValidationError({"kind": [message]})
        choices = {row["kind"]: row["channel"] for row in data.validated_data}
        preferences.preferences_save(request.user, choices)
        return Response(ReminderSettingSerializer(_settings(request.user), many=True).data)


urlpatterns = [
    path("due/", DueListView.as_view(), name="due"),
    path("reminder-settings/", ReminderSettingsView.as_view(), name="reminder_settings"),
]
