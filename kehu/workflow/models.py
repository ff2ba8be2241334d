"""Cases made of steps (the one workflow mechanism): each step has an assignee (a role in an
organisation unit, or a person), a due date in Chinese working days and allowed outcomes."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import OrgUnit, Role, TrackedModel, User


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the assignee")
    WAITING = "waiting", _("Waiting for an outside party")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Case(TrackedModel):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    process = models.CharField(_("process"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    opened_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="opened_cases", verbose_name=_("opened by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="case_subject"),
            models.Index(fields=["status", "process"], name="case_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def outcome_label(self) -> str:
        from kehu.workflow.definitions import outcome_label

        return outcome_label(self.process, self.outcome) if self.outcome else ""


class Step(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(_("step"), max_length=60)
    label = models.CharField(_("step"), max_length=100)
    assignee_role = models.CharField(
        _("assigned role"), max_length=30, choices=Role.choices, blank=True
    )
    assignee_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned unit"),
    )
    assignee_user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_steps",
        verbose_name=_("assigned person"),
    )
    # Who did the work this step reviews: four-eyes refuses them (and the case's opener).
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.OPEN
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completed_steps",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # While waiting for an outside party (a supplement from the customer) the clock stops.
    paused_on = models.DateField(_("paused on"), null=True, blank=True)
    waiting_reason = models.TextField(_("waiting for"), blank=True)
    waiting_due = models.DateField(_("outside party due"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="step_status_due"),
            models.Index(fields=["assignee_role", "status"], name="step_role_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.label}"

    @property
    def outcome_label(self) -> str:
        from kehu.workflow.definitions import outcome_label

        return outcome_label(self.case.process, self.outcome) if self.outcome else ""

    @property
    def is_pending(self) -> bool:
        return self.status in (StepStatus.OPEN, StepStatus.WAITING)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == StepStatus.OPEN and self.due_date is not None and self.due_date < today
        )


class Comment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    step = models.ForeignKey(
        Step, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class ApproverRule(TrackedModel):
    """One link of a unit's approval chain for a process (FIL-6), e.g. SALE: 1. department
    head, 2. general manager. A unit without rules inherits its parent's, then the default."""

    process = models.CharField(_("process"), max_length=60)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="approver_rules", verbose_name=_("unit")
    )
    position = models.PositiveSmallIntegerField(
        pgettext_lazy("order in an approval chain", "position"), default=1
    )
    role = models.CharField(_("approver role"), max_length=30, choices=Role.choices)
    basis = models.CharField(
        _("basis"), max_length=200, help_text=_("The rule or decision this link rests on.")
    )

    class Meta:
        verbose_name = _("approval chain link")
        verbose_name_plural = _("approval chains")
        ordering = ["process", "unit__path", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "unit", "position"], name="approver_rule_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process} {self.unit} #{self.position}: {self.get_role_display()}"
