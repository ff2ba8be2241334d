"""Exporting a record type's list: the rows the list page shows (scope, filters, search,
masking) to Excel or CSV. A list of at most KEHU_EXPORT_INLINE_ROWS rows is sent at once (CSV
streamed as it is written, Excel from a temporary file); a longer one becomes the user's
background job (kehu.generic.jobs), whose result file they download from the Jobs page."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.core.access import require
from kehu.generic import listing, registry
from kehu.generic.export import (
    CSV_TYPE,
    XLSX_MAX_ROWS,
    XLSX_TYPE,
    columns_for,
    csv_chunks,
    record_export,
    write_xlsx,
)
from kehu.generic.jobs import JobContext, start_job
from kehu.generic.models import UserJob
from kehu.generic.registry import RecordType
from kehu.infra.file_headers import protect

FORMATS = ("xlsx", "csv")
JOB_KIND = "generic.export"
# Rows fetched per database round trip.
CHUNK_ROWS = 2000


def inline_rows() -> int:
    return int(getattr(settings, "KEHU_EXPORT_INLINE_ROWS", 5000))


@dataclass
class ListExport:
    """One export of one list: who, which record type, which rows, which format."""

    record_type: RecordType
    user: Any
    params: QueryDict
    sort: str
    fmt: str

    def queryset(self) -> QuerySet[Any]:
        rows, _filterset = listing.visible_rows(self.record_type, self.user, self.params, "export")
        return rows.order_by(self.sort, "pk")

    def columns(self) -> list[tuple[str, str]]:
        rt = self.record_type
        columns = [(c.name, str(rt.column_label(c))) for c in rt.listing.columns]
        return columns_for(rt.model, columns, self.user)

    @property
    def title(self) -> str:
        return str(self.record_type.verbose_name_plural)

    def filename(self) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return f"{self.record_type.slug}-{stamp}.{self.fmt}"

    def filters(self) -> dict[str, Any]:
        # A private search (a full ID number) is never written into the audit trail.
        shown = {k: v for k, v in self.params.items() if k != "q"}
        text = str(self.params.get("q", ""))
        if text and not _private(self.record_type, text):
            shown["q"] = text
        return shown


def _private(record_type: RecordType, text: str) -> bool:
    check = record_type.listing.private_search
    return bool(check is not None and check(text))


def job_url(job: UserJob) -> str:
    """The job's page, where its owner follows it and downloads its file."""
    return reverse("jobs:detail", args=[job.pk])


def rows_of(queryset: QuerySet[Any]) -> Iterator[Any]:
    return queryset.iterator(chunk_size=CHUNK_ROWS)


def respond(export: ListExport) -> HttpResponseBase | UserJob:
    """The file at once, or — past the inline limit — the background job that makes it."""
    require(export.user, policy.perm_name(export.record_type.model, "export"))
    queryset = export.queryset()
    limit = inline_rows()
    count, more = listing.count_rows(queryset, limit)
    if more and not _private(export.record_type, export.params.get("q", "")):
        return start_export_job(export)
    columns = export.columns()
    record_export(export.record_type.label, export.title, count, export.filters(), export.fmt)
    exporter = str(export.user)
    if export.fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_chunks(columns, rows_of(queryset), exporter), content_type=CSV_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
    else:
        # At most the inline limit of rows: small enough to send from memory.
        buffer = io.BytesIO()
        write_xlsx(buffer, export.title, columns, rows_of(queryset), exporter)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
    protect(response, CSV_TYPE if export.fmt == "csv" else XLSX_TYPE)
    return response


def start_export_job(export: ListExport) -> UserJob:
    params = {
        "slug": export.record_type.slug,
        "format": export.fmt,
        "sort": export.sort,
        "query": {key: export.params.getlist(key) for key in export.params},
    }
    title = _("Export of %(list)s (%(format)s)") % {
        "list": export.title,
        "format": export.fmt.upper(),
    }
    return start_job(export.user, JOB_KIND, title, params)


class _Counted:
    """The rows, reporting the job's progress as they are written."""

    def __init__(self, ctx: JobContext, rows: Iterable[Any], total: int) -> None:
        self.ctx, self.rows, self.total, self.done = ctx, rows, total, 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows:
            yield row
            self.done += 1
            if self.done % 500 == 0:
                self.ctx.progress(self.done, self.total)
        self.ctx.progress(self.done, self.total)


def run_export(ctx: JobContext) -> dict[str, Any]:
    """The job: the same rows again, as its owner may see them now, into a result file."""
    params = QueryDict(mutable=True)
    for key, values in ctx.params.get("query", {}).items():
        params.setlist(key, values)
    export = ListExport(
        registry.get(ctx.params["slug"]),
        ctx.user,
        params,
        ctx.params["sort"],
        ctx.params["format"] if ctx.params.get("format") in FORMATS else "xlsx",
    )
    require(ctx.user, policy.perm_name(export.record_type.model, "export"))
    queryset = export.queryset()
    total = queryset.count()
    if export.fmt == "xlsx" and total > XLSX_MAX_ROWS:
        raise ValidationError(
            _("%(count)s rows are more than an Excel sheet holds: export them as CSV.")
            % {"count": total}
        )
    ctx.progress(0, total)
    rows = _Counted(ctx, rows_of(queryset), total)
    columns = export.columns()
    with tempfile.NamedTemporaryFile(suffix=f".{export.fmt}") as handle:
        if export.fmt == "csv":
            for chunk in csv_chunks(columns, rows, str(ctx.user)):
                handle.write(chunk)
            handle.flush()
        else:
            write_xlsx(handle.name, export.title, columns, rows, str(ctx.user))
        count = rows.done
        record_export(export.record_type.label, export.title, count, export.filters(), export.fmt)
        ctx.attach_result(
            export.filename(), handle.name, CSV_TYPE if export.fmt == "csv" else XLSX_TYPE
        )
    return {"rows": count}
