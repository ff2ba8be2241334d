"""The review's periodic job (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.ops.schedule import Periodic
from kehu.reviews import services


@task()
def open_due_campaign() -> dict[str, Any]:
    return services.open_due_campaign()


PERIODIC = (
    Periodic(
        "reviews-open-campaign",
        "kehu.reviews.tasks.open_due_campaign",
        datetime.timedelta(days=1),
    ),
)
