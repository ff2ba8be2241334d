"""Credit limit requests: the approval chain by amount band (credit manager; + finance above
50万; + general manager above 500万), four-eyes, the limit history and the two PDFs."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pypdf import PdfReader

from kehu.core.models import User
from kehu.credit import limits
from kehu.credit.models import CreditAccount, LimitBand, LimitRequest
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from kehu.infra.normalize import parse_amount
from kehu.workflow import services as workflow
from kehu.workflow.errors import NotAllowedError

D = Decimal


@pytest.fixture
def active_customer(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> Callable[..., Customer]:
    def make(owner: str = "manager1") -> Customer:
        customer = make_customer(owner)
        customer = change_status(customer, "in_filing", "备案", demo["gm"])
        return change_status(customer, "active", "备案通过", demo["gm"])

    return make


def request(customer: Customer, by: User, amount: str, **extra: Any) -> LimitRequest:
    data = {"kind": "new", "limit_amount": parse_amount(amount), "payment_days": 45,
            "overdue_allowed": D("0"), "reason": "年度合作", **extra}  # fmt: skip
    return limits.limit_request_create(customer, data, by=by)


def approve(found: LimitRequest, by: User, outcome: str = "approved") -> None:
    assert found.case is not None
    step = found.case.steps.get(status="open")
    workflow.complete_step(step, by=by, outcome=outcome, comment="同意")


def pending_roles(found: LimitRequest) -> list[str]:
    assert found.case is not None
    return list(found.case.steps.order_by("pk").values_list("assignee_role", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "chain"),
    [
        ("500000", ["credit_manager"]),
        ("500000.01", ["credit_manager", "finance"]),
        ("5000000", ["credit_manager", "finance"]),
        ("5000001", ["credit_manager", "finance", "general_manager"]),
    ],
)
def test_chain_by_amount_band(amount: str, chain: list[str]) -> None:
    assert limits.approval_chain(D(amount)) == chain


@pytest.mark.django_db
def test_bands_are_configurable() -> None:
    LimitBand.objects.update_or_create(
        role="finance", defaults={"above": D("100000"), "position": 2}
    )
    assert limits.approval_chain(D("200000"))[:2] == ["credit_manager", "finance"]


@pytest.mark.django_db
def test_large_limit_goes_through_three_approvers_with_four_eyes(
    demo: dict[str, User], active_customer: Callable[..., Customer]
) -> None:
    customer = active_customer()
    found = request(customer, demo["manager1"], "600万")
    assert found.case is not None and found.case.data["chain"] == [
        "credit_manager", "finance", "general_manager"
    ]  # fmt: skip
    # Nobody approves their own request.
    step = found.case.steps.get()
    with pytest.raises(NotAllowedError):
        workflow.complete_step(step, by=demo["manager1"], outcome="approved")
    approve(found, demo["credit"])
    # The credit manager cannot approve the next link as well.
    step = found.case.steps.get(status="open")
    assert step.assignee_role == "finance"
    with pytest.raises(NotAllowedError):
        workflow.complete_step(step, by=demo["credit"], outcome="approved")
    approve(found, demo["finance"])
    found.refresh_from_db()
    assert (
        found.status == "pending" and CreditAccount.objects.get(customer=customer).limit_amount == 0
    )
    approve(found, demo["gm"])
    found.refresh_from_db()
    assert found.status == "approved"
    account = CreditAccount.objects.get(customer=customer)
    assert account.limit_amount == D("6000000.00") and account.payment_days == 45
    grant = account.grants.get()
    assert grant.request_id == found.pk and grant.granted_by == demo["gm"]
    assert pending_roles(found) == ["credit_manager", "finance", "general_manager"]


@pytest.mark.django_db
def test_rejection_keeps_the_limit(
    demo: dict[str, User], active_customer: Callable[..., Customer]
) -> None:
    customer = active_customer()
    found = request(customer, demo["manager1"], "10万")
    assert found.case is not None
    step = found.case.steps.get()
    workflow.complete_step(step, by=demo["credit"], outcome="rejected", comment="资料不全")
    found.refresh_from_db()
    assert found.status == "rejected"
    assert not CreditAccount.objects.get(customer=customer).grants.exists()


@pytest.mark.django_db
def test_bad_requests_store_nothing(
    demo: dict[str, User],
    active_customer: Callable[..., Customer],
    make_customer: Callable[..., Customer],
) -> None:
    customer = active_customer()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"limit_amount": D("-1")}, "limit_amount"),
        ({"limit_amount": D("0")}, "limit_amount"),
        ({"limit_amount": D("99999999999")}, "limit_amount"),
        ({"reason": " "}, "reason"),
        ({"payment_days": 400}, "payment_days"),
        ({"overdue_allowed": D("2000000")}, "overdue_allowed"),
        ({"kind": "increase", "limit_amount": D("0")}, "limit_amount"),
        ({"kind": "temporary", "temporary_amount": D("100")}, "temporary_until"),
        ({"kind": "temporary", "temporary_until": datetime.date.today()}, "temporary_amount"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as refused:
            request(customer, demo["manager1"], "1000000", **extra)
        assert field in refused.value.message_dict, (extra, refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        request(make_customer(), demo["manager1"], "1000")
    assert "Limits are granted to active customers only." in refused.value.messages
    assert not LimitRequest.objects.exists()
    request(customer, demo["manager1"], "1000")
    with pytest.raises(ValidationError, match="already waiting"):
        request(customer, demo["manager1"], "2000")


@pytest.mark.django_db
def test_temporary_limit_request(
    demo: dict[str, User], active_customer: Callable[..., Customer]
) -> None:
    customer = active_customer()
    approve(request(customer, demo["manager1"], "40万"), demo["credit"])
    until = datetime.date.today() + datetime.timedelta(days=30)
    temporary = limits.limit_request_create(
        customer,
        {"kind": "temporary", "temporary_amount": D("200000"), "temporary_until": until,
         "reason": "旺季备货"},
        by=demo["manager1"],
    )  # fmt: skip
    # 40万 + 20万 = 60万 at stake: finance joins the chain.
    assert temporary.case is not None and temporary.case.data["chain"] == [
        "credit_manager",
        "finance",
    ]
    approve(temporary, demo["credit"])
    approve(temporary, demo["finance"])
    account = CreditAccount.objects.get(customer=customer)
    assert account.limit_amount == D("400000.00")
    assert account.effective_limit(datetime.date.today()) == D("600000.00")
    assert account.grants.count() == 2


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_pages_and_pdfs(
    demo: dict[str, User],
    client_for: Callable[..., Client],
    active_customer: Callable[..., Customer],
) -> None:
    customer = active_customer()
    manager = client_for("manager1")
    form = manager.get(f"/credit/customers/{customer.pk}/limit-request/")
    assert form.status_code == 200
    bad = manager.post(
        f"/credit/customers/{customer.pk}/limit-request/",
        {"kind": "new", "limit_amount": "-5", "payment_days": "30", "reason": "x"},
    )
    assert bad.status_code == 400 and "金额不能为负数。" in bad.content.decode()
    done = manager.post(
        f"/credit/customers/{customer.pk}/limit-request/",
        {"kind": "new", "limit_amount": "80万", "payment_days": "30", "reason": "首次授信"},
    )
    assert done.status_code == 302
    found = LimitRequest.objects.get()
    assert manager.get(f"/credit/limit-requests/{found.pk}/notice.pdf").status_code == 404
    approve(found, demo["credit"])
    approve(found, demo["finance"])
    page = manager.get(f"/credit/limit-requests/{found.pk}/")
    assert page.status_code == 200 and b'data-status="approved"' in page.content
    table = manager.get(f"/credit/limit-requests/{found.pk}/approval.pdf")
    assert table.status_code == 200 and table["Content-Type"] == "application/pdf"
    text = pdf_text(table.content)
    assert customer.name in text and "800,000.00" in text
    letter = pdf_text(manager.get(f"/credit/limit-requests/{found.pk}/notice.pdf").content)
    assert customer.name in letter and "800,000.00" in letter
    # Another department's account manager does not see the request.
    assert client_for("manager4").get(f"/credit/limit-requests/{found.pk}/").status_code == 404


@pytest.mark.django_db
def test_limit_request_api(
    demo: dict[str, User],
    api_for: Callable[[str], Client],
    active_customer: Callable[..., Customer],
) -> None:
    customer = active_customer()
    api = api_for("manager1")
    body = {"customer": customer.pk, "kind": "new", "limit_amount": "30万", "payment_days": 30,
            "reason": "首次授信"}  # fmt: skip
    bad = api.post("/api/v1/credit/limit-requests/", {**body, "limit_amount": "-1"},
                   content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "limit_amount" in bad.json()
    created = api.post("/api/v1/credit/limit-requests/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending" and created.json()["limit_amount"] == "300000.00"
    got = api_for("credit").get(f"/api/v1/credit/limit-requests/{created.json()['id']}/")
    assert got.status_code == 200


@pytest.mark.django_db
def test_band_page(client_for: Callable[..., Client]) -> None:
    admin = client_for("admin")
    page = admin.get("/credit/limit-bands/")
    assert page.status_code == 200
    band = LimitBand.objects.get(role="finance")
    fields = {f"band_{b.pk}": str(b.above) for b in LimitBand.objects.all()}
    saved = admin.post("/credit/limit-bands/", {**fields, f"band_{band.pk}": "30万"})
    assert saved.status_code == 302
    band.refresh_from_db()
    assert band.above == D("300000.00")
    assert client_for("credit").get("/credit/limit-bands/").status_code == 403
