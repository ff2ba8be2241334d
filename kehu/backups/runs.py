"""Bookkeeping of runs: each backup, verification, restore and drill is a BackupRun, audited
when it ends; a failure alarms the system administrators (audit event + notification)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.backups.models import BackupRun, RunKind, RunStatus
from kehu.core.notifications import notify
from kehu.ops.jobs import alarm_recipients


def alarm(action: str, title: str, body: str, obj: Any = None, **extra: Any) -> None:
    """An audit event and a notification to every active system administrator."""
    with transaction.atomic():
        if obj is not None:
            record(action, obj, extra=extra)
        else:
            record(action, object_type="backups.backuprun", object_repr=str(title), extra=extra)
        notify(alarm_recipients("kehu.backups"), title, body, "/backups/")


@contextmanager
def tracked(kind: str, backup_id: str = "") -> Iterator[BackupRun]:
    """A BackupRun for the block: succeeded with its summary, or failed (and alarmed)."""
    run = BackupRun.objects.create(kind=kind, backup_id=backup_id)
    try:
        yield run
    except Exception as error:
        messages = getattr(error, "messages", None) or [str(error) or type(error).__name__]
        finish(run, RunStatus.FAILED, error="\n".join(str(m) for m in messages))
        label = str(RunKind(kind).label)
        alarm(
            f"backups.{kind}.failed",
            _("%(what)s failed") % {"what": label},
            _("%(what)s %(id)s failed: %(error)s")
            % {"what": label, "id": run.backup_id, "error": run.error[:500]},
            run,
            error=run.error[:500],
        )
        raise
    else:
        if run.status == RunStatus.RUNNING:
            finish(run, RunStatus.SUCCEEDED)
        record(f"backups.{kind}.done", run, extra=_audit_summary(run))


def _audit_summary(run: BackupRun) -> dict[str, Any]:
    keep = ("new_files", "files", "tables", "problems", "size", "engine", "deletions")
    return {
        "backup": run.backup_id,
        **{k: v for k, v in run.summary.items() if k in keep and not isinstance(v, dict)},
    }


def finish(run: BackupRun, status: str, *, error: str = "") -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "summary", "size", "backup_id"])


Progress = Callable[[int, int | None, str], None]


def no_progress(done: int, total: int | None = None, message: str = "") -> None:
    """Where nobody watches (the scheduled jobs, the command line)."""
