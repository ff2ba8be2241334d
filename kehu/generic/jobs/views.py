"""The Jobs page: a user's background jobs with live progress, their results to download and
a button to cancel. Nobody sees or downloads another user's job (its result holds what its
owner may see)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.core import storage
from kehu.core.access import NOT_FOUND
from kehu.generic.jobs.kinds import kind_label
from kehu.generic.jobs.services import request_cancel
from kehu.generic.models import UserJob
from kehu.infra.file_headers import protect

JOBS_SHOWN = 100


def own_job_or_404(user: object, pk: int) -> UserJob:
    job = UserJob.objects.filter(pk=pk, owner_id=getattr(user, "pk", None)).first()
    if job is None:
        raise Http404(NOT_FOUND)
    return job


def result_available(job: UserJob) -> bool:
    return bool(
        job.result_file and job.result_expires_at and job.result_expires_at > timezone.now()
    )


def _decorate(job: UserJob) -> UserJob:
    job.kind_label = kind_label(job.kind)  # type: ignore[attr-defined]
    job.downloadable = result_available(job)  # type: ignore[attr-defined]
    return job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = [_decorate(j) for j in UserJob.objects.filter(owner_id=request.user.pk)[:JOBS_SHOWN]]
    running = any(not j.finished for j in jobs)
    template = "generic/jobs/_rows.html" if request.headers.get("HX-Request") else None
    return render(request, template or "generic/jobs/list.html", {"jobs": jobs, "running": running})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _decorate(own_job_or_404(request.user, pk))
    template = "generic/jobs/_progress.html" if request.headers.get("HX-Request") else None
    return render(request, template or "generic/jobs/detail.html", {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = own_job_or_404(request.user, pk)
    try:
        request_cancel(request.user, job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The job is being cancelled."))
    return redirect("jobs:detail", job.pk)


def result_response(user: object, pk: int) -> HttpResponseBase:
    """The owner's result file of job `pk`, streamed; the download is audited."""
    job = own_job_or_404(user, pk)
    if not result_available(job):
        raise Http404(_("The result of this job is no longer kept."))
    record(
        "generic.job.download",
        job,
        extra={"kind": job.kind, "file": job.result_name, "sha256": job.result_sha256},
    )
    response = StreamingHttpResponse(storage.iter_plain(job.result_file))
    response["Content-Type"] = job.result_type or "application/octet-stream"
    response["Content-Disposition"] = (
        content_disposition_header(True, job.result_name) or "attachment"
    )
    protect(response, job.result_type)
    return response


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    return result_response(request.user, pk)
