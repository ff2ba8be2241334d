"""Post-credit management: calls and collection records, statements of account answered,
payment promises kept or broken, the problem account report's approval (four-eyes), and a
standard reply letter printed with the customer's data."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from kehu.core.models import User
from kehu.credit import postcredit, services
from kehu.credit.models import (
    AccountStatement,
    FollowUp,
    LimitKind,
    PaymentPromise,
    ProblemReport,
    ReplyTemplate,
)
from kehu.customers.models import Customer
from kehu.documents import samples
from kehu.workflow import services as workflow
from kehu.workflow.errors import NotAllowedError

D = Decimal
TODAY = datetime.date.today()


@pytest.mark.django_db
def test_records_and_promises(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    manager = demo["manager1"]
    with pytest.raises(ValidationError) as refused:
        postcredit.follow_up_record(customer, {"kind": "collection", "summary": ""}, by=manager)
    assert {"happened_on", "summary"} <= set(refused.value.message_dict)
    postcredit.follow_up_record(
        customer, {"kind": "collection", "happened_on": TODAY, "summary": "催收5月货款"}, by=manager
    )
    assert FollowUp.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        postcredit.follow_up_record(
            customer,
            {"kind": "debt_collection", "happened_on": TODAY, "summary": "起诉"},
            by=manager,
        )
    assert set(refused.value.message_dict) == {"action"}
    called = {"kind": "call", "action": "lawsuit", "happened_on": TODAY, "summary": "x"}
    with pytest.raises(ValidationError, match="Only a debt-collection"):
        postcredit.follow_up_record(customer, called, by=manager)
    lawsuit = postcredit.follow_up_record(
        customer, {"kind": "debt_collection", "action": "lawsuit", "happened_on": TODAY,
                   "summary": "向法院起诉"}, by=manager,
    )  # fmt: skip
    assert lawsuit.get_action_display() == "Lawsuit"

    with pytest.raises(ValidationError):
        postcredit.promise_record(customer, {"amount": D("-1"), "promised_on": TODAY}, by=manager)
    late = postcredit.promise_record(
        customer, {"amount": D("5000"), "promised_on": TODAY - datetime.timedelta(days=1)},
        by=manager,
    )  # fmt: skip
    kept = postcredit.promise_record(
        customer, {"amount": D("3000"), "promised_on": TODAY}, by=manager
    )
    account = late.account
    assert late.broken(TODAY) and not kept.broken(TODAY)
    assert postcredit.broken_promises(account, TODAY) == 1
    postcredit.promise_settle(kept, kept=False, by=demo["credit"])
    assert postcredit.broken_promises(account, TODAY) == 2
    postcredit.promise_settle(late, kept=True, by=demo["credit"])
    assert postcredit.broken_promises(account, TODAY) == 1


@pytest.mark.django_db
def test_statement_of_account(demo: dict[str, User], make_customer: Callable[..., Customer],
                              tmp_path: object) -> None:  # fmt: skip
    customer = make_customer()
    credit = demo["credit"]
    with pytest.raises(ValidationError) as refused:
        postcredit.account_statement_record(
            customer, {"as_of": TODAY, "balance": D("10"), "status": "disputed"}, None, by=credit
        )
    assert "note" in refused.value.message_dict
    upload = SimpleUploadedFile("对账单.pdf", samples.pdf(), content_type="application/pdf")
    statement = postcredit.account_statement_record(
        customer, {"as_of": TODAY, "balance": D("125000"), "status": "sent"}, upload, by=credit
    )
    assert statement.file and statement.file_name == "对账单.pdf"
    postcredit.account_statement_answer(
        statement, status="disputed", note="少记一笔退货", by=credit
    )
    assert AccountStatement.objects.get().status == "disputed"


@pytest.mark.django_db
def test_problem_account_report_approval(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    report = postcredit.problem_report_create(
        customer,
        {"kind": "problem", "amount": D("80000"), "description": "逾期180天，联系不上",
         "measures": "发律师函"},
        by=demo["credit"],
    )  # fmt: skip
    assert report.case is not None
    step = report.case.steps.get()
    with pytest.raises(NotAllowedError):  # the reporter does not approve
        workflow.complete_step(step, by=demo["credit"], outcome="approved")
    assert step.assignee_role == "credit_manager"
    report2 = postcredit.problem_report_create(
        customer,
        {"kind": "abnormal", "amount": D("1000"), "description": "付款方名称不符",
         "measures": "核实"},
        by=demo["manager1"],
    )  # fmt: skip
    assert report2.case is not None
    workflow.complete_step(report2.case.steps.get(), by=demo["credit"], outcome="approved")
    assert ProblemReport.objects.get(pk=report2.pk).status == "approved"


@pytest.mark.django_db
def test_pages_and_reply_letter(
    demo: dict[str, User], client_for: Callable[..., Client], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    services.limit_grant(customer, kind=LimitKind.NEW, limit_amount=D("200000"), by=demo["credit"])
    manager = client_for("manager1")
    page = manager.get(f"/credit/customers/{customer.pk}/post-credit/")
    assert page.status_code == 200 and b'id="form-followup"' in page.content
    assert b'id="form-statement"' not in page.content  # statements of account: credit, finance
    bad = manager.post(
        f"/credit/customers/{customer.pk}/post-credit/",
        {"action": "promise", "promise-amount": "-5", "promise-promised_on": ""},
    )
    assert bad.status_code == 400 and not PaymentPromise.objects.exists()
    done = manager.post(
        f"/credit/customers/{customer.pk}/post-credit/",
        {"action": "promise", "promise-amount": "5万", "promise-promised_on": "2026-12-31"},
    )
    assert done.status_code == 302 and PaymentPromise.objects.get().amount == D("50000.00")
    assert (
        manager.post(
            f"/credit/customers/{customer.pk}/post-credit/", {"action": "statement"}
        ).status_code
        == 403
    )

    admin = client_for("admin")
    saved = admin.post(
        "/credit/reply-letters/",
        {
            "title": "额度确认函",
            "body": "致{customer}：\n贵司授信额度为{limit}，当前余额{exposure}。",
        },
    )
    assert saved.status_code == 302
    template = ReplyTemplate.objects.get()
    letter = manager.get(f"/credit/customers/{customer.pk}/letters/{template.pk}.pdf")
    assert letter.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    assert customer.name in text and "200,000.00" in text
