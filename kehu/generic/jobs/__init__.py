"""Users' background jobs (imports, exports, packages): each context registers a kind with its
runner; `start_job` queues one for the database worker; the Jobs page shows progress and
results."""

from kehu.generic.jobs.context import JobCancelled, JobContext
from kehu.generic.jobs.kinds import register_job_kind
from kehu.generic.jobs.services import request_cancel, run_job, start_job

__all__ = [
    "JobCancelled",
    "JobContext",
    "register_job_kind",
    "request_cancel",
    "run_job",
    "start_job",
]
