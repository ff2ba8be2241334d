"""Starting a backup or a drill from the Backups page: a background job of the administrator
(one of each kind at a time)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.core.access import require
from kehu.generic.jobs import start_job
from kehu.generic.models import FINISHED_STATES, UserJob

KINDS = {
    "backup": ("backups.backup", "backups.backup.run"),
    "drill": ("backups.drill", "backups.drill.run"),
}


def start(user: Any, what: str) -> UserJob:
    kind, perm = KINDS[what]
    require(user, perm)
    if UserJob.objects.filter(kind=kind).exclude(state__in=FINISHED_STATES).exists():
        raise ValidationError(_("A job of this kind is already waiting or running."))
    title = _("Backup") if what == "backup" else _("Restore drill")
    return start_job(user, kind, str(title))


def can(user: Any) -> dict[str, bool]:
    return {what: policy.has_perm(user, perm) for what, (_kind, perm) in KINDS.items()}
