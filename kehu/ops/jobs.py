"""The job queue's safety net on top of django-tasks-db: workers beat, and a job whose worker
stopped beating is put back in the queue, at most KEHU_JOB_MAX_ATTEMPTS runs in all; then it
fails. A failed job is an alarm: administrators get a notification and the audit trail an
event. A job past its time limit whose worker still beats is still running there: it is not
run a second time; administrators are alarmed once (restarting that worker stops its beat,
and the job is then reclaimed)."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from kehu.audit.monitor import alarm_recipients as audit_recipients
from kehu.audit.services import record
from kehu.core.models import Role, User
from kehu.core.notifications import notify
from kehu.generic.jobs.services import fail_abandoned, forget_expired
from kehu.ops.models import Heartbeat
from kehu.ops.schedule import SCHEDULE

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from kehu.core.models import User

logger = logging.getLogger(__name__)

STALE_JOB = "kehu.ops.jobs.StaleJob"
# Jobs whose failure the auditors hear of too: the audit chain goes unchecked or unexported.
AUDIT_JOBS = {
    "kehu.ops.tasks.verify_audit_chain",
    "kehu.ops.tasks.export_audit_head",
    "kehu.ops.tasks.seal_and_export_audit",
}


def beat(name: str, now: datetime.datetime | None = None) -> None:
    """Record that the worker or scheduler `name` is alive."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


def worker_beat_name(worker_id: str) -> str:
    return f"worker:{worker_id}"[:100]


def time_limit(task_path: str) -> datetime.timedelta:
    """The job's own limit from the schedule, else KEHU_JOB_TIME_LIMIT_SECONDS."""
    for job in SCHEDULE:
        if job.task_path == task_path and job.time_limit is not None:
            return job.time_limit
    return datetime.timedelta(seconds=settings.KEHU_JOB_TIME_LIMIT_SECONDS)


def _overran(job: DBTaskResult, now: datetime.datetime) -> bool:
    return now - (job.started_at or job.enqueued_at) > time_limit(job.task_path)


def _is_stale(job: DBTaskResult, beats: dict[str, datetime.datetime], now: Any) -> bool:
    """Whether the job's worker is gone: it has not beaten for KEHU_WORKER_STALE_SECONDS."""
    started = job.started_at or job.enqueued_at
    stale_after = datetime.timedelta(seconds=settings.KEHU_WORKER_STALE_SECONDS)
    if now - started <= stale_after:
        return False
    worker = job.worker_ids[-1] if job.worker_ids else ""
    last_beat = beats.get(worker_beat_name(worker))
    return last_beat is None or now - last_beat > stale_after


def reclaim_stale(now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-queue (with a pause growing per attempt) or fail every running job whose worker is
    gone; alarm once about a job past its time limit whose worker still runs it."""
    now = now or timezone.now()
    beats = dict(Heartbeat.objects.values_list("name", "beat_at"))
    counts = {"requeued": 0, "failed": 0, "overran": 0}
    for pk in DBTaskResult.objects.running().values_list("pk", flat=True):
        with transaction.atomic():
            job = DBTaskResult.objects.select_for_update().filter(pk=pk).first()
            if job is None or job.status != TaskResultStatus.RUNNING:
                continue
            if not _is_stale(job, beats, now):
                if _overran(job, now) and overrun_alarm(job):
                    counts["overran"] += 1
                continue
            attempts = len(job.worker_ids)
            if attempts < settings.KEHU_JOB_MAX_ATTEMPTS:
                job.status = TaskResultStatus.READY
                job.started_at = None
                job.run_after = now + datetime.timedelta(seconds=30 * 2 ** (attempts - 1))
                job.save(update_fields=["status", "started_at", "run_after"])
                record(
                    "ops.job.reclaim",
                    object_type="django_tasks_db.dbtaskresult",
                    object_id=str(job.pk),
                    object_repr=job.task_path,
                    extra={"attempts": attempts, "worker": job.worker_ids[-1:]},
                )
                counts["requeued"] += 1
                continue
            job.status = TaskResultStatus.FAILED
            job.finished_at = now
            job.exception_class_path = STALE_JOB
            job.traceback = f"worker stopped or time limit passed; {attempts} attempts"
            job.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            fail_abandoned([str(job.pk)])
            alarm(job)
            counts["failed"] += 1
    return counts


def prune(now: datetime.datetime) -> None:
    """Forget successful jobs after a week and sent mail after a month (failed ones stay)."""
    from kehu.ops.models import Outbox, OutboxStatus

    week_ago, month_ago = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)
    DBTaskResult.objects.successful().filter(finished_at__lt=week_ago).delete()
    forget_expired(now)
    Outbox.objects.filter(status=OutboxStatus.SENT, sent_at__lt=month_ago).delete()


def overrun_alarm(job: DBTaskResult) -> bool:
    """Tell the administrators, once per run, that a job is past its time limit while its
    worker still beats; False when they were told already."""
    from kehu.ops import reminders

    started = job.started_at or job.enqueued_at
    if not reminders.claim("ops.job.overrun", job, timezone.localdate(started)):
        return False
    worker = job.worker_ids[-1] if job.worker_ids else ""
    logger.error("job %s (%s) is past its time limit on worker %s", job.pk, job.task_path, worker)
    record(
        "ops.job.overrun",
        object_type="django_tasks_db.dbtaskresult",
        object_id=str(job.pk),
        object_repr=job.task_path,
        extra={"worker": worker, "started_at": started.isoformat()},
    )
    name = job.task_path.rsplit(".", 1)[-1]
    notify(
        alarm_recipients(job.task_path),
        _("Background job running too long: %(name)s") % {"name": name},
        _(
            "The job %(name)s has run longer than its time limit and its worker is still "
            "alive; it is not started a second time. If it hangs, restart the worker: the "
            "job is then run again."
        )
        % {"name": name},
        "/health/",
    )
    return True


def alarm_recipients(task_path: str) -> QuerySet[User]:
    """Active system administrators; for an audit job also the auditors and superusers."""
    if task_path in AUDIT_JOBS:
        return audit_recipients()
    return User.objects.filter(is_active=True, role_assignments__role=Role.SYSTEM_ADMIN).distinct()


def alarm(job: DBTaskResult) -> None:
    """A job failed: tell the system administrators (and for an audit job the auditors) and
    record it."""

    logger.error("job %s (%s) failed: %s", job.pk, job.task_path, job.exception_class_path)
    name = job.task_path.rsplit(".", 1)[-1]
    record(
        "ops.job.failed",
        object_type="django_tasks_db.dbtaskresult",
        object_id=str(job.pk),
        object_repr=job.task_path,
        extra={"attempts": len(job.worker_ids), "error": job.exception_class_path},
    )
    notify(
        alarm_recipients(job.task_path),
        _("Background job failed: %(name)s") % {"name": name},
        _("The job %(name)s failed after %(attempts)s attempts (%(error)s).")
        % {"name": name, "attempts": len(job.worker_ids), "error": job.exception_class_path},
        "/health/",
    )


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The worker's signal: a job that raised is an alarm too."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    job = DBTaskResult.objects.filter(pk=task_result.id).first()
    if job is not None:
        with transaction.atomic():
            fail_abandoned([str(job.pk)])
            alarm(job)
