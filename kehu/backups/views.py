"""The Backups page: the state of the backups (destinations, last backup, verification and
drill, pgBackRest on PostgreSQL, problems) and the buttons that start a backup or a drill as
the administrator's background job."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kehu.backups import services
from kehu.backups.models import BackupRun
from kehu.backups.status import backup_status
from kehu.core.access import requires


@login_required
@requires("backups.backup.view")
def status_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backups/status.html",
        {
            "state": backup_status(),
            "runs": BackupRun.objects.all()[:20],
            "can": services.can(request.user),
        },
    )


@login_required
@require_POST
@requires("backups.backup.view")
def start_backup(request: HttpRequest) -> HttpResponse:
    return _start(request, "backup")


@login_required
@require_POST
@requires("backups.backup.view")
def start_drill(request: HttpRequest) -> HttpResponse:
    return _start(request, "drill")


def _start(request: HttpRequest, what: str) -> HttpResponse:
    try:
        job = services.start(request.user, what)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("backups:status")
    return redirect("jobs:detail", job.pk)
