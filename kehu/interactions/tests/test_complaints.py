"""Complaints end to end on both routes: handling, the production department joining, the
general manager's approval before the reply, the reply letter, the customer's confirmation;
and who sees them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kehu.core.models import OrgUnit, Role, User
from kehu.customers.models import Customer
from kehu.interactions import complaints, timeline
from kehu.interactions.models import Complaint, ComplaintStatus
from kehu.workflow import services as workflow
from kehu.workflow.models import Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(demo: dict[str, User]) -> OrgUnit:
    """公司生产处 of the demo, with its head."""
    return OrgUnit.objects.get(code="PROD")


def record(customer: Customer, by: User, route: str, production: OrgUnit | None) -> Complaint:
    return complaints.complaint_open(
        {
            "customer": customer,
            "submitted_by": by,
            "received_on": timezone.localdate() - datetime.timedelta(days=1),
            "channel": "phone",
            "content": "送货延误三天，包装破损",
            "category": "delivery",
            "route": route,
            "handling_unit": OrgUnit.objects.get(code="SALE"),
            "production_unit": production,
        }
    )


def step(complaint: Complaint, key: str) -> Step:
    found = complaints.open_step(complaint, key)
    assert found is not None, f"no open {key} step"
    return found


def reply(complaint: Complaint, by: User, text: str = "经核实，已补发货物。") -> Complaint:
    return complaints.complaint_reply(
        complaint, by=by, form=complaints.ReplyForm({"reply_text": text})
    )


def test_service_standard_route_with_the_production_department(
    make_customer: Callable[..., Customer], demo: dict[str, User], production: OrgUnit,
    client_for: Callable[..., Any],
) -> None:  # fmt: skip
    complaint = record(make_customer("manager1"), demo["manager1"], "service_standard", production)
    assert complaint.number.startswith("TS-")
    handle = step(complaint, "handle")
    assert handle.assignee_role == Role.DEPARTMENT_HEAD
    assert handle.assignee_unit is not None and handle.assignee_unit.code == "SALE"
    # No reply before the general manager approved: the error stands beside the reply text.
    with pytest.raises(ValidationError) as refused:
        reply(complaint, demo["manager1"])
    assert "reply_text" in refused.value.message_dict
    workflow.complete_step(handle, by=demo["head_sale"], outcome="done",
                           data={"measures": "与物流核对", "result": "补发并赔偿运费"})  # fmt: skip
    production_step = step(complaint, "production")
    assert production_step.assignee_unit == production
    workflow.complete_step(production_step, by=demo["head_prod"], outcome="done",
                           data={"production_opinion": "改进包装工艺"})  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.APPROVAL
    assert complaint.result == "补发并赔偿运费" and complaint.production_opinion == "改进包装工艺"
    workflow.complete_step(step(complaint, "approve"), by=demo["gm"], outcome="approved")
    complaint.refresh_from_db()
    assert complaint.approved_by == demo["gm"] and complaint.status == ComplaintStatus.REPLY
    page = client_for("manager1").get(reverse("generic:complaints_detail", args=[complaint.pk]))
    assert 'id="reply-form"' in page.content.decode()
    complaint = reply(complaint, demo["manager1"])
    assert complaint.status == ComplaintStatus.CONFIRMATION
    letter = client_for("manager1").get(reverse("interactions:reply_letter", args=[complaint.pk]))
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    workflow.complete_step(step(complaint, "confirm"), by=demo["manager1"], outcome="confirmed",
                           comment="客户电话确认满意")  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.confirmed_at is not None
    assert complaint.case is not None and complaint.case.status == "closed"


def test_dissatisfaction_route_returned_by_the_general_manager(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    complaint = record(make_customer("manager2"), demo["manager2"], "service_process", None)
    workflow.complete_step(step(complaint, "handle"), by=demo["head_sale"], outcome="done",
                           data={"measures": "约谈服务人员", "result": "书面道歉"})  # fmt: skip
    assert complaints.open_step(complaint, "production") is None
    workflow.complete_step(step(complaint, "approve"), by=demo["gm"], outcome="returned",
                           comment="需补充整改措施")  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.HANDLING and complaint.approved_at is None
    workflow.complete_step(step(complaint, "handle"), by=demo["head_sale"], outcome="done",
                           data={"measures": "培训并约谈", "result": "书面道歉并回访"})  # fmt: skip
    workflow.complete_step(step(complaint, "approve"), by=demo["gm"], outcome="approved")
    complaint = reply(complaint, demo["manager2"])
    workflow.complete_step(step(complaint, "confirm"), by=demo["manager2"], outcome="confirmed")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.result == "书面道歉并回访"


def test_bad_routes_are_refused_and_nothing_stored(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    with pytest.raises(ValidationError) as refused:
        record(customer, demo["manager1"], "service_standard", None)
    assert set(refused.value.message_dict) == {"production_unit"}
    assert not Complaint.objects.exists()


def test_complaints_are_seen_by_the_business_department_gm_and_auditor_only(
    make_customer: Callable[..., Customer], demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    record(customer, demo["manager1"], "service_process", None)
    for reader in ("manager1", "manager2", "head_sale", "gm", "auditor"):
        kinds = {e.kind for e in timeline.timeline(demo[reader], customer)}
        assert "complaint" in kinds, reader
    for outsider in ("compliance", "credit", "manager4"):
        kinds = {e.kind for e in timeline.timeline(demo[outsider], customer)}
        assert "complaint" not in kinds, outsider
