"""The customer roster import: dry run, upsert, errors and their report, formats."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core.models import OrgUnit, User
from kehu.customers.models import BankAccount, Contact, Customer, DuplicateFlag
from kehu.customers.roster.services import (
    check_roster,
    import_roster,
    roster_error_report,
    roster_template,
)
from kehu.customers.search import filter_text
from kehu.customers.tests.roster_files import HEADINGS, csv_bytes, org_row, person_row, xlsx

pytestmark = pytest.mark.usefixtures("demo_module")


@pytest.fixture
def manager(demo: dict[str, User]) -> User:
    return demo["manager1"]


@pytest.fixture
def sale() -> OrgUnit:
    return OrgUnit.objects.get(code="SALE")


def _register() -> set[tuple[Any, ...]]:
    return {
        (c.name, c.credit_code, c.id_number, c.registered_capital, c.phone,
         tuple(sorted((x.name, x.title, x.mobile) for x in c.contacts.all())),
         tuple(sorted((a.bank_name, a.account_number) for a in c.bank_accounts.all())))
        for c in Customer.objects.filter(unit__code="SALE", name__contains="号贸易")
    }  # fmt: skip


def test_dry_run_counts_and_changes_nothing(manager: User, sale: OrgUnit) -> None:
    content = xlsx([org_row(1), org_row(2), person_row(3)])
    customers, events = Customer.objects.count(), AuditEvent.objects.count()
    outcome = check_roster(manager, sale, "roster.xlsx", content)
    assert outcome.ok and outcome.counts == {"new": 3, "update": 0, "same": 0, "error": 0}
    assert [s["label"] for s in outcome.samples["new"]][:2] == [
        org_row(1)["客户名称"],
        org_row(2)["客户名称"],
    ]
    assert (Customer.objects.count(), AuditEvent.objects.count()) == (customers, events)


def test_import_then_reimport_changes_nothing(manager: User, sale: OrgUnit) -> None:
    content = xlsx([org_row(11), org_row(12), person_row(13)])
    first = import_roster(manager, sale, "roster.xlsx", content)
    assert first.imported and first.counts["new"] == 3
    customer = Customer.objects.get(credit_code=org_row(11)["统一社会信用代码"])
    assert customer.registered_capital == Decimal("5000000.00")
    assert customer.founded_on == datetime.date(2015, 3, 5)
    assert customer.owner == manager and customer.unit == sale
    contact = Contact.objects.get(customer=customer)
    assert contact.is_primary and contact.mobile == f"137{11:08d}"
    assert BankAccount.objects.get(customer=customer).account_number == f"6222{11:012d}"
    # as if typed in: pinyin, search index, completeness, one audit event naming it
    assert customer.name_pinyin.startswith("shanghai") and customer.completeness > 0
    found = filter_text(Customer.objects.all(), "shjyy")
    assert customer in found or customer in filter_text(Customer.objects.all(), customer.name[2:6])
    event = AuditEvent.objects.get(action="customers.customer.import", object_id=str(customer.pk))
    assert event.changes["name"] == [None, customer.name]
    assert event.changes["bank_account"][1] != f"6222{11:012d}"  # masked
    person = Customer.objects.get(name=person_row(13)["客户名称"])
    assert person.birth_date and person.gender  # derived from the ID number
    before = _register()
    events = AuditEvent.objects.count()
    second = import_roster(manager, sale, "roster.xlsx", content)
    assert second.counts == {"new": 0, "update": 0, "same": 3, "error": 0}
    assert not second.imported
    assert _register() == before and AuditEvent.objects.count() == events


def test_updated_file_changes_only_what_changed(manager: User, sale: OrgUnit) -> None:
    import_roster(manager, sale, "a.xlsx", xlsx([org_row(21), org_row(22)]))
    customer = Customer.objects.get(credit_code=org_row(21)["统一社会信用代码"])
    version = customer.version
    changed = org_row(21, 注册资本="1.2亿", 联系人职务="总监")
    outcome = import_roster(manager, sale, "b.xlsx", xlsx([changed, org_row(22)]))
    assert outcome.counts == {"new": 0, "update": 1, "same": 1, "error": 0}
    customer.refresh_from_db()
    assert customer.registered_capital == Decimal("120000000.00")
    assert customer.version == version + 1
    assert Contact.objects.get(customer=customer).title == "总监"
    event = AuditEvent.objects.filter(
        action="customers.customer.import", object_id=str(customer.pk)
    ).first()
    assert event is not None
    assert set(event.changes) == {"registered_capital", "contact.title"}


def test_bad_rows_nothing_imported_and_report(manager: User, sale: OrgUnit) -> None:
    rows = [
        org_row(31),
        org_row(32, 统一社会信用代码="91310115MA00000000"),
        org_row(33, 联系人手机="12345"),
        org_row(
            34, 统一社会信用代码=org_row(31)["统一社会信用代码"], 客户名称="上海重复号贸易有限公司"
        ),
        org_row(35, 成立日期="去年"),
    ]
    content = xlsx(rows)
    customers = Customer.objects.count()
    outcome = import_roster(manager, sale, "bad.xlsx", content)
    assert not outcome.imported and Customer.objects.count() == customers
    assert outcome.counts["error"] == 4 and set(outcome.errors) == {"3", "4", "5", "6"}
    assert outcome.errors["3"][0].startswith("统一社会信用代码：")
    assert outcome.errors["4"][0].startswith("联系人手机：")
    assert "第2行" in outcome.errors["5"][0] or "2" in outcome.errors["5"][0]
    report = load_workbook(io.BytesIO(roster_error_report("bad.xlsx", content, outcome)))
    sheet = report.active
    assert sheet is not None
    table = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    assert tuple(table[0][:3]) == ("错误说明", "行号", "客户类型")
    assert table[1][0] in (None, "") and table[1][1] == 2
    assert table[2][1] == 3 and str(table[2][0]).startswith("统一社会信用代码：")
    assert len(table) == 6
    good = import_roster(manager, sale, "bad.xlsx", content, good_rows_only=True)
    assert good.counts["new"] == 1 and good.counts["error"] == 4
    assert Customer.objects.count() == customers + 1


def test_gbk_csv_chinese_dates_and_amounts(manager: User, sale: OrgUnit) -> None:
    rows = [
        org_row(41, 成立日期="2024年3月5日", 注册资本="1,234.5万"),
        org_row(42, 成立日期="2024/3/5", 注册资本="2亿元"),
        org_row(43, 成立日期="2024.3.5", 注册资本="3,000,000"),
    ]
    outcome = import_roster(manager, sale, "名册.csv", csv_bytes(rows, "gbk"))
    assert outcome.counts["new"] == 3, outcome.errors
    got = {
        c.credit_code: (c.founded_on, c.registered_capital)
        for c in Customer.objects.filter(credit_code__in=[r["统一社会信用代码"] for r in rows])
    }
    assert set(got.values()) == {
        (datetime.date(2024, 3, 5), Decimal("12345000.00")),
        (datetime.date(2024, 3, 5), Decimal("200000000.00")),
        (datetime.date(2024, 3, 5), Decimal("3000000.00")),
    }
    assert Customer.objects.get(name=rows[0]["客户名称"]).contacts.count() == 1


def test_headings_tolerant_and_excel_serial_dates(manager: User, sale: OrgUnit) -> None:
    headings = [" 客户 类型 ", "ＮＡＭＥ", "Credit_Code*", "成立日期（必填）", "注册资本"]
    row = org_row(51)
    values = {
        headings[0]: "organization",
        headings[1]: row["客户名称"],
        headings[2]: row["统一社会信用代码"],
        headings[3]: 45356,  # 2024-03-05
        headings[4]: 1500000,
    }
    outcome = import_roster(manager, sale, "x.xlsx", xlsx([values], headings))
    assert outcome.counts["new"] == 1, (outcome.file_errors, outcome.errors)
    customer = Customer.objects.get(credit_code=row["统一社会信用代码"])
    assert customer.founded_on == datetime.date(2024, 3, 5)
    assert customer.registered_capital == Decimal("1500000.00")


def test_duplicates_against_the_register_are_flagged(
    manager: User, sale: OrgUnit, demo: dict[str, User]
) -> None:
    import_roster(manager, sale, "a.xlsx", xlsx([org_row(61)]))
    first = Customer.objects.get(credit_code=org_row(61)["统一社会信用代码"])
    similar = org_row(62, 客户名称=first.name.replace("有限公司", "股份有限公司"))
    import_roster(manager, sale, "b.xlsx", xlsx([similar]))
    second = Customer.objects.get(credit_code=similar["统一社会信用代码"])
    assert DuplicateFlag.objects.filter(first=first, second=second).exists()


def test_customer_of_another_department_is_refused(demo: dict[str, User], sale: OrgUnit) -> None:
    mkt = OrgUnit.objects.get(code="MKT")
    import_roster(demo["manager3"], mkt, "a.xlsx", xlsx([org_row(71)]))
    outcome = import_roster(demo["manager1"], sale, "b.xlsx", xlsx([org_row(71, 注册资本="1万")]))
    assert outcome.counts["error"] == 1 and not outcome.imported
    assert "市场部" in outcome.errors["2"][0]
    with pytest.raises(PermissionDenied):
        import_roster(demo["manager1"], mkt, "b.xlsx", xlsx([org_row(72)]))


def test_template_has_headings_example_and_explanations(manager: User, sale: OrgUnit) -> None:
    workbook = load_workbook(io.BytesIO(roster_template(manager, sale)))
    first, notes = workbook.worksheets
    headings = [c.value for c in first[1]]
    assert "客户类型*" in headings and "统一社会信用代码" in headings
    assert set(HEADINGS) <= {str(h).rstrip("*") for h in headings if h}
    assert notes.max_row == len(headings) + 1
    # the template's example row checks clean
    outcome = check_roster(manager, sale, "template.xlsx", roster_template(manager, sale))
    assert outcome.ok, (outcome.file_errors, outcome.errors)
