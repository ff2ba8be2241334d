"""Customer research (客户调研): the exact fields, the completion thresholds (personal part
50 %, current partners 70 %), the author's signature, the head's evaluation, voiding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.interactions import research
from kehu.interactions.models import CustomerResearch

pytestmark = pytest.mark.django_db

EXACT = {"name": "李总", "gender": "male", "title": "总经理", "phone": "13800000001", "weight": 70}
# 12 personal fields per person: the 5 exact ones and 1 more is 6/12 = 50 %.
HALF = EXACT | {"hometown": "湖南"}
# 9 supplier fields: 7 filled is 78 %, 6 is 67 %.
SUPPLIER_6 = {"name": "某印务", "products": "包装盒", "share": "60%", "price_level": "低",
              "since": "2020", "contact": "采购部王某"}  # fmt: skip


def data(customer: Customer, owner: User, **more: Any) -> dict[str, Any]:
    return {"customer": customer, "submitted_by": owner, "researched_on": timezone.localdate(),
            "decision_makers": [{"rank": 1, **EXACT}], "suppliers": []} | more  # fmt: skip


def test_thresholds_of_the_two_parts(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    owner = demo["manager1"]
    found = research.research_create(data(make_customer("manager1"), owner))
    assert research.completion(found)["personal"] == 42  # 5 of 12
    assert not research.completion(found)["personal_complete"]
    found.decision_makers = [{"rank": 1, **HALF}]
    assert research.completion(found)["personal"] == 50
    assert research.completion(found)["personal_complete"]
    found.suppliers = [SUPPLIER_6]
    assert research.completion(found)["partners"] == 67
    assert not research.completion(found)["partners_complete"]
    found.suppliers = [SUPPLIER_6 | {"strengths": "价格低"}]
    assert research.completion(found)["partners"] == 78
    assert research.completion(found)["complete"]


def test_exact_fields_are_required_and_nothing_stored(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    second = {"rank": 2, "name": "王副总", "weight": 130}
    with pytest.raises(ValidationError) as refused:
        research.research_create(
            data(customer, demo["manager1"], decision_makers=[{"rank": 1, **EXACT}, second])
        )
    errors = refused.value.message_dict
    assert {"dm2_gender", "dm2_title", "dm2_phone", "dm2_weight"} <= set(errors)
    assert not CustomerResearch.objects.exists()


def test_sign_evaluate_void(make_customer: Callable[..., Customer], demo: dict[str, User]) -> None:
    customer = make_customer("manager1")
    found = research.research_create(data(customer, demo["manager1"]))
    with pytest.raises(ValidationError):  # not complete yet
        research.research_sign(found, by=demo["manager1"])
    found = research.research_update(
        found,
        {"decision_makers": [{"rank": 1, **HALF}],
         "suppliers": [SUPPLIER_6 | {"strengths": "价格低"}]},
        found.version,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        research.research_sign(found, by=demo["manager2"])  # only the author signs
    with pytest.raises(ValidationError):
        research.research_evaluate(found, by=demo["head_sale"], evaluation="可以")  # unsigned
    found = research.research_sign(found, by=demo["manager1"])
    with pytest.raises(ValidationError):  # signed: no more edits
        research.research_update(found, {"action_plan": "改"}, found.version)
    with pytest.raises(PermissionDenied):  # an account manager does not evaluate
        research.research_evaluate(found, by=demo["manager2"], evaluation="好")
    found = research.research_evaluate(found, by=demo["head_sale"], evaluation="调研扎实")
    assert found.evaluated_by == demo["head_sale"]
    with pytest.raises(ValidationError) as no_reason:
        research.research_void(found, by=demo["head_sale"], reason=" ")
    assert "void_reason" in no_reason.value.message_dict
    found = research.research_void(found, by=demo["head_sale"], reason="决策人电话核对有误")
    assert found.voided_at is not None


def test_the_form_page_shows_errors_beside_the_fields(
    make_customer: Callable[..., Customer], client_for: Callable[..., Any]
) -> None:
    customer = make_customer("manager1")
    page = client_for("manager1")
    url = reverse("generic:customer-research_add")
    day = timezone.localdate().isoformat()
    refused = page.post(
        url,
        {"customer": customer.pk, "researched_on": day, "action_plan": "拜访", "dm1_name": "李总"},
    )
    assert refused.status_code == 400 and not CustomerResearch.objects.exists()
    body = {"customer": customer.pk, "researched_on": day, "action_plan": "先拜访采购部",
            **{f"dm1_{k}": v for k, v in EXACT.items()}, "sup1_name": "某印务"}  # fmt: skip
    assert page.post(url, body).status_code == 302
    made = CustomerResearch.objects.get()
    assert made.decision_makers[0]["title"] == "总经理" and made.suppliers[0]["name"] == "某印务"
    detail = page.get(reverse("generic:customer-research_detail", args=[made.pk])).content
    assert 'data-part="personal" data-percent="42"' in detail.decode()
