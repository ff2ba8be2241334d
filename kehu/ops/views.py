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
from kehu.ops import outbox, selectors
from kehu.ops.models import Outbox, OutboxStatus


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
