"""CON-1/CON-5: projects and contracts: numbers per department from the numbering
mechanism, the rules between fields (errors beside the field, nothing stored), status steps
that keep everything, visibility through the policy, the ledger, the card and the API."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.contracts import services
from kehu.contracts.models import Contract, ContractEvent, ContractSettings, Project
from kehu.core.models import User
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db

MakeContract = Callable[..., Contract]
MakeCustomer = Callable[..., Customer]


def test_numbers_per_department_and_year_without_gaps(
    make_customer: MakeCustomer, make_contract: MakeContract
) -> None:
    sale, mkt = make_customer("manager1"), make_customer("manager3")
    year = timezone.localdate().year
    first = make_contract(sale)
    second = make_contract(sale)
    other = make_contract(mkt, by="manager3")
    signed_2025 = make_contract(sale, signed_on=datetime.date(2025, 5, 6), effective_on=None)
    assert first.number == f"HT-SALE-{year}-0001"
    assert second.number == f"HT-SALE-{year}-0002"
    assert other.number == f"HT-MKT-{year}-0001"
    assert signed_2025.number == "HT-SALE-2025-0001"
    assert first.unit == sale.unit


def test_the_administrators_pattern_numbers_new_contracts(
    demo: dict[str, User], make_customer: MakeCustomer, make_contract: MakeContract
) -> None:
    config = ContractSettings.current()
    services.settings_save({"number_pattern": "{dept}-HT{year}-{seq:05d}"}, config.version)
    contract = make_contract(make_customer())
    assert contract.number == f"SALE-HT{timezone.localdate().year}-00001"
    with pytest.raises(ValidationError) as refused:
        services.settings_save({"number_pattern": "{dept}-{nope}"}, None)
    assert "number_pattern" in refused.value.message_dict


def test_a_typed_number_is_kept_and_a_colliding_one_refused(
    make_customer: MakeCustomer, make_contract: MakeContract
) -> None:
    customer = make_customer()
    typed = make_contract(customer, number="ZD-2019-007")
    assert typed.number == "ZD-2019-007"
    count = Contract.objects.count()
    with pytest.raises(ValidationError) as refused:
        make_contract(customer, number="ZD-2019-007")
    assert list(refused.value.message_dict) == ["number"]
    assert Contract.objects.count() == count


def test_rules_between_fields_are_errors_beside_the_field(
    make_customer: MakeCustomer, make_contract: MakeContract
) -> None:
    customer, other = make_customer(), make_customer("manager2")
    foreign = make_contract(other, by="manager2")
    count = Contract.objects.count()
    cases: list[tuple[dict[str, object], str]] = [
        ({"ends_on": datetime.date(2026, 1, 1)}, "ends_on"),
        ({"parent": foreign, "contract_type": "supplement"}, "parent"),
        ({"amount": Decimal("10.005")}, "amount"),
        ({"amount": Decimal("-1.00")}, "amount"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as refused:
            make_contract(customer, **extra)
        assert field in refused.value.message_dict, extra
    project = Project.objects.create(
        customer=other, name="X", starts_on=datetime.date(2026, 1, 1), owner=foreign.handler
    )
    with pytest.raises(ValidationError) as refused:
        make_contract(customer, project=project)
    assert "project" in refused.value.message_dict
    assert Contract.objects.count() == count


def test_the_form_says_what_is_wrong_in_chinese_and_stores_nothing(
    demo: dict[str, User],
    make_customer: MakeCustomer,
    make_contract: MakeContract,
    client_for: Callable[..., Client],
) -> None:
    customer, other = make_customer(), make_customer("manager2")
    foreign = make_contract(other, by="manager2")
    make_contract(customer, number="HT-TYPED-1")
    client = client_for("head_sale")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    data = {
        "customer": customer.pk,
        "number": "HT-TYPED-1",
        "title": "补充协议",
        "contract_type": "supplement",
        "parent": foreign.pk,
        "signing_unit": "北京华夏贸易有限公司",
        "signatory": "王强",
        "handler": demo["manager1"].pk,
        "amount": "100.123",
        "currency": "CNY",
        "effective_on": "2026-05-01",
        "ends_on": "2026-04-01",
    }
    count = Contract.objects.count()
    response = client.post("/contracts/add/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "amount" in form.errors  # more than two decimals: the model field says so
    assert "小数" in str(form.errors["amount"])
    data["amount"] = "100.12"
    response = client.post("/contracts/add/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"ends_on", "parent", "number"} or set(errors) >= {"ends_on", "parent"}
    assert "结束日期" in str(errors["ends_on"])
    assert "其他客户" in str(errors["parent"])
    assert Contract.objects.count() == count


def test_status_steps_record_events_and_ending_keeps_everything(
    demo: dict[str, User], make_customer: MakeCustomer, make_contract: MakeContract
) -> None:
    contract = make_contract(make_customer())
    by = demo["manager1"]
    signed = services.contract_transition(contract, "signed", by=by, on=datetime.date(2026, 2, 20))
    assert signed.signed_on == datetime.date(2026, 2, 20)
    with pytest.raises(ValidationError) as refused:
        services.contract_transition(signed, "draft", by=by)
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.contract_transition(signed, "terminated", by=by)  # needs a reason
    ended = services.contract_transition(signed, "terminated", by=by, reason="对方违约")
    assert ended.status == "terminated"
    kinds = list(ContractEvent.objects.filter(contract=contract).values_list("kind", flat=True))
    assert kinds == ["signed", "terminated"]
    assert AuditEvent.objects.filter(action="contracts.contract.transition").count() == 2
    with pytest.raises(ValidationError):
        services.contract_update(ended, {"title": "改名"}, ended.version)
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_the_ledger_shows_contracts_of_customers_the_user_sees(
    make_customer: MakeCustomer, make_contract: MakeContract, client_for: Callable[..., Client]
) -> None:
    sale = make_contract(make_customer("manager1"), title="销售部合同")
    mkt = make_contract(make_customer("manager3"), by="manager3", title="市场部合同")
    page = client_for("manager2").get("/contracts/")
    assert page.status_code == 200
    text = page.content.decode()
    assert sale.number in text and mkt.number not in text
    filtered = client_for("head_sale").get("/contracts/", {"status": "draft", "q": "销售部"})
    assert sale.number in filtered.content.decode()
    assert client_for("manager3").get(f"/contracts/{sale.pk}/").status_code == 404
    export = client_for("auditor").get("/contracts/export.xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    printed = client_for("manager2").get("/contracts/ledger.pdf", {"status": "draft"})
    assert printed.status_code == 200 and printed.content[:5] == b"%PDF-"
    assert client_for("archivist").get("/contracts/ledger.pdf").status_code == 403


def test_account_managers_keep_contracts_of_their_own_customers(
    demo: dict[str, User], make_customer: MakeCustomer, client_for: Callable[..., Client]
) -> None:
    own, colleagues = make_customer("manager1"), make_customer("manager2")
    client = client_for("manager1")
    base = {
        "title": "服务合同",
        "contract_type": "service",
        "signing_unit": "北京华夏贸易有限公司",
        "signatory": "王强",
        "handler": demo["manager1"].pk,
        "amount": "5000",
        "currency": "CNY",
    }
    response = client.post("/contracts/add/", {**base, "customer": own.pk})
    assert response.status_code == 302
    assert Contract.objects.filter(customer=own).count() == 1
    response = client.post("/contracts/add/", {**base, "customer": colleagues.pk})
    assert response.status_code == 400
    assert not Contract.objects.filter(customer=colleagues).exists()


def test_the_card_shows_projects_and_contracts(
    demo: dict[str, User],
    make_customer: MakeCustomer,
    make_contract: MakeContract,
    client_for: Callable[..., Client],
) -> None:
    customer = make_customer()
    with_actor = services.project_create(
        {
            "customer": customer,
            "name": "华北区域供货项目",
            "starts_on": datetime.date(2026, 1, 1),
            "owner": demo["manager1"],
        }
    )
    contract = make_contract(customer, project=with_actor)
    card = client_for("manager2").get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="contracts-panel"' in card
    assert "华北区域供货项目" in card and contract.number in card
    assert 'id="card-add-contract"' not in card  # a colleague's customer
    own = client_for("manager1").get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="card-add-contract"' in own
    archivist = client_for("archivist").get(f"/customers/{customer.pk}/")
    assert archivist.status_code in (403, 404)


def test_the_api_creates_lists_and_steps_contracts(
    demo: dict[str, User], make_customer: MakeCustomer, api_for: Callable[[str], Client]
) -> None:
    customer = make_customer()
    api = api_for("manager1")
    payload = {
        "customer": customer.pk,
        "title": "框架协议",
        "contract_type": "framework",
        "signing_unit": "北京华夏贸易有限公司",
        "signatory": "王强",
        "handler": demo["manager1"].pk,
        "amount": "1000000.00",
        "currency": "CNY",
        "effective_on": "2026-01-01",
        "ends_on": "2025-12-31",
    }
    refused = api.post("/api/v1/contracts/", payload, content_type="application/json")
    assert refused.status_code == 400 and "ends_on" in refused.json()
    payload["ends_on"] = "2026-12-31"
    created = api.post("/api/v1/contracts/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("HT-SALE-") and body["status"] == "draft"
    listed = api.get("/api/v1/contracts/", {"customer": customer.pk}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    step = api.post(
        f"/api/v1/contracts/{body['id']}/transition/",
        {"status": "signed", "on": "2026-01-05"},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["status"] == "signed"
    # Nobody deletes a contract (no role holds the permission; the endpoint has no delete).
    for user in ("manager1", "head_sale", "admin"):
        assert api_for(user).delete(f"/api/v1/contracts/{body['id']}/").status_code in (403, 405)
    assert Contract.objects.filter(pk=body["id"]).exists()
    assert api_for("manager3").get(f"/api/v1/contracts/{body['id']}/").status_code == 404
    schema = api.get("/api/v1/schema/").content.decode()
    assert "/api/v1/contracts/{id}/transition/" in schema
