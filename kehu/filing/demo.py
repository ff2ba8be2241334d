"""Demo filings in different states: collecting, waiting for a supplement, in the
second review, a high-risk one in due diligence, waiting for approval, approved, rejected —
all made through the services, as the demo users would. A few watch list entries too, one of
them naming an active customer of manager1's, so that its card shows the monitoring flag."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User
from kehu.customers import services as customer_services
from kehu.customers.identifiers import make_credit_code
from kehu.customers.models import Customer, CustomerKind, CustomerStatus
from kehu.documents import samples
from kehu.documents import services as document_services
from kehu.documents.models import DocumentType
from kehu.filing import monitoring, selectors, services
from kehu.filing.models import Filing, WatchList, WatchListEntry

# (state to reach, the demo customer's name, its industry)
PLAN = [
    ("collection", "北京演示备案收集中有限公司", "C"),
    ("supplement", "北京演示备案补充资料有限公司", "C"),
    ("second_review", "北京演示备案复审中有限公司", "I"),
    ("due_diligence", "北京演示备案高风险地产有限公司", "K"),
    ("approval", "北京演示备案待审批有限公司", "M"),
    ("approved", "北京演示备案已通过有限公司", "C"),
    ("rejected", "北京演示备案未通过有限公司", "C"),
]
LICENCE_VALID_UNTIL = datetime.date(2036, 12, 31)
WATCH = [
    ("天津某某商贸有限公司", "abnormal", "国家企业信用信息公示系统", "2025-06-01"),
    ("河北某某物流有限公司", "dishonest", "信用中国", "2024-11-15"),
    ("重庆某某建材有限公司", "abnormal", "国家企业信用信息公示系统", "2025-09-20"),
]


def _customer(n: int, name: str, industry: str, owner: User) -> Customer:
    return customer_services.create_customer(
        {
            "kind": CustomerKind.ORGANIZATION, "name": name, "owner": owner, "unit": owner.unit,
            "credit_code": make_credit_code(f"91110229MA{n + 900:07d}"), "industry": industry,
            "legal_rep_name": "张三", "registered_address": "北京市延庆区科技路1号",
            "operating_address": "北京市延庆区商务大厦5层", "registered_capital": 5_000_000,
            "business_scope": "技术开发、技术服务", "founded_on": datetime.date(2016, 5, 1),
            "phone": f"010-6912{n:04d}",
        }
    )  # fmt: skip


def _complete(customer: Customer, owner: User) -> Customer:
    """What the checklist asks beyond the data: a contact, an account, three documents."""
    if not customer.contacts.exists():
        customer_services.create_contact(
            {
                "customer": customer,
                "name": "李四",
                "mobile": f"1380013{customer.pk % 10000:04d}",
                "is_primary": True,
            }
        )
    if not customer.bank_accounts.exists():
        customer_services.create_bank_account(
            {"customer": customer, "account_name": customer.name, "bank_name": "中国银行",
             "account_number": "6216 6100 0000 1234 567", "is_primary": True}
        )  # fmt: skip
    for code in ("business_licence", "legal_rep_id", "bank_account_proof"):
        if not customer.documents.filter(doc_type__code=code, current__isnull=False).exists():
            upload = SimpleUploadedFile(f"{code}.pdf", samples.pdf(f"{code} {customer.pk}"))
            expires = LICENCE_VALID_UNTIL if code == "business_licence" else None
            doc_type = DocumentType.objects.get(code=code)
            document_services.document_upload(customer, doc_type, upload, owner, expires_on=expires)
    return customer


def _passing_checks(filing: Filing, step_key: str) -> list[dict[str, str]]:
    items, _initial = selectors.review_items(filing, step_key)
    return [{"key": k, "label": label, "result": "ok", "explanation": ""} for k, label in items]


def _step(filing: Filing, key: str) -> Any:
    filing.refresh_from_db()
    assert filing.case is not None
    return filing.case.steps.filter(key=key).order_by("-pk").first()


def _advance(filing: Filing, target: str, users: dict[str, User]) -> None:
    manager, compliance = filing.customer.owner, users["compliance"]
    if target == "collection":
        return
    services.complete_collection(filing, _step(filing, "collect"), by=manager)
    review = _step(filing, "initial_review")
    if target == "supplement":
        services.request_supplement(filing, review, by=manager, reason="请补充最新的财务报表")
        return
    checks = _passing_checks(filing, "initial_review")
    services.submit_review(filing, review, by=manager, checks=checks, outcome="passed")
    if target == "second_review":
        return
    second = _step(filing, "second_review")
    if target == "rejected":
        checks = _passing_checks(filing, "second_review")
        checks[1] |= {"result": "doubtful", "explanation": "与失信名单中的企业同一法定代表人"}
        services.submit_review(
            filing, second, by=compliance, checks=checks, outcome="rejected",
            comment="法定代表人关联严重违法失信企业，不予合作",
        )  # fmt: skip
        return
    services.submit_review(
        filing, second, by=compliance, checks=_passing_checks(filing, "second_review"),
        outcome="passed",
    )  # fmt: skip
    filing.refresh_from_db()
    if target in ("due_diligence",) or filing.high_risk:
        return
    if target == "approval":
        return
    services.filing_step_decide(
        filing, _step(filing, "approve"), by=users["head_sale"], outcome="approved"
    )
    services.filing_step_decide(
        filing, _step(filing, "approve"), by=users["gm"], outcome="approved"
    )


def load() -> int:
    if Filing.objects.exists() or not DocumentType.objects.filter(code="risk_report").exists():
        return 0
    users = {u.username: u for u in User.objects.all()}
    if not {"manager1", "compliance", "head_sale", "gm"} <= set(users):
        return 0
    owner = users["manager1"]
    created = 0
    with acting_as(SYSTEM):
        for name, kind, source, listed in WATCH:
            WatchListEntry.objects.create(
                name=name, list_kind=kind, source=source, listed_on=listed
            )
        for n, (target, name, industry) in enumerate(PLAN, start=1):
            customer = _customer(n, name, industry, owner)
            if target != "collection":
                customer = _complete(customer, owner)
            filing = services.open_filing(customer, by=owner)
            _advance(filing, target, users)
            created += 1
        watched = (
            Customer.objects.filter(owner=owner, status=CustomerStatus.ACTIVE)
            .order_by("pk")
            .first()
        )
        if watched is not None:
            WatchListEntry.objects.create(
                name=watched.name,
                credit_code=watched.credit_code or "",
                list_kind=WatchList.OTHER,
                source="演示：法院失信被执行人公告",
            )
            monitoring.flag_matching_customers()
    return created
