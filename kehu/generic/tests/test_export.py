"""List exports to Excel and CSV: the rows the list shows, masked; long lists as a job."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.http import QueryDict
from django.test import override_settings
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core import storage
from kehu.customers.models import Contact, Customer
from kehu.generic import listing, registry
from kehu.generic.export import BOM, csv_chunks, csv_text
from kehu.generic.jobs import run_job
from kehu.generic.models import UserJob

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_customers")]


@pytest.fixture(scope="module")
def demo_customers(demo_module: None, django_db_blocker: Any) -> None:
    """60 demo customers with contacts and accounts, in the module's demo transaction."""
    from kehu.customers import demo as customer_demo

    with django_db_blocker.unblock():
        customer_demo.load(60)


def _csv_rows(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content[len(BOM) :].decode())))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _visible(slug: str, user: Any, query: str) -> list[Any]:
    rt = registry.get(slug)
    rows, _filterset = listing.visible_rows(rt, user, QueryDict(query), "export")
    return list(rows.order_by(listing.sort_key(rt, ""), "pk"))


def test_csv_and_xlsx_hold_the_rows_the_scoped_user_sees(client_for: Any, demo: Any) -> None:
    client = client_for("head_sale")
    query = "status=active"
    expected = [c.name for c in _visible("customers", demo["head_sale"], query)]
    assert expected and len(expected) < Customer.objects.filter(status="active").count()
    response = client.get(f"/customers/export.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    assert rows[0][0].startswith("head_sale") or "head_sale" in rows[0][0]
    assert [r[0] for r in rows[2:]] == expected
    response = client.get(f"/customers/export.xlsx?{query}")
    assert response.status_code == 200
    sheet = _xlsx_rows(response.content)
    assert [r[0] for r in sheet[2:]] == expected
    events = AuditEvent.objects.filter(action="customers.customer.export").order_by("-id")
    assert [e.extra["format"] for e in events[:2]] == ["xlsx", "csv"]
    assert events[0].extra["rows"] == len(expected)
    assert events[0].extra["filters"]["status"] == "active"


def test_masked_values_stay_masked_in_both_files(client_for: Any, demo: Any) -> None:
    client = client_for("head_sale")
    contacts = _visible("contacts", demo["head_sale"], "")
    mobiles = [c.mobile for c in contacts if c.mobile]
    assert mobiles
    csv_content = b"".join(client.get("/contacts/export.csv").streaming_content).decode()
    xlsx = _xlsx_rows(client.get("/contacts/export.xlsx").content)
    xlsx_text = "\n".join(str(v) for row in xlsx for v in row)
    for mobile in mobiles:
        assert mobile not in csv_content and mobile not in xlsx_text
    assert "****" in csv_content
    # CORE columns are left out for a user without privacy.core.reveal.
    accounts = b"".join(client.get("/bank-accounts/export.csv").streaming_content).decode()
    header = list(csv.reader(io.StringIO(accounts[1:])))[1]
    assert len(header) == len(registry.get("bank-accounts").listing.columns) - 1


def test_formula_cells_are_inert_in_csv() -> None:
    assert csv_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_text("-1+2") == "'-1+2"
    assert csv_text(-3) == "-3"
    chunks = list(csv_chunks([("name", "名称")], [Contact(name="@SUM(A1)")], "me"))
    text = b"".join(chunks).decode()
    assert "'@SUM(A1)" in text and "名称" in text


def test_export_refused_without_the_permission(client_for: Any) -> None:
    client = client_for("manager1")
    assert client.get("/customers/export.csv").status_code == 403
    assert client.get("/customers/export.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="customers.customer.export").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_list_becomes_a_job(client_for: Any, demo: Any, fmt: str) -> None:
    client = client_for("auditor")
    with override_settings(KEHU_EXPORT_INLINE_ROWS=10):
        response = client.get(f"/customers/export.{fmt}?kind=organization")
    job = UserJob.objects.get(owner=demo["auditor"], kind="generic.export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert not AuditEvent.objects.filter(action="customers.customer.export").exists()
    run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    expected = [c.name for c in _visible("customers", demo["auditor"], "kind=organization")]
    content = b"".join(storage.iter_plain(job.result_file))
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content[len(BOM) :].decode())))
    else:
        rows = _xlsx_rows(content)
    assert [r[0] for r in rows[2:]] == expected
    assert job.summary == {"rows": len(expected)} and job.total == len(expected)
    event = AuditEvent.objects.get(action="customers.customer.export")
    assert event.extra["rows"] == len(expected) and event.extra["format"] == fmt


def test_the_customer_list_prints_per_department(client_for: Any, demo: Any) -> None:
    import pypdf

    response = client_for("gm").get("/customers/list.pdf?status=active")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    visible = _visible("customers", demo["gm"], "status=active")
    assert visible
    for customer in visible:
        assert "".join(customer.name.split()) in text
        assert "".join(customer.unit.name.split()) in text
    assert "客户一览表" in text
    individuals = [c for c in visible if c.id_number]
    assert all(c.id_number not in text for c in individuals)
    event = AuditEvent.objects.get(action="customers.customer.print")
    assert event.extra["rows"] == len(visible)
    assert client_for("manager1").get("/customers/list.pdf").status_code == 403
