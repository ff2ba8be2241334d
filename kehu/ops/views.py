from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import policy
from kehu.core.access import requires
from kehu.ops import outbox, robots, selectors, webhooks
from kehu.ops.models import ChatRobot, Outbox, OutboxStatus, RobotMessage, WebhookDelivery


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring, without signing in: the status and its HTTP code;
    system administrators also see the queue's counts and ages (nothing personal)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    state = selectors.queue_state()
    found = selectors.problems(state)
    body: dict[str, Any] = {"status": "degraded" if found else "ok", "database": connection.vendor}
    if policy.has_perm(request.user, "ops.queue.view"):
        body |= {**state, "problems": found}
        body |= {name: section() for name, section in selectors.HEALTH_SECTIONS.items()}
    return JsonResponse(body, status=503 if found else 200)


@login_required
@requires("ops.outbox.view")
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Mail that failed or still waits, for administrators (with a retry for failed mail)."""
    rows = Outbox.objects.exclude(status=OutboxStatus.SENT).order_by("status", "-created_at")
    return render(request, "ops/outbox.html", {"rows": rows[:200]})


@login_required
@require_POST
@requires("ops.outbox.change")
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    outbox.retry(get_object_or_404(Outbox, pk=pk), by=request.user)
    messages.success(request, _("The e-mail will be sent again."))
    return redirect(reverse("ops:outbox"))


@login_required
@requires("ops.robotmessage.view")
def robot_outbox(request: HttpRequest) -> HttpResponse:
    """Chat robot messages that failed or still wait (a retry for failed ones)."""
    rows = RobotMessage.objects.exclude(status=OutboxStatus.SENT).select_related("robot")
    return render(
        request, "ops/robot_outbox.html", {"rows": rows.order_by("status", "-created_at")[:200]}
    )


@login_required
@require_POST
@requires("ops.robotmessage.change")
def robot_message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    robots.robot_message_retry(get_object_or_404(RobotMessage, pk=pk), by=request.user)
    messages.success(request, _("The message will be posted again."))
    return redirect(reverse("ops:robot-outbox"))


@login_required
@require_POST
@requires("ops.chatrobot.change")
def robot_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a test message to the robot; the next round of the job posts it."""
    robot = get_object_or_404(ChatRobot, pk=pk)
    robots.robot_send_test(robot, by=request.user)
    messages.success(
        request, _("A test message is queued; it is posted within a minute. Check the chat.")
    )
    return redirect(reverse("generic:chat-robots_detail", args=[robot.pk]))


@login_required
@requires("ops.webhookdelivery.view")
def webhook_deliveries(request: HttpRequest) -> HttpResponse:
    """The webhook delivery log (waiting and failed first), with a retry for failed ones."""
    subscriber = request.GET.get("subscriber", "")
    rows = selectors.webhook_deliveries(int(subscriber) if subscriber.isdigit() else None)
    return render(request, "ops/webhook_deliveries.html", {"rows": rows})


@login_required
@require_POST
@requires("ops.webhookdelivery.change")
def webhook_delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("subscriber"), pk=pk)
    webhooks.delivery_retry(delivery, by=request.user)
    messages.success(request, _("The delivery will be posted again."))
    return redirect(reverse("ops:webhook-deliveries"))
