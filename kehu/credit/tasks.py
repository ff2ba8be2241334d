"""The credit file's periodic job: holds that depend on the date (an invoice falling
overdue, a temporary limit ending) are re-evaluated every day."""

from __future__ import annotations

import datetime
from typing import Any

from django.tasks import task

from kehu.credit.exposure import refresh_all
from kehu.ops.schedule import Periodic


@task()
def refresh_holds() -> dict[str, Any]:
    return {"changed": refresh_all()}


PERIODIC = (
    Periodic("credit-holds", "kehu.credit.tasks.refresh_holds", datetime.timedelta(days=1)),
)
