"""The privacy app's periodic job (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.audit.context import SYSTEM, acting_as
from kehu.ops.schedule import Periodic
from kehu.privacy.retention import run


@task()
def privacy_retention() -> dict[str, Any]:
    with acting_as(SYSTEM):
        return run().as_dict()


PERIODIC = (
    Periodic(
        "privacy-retention",
        "kehu.privacy.tasks.privacy_retention",
        datetime.timedelta(days=1),
        time_limit=datetime.timedelta(hours=2),
    ),
)
