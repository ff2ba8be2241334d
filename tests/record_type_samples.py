"""What the generated record-type tests (tests/test_record_types.py) need to know about each
registered type, keyed by its slug: valid form data for a new record, the demo users who act
on it, and the fields to edit and to search by when the defaults do not fit."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kehu.core.models import OrgUnit, Role, UnitKind, User

_counter = itertools.count(1)


@dataclass(frozen=True)
class Samples:
    # Valid form data for a new record: `data()`, or `data(user)` when the type's form takes
    # the user (data that user may submit).
    data: Callable[..., dict[str, Any]]
    # Demo users the tests act as: "editor" may create and edit, "outsider" holds no
    # permission on the type, "scoped" sees only part of the rows and changes nothing (or, if
    # the type is not unit-scoped, reads all of them). Optional "elsewhere" creates rows that
    # "scoped" cannot see, when the demo data holds none.
    users: dict[str, str] = field(
        default_factory=lambda: {"editor": "admin", "outsider": "manager1", "scoped": "head_sale"}
    )
    # A required text field of the form to edit (default: the first required CharField of
    # the form in `search_fields`).
    text_field: str | None = None
    # A field whose value the search finds (default: the type's first `search_fields`).
    search_field: str | None = None
    # False for types whose every reader sees every row.
    unit_scoped: bool = True


# --- customers -------------------------------------------------------------------------

# The head of SALE creates and edits, the archivist holds no customer permission, the general
# manager of BJ reads SALE and MKT but not SH-SALE and changes nothing here, and an account
# manager of SH-SALE adds the rows the general manager does not see.
CUSTOMER_USERS = {"editor": "head_sale", "outsider": "archivist", "scoped": "gm",
                  "elsewhere": "manager4"}  # fmt: skip
# Classifications are not unit-scoped: the administrator configures them, the auditor reads
# them all, and the archivist holds no permission on them (account managers may read them).
CLASSIFICATION_USERS = {"editor": "admin", "outsider": "archivist", "scoped": "auditor"}
# Configuration kept by administrators and read by auditors.
ADMIN_USERS = {"editor": "admin", "outsider": "manager1", "scoped": "auditor"}


def customer_data(user: User) -> dict[str, Any]:
    """Service data of a valid organisation customer that `user` registers as its own, in
    its department."""
    from kehu.customers.identifiers import make_credit_code
    from kehu.customers.models import CustomerKind

    n = next(_counter)
    return {
        "kind": CustomerKind.ORGANIZATION,
        "name": f"北京样例科技第{n}有限公司",
        "owner": user,
        "unit": OrgUnit.objects.get(pk=user.unit_id or 0),
        "credit_code": make_credit_code(f"91110105MA{n:07d}"),
        "phone": f"010-6{n:07d}",
        "registered_capital": "500万",
        "founded_on": "2020年3月1日",
    }


def new_customer(user: User) -> Any:
    from kehu.customers.services import create_customer

    return create_customer(customer_data(user))


def customer(user: User) -> dict[str, Any]:
    """Form data of a customer `user` may register (the form offers the user's departments)."""
    data = customer_data(user)
    return data | {"owner": user.pk, "unit": data["unit"].pk, "capital_currency": "CNY"}


def contact(user: User) -> dict[str, Any]:
    """A contact of a new customer of `user` (the form offers the customers it may change)."""
    n = next(_counter)
    return {
        "customer": new_customer(user).pk,
        "name": f"样例联系人{n:05d}",
        "gender": "male",
        "title": "采购经理",
        "mobile": f"138{n:08d}",
        "role": "purchaser",
        "influence": "40",
    }


def bank_account(user: User) -> dict[str, Any]:
    owner = new_customer(user)
    return {
        "customer": owner.pk,
        "account_name": owner.name,
        "bank_name": "中国工商银行",
        "branch": "北京海淀支行",
        "account_number": "0200 0045 0920 0123 456",
    }


def dimension() -> dict[str, Any]:
    n = next(_counter)
    return {"code": f"dim{n}", "name": f"维度{n}", "order": n, "is_active": "on"}


def classification_value() -> dict[str, Any]:
    from kehu.customers.models import ClassificationDimension

    n = next(_counter)
    parent = ClassificationDimension.objects.create(code=f"vdim{n}", name=f"维度{n}")
    return {"dimension": parent.pk, "code": f"v{n}", "name": f"值{n}", "order": n,
            "is_active": "on"}  # fmt: skip


# --- interactions ----------------------------------------------------------------------


def interaction(user: User) -> dict[str, Any]:
    """A phone call with a new customer of `user` (who may record communications for it)."""
    n = next(_counter)
    return {
        "customer": new_customer(user).pk,
        "occurred_at": "2026-11-02T10:00",
        "channel": "phone",
        "subject": f"样例沟通{n:05d}",
        "needs": "询问年度报价",
    }


def complaint(user: User) -> dict[str, Any]:
    """A complaint about a new customer of `user`, handled by the user's department."""
    n = next(_counter)
    return {
        "customer": new_customer(user).pk,
        "received_on": "2026-11-02",
        "channel": "phone",
        "category": "delivery",
        "content": f"样例投诉{n:05d}：送货延误",
        "route": "service_process",
        "handling_unit": user.unit_id,
    }


SURVEY_CONFIG_USERS = {"editor": "admin", "outsider": "archivist", "scoped": "auditor"}
# The head of SALE follows corrective actions, SALE's account managers read SALE's, the
# general manager (BJ) opens them for BJ too.
CORRECTIVE_USERS = {"editor": "head_sale", "outsider": "archivist", "scoped": "manager1",
                    "elsewhere": "gm"}  # fmt: skip
# The head of SALE writes SALE's survey analysis reports; SALE's account managers read them;
# the head of the production department writes reports manager1 does not see.
SURVEY_REPORT_USERS = {"editor": "head_sale", "outsider": "archivist", "scoped": "manager1",
                       "elsewhere": "head_prod"}  # fmt: skip


def _survey_template() -> Any:
    from kehu.interactions.models import SurveyTemplate

    n = next(_counter)
    return SurveyTemplate.objects.create(name=f"样例调查{n:05d}", kind="satisfaction")


def survey_template() -> dict[str, Any]:
    n = next(_counter)
    return {"name": f"满意度调查{n:05d}", "kind": "satisfaction", "is_active": "on"}


def survey_item() -> dict[str, Any]:
    n = next(_counter)
    return {"template": _survey_template().pk, "order": n % 30 + 1, "label": f"服务质量{n:05d}",
            "scale": "five", "target": "80.0"}  # fmt: skip


def survey(user: User) -> dict[str, Any]:
    return {"template": _survey_template().pk, "customer": new_customer(user).pk,
            "year": 2026, "due_date": "2026-12-31", "respondent": "王经理"}  # fmt: skip


def corrective_action(user: User) -> dict[str, Any]:
    from kehu.interactions.models import SurveyItem

    n = next(_counter)
    item = SurveyItem.objects.create(template=_survey_template(), label="服务质量", scale="five")
    return {"item": item.pk, "year": 2026, "unit": user.unit_id, "measured": "60.0",
            "target": "80.0", "description": f"加强服务培训{n:05d}"}  # fmt: skip


def survey_report(user: User) -> dict[str, Any]:
    """A report of a new template with one answered survey in the user's department."""
    import datetime

    from kehu.interactions.models import Survey, SurveyAnswer, SurveyItem

    template = _survey_template()
    item = SurveyItem.objects.create(template=template, label="服务质量", scale="five")
    survey = Survey.objects.create(
        template=template, customer=new_customer(user), year=2026, assignee=user,
        due_date=datetime.date(2026, 12, 31), status="answered",
        answered_on=datetime.date(2026, 11, 2),
    )  # fmt: skip
    SurveyAnswer.objects.create(survey=survey, item=item, score=4)
    n = next(_counter)
    return {"template": template.pk, "year": 2026, "unit": user.unit_id,
            "analysis": f"服务质量良好{n:05d}"}  # fmt: skip


def complaint_reply_letter() -> dict[str, Any]:
    n = next(_counter)
    return {"title": f"投诉回复函{n:05d}", "route": "", "body": "尊敬的{customer}：{result}",
            "is_active": "on"}  # fmt: skip


def customer_research(user: User) -> dict[str, Any]:
    """Research on a new customer of `user`: the first decision-maker's exact data."""
    n = next(_counter)
    return {"customer": new_customer(user).pk, "researched_on": "2026-11-02",
            "action_plan": f"先拜访采购部{n:05d}", "dm1_name": "李总", "dm1_gender": "male",
            "dm1_title": "总经理", "dm1_phone": "13800000001", "dm1_weight": "70"}  # fmt: skip


def visit_plan(user: User) -> dict[str, Any]:
    n = next(_counter)
    return {"customer": new_customer(user).pk, "kind": "visit", "planned_on": "2099-09-15",
            "purpose": f"年度拜访{n:05d}"}  # fmt: skip


def service_ticket(user: User) -> dict[str, Any]:
    n = next(_counter)
    return {"customer": new_customer(user).pk, "problem_type": "network",
            "description": f"VPN 无法连接{n:05d}", "handler": user.pk,
            "started_at": "2026-11-03T10:00", "status": "open", "sla_hours": 8}  # fmt: skip


def purchase(user: User) -> dict[str, Any]:
    n = next(_counter)
    return {"customer": new_customer(user).pk, "purchased_on": "2026-11-02",
            "product": f"彩盒{n:05d}", "quantity": "100.00", "unit_price": "2.50",
            "amount": "250.00", "order_number": f"PO-{n:05d}"}  # fmt: skip


# --- archives --------------------------------------------------------------------------

# The archivist (BJ) files; the head of SALE reads SALE's dossiers only; account managers
# hold no archive permission. Sample customers alternate between SALE and MKT, so that the
# archivist's second sample ("elsewhere") lies outside SALE.
DOSSIER_USERS = {"editor": "archivist", "outsider": "manager1", "scoped": "head_sale",
                 "elsewhere": "archivist"}  # fmt: skip
ARCHIVE_CONFIG_USERS = {"editor": "archivist", "outsider": "manager1", "scoped": "auditor"}
# Numbers the archive samples by themselves, so that successive dossiers and items alternate
# between the two owners below.
_archive_counter = itertools.count(1)


def _archived_customer(n: int) -> Any:
    return new_customer(User.objects.get(username="manager1" if n % 2 else "manager3"))


def dossier(user: User) -> dict[str, Any]:
    from kehu.archives.services import default_category

    n = next(_archive_counter)
    return {
        "customer": _archived_customer(n).pk,
        "title": f"样例案卷{n:05d}",
        "category": default_category().pk,
        "confidentiality": "normal",
        "note": "",
    }


def accepted_for_filing(dossier: Any) -> Any:
    """The dossier, after the demo archivist accepted its materials in a check before
    filing (items are filed only then)."""
    from kehu.archives.reviews import record_review

    reviewer = User.objects.get(username="archivist")
    accepted = {"authentic": True, "complete": True, "accurate": True, "outcome": "accepted"}
    record_review(dossier, reviewer, accepted)
    return dossier


def archive_item(user: User) -> dict[str, Any]:
    from kehu.archives.models import Medium
    from kehu.archives.services import default_category, open_dossier

    n = next(_archive_counter)
    return {
        "dossier": accepted_for_filing(open_dossier(_archived_customer(n))).pk,
        "category": default_category().pk,
        "title": f"样例归档文件{n:05d}",
        "medium": Medium.PAPER,
        "pages": 3,
        "note": "",
    }


def archive_category() -> dict[str, Any]:
    n = next(_archive_counter)
    return {
        "code": f"sample-{n}",
        "name": f"样例类别{n:05d}",
        "class_code": "YL",
        "order": 100 + n,
        "retention": "D10",
        "is_active": "on",
    }


def cabinet() -> dict[str, Any]:
    n = next(_archive_counter)
    return {
        "code": f"G{n:05d}",
        "name": f"样例档案柜{n:05d}",
        "room": "档案室",
        "shelves": 5,
        "is_active": "on",
        "note": "",
    }


# --- filing configuration --------------------------------------------------------------

FILING_USERS = {"editor": "admin", "outsider": "archivist", "scoped": "auditor"}


def checklist_item() -> dict[str, Any]:
    from kehu.documents.models import DocumentType

    n = next(_counter)
    doc_type = DocumentType.objects.order_by("pk").first()
    assert doc_type is not None
    return {
        "name": f"样例清单项{n}",
        "customer_kind": "organization",
        "industry": "",
        "item_kind": "document",
        "field_name": "",
        "doc_type": doc_type.pk,
        "note": "",
        "order": 100 + n,
        "is_active": "on",
    }


def watch_list_entry() -> dict[str, Any]:
    n = next(_counter)
    return {
        "name": f"样例异常企业第{n}有限公司",
        "credit_code": "",
        "list_kind": "abnormal",
        "source": "国家企业信用信息公示系统",
        "listed_on": "2025-03-01",
        "note": "",
        "is_active": "on",
    }


def risk_rule() -> dict[str, Any]:
    n = next(_counter)
    return {
        "name": f"样例规则{n}",
        "kind": "address_changes",
        "threshold": 3,
        "industries": [],
        "note": "",
    }


# --- documents, workflow, calendar -----------------------------------------------------


def document_type() -> dict[str, Any]:
    n = next(_counter)
    return {
        "code": f"sample_type_{n}",
        "name": f"样例文件类型{n}",
        "has_dates": "on",
        "content_types": ["application/pdf"],
        "order": 100 + n,
        "is_active": "on",
    }


def chat_robot() -> dict[str, Any]:
    n = next(_counter)
    return {
        "name": f"样例群机器人{n}",
        "platform": "wecom",
        "webhook_url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=sample-{n}",
        "is_active": "on",
    }


def webhook_subscriber() -> dict[str, Any]:
    n = next(_counter)
    return {
        "name": f"样例订阅方{n}",
        "url": f"https://erp.example.cn/hooks/{n}?key=sample",
        "secret": f"sample-secret-{n:04d}-0123456789",
        "events": ["customer.activated"],
        "is_active": "on",
    }


def approver_rule() -> dict[str, Any]:
    from kehu.workflow import definitions

    unit = OrgUnit.objects.order_by("path").first()
    return {
        "process": definitions.all_processes()[0].key,
        "unit": unit.pk if unit else "",
        "position": 10 + next(_counter),
        "role": Role.GENERAL_MANAGER,
        "basis": f"客户备案管理办法 第{next(_counter)}条",
    }


def calendar_day() -> dict[str, Any]:
    day = datetime.date(2031, 1, 1) + datetime.timedelta(days=next(_counter))
    return {"date": day.isoformat(), "name": f"公司活动日{day:%m%d}"}


def calendar_year() -> dict[str, Any]:
    return {"year": 2040 + next(_counter), "note": f"国务院办公厅通知 第{next(_counter)}号"}


# --- contracts -------------------------------------------------------------------------

# The head of SALE keeps contracts and projects, the administrator holds no permission on
# them, the general manager of BJ reads SALE's and MKT's but not SH-SALE's and changes none,
# and an account manager of SH-SALE adds the rows he does not see.
CONTRACT_USERS = {"editor": "head_sale", "outsider": "admin", "scoped": "gm",
                  "elsewhere": "manager4"}  # fmt: skip


def project(user: User) -> dict[str, Any]:
    n = next(_counter)
    return {
        "customer": new_customer(user).pk,
        "name": f"样例交易项目{n:05d}",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "owner": user.pk,
        "status": "active",
        "note": "",
    }


def contract(user: User) -> dict[str, Any]:
    n = next(_counter)
    return {
        "customer": new_customer(user).pk,
        "number": "",
        "title": f"样例合同{n:05d}",
        "contract_type": "sales",
        "signing_unit": "北京华夏贸易有限公司",
        "signatory": "王强",
        "counterparty_signatory": "",
        "handler": user.pk,
        "amount": "10000.00",
        "currency": "CNY",
        "signed_on": "2026-02-01",
        "effective_on": "2026-02-01",
        "ends_on": "2026-12-31",
        "payment_terms": "货到30日内付款",
        "guarantee": "",
        "note": "",
    }


def contract_checklist_item() -> dict[str, Any]:
    from kehu.documents.models import DocumentType

    n = next(_counter)
    doc_type = DocumentType.objects.filter(for_contracts=True).order_by("pk").first()
    assert doc_type is not None
    return {
        "name": f"样例合同清单项{n}",
        "contract_type": "service",
        "doc_type": doc_type.pk,
        "required": "on",
        "order": 100 + n,
        "is_active": "on",
        "note": "",
    }


# --- organisation ----------------------------------------------------------------------


def unit() -> dict[str, Any]:
    from kehu.core.services import create_unit

    parent = OrgUnit.objects.filter(kind=UnitKind.GROUP).first() or create_unit(
        {"name": "测试集团", "code": "TGRP", "kind": UnitKind.GROUP}
    )
    n = next(_counter)
    return {"name": f"测试子公司{n}", "code": f"TS{n}", "kind": UnitKind.SUBSIDIARY,
            "parent": parent.pk}  # fmt: skip


def user() -> dict[str, Any]:
    from kehu.core.services import create_unit

    data = unit()
    n = next(_counter)
    created = create_unit({**data, "parent": OrgUnit.objects.get(pk=data["parent"])})
    return {
        "username": f"sample{n}",
        "full_name": f"样例用户{n}",
        "email": f"sample{n}@example.com",
        "unit": created.pk,
        "is_active": "on",
        "password1": "Correct-Horse-42",
        "password2": "Correct-Horse-42",
    }


SAMPLES: dict[str, Samples] = {
    # The custom search finds customers by name (and pinyin, codes, phones, contacts).
    "customers": Samples(customer, dict(CUSTOMER_USERS), text_field="name", search_field="name"),
    "contacts": Samples(contact, dict(CUSTOMER_USERS)),
    "bank-accounts": Samples(bank_account, dict(CUSTOMER_USERS)),
    "classification-dimensions": Samples(dimension, dict(CLASSIFICATION_USERS), unit_scoped=False),
    "classification-values": Samples(
        classification_value, dict(CLASSIFICATION_USERS), unit_scoped=False
    ),
    "archive-categories": Samples(archive_category, dict(ARCHIVE_CONFIG_USERS), unit_scoped=False),
    "cabinets": Samples(
        cabinet,
        dict(ARCHIVE_CONFIG_USERS),
        text_field="name",
        search_field="name",
        unit_scoped=False,
    ),
    "interactions": Samples(
        interaction, dict(CUSTOMER_USERS), text_field="subject", search_field="subject"
    ),
    "complaints": Samples(
        complaint, dict(CUSTOMER_USERS), text_field="content", search_field="content"
    ),
    "survey-templates": Samples(survey_template, dict(SURVEY_CONFIG_USERS), unit_scoped=False),
    "survey-items": Samples(
        survey_item, dict(SURVEY_CONFIG_USERS), text_field="label", unit_scoped=False
    ),
    "surveys": Samples(
        survey, dict(CUSTOMER_USERS), text_field="respondent", search_field="customer"
    ),
    "corrective-actions": Samples(
        corrective_action,
        dict(CORRECTIVE_USERS),
        text_field="description",
        search_field="description",
    ),
    "survey-reports": Samples(
        survey_report,
        dict(SURVEY_REPORT_USERS),
        text_field="analysis",
        search_field="analysis",
    ),
    "complaint-reply-letters": Samples(
        complaint_reply_letter, dict(SURVEY_CONFIG_USERS), text_field="title", unit_scoped=False
    ),
    "customer-research": Samples(
        customer_research,
        dict(CUSTOMER_USERS),
        text_field="action_plan",
        search_field="action_plan",
    ),
    "visit-plans": Samples(
        visit_plan, dict(CUSTOMER_USERS), text_field="purpose", search_field="purpose"
    ),
    "service-tickets": Samples(
        service_ticket,
        dict(CUSTOMER_USERS),
        text_field="description",
        search_field="description",
    ),
    "purchases": Samples(purchase, dict(CUSTOMER_USERS), text_field="product"),
    "dossiers": Samples(dossier, dict(DOSSIER_USERS), text_field="title"),
    "archive-items": Samples(
        archive_item, dict(DOSSIER_USERS), text_field="title", search_field="title"
    ),
    "filing-checklist": Samples(checklist_item, dict(FILING_USERS), unit_scoped=False),
    "watch-list": Samples(watch_list_entry, dict(FILING_USERS), unit_scoped=False),
    "risk-rules": Samples(risk_rule, dict(FILING_USERS), unit_scoped=False),
    "document-types": Samples(document_type, dict(ADMIN_USERS), unit_scoped=False),
    "approver-rules": Samples(approver_rule, dict(ADMIN_USERS), unit_scoped=False),
    "chat-robots": Samples(chat_robot, dict(ADMIN_USERS), unit_scoped=False),
    "webhooks": Samples(webhook_subscriber, dict(ADMIN_USERS), unit_scoped=False),
    "calendar-days": Samples(calendar_day, dict(ADMIN_USERS), unit_scoped=False),
    "calendar-years": Samples(calendar_year, dict(ADMIN_USERS), unit_scoped=False),
    "projects": Samples(project, dict(CONTRACT_USERS), text_field="name"),
    "contracts": Samples(contract, dict(CONTRACT_USERS), text_field="title", search_field="title"),
    "contract-checklist": Samples(contract_checklist_item, dict(ADMIN_USERS), unit_scoped=False),
    "units": Samples(unit),
    "users": Samples(user),
}
