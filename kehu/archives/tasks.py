"""The archives' periodic jobs (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.archives import loans, services, transfers
from kehu.ops.schedule import Periodic


@task()
def remind_cabinet_checks() -> dict[str, Any]:
    return {"sent": services.remind_cabinet_checks()}


@task()
def remind_overdue_loans() -> dict[str, Any]:
    return loans.remind_overdue()


@task()
def propose_transfers() -> dict[str, Any]:
    return transfers.propose_transfers()


PERIODIC = (
    Periodic(
        "archives-cabinet-checks",
        "kehu.archives.tasks.remind_cabinet_checks",
        datetime.timedelta(days=1),
    ),
    Periodic(
        "archives-loans", "kehu.archives.tasks.remind_overdue_loans", datetime.timedelta(days=1)
    ),
    Periodic(
        "archives-transfers", "kehu.archives.tasks.propose_transfers", datetime.timedelta(days=1)
    ),
)
