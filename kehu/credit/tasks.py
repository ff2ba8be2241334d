"""The credit file's periodic jobs: holds that depend on the date (an invoice falling
overdue, a temporary limit ending) are re-evaluated every day, and the annual reviews coming
due are opened as workflow cases."""

from __future__ import annotations

import datetime
from typing import Any

from django.tasks import task

from kehu.credit.exposure import refresh_all
from kehu.credit.reviews import open_due_reviews
from kehu.ops.schedule import Periodic


@task()
def refresh_holds() -> dict[str, Any]:
    return {"changed": refresh_all()}


@task()
def open_reviews() -> dict[str, Any]:
    return {"opened": open_due_reviews()}


PERIODIC = (
    Periodic("credit-holds", "kehu.credit.tasks.refresh_holds", datetime.timedelta(days=1)),
    Periodic("credit-reviews", "kehu.credit.tasks.open_reviews", datetime.timedelta(days=1)),
)
