"""The archives' periodic jobs (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.archives import transfers
from kehu.ops.schedule import Periodic


@task()
def propose_transfers() -> dict[str, Any]:
    return transfers.propose_transfers()


PERIODIC = (
    Periodic(
        "archives-transfers", "kehu.archives.tasks.propose_transfers", datetime.timedelta(days=1)
    ),
)
