"""The workflow's dashboard panel: what waits for the reader's decision (with its age), and
for those who read cases, the overdue steps by the person (or role) they wait for."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel
from kehu.core.models import Role, User
from kehu.workflow.selectors import listed_cases, overdue_steps, tasks_for

WAITING_ROWS = 8


def _waiting(user: Any) -> Chart:
    today = timezone.localdate()
    tasks = tasks_for(user)
    total = tasks.count()
    link = reverse("workflow:tasks")
    rows = [
        (
            Figure(str(step), 1, reverse("workflow:case", args=[step.case_id])),
            (today - timezone.localdate(step.created_at)).days,
            step.due_date or "",
        )
        for step in tasks.order_by("created_at", "pk")[:WAITING_ROWS]
    ]
    return Chart(
        "waiting-for-me",
        _("Waiting for my decision"),
        [Figure(_("Waiting for my decision"), total, link)],
        rows=rows,
        columns=(_("Task"), _("Age (days)"), _("Due date")),
        more_url=link if total > WAITING_ROWS else "",
    )


def _overdue_by_person(user: Any) -> Chart:
    cases = listed_cases(user).values("pk")
    rows = (
        overdue_steps()
        .filter(case_id__in=cases)
        .order_by()
        .values("assignee_user_id", "assignee_role")
        .annotate(n=Count("case_id", distinct=True))
    )
    by_key: dict[str, int] = {}
    for row in rows:
        person = row["assignee_user_id"]
        key = str(person) if person else row["assignee_role"]
        if key:
            by_key[key] = by_key.get(key, 0) + row["n"]
    names = {
        str(pk): full_name or username
        for pk, full_name, username in User.objects.filter(
            pk__in=[int(k) for k in by_key if k.isdigit()]
        ).values_list("pk", "full_name", "username")
    }
    roles = dict(Role.choices)
    cases_url = reverse("workflow:cases")
    figures = [
        Figure(
            str(names.get(key) or roles.get(key) or key),
            count,
            f"{cases_url}?{urlencode({'overdue': key})}",
        )
        for key, count in sorted(by_key.items(), key=lambda kv: -kv[1])
    ]
    return Chart("overdue-by-person", _("Cases with overdue steps, by assignee"), figures)


def build(user: Any) -> list[Chart]:
    charts = [_waiting(user)]
    if policy.has_perm(user, "workflow.case.view"):
        charts.append(_overdue_by_person(user))
    return charts


PANEL = Panel(
    "workflow",
    gettext_lazy("What waits for me"),
    lambda user: bool(policy.held_roles(user)),
    build,
    order=10,
)
