"""Reads of the register review shared by the pages, the API, the exports and the reports:
the tasks a user may see, progress per department, the card's panel and the home figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.customers import freshness
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer
from kehu.reviews.models import DONE, CampaignStatus, ReviewCampaign, ReviewTask, TaskStatus

# The task list's status filter: the stored statuses and "overdue" (open past the deadline).
OVERDUE = "overdue"


def task_rows() -> QuerySet[ReviewTask]:
    return ReviewTask.objects.select_related("campaign", "customer", "owner", "unit", "done_by")


def visible_tasks(user: Any) -> QuerySet[ReviewTask]:
    return policy.scope(user, task_rows())


def visible_campaigns(user: Any) -> QuerySet[ReviewCampaign]:
    return policy.scope(user, ReviewCampaign.objects.select_related("opened_by", "closed_by"))


def filter_tasks(
    rows: QuerySet[ReviewTask],
    *,
    status: str = "",
    unit: str | int | None = None,
    owner: str | int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[ReviewTask]:
    today = today or timezone.localdate()
    if status == OVERDUE:
        rows = rows.filter(status=TaskStatus.OPEN, campaign__deadline__lt=today)
    elif status == "done":
        rows = rows.filter(status__in=DONE)
    elif status in TaskStatus.values:
        rows = rows.filter(status=status)
    if unit and str(unit).isdigit():
        rows = rows.filter(unit_id=int(unit))
    if owner and str(owner).isdigit():
        rows = rows.filter(owner_id=int(owner))
    return rows


@dataclass(frozen=True)
class Progress:
    """One department's (or the whole campaign's) figures."""

    unit_id: int | None
    unit_name: str
    total: int
    done: int
    open: int
    overdue: int
    corrected: int

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def open_percent(self) -> int:
        return round(100 * self.open / self.total) if self.total else 0

    @property
    def overdue_percent(self) -> int:
        return round(100 * self.overdue / self.total) if self.total else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit_id,
            "unit_name": self.unit_name,
            "total": self.total,
            "done": self.done,
            "open": self.open,
            "overdue": self.overdue,
            "corrected": self.corrected,
            "done_percent": self.done_percent,
            "open_percent": self.open_percent,
            "overdue_percent": self.overdue_percent,
        }


def progress(
    user: Any, campaign: ReviewCampaign, today: datetime.date | None = None
) -> tuple[list[Progress], Progress]:
    """Done / open / overdue per department of the tasks `user` may see, and their total."""
    today = today or timezone.localdate()
    late = campaign.deadline < today
    rows = (
        visible_tasks(user)
        .filter(campaign=campaign)
        .values("unit_id", "unit__name")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE)),
            corrected=Count("pk", filter=Q(status=TaskStatus.CORRECTED)),
        )
        .order_by("unit__name", "unit_id")
    )
    units = [
        Progress(
            unit_id=row["unit_id"],
            unit_name=row["unit__name"],
            total=row["total"],
            done=row["done"],
            open=row["total"] - row["done"],
            overdue=(row["total"] - row["done"]) if late else 0,
            corrected=row["corrected"],
        )
        for row in rows
    ]
    total = Progress(
        unit_id=None,
        unit_name="",
        total=sum(p.total for p in units),
        done=sum(p.done for p in units),
        open=sum(p.open for p in units),
        overdue=sum(p.overdue for p in units),
        corrected=sum(p.corrected for p in units),
    )
    return units, total


def open_task_of(user: Any, customer: Customer) -> ReviewTask | None:
    """The customer's task in an open campaign, if `user` may see it."""
    return (
        visible_tasks(user)
        .filter(customer=customer, campaign__status=CampaignStatus.OPEN)
        .order_by("-campaign__month")
        .first()
    )


def card_panel(request: HttpRequest, customer: Customer) -> CardPanel:
    today = timezone.localdate()
    stale = Customer.objects.filter(freshness.stale_q(today), pk=customer.pk).exists()
    task = open_task_of(request.user, customer)
    return CardPanel(
        {
            "review_stale": stale,
            "review_task": task,
            "review_task_url": reverse("reviews:task", args=[task.pk]) if task else "",
            "review_task_overdue": task is not None and task.is_overdue(today),
        }
    )


def stale_customers(user: Any) -> QuerySet[Customer]:
    return policy.scope(user, Customer.objects.filter(freshness.stale_q()))


def home_stats(user: Any) -> list[tuple[Any, int, str]]:
    stats: list[tuple[Any, int, str]] = []
    if policy.has_perm(user, "customers.customer.view"):
        stats.append(
            (
                gettext_lazy("Stale customers"),
                stale_customers(user).count(),
                reverse("generic:customers_list") + "?stale=true",
            )
        )
    if policy.has_perm(user, "reviews.reviewtask.change"):
        mine = ReviewTask.objects.filter(
            owner=user, status=TaskStatus.OPEN, campaign__status=CampaignStatus.OPEN
        )
        stats.append(
            (
                gettext_lazy("Customers to review"),
                mine.count(),
                reverse("reviews:tasks") + f"?status=open&owner={user.pk}",
            )
        )
    return stats
