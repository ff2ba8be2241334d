"""Every state change of the register review: opening a campaign (by the periodic job or by
compliance), an owner's confirmation or correction, closing a campaign, the settings. Each in
one transaction, audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import calendar
from kehu.customers.services import mark_verified
from kehu.generic.services import audited_update
from kehu.reviews.corrections import corrections_since
from kehu.reviews.models import (
    CampaignStatus,
    ReviewCampaign,
    ReviewSettings,
    ReviewTask,
    TaskStatus,
)
from kehu.reviews.selection import active_customers, customers_to_review, is_review_month


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def first_working_day(month: datetime.date) -> datetime.date:
    return calendar.next_working_day(first_of_month(month))


def campaign_title(month: datetime.date, mid_cycle: bool) -> str:
    values = {"year": month.year, "month": month.month}
    if mid_cycle:
        return _("%(year)s-%(month)s high-risk customer review") % values
    return _("%(year)s-%(month)s customer register review") % values


def campaign_open(
    month: datetime.date,
    *,
    by: Any = None,
    today: datetime.date | None = None,
    everyone: bool = False,
) -> tuple[ReviewCampaign | None, bool]:
    """The month's campaign with a task for each customer to review, opened once: a second
    call in the same month returns the first campaign (created False). `everyone` (opening by
    hand) reviews every active customer; otherwise the month's selection, and no campaign in
    a month without one."""
    month = first_of_month(month)
    found = ReviewCampaign.objects.filter(month=month).first()
    if found is not None:
        return found, False
    config = ReviewSettings.current()
    full = everyone or is_review_month(month, config)
    customers = active_customers() if full else customers_to_review(month, config)
    if not full and not customers.exists():
        return None, False
    opened_on = today or timezone.localdate()
    try:
        with transaction.atomic():
            campaign = ReviewCampaign.objects.create(
                title=campaign_title(month, mid_cycle=not full),
                month=month,
                opened_on=opened_on,
                deadline=calendar.add_working_days(opened_on, config.deadline_working_days),
                mid_cycle=not full,
                opened_by=by,
            )
            tasks = [
                ReviewTask(campaign=campaign, customer_id=pk, owner_id=owner, unit_id=unit)
                for pk, owner, unit in customers.order_by("pk").values_list(
                    "pk", "owner_id", "unit_id"
                )
            ]
            ReviewTask.objects.bulk_create(tasks, batch_size=1000)
            record(
                "reviews.reviewcampaign.open",
                campaign,
                extra={
                    "month": month.isoformat(),
                    "deadline": campaign.deadline.isoformat(),
                    "tasks": len(tasks),
                    "by_hand": by is not None,
                },
            )
    except IntegrityError:
        # Another run opened the month's campaign at the same moment.
        return ReviewCampaign.objects.get(month=month), False
    return campaign, True


def open_due_campaign(today: datetime.date | None = None) -> dict[str, Any]:
    """The periodic job: on (or after) the first working day of a review month or of the
    mid-cycle month, open that month's campaign if it is not open yet."""
    today = today or timezone.localdate()
    config = ReviewSettings.current()
    wanted = set(config.month_numbers()) | {m for m in [config.mid_cycle_month] if m}
    if today.month not in wanted or today < first_working_day(today):
        return {"opened": None}
    campaign, created = campaign_open(today, today=today)
    return {"opened": campaign.pk if campaign is not None and created else None}


def _check_open(task: ReviewTask) -> None:
    if not task.is_open:
        raise ValidationError(_("This review task is done already."))
    if task.campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("The campaign is closed."))


def _finish(
    task: ReviewTask, status: str, by: Any, stale_items: str, changes: dict[str, Any]
) -> ReviewTask:
    before = task.status
    task.status = status
    task.done_at = timezone.now()
    task.done_by = by
    task.stale_items = stale_items.strip()
    task.changes = changes
    task.version += 1
    task.save()
    mark_verified(task.customer)
    record(
        f"reviews.reviewtask.{'confirm' if status == TaskStatus.CONFIRMED else 'correct'}",
        task,
        changes={"status": [before, status]},
        extra={"customer": task.customer_id, "stale_items": task.stale_items, "corrected": changes},
    )
    return task


def task_confirm(task: ReviewTask, *, by: Any, stale_items: str = "") -> ReviewTask:
    """The owner confirms the customer's data unchanged: the customer is verified today."""
    with transaction.atomic():
        task = (
            ReviewTask.objects.select_for_update()
            .select_related("campaign", "customer")
            .get(pk=task.pk)
        )
        _check_open(task)
        return _finish(task, TaskStatus.CONFIRMED, by, stale_items, {})


def task_correct(task: ReviewTask, *, by: Any, stale_items: str = "") -> ReviewTask:
    """The owner has corrected the customer through its edit form or a change request: the
    task keeps what changed (from the audit trail) and the customer is verified today."""
    with transaction.atomic():
        task = (
            ReviewTask.objects.select_for_update()
            .select_related("campaign", "customer")
            .get(pk=task.pk)
        )
        _check_open(task)
        changes = corrections_since(task)
        if not changes:
            raise ValidationError(
                _(
                    "No correction is recorded since the review opened: correct the customer "
                    "first, or confirm it unchanged."
                )
            )
        return _finish(task, TaskStatus.CORRECTED, by, stale_items, changes)


def campaign_close(campaign: ReviewCampaign, *, by: Any) -> ReviewCampaign:
    with transaction.atomic():
        campaign = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            raise ValidationError(_("The campaign is closed already."))
        open_tasks = campaign.tasks.filter(status=TaskStatus.OPEN).count()
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = timezone.now()
        campaign.closed_by = by
        campaign.version += 1
        campaign.save()
        record(
            "reviews.reviewcampaign.close",
            campaign,
            changes={"status": [CampaignStatus.OPEN, CampaignStatus.CLOSED]},
            extra={"open_tasks": open_tasks},
        )
    return campaign


def _check_settings(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    parts = [p.strip() for p in str(data.get("months", "")).split(",") if p.strip()]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= 12 for p in parts):
        errors["months"] = [_("Enter months from 1 to 12 separated by commas, e.g. 2,8.")]
    mid = data.get("mid_cycle_month")
    if mid is not None and not 1 <= int(mid) <= 12:
        errors["mid_cycle_month"] = [_("Enter a month from 1 to 12.")]
    for field in ("deadline_working_days", "stale_months", "stale_months_high_risk"):
        if field in data and (data[field] is None or int(data[field]) < 1):
            errors[field] = [_("Enter a number of at least 1.")]
    if errors:
        raise ValidationError(errors)


def settings_save(data: dict[str, Any], expected_version: int | None) -> ReviewSettings:
    _check_settings(data)
    data = {
        **data,
        "months": ",".join(str(int(p)) for p in str(data["months"]).split(",") if p.strip()),
    }
    updated = audited_update(ReviewSettings.stored(), data, expected_version)
    assert isinstance(updated, ReviewSettings)
    return updated
