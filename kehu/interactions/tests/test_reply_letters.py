"""Standard complaint reply letters: kept by the administrator, offered on their route when
the reply is written, filled with the complaint's data; the reply from a letter through the
page and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from kehu.core.models import OrgUnit, User
from kehu.customers.models import Customer
from kehu.interactions import complaints
from kehu.interactions.models import ComplaintReplyTemplate, ComplaintStatus
from kehu.interactions.tests.test_complaints import production, record, step  # noqa: F401
from kehu.workflow import services as workflow

pytestmark = pytest.mark.django_db

BODY = "尊敬的{customer}：\n贵方{received}的投诉（{number}，{category}）处理结果：{result}"


@pytest.fixture
def letters(demo: dict[str, User]) -> dict[str, ComplaintReplyTemplate]:
    return {
        "standard": ComplaintReplyTemplate.objects.create(
            title="不达标回复函", route="service_standard", body=BODY
        ),
        "process": ComplaintReplyTemplate.objects.create(
            title="不满意回复函", route="service_process", body="尊敬的{customer}：{result}"
        ),
        "both": ComplaintReplyTemplate.objects.create(title="通用回复函", body="{customer}"),
    }


def approved(customer: Customer, demo: dict[str, User]) -> Any:
    complaint = record(customer, demo["manager1"], "service_process", None)
    workflow.complete_step(step(complaint, "handle"), by=demo["head_sale"], outcome="done",
                           data={"measures": "约谈", "result": "书面道歉并回访"})  # fmt: skip
    workflow.complete_step(step(complaint, "approve"), by=demo["gm"], outcome="approved")
    complaint.refresh_from_db()
    return complaint


def test_letters_are_offered_on_their_route_and_filled(
    letters: dict[str, ComplaintReplyTemplate],
    make_customer: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[..., Any],
) -> None:
    complaint = approved(make_customer("manager1"), demo)
    offered = {x.title for x in complaints.letters_for(complaint)}
    assert offered == {"不满意回复函", "通用回复函"}
    text = complaints.fill_letter(letters["standard"], complaint)
    assert complaint.customer.name in text and complaint.number in text
    assert "书面道歉并回访" in text and "{" not in text
    url = reverse("generic:complaints_detail", args=[complaint.pk])
    page = client_for("manager1").get(url + f"?letter={letters['process'].pk}")
    body = page.content.decode()
    assert 'id="letter-form"' in body and "不达标回复函" not in body
    assert f"尊敬的{complaint.customer.name}：书面道歉并回访" in body
    # The letter chosen without own text: the reply is the filled letter.
    reply = reverse("interactions:complaint_reply", args=[complaint.pk])
    sent = client_for("manager1").post(reply, {"letter": letters["process"].pk, "reply_text": ""})
    assert sent.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CONFIRMATION
    assert complaint.reply_text == f"尊敬的{complaint.customer.name}：书面道歉并回访"


def test_reply_through_the_api_with_a_letter_or_nothing(
    letters: dict[str, ComplaintReplyTemplate],
    make_customer: Callable[..., Customer],
    demo: dict[str, User],
    client_for: Callable[..., Any],
) -> None:
    complaint = approved(make_customer("manager1"), demo)
    client = client_for("manager1")
    url = f"/api/v1/complaints/{complaint.pk}/reply/"
    empty = client.post(url, {"reply_text": ""}, content_type="application/json")
    assert empty.status_code == 400 and "reply_text" in empty.json()
    wrong = client.post(url, {"letter": letters["standard"].pk}, content_type="application/json")
    assert wrong.status_code == 400  # not a letter of this route
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REPLY and not complaint.reply_text
    done = client.post(url, {"letter": letters["both"].pk}, content_type="application/json")
    assert done.status_code == 200 and done.json()["reply_text"] == complaint.customer.name


def test_only_the_administrator_keeps_the_letters(
    letters: dict[str, ComplaintReplyTemplate], client_for: Callable[..., Any]
) -> None:
    data = {"title": "新回复函", "route": "", "body": "尊敬的{customer}", "is_active": "on"}
    add = reverse("generic:complaint-reply-letters_add")
    assert client_for("manager1").post(add, data).status_code == 403
    assert (
        client_for("manager1").get(reverse("generic:complaint-reply-letters_list")).status_code
        == 200
    )
    assert client_for("admin").post(add, data).status_code == 302
    assert ComplaintReplyTemplate.objects.filter(title="新回复函").exists()
    assert OrgUnit.objects.filter(code="PROD").exists()  # the demo's production department
