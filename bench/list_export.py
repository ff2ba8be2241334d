"""Benchmark — exporting the customer list (CSV and Excel) at N rows.

N customers (`bench.customer_data`, written in bulk; ANALYZE), exported by a department
head of the whole group (who sees every row) exactly as the export view builds it: policy
scope, filter set, default sort, `.iterator(chunk_size=2000)`, each cell through
`cell_value` (masking, choice labels, flags). Subjects: `generic.export.csv_chunks` consumed
to the end, and `write_xlsx` into a temporary file; also the whole CSV view through the test
client (count, audit event, streamed response). Baseline: the same columns read by one raw
SELECT on a cursor (`fetchmany(2000)`) and written by `csv.writer` — or, for Excel, by
openpyxl `write_only` — with no masking or labels.
"""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client, override_settings
from openpyxl import Workbook

from bench import customer_data
from bench.data import analyze, make_user_with_role
from bench.harness import Measurement, Results, log, measure_alternating, timed
from kehu.core.models import OrgUnit, Role
from kehu.generic import listing, registry
from kehu.generic.export import columns_for, csv_chunks, write_xlsx
from kehu.generic.list_export import rows_of

# The raw SELECT's columns: what the customer list's columns show, unlabelled and unmasked.
RAW_COLUMNS = (
    "name",
    "kind",
    "credit_code",
    "status",
    "owner__full_name",
    "unit__name",
    "city",
    "completeness",
    "updated_at",
)


def _drain(chunks: Any) -> int:
    return sum(len(chunk) for chunk in chunks)


def run(config: dict[str, Any]) -> Results:
    count = int(config["customers"])
    reps = int(config["reps"])
    results = Results("list_export")
    with transaction.atomic():
        org = customer_data.make_org()
        elapsed, contacts = timed(lambda: customer_data.make_customers(count, org))
    analyze()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"list_export: {count:,} customers + {contacts:,} contacts in {elapsed:.1f} s")
    # A department head of the whole group: sees every customer, needs no second factor.
    exporter = make_user_with_role(
        "bench_exporter", Role.DEPARTMENT_HEAD, OrgUnit.objects.get(code="BG")
    )
    rt = registry.get("customers")
    rows, _filterset = listing.visible_rows(rt, exporter, QueryDict(), "export")
    queryset = rows.order_by(listing.sort_key(rt, ""), "pk")
    columns = columns_for(
        rt.model, [(c.name, str(rt.column_label(c))) for c in rt.listing.columns], exporter
    )
    # The list's default filter shows the active register: fewer rows than customers.
    exported = queryset.count()
    results.facts.update(
        customers=count, rows=exported, columns=len(columns), setup_s=round(elapsed, 1)
    )
    raw_sql, raw_params = queryset.values_list(*RAW_COLUMNS).query.sql_with_params()

    def raw_rows() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(raw_sql, raw_params)
            while batch := cursor.fetchmany(2000):
                yield from batch

    def subject_csv() -> None:
        assert _drain(csv_chunks(columns, rows_of(queryset), "bench_exporter")) > exported

    def raw_csv() -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        size = 0
        for row in raw_rows():
            writer.writerow(row)
            if buffer.tell() >= 65536:
                size += len(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        assert size > 0

    def subject_xlsx() -> None:
        with tempfile.TemporaryFile() as handle:
            written = write_xlsx(handle, "客户", columns, rows_of(queryset), "bench_exporter")
        assert written == exported

    def raw_xlsx() -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("客户")
        for row in raw_rows():
            sheet.append(list(row))
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)

    client = Client()
    client.force_login(exporter)

    def view_csv() -> None:
        with override_settings(KEHU_EXPORT_INLINE_ROWS=exported + 1):
            response = client.get("/customers/export.csv")
            assert response.status_code == 200, response.status_code
            assert _drain(response.streaming_content) > exported

    cases = [
        (Measurement("raw_csv", "raw SELECT → csv.writer", exported, "rows"), raw_csv),
        (Measurement("csv", "csv_chunks(customer list)", exported, "rows"), subject_csv),
        (Measurement("view_csv", "GET /customers/export.csv", exported, "rows"), view_csv),
        (Measurement("raw_xlsx", "raw SELECT → openpyxl write_only", exported, "rows"), raw_xlsx),
        (Measurement("xlsx", "write_xlsx(customer list)", exported, "rows"), subject_xlsx),
    ]
    for m, _fn in cases:
        results.add(m)
    measure_alternating(cases, reps, warmup=False)
    results.compare("CSV export of customers", "csv", "raw_csv")
    results.compare("CSV export view of customers", "view_csv", "raw_csv")
    results.compare("Excel export of customers", "xlsx", "raw_xlsx")
    return results
