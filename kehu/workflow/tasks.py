"""The workflow's periodic job (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.core.calendar import warn_missing_schedule
from kehu.ops.schedule import Periodic
from kehu.workflow.services import escalate_overdue, remind_due


@task()
def workflow_deadlines() -> dict[str, Any]:
    """Daily: remind what is due on the next working day, escalate what is overdue."""
    return {
        "reminded": remind_due(),
        "escalated": len(escalate_overdue()),
        "missing_schedules": warn_missing_schedule(),
    }


PERIODIC = (
    Periodic(
        "workflow-deadlines", "kehu.workflow.tasks.workflow_deadlines", datetime.timedelta(days=1)
    ),
)
