"""List filters of the ops app's record types."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.generic.filtering import ListFilterSet
from kehu.ops.models import ChatRobot, WebhookSubscriber
from kehu.ops.robot_platforms import RobotPlatform


class ChatRobotFilter(ListFilterSet):
    platform = django_filters.ChoiceFilter(label=_("platform"), choices=RobotPlatform.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = ChatRobot
        fields = ["platform", "unit", "is_active"]


class WebhookSubscriberFilter(ListFilterSet):
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = WebhookSubscriber
        fields = ["is_active"]
