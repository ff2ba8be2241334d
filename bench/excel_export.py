"""Benchmark 4 — Excel export of users.

Subject: `kehu.generic.export.rows_to_xlsx` over the users queryset exactly as the export
view builds it (policy scope, default sort, `.iterator(chunk_size=2000)`). Baseline: openpyxl
`write_only` writing the same values (resolved beforehand) with the same title and bold
header. For attribution it also times the query plus cell resolution without writing.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import QueryDict
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from bench.data import analyze, make_units, make_user_with_role, make_users
from bench.harness import Measurement, Results, log, measure_alternating, timed
from kehu.core.models import Role
from kehu.generic import cells, listing, registry
from kehu.generic.export import XLSX_MAX_ROWS, _plain, rows_to_xlsx


def run(config: dict[str, Any]) -> Results:
    count = int(config["export_rows"])
    reps = int(config["reps"])
    results = Results("excel_export")
    group, units = make_units()
    # The admin is one of the exported rows: create one user fewer.
    admin = make_user_with_role("bench_admin", Role.SYSTEM_ADMIN, group)
    elapsed, _ = timed(lambda: make_users(count - 1, units))
    analyze()
    log(f"excel_export: created {count:,} users in {elapsed:.1f} s")

    rt = registry.get("users")
    rows, _filterset = listing.visible_rows(rt, admin, QueryDict(), "export")
    queryset = rows.order_by(listing.sort_key(rt, ""), "pk")
    columns = [(c.name, str(rt.column_label(c))) for c in rt.listing.columns]
    title = str(rt.verbose_name_plural)

    def rows_iter() -> Any:
        return queryset[:XLSX_MAX_ROWS].iterator(chunk_size=2000)

    def values_of(objects: Any) -> list[list[Any]]:
        return [[_plain(cells.cell_value(r, name)) for name, _l in columns] for r in objects]

    values = values_of(rows_iter())
    assert len(values) == count, (len(values), count)
    results.facts.update(rows=count, columns=len(columns), setup_s=round(elapsed, 1))

    def export() -> None:
        _content, written = rows_to_xlsx(title, columns, rows_iter(), "bench_admin")
        assert written == count

    def openpyxl_direct() -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(["Exported by bench_admin at 2026-11-23 00:00:00"])
        header = []
        for _name, label in columns:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in values:
            sheet.append(row)
        workbook.save(io.BytesIO())

    def query_and_cells() -> None:
        values_of(rows_iter())

    cases = [
        (
            Measurement("openpyxl", "openpyxl write_only, same values", count, "rows"),
            openpyxl_direct,
        ),
        (Measurement("export", "rows_to_xlsx(users queryset)", count, "rows"), export),
        (Measurement("fetch", "query + cell values, no writing", count, "rows"), query_and_cells),
    ]
    for m, _fn in cases:
        results.add(m)
    measure_alternating(cases, reps, warmup=False)
    results.compare("Excel export of users", "export", "openpyxl")
    results.compare("query + cell values alone", "fetch", "openpyxl")
    return results
