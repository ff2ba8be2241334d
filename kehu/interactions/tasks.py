"""The interactions' periodic jobs (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.interactions import tickets
from kehu.ops.schedule import Periodic


@task()
def mark_ticket_breaches() -> dict[str, Any]:
    """Open service tickets past their SLA get their breach flag."""
    return {"breached": tickets.mark_breaches()}


PERIODIC = (
    Periodic(
        "interactions-ticket-breaches",
        "kehu.interactions.tasks.mark_ticket_breaches",
        datetime.timedelta(hours=1),
    ),
)
