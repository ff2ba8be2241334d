"""The filings' dashboard panel: filings in progress by stage, how long their open steps
have waited against the working-day deadlines, and for compliance the high-risk filings and
the customers on the watch list."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import calendar, policy
from kehu.core.dashboard import Chart, Figure, Panel, figures
from kehu.customers.models import Customer
from kehu.filing import monitoring
from kehu.filing.models import FINAL_STAGES, Stage
from kehu.filing.selectors import visible_filings
from kehu.workflow.models import StepStatus


def _list_url(**params: Any) -> str:
    return reverse("filing:list") + "?" + urlencode(params)


def _durations(open_filings: Any) -> Chart:
    """Per stage: filings in it, those whose open step is past its working-day deadline,
    and the working days the oldest has waited."""
    today = timezone.localdate()
    rows = (
        open_filings.order_by()
        .values("stage")
        .annotate(
            n=Count("pk", distinct=True),
            late=Count(
                "pk",
                distinct=True,
                filter=Q(case__steps__status=StepStatus.OPEN, case__steps__due_date__lt=today),
            ),
            oldest=Min(
                "case__steps__created_at",
                filter=Q(case__steps__status__in=(StepStatus.OPEN, StepStatus.WAITING)),
            ),
        )
    )
    labels = dict(Stage.choices)
    order = list(labels)
    table = [
        (
            Figure(str(labels[row["stage"]]), row["n"], _list_url(stage=row["stage"])),
            row["n"],
            row["late"],
            calendar.working_days_between(timezone.localdate(row["oldest"]), today)
            if row["oldest"]
            else "",
        )
        for row in sorted(rows, key=lambda r: order.index(r["stage"]))
    ]
    return Chart(
        "filing-durations",
        _("Time in stage against the working-day deadlines"),
        [],
        rows=table,
        columns=(_("Stage"), _("Filings"), _("Past the deadline"), _("Oldest (working days)")),
    )


def build(user: Any) -> list[Chart]:
    filings = visible_filings(user).exclude(stage__in=FINAL_STAGES)
    stages = dict(Stage.choices)
    by_stage = filings.order_by().values_list("stage").annotate(n=Count("pk"))
    counts = sorted(by_stage, key=lambda r: list(stages).index(r[0]))
    charts = [
        Chart(
            "filing-stages",
            _("Filings in progress by stage"),
            figures(counts, stages, lambda s: _list_url(stage=s)),
        ),
        _durations(filings),
    ]
    if policy.has_perm(user, "filing.watchlisthit.change"):
        customers = policy.scope(user, Customer.objects.all())
        charts.append(
            Chart(
                "compliance",
                _("For compliance"),
                [
                    Figure(
                        _("Second reviews waiting"),
                        filings.filter(stage=Stage.SECOND_REVIEW).count(),
                        _list_url(stage=Stage.SECOND_REVIEW),
                    ),
                    Figure(
                        _("High-risk filings under way"),
                        filings.filter(high_risk=True).count(),
                        _list_url(stage="open", risk="high"),
                    ),
                    Figure(
                        _("Customers on the watch list"),
                        monitoring.customers_flagged(customers, "watch_list", "open").count(),
                        reverse("generic:customers_list") + "?watch_list=open",
                    ),
                ],
                kind="numbers",
            )
        )
    return charts


PANEL = Panel(
    "filing",
    gettext_lazy("Filings"),
    lambda user: policy.has_perm(user, "filing.filing.view"),
    build,
    order=30,
)
