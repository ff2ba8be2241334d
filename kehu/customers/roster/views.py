"""Pages of the customer roster import: upload (the dry run starts as a job), preview with
counts, samples and the error report, confirm (the import starts as a job), template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.core.access import DENIED
from kehu.customers.roster import services
from kehu.customers.roster.jobs import KIND, XLSX
from kehu.generic.models import JobState, UserJob
from kehu.infra.file_headers import protect
from kehu.infra.uploads import max_bytes, safe_name

XLSX_MAGIC = b"PK\x03\x04"


class RosterUploadForm(forms.Form):
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Department")
    )
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy("An .xlsx workbook or a .csv file (UTF-8 or GBK)."),
    )
    good_rows_only = forms.BooleanField(
        required=False,
        label=gettext_lazy("Import the good rows even if some rows are wrong"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = services.import_units(user)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if units.count() == 1:
            self.fields["unit"].initial = units.first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = safe_name(upload.name).lower()
        if upload.size > max_bytes():
            raise forms.ValidationError(_("The file is too large."))
        head = upload.read(4)
        upload.seek(0)
        if not (name.endswith(".xlsx") and head == XLSX_MAGIC) and not name.endswith(".csv"):
            raise forms.ValidationError(_("Upload an .xlsx workbook or a .csv file."))
        return upload


def _may_import(request: HttpRequest) -> None:
    if not services.import_units(request.user).exists():  # type: ignore[arg-type]
        raise PermissionDenied(DENIED)


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.start_check(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["unit"],
            safe_name(upload.name),
            upload.read(),
            form.cleaned_data["good_rows_only"],
        )
        return redirect(reverse("jobs:detail", args=[job.pk]))
    return render(request, "customers/roster_import.html", {"form": form})


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    response = HttpResponse(services.roster_template(request.user), content_type=XLSX)  # type: ignore[arg-type]
    response["Content-Disposition"] = "attachment; filename*=UTF-8''customer-import-template.xlsx"
    protect(response, XLSX)
    return response


def _checked_job(request: HttpRequest, pk: int) -> UserJob:
    job = UserJob.objects.filter(pk=pk, owner_id=request.user.pk, kind=KIND).first()
    if job is None or not job.params.get("dry_run"):
        raise Http404(_("No such record, or you may not see it."))
    return job


@login_required
def roster_preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = _checked_job(request, pk)
    summary = job.summary or {}
    context = {
        "job": job,
        "summary": summary,
        "done": job.state == JobState.SUCCEEDED,
        "counts": summary.get("counts", {}),
        "samples": summary.get("samples", {}),
        "good_rows_only": job.params.get("good_rows_only", False),
    }
    return render(request, "customers/roster_preview.html", context)


@login_required
@require_POST
def roster_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _checked_job(request, pk)
    if job.state != JobState.SUCCEEDED:
        raise Http404(_("No such record, or you may not see it."))
    good_rows_only = bool(request.POST.get("good_rows_only"))
    counts = (job.summary or {}).get("counts", {})
    if (job.summary or {}).get("file_errors") or (counts.get("error") and not good_rows_only):
        return redirect(reverse("customers:import_preview", args=[job.pk]))
    started = services.confirm_import(request.user, job, good_rows_only)  # type: ignore[arg-type]
    return redirect(reverse("jobs:detail", args=[started.pk]))
