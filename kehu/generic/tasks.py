"""The database worker's entry to users' background jobs."""

from typing import Any

from django.tasks import task


@task()
def run_user_job(job_id: int) -> dict[str, Any]:
    from kehu.generic.jobs.services import run_job

    return {"state": run_job(job_id)}
