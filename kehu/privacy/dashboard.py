"""The compliance officer's privacy panel: data-subject requests open and due within days
(their working-day deadline), and the masked values revealed this month per user, most
first, so that an unusual volume stands out."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.models import AuditEvent
from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel
from kehu.core.models import Role, User
from kehu.privacy.models import SubjectRequest
from kehu.privacy.requests import visible_requests
from kehu.workflow.models import StepStatus

DUE_SOON_DAYS = 3
REVEAL_USERS = 10


def requests_in(rows: QuerySet[SubjectRequest], state: str) -> QuerySet[SubjectRequest]:
    """The request list's states: "open" (not done), "due" (open, its step due within
    DUE_SOON_DAYS days or overdue)."""
    if state not in ("open", "due"):
        return rows
    rows = rows.filter(done_at__isnull=True)
    if state == "due":
        soon = timezone.localdate() + datetime.timedelta(days=DUE_SOON_DAYS)
        pending = Q(case__steps__status=StepStatus.OPEN, case__steps__due_date__lte=soon)
        rows = rows.filter(pk__in=SubjectRequest.objects.filter(pending).values("pk"))
    return rows


def _reveals(user: Any) -> Chart:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time()))
    events = AuditEvent.objects.filter(action__endswith=".reveal", occurred_at__gte=start)
    paths = policy.unit_paths_where(user, "privacy.core.reveal")
    if paths is not None:
        within = Q(pk__in=[])
        for path in paths:
            within |= Q(unit__path__startswith=path)
        events = events.filter(actor_id__in=User.objects.filter(within).values("pk"))
    rows = (
        events.exclude(actor_id__isnull=True)
        .order_by()
        .values_list("actor_id", "actor_username")
        .annotate(n=Count("pk"))
        .order_by("-n", "actor_username")[:REVEAL_USERS]
    )
    names = dict(
        User.objects.filter(pk__in=[actor for actor, _name, _n in rows]).values_list(
            "pk", "full_name"
        )
    )
    return Chart(
        "reveals",
        _("Values revealed this month, by user"),
        [Figure(names.get(actor) or username, n) for actor, username, n in rows],
    )


def build(user: Any) -> list[Chart]:
    rows = visible_requests(user)
    url = reverse("privacy:requests")
    return [
        Chart(
            "subject-requests",
            _("Data-subject requests"),
            [
                Figure(_("Open"), requests_in(rows, "open").count(), f"{url}?state=open"),
                Figure(
                    _("Due within %(days)s days or overdue") % {"days": DUE_SOON_DAYS},
                    requests_in(rows, "due").count(),
                    f"{url}?state=due",
                ),
            ],
            kind="numbers",
        ),
        _reveals(user),
    ]


PANEL = Panel(
    "privacy",
    gettext_lazy("Privacy"),
    lambda user: bool(policy.roles(user) & {Role.COMPLIANCE, Role.AUDITOR}),
    build,
    order=70,
)
