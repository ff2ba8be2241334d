"""The customer-care dashboard panel: open complaints by status, follow-ups open, visits
planned this week and the yearly satisfaction score, in the reader's scope."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel, figures
from kehu.customers.dashboard import only_own
from kehu.interactions.models import (
    Complaint,
    ComplaintStatus,
    Interaction,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyStatus,
    VisitPlan,
    VisitStatus,
)

SATISFACTION_YEARS = 5


def _url(slug: str, **params: Any) -> str:
    return reverse(f"generic:{slug}_list") + "?" + urlencode(params)


def _complaints(user: Any) -> Chart:
    rows = (
        policy.scope(user, Complaint.objects.all())
        .exclude(status=ComplaintStatus.CLOSED)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    statuses = dict(ComplaintStatus.choices)
    counts = sorted(rows, key=lambda r: list(statuses).index(r[0]))
    return Chart(
        "complaints",
        _("Complaints open"),
        figures(counts, statuses, lambda s: _url("complaints", status=s)),
    )


def _due(user: Any) -> Chart:
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    visits = policy.scope(user, VisitPlan.objects.all()).filter(
        status=VisitStatus.PLANNED, planned_on__range=(monday, sunday)
    )
    visit_params: dict[str, Any] = {"status": VisitStatus.PLANNED}
    visit_params |= {"planned_from": monday.isoformat(), "planned_to": sunday.isoformat()}
    if only_own(user):
        visits = visits.filter(planner_id=user.pk)
        visit_params["planner"] = user.pk
    follow_ups = policy.scope(user, Interaction.objects.all()).filter(
        follow_up_done_at__isnull=True, follow_up_due__isnull=False
    )
    return Chart(
        "care-due",
        _("Due this week"),
        [
            Figure(_("Visits planned"), visits.count(), _url("visit-plans", **visit_params)),
            Figure(
                _("Follow-ups open"),
                follow_ups.count(),
                _url("interactions", follow_up_open="true"),
            ),
        ],
        kind="numbers",
    )


def _satisfaction(user: Any) -> Chart:
    surveys = policy.scope(user, Survey.objects.all()).filter(
        status=SurveyStatus.ANSWERED,
        template__kind=SurveyKind.SATISFACTION,
        year__gte=timezone.localdate().year - SATISFACTION_YEARS + 1,
    )
    rows = (
        SurveyAnswer.objects.filter(survey__in=surveys.values("pk"), score__isnull=False)
        .order_by()
        .values_list("survey__year")
        .annotate(score=Avg("score"))
    )
    return Chart(
        "satisfaction",
        _("Average satisfaction score by year"),
        [Figure(str(year), round(float(score), 2)) for year, score in sorted(rows)],
        kind="line",
    )


def build(user: Any) -> list[Chart]:
    return [_complaints(user), _due(user), _satisfaction(user)]


PANEL = Panel(
    "care",
    gettext_lazy("Customer care"),
    lambda user: policy.has_perm(user, "interactions.complaint.view"),
    build,
    order=60,
)
