"""The interactions' periodic jobs (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.audit.context import SYSTEM, acting_as
from kehu.interactions import surveys, tickets
from kehu.ops.schedule import Periodic


@task()
def mark_ticket_breaches() -> dict[str, Any]:
    """Open service tickets past their SLA get their breach flag."""
    return {"breached": tickets.mark_breaches()}


@task()
def send_yearly_surveys() -> dict[str, Any]:
    """The yearly survey round: every active customer surveyed at least once a year."""
    with acting_as(SYSTEM):
        return {"sent": surveys.yearly_round()}


PERIODIC = (
    Periodic(
        "interactions-ticket-breaches",
        "kehu.interactions.tasks.mark_ticket_breaches",
        datetime.timedelta(hours=1),
    ),
    Periodic(
        "interactions-yearly-surveys",
        "kehu.interactions.tasks.send_yearly_surveys",
        datetime.timedelta(days=1),
    ),
)
