"""The one schedule of periodic jobs; `kehu scheduler` enqueues them when due.

A daily job runs once per day at its time of day (KEHU_JOBS_DAILY_AT, default 02:00 in
KEHU_TIME_ZONE), a weekly one at that time on KEHU_JOBS_WEEKDAY; other intervals run every
`every`. A job whose time passed while no scheduler ran (the machine was down) runs once when
one comes back, never once per missed day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kehu.ops.models import ScheduledRun

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str
    every: datetime.timedelta
    # Time of day (local) for daily and weekly jobs; None: KEHU_JOBS_DAILY_AT.
    at: datetime.time | None = None
    # For a job that may legitimately run longer than KEHU_JOB_TIME_LIMIT_SECONDS.
    time_limit: datetime.timedelta | None = None


# Ops' own jobs; every other app registers its jobs from its apps.py `ready()`.
SCHEDULE = [
    Periodic("mail-outbox", "kehu.ops.tasks.send_mail", datetime.timedelta(minutes=1)),
    Periodic("robot-outbox", "kehu.ops.tasks.send_robot_messages", datetime.timedelta(minutes=1)),
    Periodic("webhook-outbox", "kehu.ops.tasks.send_webhooks", datetime.timedelta(minutes=1)),
    Periodic(
        "audit-seal-export",
        "kehu.ops.tasks.seal_and_export_audit",
        datetime.timedelta(minutes=5),
    ),
    Periodic("audit-head-export", "kehu.ops.tasks.export_audit_head", datetime.timedelta(days=1)),
    Periodic("audit-verify", "kehu.ops.tasks.verify_audit_chain", datetime.timedelta(days=1)),
    Periodic("reminders", "kehu.ops.tasks.send_reminders", DAY, at=datetime.time(7, 0)),
    Periodic(
        "reminder-digest", "kehu.ops.tasks.send_reminder_digests", DAY, at=datetime.time(8, 0)
    ),
]


def register_periodic(*jobs: Periodic) -> None:
    """Add an app's periodic jobs to the schedule (from its apps.py `ready()`)."""
    for job in jobs:
        if any(known.name == job.name for known in SCHEDULE):
            raise ValueError(f"periodic job {job.name!r} is registered twice")
        SCHEDULE.append(job)


def _task(path: str) -> Any:
    from django.utils.module_loading import import_string

    return import_string(path)


def time_of_day(job: Periodic) -> datetime.time:
    """The job's local time: KEHU_JOBS_AT's entry for it, else its own, else the default."""
    configured = settings.KEHU_JOBS_AT.get(job.name)
    if configured:
        return datetime.time.fromisoformat(configured)
    return job.at or datetime.time.fromisoformat(settings.KEHU_JOBS_DAILY_AT)


def last_slot(job: Periodic, now: datetime.datetime) -> datetime.datetime | None:
    """The latest time at or before `now` the job was meant to run (None: an interval job)."""
    if job.every not in (DAY, WEEK):
        return None
    local = timezone.localtime(now)
    day = local.date()
    if job.every == WEEK:
        day -= datetime.timedelta(days=(day.weekday() - settings.KEHU_JOBS_WEEKDAY) % 7)
    slot = timezone.make_aware(datetime.datetime.combine(day, time_of_day(job)), local.tzinfo)
    if slot > now:
        earlier = datetime.datetime.combine(day - job.every, time_of_day(job))
        slot = timezone.make_aware(earlier, local.tzinfo)
    return slot


def is_due(job: Periodic, last: datetime.datetime | None, now: datetime.datetime) -> bool:
    if last is None:
        return True
    slot = last_slot(job, now)
    if slot is None:  # an interval: a tick a little early still counts
        return now - last >= job.every * 0.9
    return last < slot


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job that is due; safe with several schedulers running."""
    now = now or timezone.now()
    enqueued = []
    for job in SCHEDULE:
        with transaction.atomic():
            ScheduledRun.objects.get_or_create(name=job.name)
            run = ScheduledRun.objects.select_for_update().get(name=job.name)
            if not is_due(job, run.last_enqueued_at, now):
                continue
            _task(job.task_path).enqueue()
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
    return enqueued


def tick(now: datetime.datetime | None = None) -> list[str]:
    """One round of the scheduler: say it is alive, reclaim stale jobs, enqueue due ones."""
    from kehu.ops import jobs

    now = now or timezone.now()
    jobs.beat("scheduler", now)
    jobs.reclaim_stale(now)
    jobs.prune(now)
    return enqueue_due(now)
