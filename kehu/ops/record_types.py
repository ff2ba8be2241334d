"""The chat robots and the webhook subscribers as record types: administrators keep them
(list, detail, edit, export, API); addresses and secrets appear only masked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.generic.registry import (
    ApiSpec,
    Column,
    DetailSpec,
    EditSpec,
    ListSpec,
    Nav,
    RecordType,
    register,
)
from kehu.ops import filters, forms, robots, selectors, serializers, webhooks
from kehu.ops.models import ChatRobot, WebhookSubscriber

register(
    RecordType(
        model=ChatRobot,
        slug="chat-robots",
        nav=Nav(_("Chat robots"), icon="robot", permission="change"),
        queryset=lambda: ChatRobot.objects.select_related("unit"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("platform", sort="platform", badge=True),
                Column("webhook_shown", label=_("webhook address")),
                Column("unit"),
                Column("kinds_shown", label=_("reminder kinds")),
                Column("is_active", badge=True),
            ],
            filterset=filters.ChatRobotFilter,
            default_sort="name",
            search_fields=["name"],
        ),
        detail=DetailSpec(
            fields=["name", "platform", "unit", "is_active", "updated_at"],
            panels=["ops/_robot_panel.html"],
            context=selectors.robot_context,
        ),
        edit=EditSpec(
            form=forms.ChatRobotForm, create=robots.robot_create, update=robots.robot_update
        ),
        api=ApiSpec(serializer=serializers.ChatRobotSerializer),
    )
)

register(
    RecordType(
        model=WebhookSubscriber,
        slug="webhooks",
        queryset=lambda: WebhookSubscriber.objects.all(),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("url_shown", label=_("address")),
                Column("events_shown", label=_("events")),
                Column("is_active", badge=True),
            ],
            filterset=filters.WebhookSubscriberFilter,
            default_sort="name",
            search_fields=["name"],
        ),
        detail=DetailSpec(
            fields=["name", "is_active", "updated_at"],
            panels=["ops/_webhook_panel.html"],
            context=selectors.webhook_context,
        ),
        edit=EditSpec(
            form=forms.WebhookSubscriberForm,
            create=webhooks.subscriber_create,
            update=webhooks.subscriber_update,
        ),
        api=ApiSpec(serializer=serializers.WebhookSubscriberSerializer),
    )
)
