"""The administrator's and auditor's dashboard panel: background jobs, the audit chain's
sealing, sign-in failures of the last days and locked accounts."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.models import AuditEvent
from kehu.audit.selectors import unsealed_count
from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel
from kehu.core.models import User
from kehu.ops.selectors import queue_state

FAILURE_DAYS = 7
LOGIN_FAILED = "auth.login_failed"


def _failures(user: Any) -> Chart:
    today = timezone.localdate()
    first = today - datetime.timedelta(days=FAILURE_DAYS - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    events = policy.scope(user, AuditEvent.objects.all()).filter(
        action=LOGIN_FAILED, occurred_at__gte=start
    )
    by_day = dict(
        events.annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    events_url = reverse("audit:events")
    figures = []
    for offset in range(FAILURE_DAYS):
        day = first + datetime.timedelta(days=offset)
        params = {
            "action": LOGIN_FAILED,
            "since": f"{day.isoformat()}T00:00",
            "until": f"{day.isoformat()}T23:59:59",
        }
        figures.append(
            Figure(day.strftime("%m-%d"), by_day.get(day, 0), f"{events_url}?{urlencode(params)}")
        )
    return Chart("sign-in-failures", _("Failed sign-ins by day"), figures, kind="line")


def build(user: Any) -> list[Chart]:
    state = queue_state()
    jobs = state["jobs"]
    charts = [
        Chart(
            "jobs",
            _("Background jobs"),
            [
                Figure(_("Waiting"), jobs["waiting"]),
                Figure(_("Running"), jobs["running"]),
                Figure(_("Failed in the last day"), jobs["failed_last_day"]),
                Figure(_("Mails not sent"), state["mail"]["failed"]),
            ],
            kind="numbers",
        ),
        Chart(
            "audit-chain",
            _("Audit chain"),
            [Figure(_("Events not yet sealed into the chain"), unsealed_count())],
            kind="numbers",
        ),
        _failures(user),
    ]
    if policy.has_perm(user, "core.user.view"):
        locked = policy.scope(user, User.objects.filter(locked_at__isnull=False)).count()
        charts.append(
            Chart(
                "locked",
                _("Locked accounts"),
                [
                    Figure(
                        _("Locked accounts"),
                        locked,
                        reverse("generic:users_list") + "?locked=true",
                    )
                ],
                kind="numbers",
            )
        )
    return charts


PANEL = Panel(
    "operations",
    gettext_lazy("Operations and security"),
    lambda user: policy.has_perm(user, "audit.auditevent.view"),
    build,
    order=90,
)
