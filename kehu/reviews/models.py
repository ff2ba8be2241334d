"""The register review (定期审查): the administrator's review settings, a review campaign per
month, and one review task per customer and campaign for its account manager."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.models import OrgUnit, TrackedModel
from kehu.customers.models import Customer


class ReviewSettings(models.Model):
    """Singleton: the months of the review campaigns (February and August by default), the
    optional mid-cycle month of high-risk customers, the deadline and the staleness periods."""

    months = models.CharField(
        _("review months"),
        max_length=40,
        default="2,8",
        help_text=_("Months of the year (1-12), separated by commas, e.g. 2,8."),
    )
    mid_cycle_month = models.PositiveSmallIntegerField(
        _("mid-cycle month of high-risk customers"),
        null=True,
        blank=True,
        help_text=_("Blank: high-risk customers are reviewed in the review months only."),
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"), default=20
    )
    stale_months = models.PositiveSmallIntegerField(
        _("stale after (months)"),
        default=12,
        help_text=_("A customer not verified for this long is flagged as stale."),
    )
    stale_months_high_risk = models.PositiveSmallIntegerField(
        _("stale after, high-risk customers (months)"), default=6
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review settings")

    def __str__(self) -> str:
        return str(_("review settings"))

    @classmethod
    def current(cls) -> ReviewSettings:
        """The stored settings, or the defaults until an administrator saves them (a page
        that only reads them writes nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def stored(cls) -> ReviewSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found

    def month_numbers(self) -> list[int]:
        return sorted({int(part) for part in self.months.split(",") if part.strip()})


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReviewCampaign(TrackedModel):
    """One round of the register review: every active customer's data confirmed or corrected
    by its account manager before the deadline."""

    title = models.CharField(_("title"), max_length=200)
    # The first day of the month the campaign belongs to: one campaign per month.
    month = models.DateField(_("month"), unique=True)
    opened_on = models.DateField(_("opened on"))
    deadline = models.DateField(_("deadline"))
    mid_cycle = models.BooleanField(_("mid-cycle (high-risk customers only)"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("review campaign")
        verbose_name_plural = _("review campaigns")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed, no change")
    CORRECTED = "corrected", _("Corrected")


DONE = (TaskStatus.CONFIRMED, TaskStatus.CORRECTED)


class ReviewTask(TrackedModel):
    """One customer to review in one campaign, by its account manager; what changed and what
    was found stale are kept for the campaign's closing report."""

    campaign = models.ForeignKey(
        ReviewCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="review_tasks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.PROTECT,
        related_name="review_tasks",
    )
    # The customer's department when the campaign opened: progress is counted per department.
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # {"field": [before, after]} of the corrections made during the review (from the audit).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    stale_items = models.TextField(
        _("stale items found"),
        blank=True,
        help_text=_("Expired documents, contacts who left, anything out of date."),
    )
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        ordering = ["campaign", "unit", "customer__name_pinyin", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="review_task_one_per_customer"
            )
        ]
        indexes = [models.Index(fields=["campaign", "unit", "status"], name="review_task_unit")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.campaign.deadline < today
