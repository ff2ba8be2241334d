"""The roster import as a background job (kehu.generic.jobs): the dry run and the import, each
with progress; the error report is the job's result file; the summary links to the preview
(dry run) or to the customer list (import)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.core.models import OrgUnit
from kehu.customers.roster.services import check_roster, import_roster, roster_error_report
from kehu.generic.importing import Outcome
from kehu.generic.jobs import JobContext

KIND = "customers.import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary_of(outcome: Outcome) -> dict[str, Any]:
    """The outcome without its per-row errors (those are in the report file)."""
    data = outcome.as_json()
    data.pop("errors")
    return data


def run_roster_job(ctx: JobContext) -> dict[str, Any]:
    params = ctx.params
    unit = OrgUnit.objects.get(pk=params["unit"])
    content = ctx.read_input() or b""
    name = ctx.job.input_name

    def progress(done: int, total: int, message: str) -> None:
        ctx.progress(done, total or None, message)

    if params.get("dry_run"):
        outcome = check_roster(ctx.user, unit, name, content, progress=progress)
    else:
        outcome = import_roster(
            ctx.user,
            unit,
            name,
            content,
            good_rows_only=bool(params.get("good_rows_only")),
            progress=progress,
        )
    if outcome.errors:
        ctx.attach_result(
            _("import errors.xlsx"), roster_error_report(name, content, outcome), XLSX
        )
    summary = summary_of(outcome)
    if params.get("dry_run"):
        summary["link"] = reverse("customers:import_preview", args=[ctx.job.pk])
    else:
        summary["link"] = reverse("generic:customers_list")
    return summary
