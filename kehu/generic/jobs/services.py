"""Starting, running, cancelling and forgetting users' background jobs. A job runs as its
owner (the audit actor, with the purpose of use declared when it was started); a run that a
reclaimed worker repeats starts again from the beginning, so runners must be safe to repeat
(an import recognises the batches it committed)."""

from __future__ import annotations

import datetime
import io
import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.context import Actor, Purpose, acting_as, current_actor
from kehu.audit.services import record
from kehu.core import storage
from kehu.generic.jobs.context import JobCancelled, JobContext
from kehu.generic.jobs.kinds import job_kind
from kehu.generic.models import FINISHED_STATES, JobState, UserJob

logger = logging.getLogger(__name__)


def _enqueue(job_id: int) -> None:
    from kehu.generic.tasks import run_user_job

    result = run_user_job.enqueue(job_id)
    UserJob.objects.filter(pk=job_id).update(task_id=str(result.id))


def start_job(
    user: Any,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    *,
    input_file: tuple[str, bytes] | None = None,
) -> UserJob:
    """Queue a job of `kind` for `user`; the worker picks it up once this transaction
    commits."""
    if job_kind(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    actor = current_actor()
    purpose = actor.purpose
    params = dict(params or {})
    if purpose is not None:
        params["_purpose"] = [purpose.choice, purpose.note, purpose.declared_at]
    params["_source_ip"] = actor.source_ip
    with transaction.atomic():
        job = UserJob.objects.create(owner=user, kind=kind, title=title[:200], params=params)
        if input_file is not None:
            name, content = input_file
            stored = storage.store(f"jobs/{job.pk}/input-{name}", io.BytesIO(content))
            job.input_file, job.input_name = stored.name, name[:200]
            job.save(update_fields=["input_file", "input_name"])
        record("generic.job.start", job, extra={"kind": kind})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _claim(job_id: int) -> UserJob | None:
    """Mark the job running (again, after a reclaimed worker); None when it is finished or
    gone."""
    with transaction.atomic():
        job = UserJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in FINISHED_STATES:
            return None
        if job.cancel_requested:
            _finish(job, JobState.CANCELLED)
            return None
        job.state = JobState.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.done, job.message = 0, ""
        job.save(update_fields=["state", "attempts", "started_at", "done", "message"])
    return UserJob.objects.select_related("owner").get(pk=job_id)


def _finish(job: UserJob, state: str, *, error: str = "", summary: Any = None) -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    fields = ["state", "error", "finished_at"]
    if summary is not None:
        job.summary = json.loads(json.dumps(summary, default=str))
        fields.append("summary")
    job.save(update_fields=fields)


def _actor(job: UserJob) -> Actor:
    purpose = job.params.get("_purpose")
    return Actor(
        job.owner_id,
        job.owner.get_username(),
        job.params.get("_source_ip", ""),
        Purpose(*purpose) if purpose else None,
    )


def run_job(job_id: int) -> str | None:
    """Run the job in this process (what the worker does); its final state, or None when
    there was nothing to run. An unexpected error marks the job failed and is raised again
    (the worker's failure alarm tells the administrators)."""
    job = _claim(job_id)
    if job is None:
        return None
    kind = job_kind(job.kind)
    if kind is None:
        _finish(job, JobState.FAILED, error=_("This kind of job no longer exists."))
        return job.state
    context = JobContext(job)
    with acting_as(_actor(job)):
        try:
            summary = kind.runner(context) or {}
        except JobCancelled:
            _finish(job, JobState.CANCELLED)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error) or _("Not allowed.")]
            _finish(job, JobState.FAILED, error="\n".join(str(m) for m in messages))
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _finish(job, JobState.FAILED, error=_("The job stopped on an internal error."))
            raise
        else:
            job.done = job.total if job.total is not None else job.done
            job.save(update_fields=["done"])
            _finish(job, JobState.SUCCEEDED, summary=summary)
        record(f"generic.job.{job.state}", job, extra={"kind": job.kind, "attempt": job.attempts})
    return job.state


def request_cancel(user: Any, job: UserJob) -> UserJob:
    """Cancel a queued job at once; a running one stops at its next progress report."""
    if job.owner_id != user.pk:
        raise PermissionDenied
    if job.finished:
        raise ValidationError(_("This job has already finished."))
    with transaction.atomic():
        locked = UserJob.objects.select_for_update().get(pk=job.pk)
        if locked.state == JobState.QUEUED:
            _finish(locked, JobState.CANCELLED)
        else:
            locked.cancel_requested = True
            locked.save(update_fields=["cancel_requested"])
        record("generic.job.cancel", locked, extra={"kind": locked.kind})
    return locked


def fail_abandoned(task_ids: list[str]) -> int:
    """Jobs whose worker task failed or was given up: failed, never left running."""
    count = 0
    for job in UserJob.objects.filter(task_id__in=task_ids).exclude(state__in=FINISHED_STATES):
        _finish(job, JobState.FAILED, error=_("The worker running this job stopped."))
        record("generic.job.failed", job, extra={"kind": job.kind, "abandoned": True})
        count += 1
    return count


def forget_expired(now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs whose result has expired, and the uploaded files of finished
    jobs; the job rows stay as the record of what was done."""
    now = now or timezone.now()
    count = 0
    for job in UserJob.objects.filter(result_expires_at__lt=now).exclude(result_file=""):
        storage.delete(job.result_file)
        UserJob.objects.filter(pk=job.pk).update(result_file="")
        count += 1
    for job in UserJob.objects.filter(state__in=FINISHED_STATES).exclude(input_file=""):
        storage.delete(job.input_file)
        UserJob.objects.filter(pk=job.pk).update(input_file="")
    return count
