"""The documents' periodic jobs (run by `kehu worker`, scheduled through kehu.ops.schedule)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.documents.services import verify_all
from kehu.ops.schedule import Periodic


@task()
def verify_documents() -> dict[str, Any]:
    result = verify_all()
    return {"checked": result.checked, "problems": len(result.problems)}


PERIODIC = (
    Periodic(
        "documents-verify",
        "kehu.documents.tasks.verify_documents",
        datetime.timedelta(days=7),
        time_limit=datetime.timedelta(hours=6),
    ),
)
