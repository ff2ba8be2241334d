"""An owner's answer: confirming verifies the customer today; correcting goes through the
customer's own edit service and the task keeps what changed; nobody else answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import create_contact, update_customer
from kehu.reviews import services
from kehu.reviews.models import ReviewTask, TaskStatus
from kehu.reviews.tests.conftest import open_august


def task_of(customer: Customer) -> ReviewTask:
    return ReviewTask.objects.select_related("campaign", "customer").get(customer=customer)


@pytest.mark.django_db
def test_confirming_sets_the_last_verified_date_and_audits(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    customer = make_active("manager1")
    Customer.objects.filter(pk=customer.pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=400)
    )
    open_august()
    task = services.task_confirm(
        task_of(customer), by=demo["manager1"], stale_items="营业执照已过期"
    )
    customer.refresh_from_db()
    assert task.status == TaskStatus.CONFIRMED
    assert task.changes == {}
    assert task.stale_items == "营业执照已过期"
    assert customer.last_verified_at is not None
    assert timezone.localdate(customer.last_verified_at) == timezone.localdate()
    assert AuditEvent.objects.filter(action="reviews.reviewtask.confirm").count() == 1
    assert AuditEvent.objects.filter(
        action="customers.customer.verify", object_id=str(customer.pk)
    ).exists()
    with pytest.raises(ValidationError, match="done already"):
        services.task_confirm(task, by=demo["manager1"])


@pytest.mark.django_db
def test_correcting_records_what_the_customer_service_changed(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    customer = make_active("manager1")
    open_august()
    task = task_of(customer)
    with pytest.raises(ValidationError, match="No correction is recorded"):
        services.task_correct(task, by=demo["manager1"])

    update_customer(customer, {"address": "北京市朝阳区建国路 88 号"}, customer.version)
    create_contact({"customer": customer, "name": "赵六", "title": "财务经理"})
    task = services.task_correct(task, by=demo["manager1"], stale_items="联系人王五已离职")

    assert task.status == TaskStatus.CORRECTED
    assert task.changes["address"] == ["", "北京市朝阳区建国路 88 号"]
    assert task.changes["contact 赵六: title"] == [None, "财务经理"]
    assert task.stale_items == "联系人王五已离职"
    event = AuditEvent.objects.get(action="reviews.reviewtask.correct")
    assert event.extra["corrected"]["address"][1] == "北京市朝阳区建国路 88 号"


@pytest.mark.django_db
def test_the_owner_confirms_on_the_page_and_others_cannot(
    demo: dict[str, User],
    make_active: Callable[..., Customer],
    client_for: Callable[..., Client],
) -> None:
    customer = make_active("manager1")
    open_august()
    task = task_of(customer)
    url = f"/reviews/tasks/{task.pk}/confirm/"

    # Another department's account manager does not see the task at all.
    assert client_for("manager3").post(url, {"stale_items": ""}).status_code == 404
    # A colleague in the same department sees the customer but not the task.
    assert client_for("manager2").post(url, {"stale_items": ""}).status_code == 404
    # The head of the department sees it but does not answer for the owner.
    head = client_for("head_sale")
    assert head.get(f"/reviews/tasks/{task.pk}/").status_code == 200
    assert head.post(url, {"stale_items": ""}).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN

    owner = client_for("manager1")
    page = owner.get(f"/reviews/tasks/{task.pk}/")
    assert page.status_code == 200
    assert b'id="task-confirm"' in page.content
    assert f"/customers/{customer.pk}/edit/?next=/reviews/tasks/{task.pk}/".encode() in page.content
    response = owner.post(url, {"stale_items": "开户许可证过期"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CONFIRMED
    assert task.done_by == demo["manager1"]


@pytest.mark.django_db
def test_correct_on_the_page_after_editing_the_customer(
    demo: dict[str, User],
    make_active: Callable[..., Customer],
    client_for: Callable[..., Client],
) -> None:
    customer = make_active("manager1")
    open_august()
    task = task_of(customer)
    owner = client_for("manager1")
    refused = owner.post(f"/reviews/tasks/{task.pk}/correct/", {}, follow=True)
    assert "自审查发起以来没有记录到任何更正" in refused.content.decode()  # pages speak Chinese
    update_customer(customer, {"city": "天津"}, customer.version)
    owner.post(f"/reviews/tasks/{task.pk}/correct/", {})
    task.refresh_from_db()
    assert task.status == TaskStatus.CORRECTED
    assert task.changes["city"][1] == "天津"
    page = owner.get(f"/reviews/tasks/{task.pk}/").content.decode()
    assert 'id="task-changes"' in page and "天津" in page


@pytest.mark.django_db
def test_a_closed_campaign_takes_no_more_answers(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    customer = make_active("manager1")
    campaign = open_august()
    services.campaign_close(campaign, by=demo["compliance"])
    with pytest.raises(ValidationError, match="closed"):
        services.task_confirm(task_of(customer), by=demo["manager1"])
