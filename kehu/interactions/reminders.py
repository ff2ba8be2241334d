"""The follow-ups of the communication log in the reminder engine: reminded to whoever does
them the working day before, then every three days while overdue, escalated to the
department head a week late."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import calendar
from kehu.interactions.models import Interaction, Survey, SurveyStatus, VisitPlan, VisitStatus
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import Due, ReminderRule


def pending_follow_ups(today: datetime.date, user: Any) -> Iterator[Due]:
    horizon = calendar.add_working_days(today, FOLLOW_UP_RULE.horizon)
    rows = Interaction.objects.filter(
        follow_up_done_at__isnull=True, follow_up_due__isnull=False, follow_up_due__lte=horizon
    ).select_related("customer__unit", "follow_up_owner", "author")
    if user is not None:
        rows = rows.filter(follow_up_owner=user)
    for row in rows.order_by("follow_up_due", "pk"):
        assert row.follow_up_due is not None
        yield Due(
            obj=row,
            deadline=row.follow_up_due,
            recipients=[row.follow_up_owner or row.author],
            title=_("Follow-up with %(customer)s: %(action)s")
            % {"customer": row.customer.name, "action": row.follow_up[:80]},
            link=reverse("generic:interactions_detail", args=[row.pk]),
            unit=row.customer.unit,
        )


FOLLOW_UP_RULE = ReminderRule(
    kind="interactions.follow_up",
    label=gettext_lazy("Follow-up of a communication"),
    pending=pending_follow_ups,
    before=(1,),
    every_after=3,
    escalate_after=5,
    default_channel=ReminderChannel.APP,
)


def pending_surveys(today: datetime.date, user: Any) -> Iterator[Due]:
    """Surveys sent to account managers and not answered yet (at least one a year per active
    customer: the yearly round sends them)."""
    horizon = calendar.add_working_days(today, SURVEY_RULE.horizon)
    rows = Survey.objects.filter(status=SurveyStatus.SENT, due_date__lte=horizon)
    if user is not None:
        rows = rows.filter(assignee=user)
    for row in rows.select_related("customer__unit", "assignee", "template").order_by(
        "due_date", "pk"
    ):
        yield Due(
            obj=row,
            deadline=row.due_date,
            recipients=[row.assignee],
            title=_("Survey %(template)s with %(customer)s")
            % {"template": row.template.name, "customer": row.customer.name},
            link=reverse("interactions:survey_answer", args=[row.pk]),
            unit=row.customer.unit,
        )


SURVEY_RULE = ReminderRule(
    kind="interactions.survey",
    label=gettext_lazy("Customer survey to record"),
    pending=pending_surveys,
    before=(5, 1),
    every_after=5,
    escalate_after=10,
    default_channel=ReminderChannel.DIGEST,
)


def pending_visits(today: datetime.date, user: Any) -> Iterator[Due]:
    """Planned visits and greetings, reminded to the account manager ahead of the day."""
    horizon = today + datetime.timedelta(days=max(VISIT_RULE.before))
    rows = VisitPlan.objects.filter(status=VisitStatus.PLANNED, planned_on__lte=horizon)
    if user is not None:
        rows = rows.filter(planner=user)
    for row in rows.select_related("customer__unit", "planner").order_by("planned_on", "pk"):
        yield Due(
            obj=row,
            deadline=row.planned_on,
            recipients=[row.planner],
            title=_("%(kind)s with %(customer)s: %(purpose)s")
            % {"kind": row.get_kind_display(), "customer": row.customer.name,
               "purpose": row.purpose[:80]},
            link=reverse("generic:visit-plans_detail", args=[row.pk]),
            unit=row.customer.unit,
        )  # fmt: skip


VISIT_RULE = ReminderRule(
    kind="interactions.visit",
    label=gettext_lazy("Planned visit or greeting"),
    pending=pending_visits,
    before=(7, 1),
    every_after=None,
    escalate_after=None,
    working_days=False,
    default_channel=ReminderChannel.APP,
)

RULES = [FOLLOW_UP_RULE, SURVEY_RULE, VISIT_RULE]
