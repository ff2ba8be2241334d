"""Filing configuration: the checklist per kind and industry with what is missing in the
dossier, the high-risk rules, and the watch list with its import (preview, row errors, all
or nothing, idempotent)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services as customer_services
from kehu.customers.identifiers import make_credit_code
from kehu.documents import samples
from kehu.documents import services as document_services
from kehu.documents.models import DocumentType
from kehu.filing import checklist, risk, watchlist
from kehu.filing.models import ChecklistItem, ItemKind, RiskRule, RuleKind, WatchListEntry
from kehu.filing.tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def upload(customer: object, code: str, by: User, expires: datetime.date | None = None) -> None:
    doc_type = DocumentType.objects.get(code=code)
    document_services.document_upload(
        customer,  # type: ignore[arg-type]
        doc_type,
        SimpleUploadedFile(f"{code}.pdf", samples.pdf(code)),
        by,
        expires_on=expires,
    )


# --- checklist -------------------------------------------------------------------------


def test_checklist_depends_on_kind_and_industry(demo: dict[str, User]) -> None:
    plain = make_customer(demo["manager1"], industry="C")
    food = make_customer(demo["manager1"], industry="F")
    person = make_customer(
        demo["manager1"], kind="individual", name="王小明", credit_code="",
        id_number="11010519491231002X",
    )  # fmt: skip
    keys = {c.pk: {e.key for e in checklist.evaluate(c)} for c in (plain, food, person)}
    assert "doc:business_licence" in keys[plain.pk]
    assert "doc:industry_permit" not in keys[plain.pk]
    assert "doc:industry_permit" in keys[food.pk]
    assert "field:id_number" in keys[person.pk]
    assert "doc:business_licence" not in keys[person.pk]


def test_checklist_shows_what_is_missing_and_expired(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    customer = make_customer(manager, industry="C")
    missing = {e.key for e in checklist.missing(checklist.evaluate(customer))}
    assert {"doc:business_licence", "field:legal_rep_name", "field:contacts"} <= missing
    assert "field:credit_code" not in missing

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    upload(customer, "business_licence", manager, expires=yesterday)
    entry = next(e for e in checklist.evaluate(customer) if e.key == "doc:business_licence")
    assert entry.state == checklist.EXPIRED and not entry.present
    upload(customer, "business_licence", manager, expires=yesterday + datetime.timedelta(days=400))
    entry = next(e for e in checklist.evaluate(customer) if e.key == "doc:business_licence")
    assert entry.present

    customer_services.create_contact(
        {"customer": customer, "name": "李四", "mobile": "13800138000"}
    )
    assert "field:contacts" not in {e.key for e in checklist.missing(checklist.evaluate(customer))}


def test_inactive_and_duplicate_items_count_once(demo: dict[str, User]) -> None:
    customer = make_customer(demo["manager1"], industry="C")
    before = len(checklist.evaluate(customer))
    ChecklistItem.objects.create(
        name="再次营业执照", item_kind=ItemKind.DOCUMENT,
        doc_type=DocumentType.objects.get(code="business_licence"),
    )  # fmt: skip
    ChecklistItem.objects.create(
        name="征信", item_kind=ItemKind.DOCUMENT, is_active=False,
        doc_type=DocumentType.objects.get(code="credit_report"),
    )  # fmt: skip
    assert len(checklist.evaluate(customer)) == before


def test_a_checklist_item_names_a_field_or_a_document(demo: dict[str, User]) -> None:
    item = ChecklistItem(name="x", item_kind=ItemKind.FIELD, field_name="")
    with pytest.raises(ValidationError):
        item.full_clean()
    item = ChecklistItem(
        name="x", item_kind=ItemKind.FIELD, field_name="phone",
        doc_type=DocumentType.objects.get(code="business_licence"),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        item.full_clean()


# --- risk rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "city"),
    [
        ("北京市海淀区中关村大街1号", "北京"),
        ("浙江省杭州市西湖区文三路90号", "杭州市"),
        ("广西壮族自治区南宁市青秀区民族大道", "南宁市"),
        ("苏州市工业园区星湖街328号", "苏州市"),
        ("延边朝鲜族自治州延吉市", "延边朝鲜族自治州"),
        ("某地某路", ""),
    ],
)
def test_city_of_an_address(address: str, city: str) -> None:
    assert risk.city_of(address) == city


def kinds(flags: list[risk.Flag]) -> set[str]:
    return {f.kind for f in flags}


def test_default_rules(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    quiet = make_customer(
        manager, industry="C", registered_address="北京市海淀区A路1号",
        operating_address="北京市朝阳区B路2号", founded_on=datetime.date(2010, 1, 1),
    )  # fmt: skip
    assert risk.evaluate(quiet) == []

    loud = make_customer(
        manager, industry="K", registered_address="浙江省杭州市西湖区C路3号",
        operating_address="北京市朝阳区D路4号", founded_on=timezone.localdate(),
    )  # fmt: skip
    assert kinds(risk.evaluate(loud)) == {
        RuleKind.SENSITIVE_INDUSTRY, RuleKind.ADDRESS_CITIES_DIFFER, RuleKind.YOUNG_COMPANY,
    }  # fmt: skip


def test_address_changes_counted_from_history_or_declared(demo: dict[str, User]) -> None:
    customer = make_customer(demo["manager1"], industry="C", registered_address="北京市海淀区1号")
    assert RuleKind.ADDRESS_CHANGES not in kinds(risk.evaluate(customer))
    assert RuleKind.ADDRESS_CHANGES in kinds(risk.evaluate(customer, declared_changes=3))
    for n in range(2, 5):
        customer = customer_services.update_customer(
            customer, {"registered_address": f"北京市海淀区{n}号"}, customer.version
        )
    assert risk.address_changes(customer) == 3
    assert RuleKind.ADDRESS_CHANGES in kinds(risk.evaluate(customer))

    RiskRule.objects.filter(kind=RuleKind.ADDRESS_CHANGES).update(threshold=5)
    assert RuleKind.ADDRESS_CHANGES not in kinds(risk.evaluate(customer))
    RiskRule.objects.filter(kind=RuleKind.ADDRESS_CHANGES).update(threshold=1, is_active=False)
    assert RuleKind.ADDRESS_CHANGES not in kinds(risk.evaluate(customer))


def test_watch_list_matches_by_code_or_normalised_name(demo: dict[str, User]) -> None:
    customer = make_customer(demo["manager1"], name="华夏(北京)科技有限公司", industry="C")
    other = make_customer(demo["manager1"], industry="C")
    WatchListEntry.objects.create(name="华夏（北京）科技 有限公司", list_kind="abnormal")
    code = other.credit_code or ""
    WatchListEntry.objects.create(name="别名", credit_code=code, list_kind="dishonest")
    assert [e.list_kind for e in watchlist.matches(customer)] == ["abnormal"]
    assert [e.list_kind for e in watchlist.matches(other)] == ["dishonest"]
    assert RuleKind.WATCH_LIST in kinds(risk.evaluate(other))
    WatchListEntry.objects.update(is_active=False)
    assert not watchlist.matches(customer).exists()


# --- watch list import -----------------------------------------------------------------

HEAD = "名称,统一社会信用代码,名录,来源,列入日期,备注\n"


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return (HEAD + "\n".join(rows) + "\n").encode(encoding)


def test_import_preview_then_import_then_reimport_changes_nothing(demo: dict[str, User]) -> None:
    code = make_credit_code("91110108MA0000001")
    content = csv_bytes(
        f"甲公司,{code},经营异常名录,国家企业信用信息公示系统,2025年3月1日,",
        "乙公司,,严重违法失信名单,信用中国,2024-12-31,注销",
        encoding="gb18030",
    )
    preview = watchlist.preview("list.csv", content)
    assert preview.ok and [r.action for r in preview.rows] == ["new", "new"]
    assert WatchListEntry.objects.count() == 0  # a preview saves nothing

    watchlist.import_file("list.csv", content)
    first = WatchListEntry.objects.get(credit_code=code)
    assert (first.list_kind, first.listed_on) == ("abnormal", datetime.date(2025, 3, 1))
    assert WatchListEntry.objects.get(name="乙公司").list_kind == "dishonest"
    event = AuditEvent.objects.get(action="filing.watchlistentry.import")
    assert event.extra["new"] == 2

    again = watchlist.import_file("list.csv", content)
    assert [r.action for r in again.rows] == ["same", "same"]
    assert WatchListEntry.objects.count() == 2

    changed = csv_bytes(f"甲公司（更名）,{code},经营异常名录,公示系统,2025-03-01,")
    assert [r.action for r in watchlist.import_file("list.csv", changed).rows] == ["update"]
    first.refresh_from_db()
    assert first.name == "甲公司（更名）" and first.version == 2


def test_import_with_row_errors_imports_nothing(demo: dict[str, User]) -> None:
    content = csv_bytes(
        "好公司,,经营异常名录,,2025-01-01,",
        ",,经营异常名录,,,",
        "坏代码公司,91110108MA0000009,经营异常名录,,,",
        "未知名录公司,,黑名单,,,",
        "坏日期公司,,其他,,2025-13-45,",
        "好公司,,经营异常名录,,2025-01-01,",
    )
    preview = watchlist.preview("x.csv", content)
    assert not preview.ok
    assert [r.line for r in preview.errors] == [3, 4, 5, 6, 7]
    with pytest.raises(ValidationError):
        watchlist.import_file("x.csv", content)
    assert WatchListEntry.objects.count() == 0


def test_import_reads_xlsx_and_refuses_a_file_without_headings(demo: dict[str, User]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["企业名称", "名录", "列入日期"])
    sheet.append(["丙公司", "严重违法失信", datetime.datetime(2025, 5, 6)])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = watchlist.preview("list.xlsx", buffer.getvalue())
    assert preview.ok
    assert preview.rows[0].values["listed_on"] == datetime.date(2025, 5, 6)

    assert watchlist.preview("x.csv", b"a,b\n1,2\n").file_errors
    assert watchlist.preview("x.xlsx", b"PK\x03\x04broken").file_errors
    assert watchlist.preview("x.csv", b"").file_errors


def test_import_page_previews_and_confirms(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    admin = client_for("admin")
    content = csv_bytes("丁公司,,经营异常名录,公示系统,2025-02-02,")
    response = admin.post("/watch-list/import/", {"file": SimpleUploadedFile("list.csv", content)})
    assert response.status_code == 200
    token = response.context["token"]
    assert WatchListEntry.objects.count() == 0
    response = admin.post("/watch-list/import/", {"token": token})
    assert response.status_code == 302
    assert WatchListEntry.objects.filter(name="丁公司").count() == 1
    # The token is spent: its file is gone.
    assert admin.post("/watch-list/import/", {"token": token}).status_code == 302
    assert WatchListEntry.objects.count() == 1

    bad = csv_bytes(",,经营异常名录,,,")
    response = admin.post("/watch-list/import/", {"file": SimpleUploadedFile("b.csv", bad)})
    assert response.status_code == 400
    assert "token" not in response.context

    # Another user cannot use the token; account managers may not import at all.
    response = admin.post("/watch-list/import/", {"file": SimpleUploadedFile("l.csv", content)})
    other = client_for("compliance")
    assert (
        other.post("/watch-list/import/", {"token": response.context["token"]}).status_code == 302
    )
    assert WatchListEntry.objects.count() == 1
    assert client_for("manager1").get("/watch-list/import/").status_code == 403
