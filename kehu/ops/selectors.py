"""The state of the job queue, the scheduler and the outboxes, as /health/ reports it (counts
and ages only: nothing personal); the chat robot's detail page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from kehu.core import policy
from kehu.ops.models import (
    ChatRobot,
    Heartbeat,
    Outbox,
    OutboxStatus,
    RobotMessage,
    WebhookDelivery,
    WebhookSubscriber,
)
from kehu.ops.reminders import registered_kinds

# Sections other apps add to what /health/ tells administrators (cheap reads only: load
# balancers poll the page), by name.
HEALTH_SECTIONS: dict[str, Callable[[], dict[str, Any]]] = {}


def register_health_section(name: str, section: Callable[[], dict[str, Any]]) -> None:
    """From an app's ready(): `section()` is added under `name` for administrators."""
    HEALTH_SECTIONS[name] = section


def _ready_since(enqueued_at: datetime.datetime, run_after: datetime.datetime) -> Any:
    return enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)


def queue_state(now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    waiting = DBTaskResult.objects.ready()
    oldest = [
        _ready_since(enqueued, run_after)
        for enqueued, run_after in waiting.order_by("enqueued_at").values_list(
            "enqueued_at", "run_after"
        )[:100]
    ]
    tick = Heartbeat.objects.filter(name="scheduler").values_list("beat_at", flat=True).first()
    day_ago = now - datetime.timedelta(days=1)
    return {
        "jobs": {
            "waiting": waiting.count(),
            "oldest_waiting_seconds": int((now - min(oldest)).total_seconds()) if oldest else 0,
            "running": DBTaskResult.objects.running().count(),
            "failed_last_day": DBTaskResult.objects.filter(
                status=TaskResultStatus.FAILED, finished_at__gte=day_ago
            ).count(),
        },
        "scheduler": {
            "last_tick": tick.isoformat() if tick else None,
            "age_seconds": int((now - tick).total_seconds()) if tick else None,
        },
        "mail": {
            "pending": Outbox.objects.filter(status=OutboxStatus.PENDING).count(),
            "failed": Outbox.objects.filter(status=OutboxStatus.FAILED).count(),
        },
        "robots": {
            "pending": RobotMessage.objects.filter(status=OutboxStatus.PENDING).count(),
            "failed": RobotMessage.objects.filter(status=OutboxStatus.FAILED).count(),
        },
        "webhooks": {
            "pending": WebhookDelivery.objects.filter(status=OutboxStatus.PENDING).count(),
            "failed": WebhookDelivery.objects.filter(status=OutboxStatus.FAILED).count(),
        },
    }


def problems(state: dict[str, Any]) -> list[str]:
    """What makes the service unhealthy: a stale scheduler or a job waiting too long."""
    found = []
    age = state["scheduler"]["age_seconds"]
    if age is None or age > settings.KEHU_HEALTH_SCHEDULER_STALE_SECONDS:
        found.append("scheduler-stale")
    if state["jobs"]["oldest_waiting_seconds"] > settings.KEHU_HEALTH_MAX_WAIT_SECONDS:
        found.append("queue-waiting-too-long")
    return found


def robot_context(request: Any, robot: ChatRobot) -> dict[str, Any]:
    """The robot's detail page: its masked webhook and its latest messages."""
    labels = dict(registered_kinds())
    return {
        "robot_kinds": [labels.get(kind, kind) for kind in robot.kinds],
        "robot_messages": robot.messages.order_by("-created_at", "-pk")[:10],
        "can_test": policy.has_perm(request.user, "ops.chatrobot.change", robot),
    }


def webhook_context(request: Any, subscriber: WebhookSubscriber) -> dict[str, Any]:
    """The subscriber's detail page: its masked address and its latest deliveries."""
    return {"webhook_deliveries": subscriber.deliveries.order_by("-created_at", "-pk")[:10]}


def webhook_deliveries(subscriber: int | None = None) -> Any:
    """The delivery log: the latest deliveries, waiting and failed first."""
    rows = WebhookDelivery.objects.select_related("subscriber")
    if subscriber is not None:
        rows = rows.filter(subscriber_id=subscriber)
    return rows.order_by("status", "-created_at", "-pk")[:200]
