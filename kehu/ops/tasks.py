"""Background jobs (Django's tasks API, run by `kehu db_worker`)."""

from typing import Any

from django.tasks import task

from kehu.audit.services import export_head


@task()
def export_audit_head() -> dict[str, Any]:
    return export_head()
