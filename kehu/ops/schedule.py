"""The one schedule of periodic jobs; `kehu scheduler` enqueues them when due."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.ops.models import ScheduledRun


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str
    every: datetime.timedelta


SCHEDULE = [
    Periodic("audit-head-export", "kehu.ops.tasks.export_audit_head", datetime.timedelta(days=1)),
    Periodic(
        "documents-expiry", "kehu.ops.tasks.notify_expiring_documents", datetime.timedelta(days=1)
    ),
    Periodic("documents-verify", "kehu.ops.tasks.verify_documents", datetime.timedelta(days=7)),
    Periodic("workflow-deadlines", "kehu.ops.tasks.workflow_deadlines", datetime.timedelta(days=1)),
    Periodic(
        "archives-cabinet-checks",
        "kehu.ops.tasks.remind_cabinet_checks",
        datetime.timedelta(days=1),
    ),
    Periodic("archives-loans", "kehu.ops.tasks.remind_overdue_loans", datetime.timedelta(days=1)),
    Periodic("archives-transfers", "kehu.ops.tasks.propose_transfers", datetime.timedelta(days=1)),
    Periodic("privacy-retention", "kehu.ops.tasks.privacy_retention", datetime.timedelta(days=1)),
    Periodic("audit-verify", "kehu.ops.tasks.verify_audit_chain", datetime.timedelta(days=1)),
]


def _task(path: str) -> Any:
    from django.utils.module_loading import import_string

    return import_string(path)


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job whose interval has passed; safe with several schedulers running."""
    now = now or timezone.now()
    enqueued = []
    for job in SCHEDULE:
        with transaction.atomic():
            ScheduledRun.objects.get_or_create(name=job.name)
            run = ScheduledRun.objects.select_for_update().get(name=job.name)
            if run.last_enqueued_at and now - run.last_enqueued_at < job.every:
                continue
            _task(job.task_path).enqueue()
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
    return enqueued
