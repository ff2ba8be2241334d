"""Backups and drills an administrator starts on the Backups page run as their background
jobs (kehu.generic.jobs): progress on the Jobs page, audited as the administrator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.generic.jobs import JobContext


def _allowed(context: JobContext, perm: str) -> None:
    if not policy.has_perm(context.user, perm):
        raise PermissionDenied(_("You do not have permission to do this."))


@contextmanager
def _configuration_told() -> Iterator[None]:
    """A missing destination is the administrator's to fix: the job says what to set."""
    try:
        yield
    except ImproperlyConfigured as error:
        raise ValidationError(str(error)) from None


def run_backup_job(context: JobContext) -> dict[str, Any]:
    from kehu.backups.engine import backup

    _allowed(context, "backups.backup.run")
    with _configuration_told():
        manifest = backup(context.progress)
    return {
        "lines": [
            [_("Backup"), manifest["id"]],
            [_("Files"), len(manifest["files"])],
            [_("New files"), len(manifest["new_files"])],
        ],
        "link": "/backups/",
    }


def run_drill_job(context: JobContext) -> dict[str, Any]:
    from kehu.backups.drill import drill

    _allowed(context, "backups.drill.run")
    with _configuration_told():
        report = drill(context.progress)
    checks = report.get("checks", {})
    return {
        "lines": [
            [_("Backup"), report["backup"]],
            [_("Tables identical"), report["tables"]],
            [_("Files identical"), report["files"]],
            [_("Audit chain"), checks.get("audit", "")],
            [_("Documents"), checks.get("documents", "")],
            [_("Deletions re-applied"), checks.get("privacy", "")],
        ],
        "link": "/backups/",
    }
