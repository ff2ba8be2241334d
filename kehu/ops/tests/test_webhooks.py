"""Webhooks: a subscriber's address is http(s) without credentials and shown masked; events
queue a delivery per listening subscriber in the transaction of the change (rolled back with
it); the shared delivery loop posts them signed (HMAC-SHA256 over timestamp and body) to a
local receiver, retries a 500 after a doubling pause, fails visibly after the limit; the log
(page and API) shows them and retries a failed one."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.credit.exposure import account_refresh
from kehu.credit.models import Receivable
from kehu.customers import services as customer_services
from kehu.customers.models import Customer, CustomerStatus
from kehu.customers.tests.factories import org_data
from kehu.ops import webhooks
from kehu.ops.models import OutboxStatus, WebhookDelivery, WebhookSubscriber
from kehu.ops.tests.webhook_server import SECRET, WebhookServer, webhook_server

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _webhook_settings() -> Any:
    with override_settings(
        KEHU_WEBHOOK_RETRY_SECONDS=60, KEHU_WEBHOOK_MAX_ATTEMPTS=3, KEHU_WEBHOOK_TIMEOUT_SECONDS=5
    ):
        yield


def subscribe(server: WebhookServer, events: list[str], **values: Any) -> WebhookSubscriber:
    data = {"name": "ERP", "url": server.url() + "?key=receiver-key", "secret": SECRET}
    return webhooks.subscriber_create(data | {"events": events} | values)


def activate(customer: Customer, by: User) -> Customer:
    customer_services.change_status(customer, CustomerStatus.IN_FILING, "备案", by)
    return customer_services.change_status(customer, CustomerStatus.ACTIVE, "备案通过", by)


@pytest.fixture
def org(demo: dict[str, User]) -> Customer:
    return customer_services.create_customer(org_data(demo["manager1"]))


def test_addresses_are_http_or_https_without_credentials() -> None:
    for url in ("ftp://erp.example.cn/h", "javascript:alert(1)", "erp.example.cn/h", "http://"):
        with pytest.raises(ValidationError) as refused:
            webhooks.subscriber_create(
                {"name": "x", "url": url, "secret": SECRET, "events": ["filing.decided"]}
            )
        assert "url" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        webhooks.subscriber_create(
            {
                "name": "x",
                "url": "https://u:p@erp.example.cn/h",
                "secret": SECRET,
                "events": ["filing.decided"],
            }
        )
    assert refused.value.message_dict["url"] == ["地址中不得包含用户名或密码。"]
    with pytest.raises(ValidationError) as refused:
        webhooks.subscriber_create(
            {
                "name": "x",
                "url": "https://erp.example.cn/h",
                "secret": "short",
                "events": ["filing.decided"],
            }
        )
    assert "secret" in refused.value.message_dict
    with pytest.raises(ValidationError):
        webhooks.subscriber_create(
            {"name": "x", "url": "https://erp.example.cn/h", "secret": SECRET, "events": ["x.y"]}
        )
    subscriber = webhooks.subscriber_create(
        {
            "name": "ERP",
            "url": "https://erp.example.cn/h?token=abc",
            "secret": SECRET,
            "events": ["filing.decided"],
        }
    )
    assert subscriber.url_shown == "https://erp.example.cn/h?…"
    created = AuditEvent.objects.get(action="ops.webhooksubscriber.create")
    text = json.dumps(created.changes)
    assert "token=abc" not in text and SECRET not in text


def test_an_activation_is_delivered_signed(org: Customer, demo: dict[str, User]) -> None:
    with webhook_server() as server:
        subscriber = subscribe(server, ["customer.activated"])
        subscribe(server, ["filing.decided"], name="只听备案")  # hears nothing of this
        activate(org, demo["head_sale"])
        (delivery,) = WebhookDelivery.objects.all()
        assert delivery.subscriber == subscriber and delivery.status == OutboxStatus.PENDING
        assert webhooks.deliver_webhooks() == {"sent": 1, "deferred": 0, "failed": 0}
    ((headers, body, valid),) = server.received
    assert valid  # the receiver's own check of X-Kehu-Signature and X-Kehu-Timestamp
    assert headers["x-kehu-event"] == "customer.activated"
    assert headers["x-kehu-delivery"] == str(delivery.event_id)
    sent = json.loads(body)
    assert sent["event"] == "customer.activated" and sent["id"] == str(delivery.event_id)
    assert sent["data"]["customer"] == {
        "id": org.pk, "kind": "organization", "status": "active",
        "name": org.name, "credit_code": org.credit_code,
    }  # fmt: skip
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.SENT and delivery.response_status == 200


def test_a_forged_or_stale_signature_does_not_verify() -> None:
    body = b'{"event":"filing.decided"}'
    stamp = int(timezone.now().timestamp())
    good = webhooks.signature(SECRET, stamp, body)
    assert webhooks.verify(SECRET, str(stamp), body, good)
    assert not webhooks.verify("another-secret-0123456789", str(stamp), body, good)
    assert not webhooks.verify(SECRET, str(stamp), body + b" ", good)
    assert not webhooks.verify(
        SECRET, str(stamp - 3600), body, webhooks.signature(SECRET, stamp - 3600, body)
    )


def test_the_event_rolls_back_with_its_change(org: Customer, demo: dict[str, User]) -> None:
    with webhook_server() as server:
        subscribe(server, ["customer.activated"])
    with pytest.raises(RuntimeError), transaction.atomic():
        activate(org, demo["head_sale"])
        raise RuntimeError
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_retried_with_back_off_then_delivered(
    org: Customer, demo: dict[str, User]
) -> None:
    with webhook_server() as server:
        server.answers = [500, 500]
        subscribe(server, ["customer.activated"])
        activate(org, demo["head_sale"])
        now = timezone.now()
        assert webhooks.deliver_webhooks(now)["deferred"] == 1
        delivery = WebhookDelivery.objects.get()
        assert delivery.last_error == "WebhookRefused: HTTP 500" and delivery.response_status == 500
        assert delivery.next_try_at == now + datetime.timedelta(seconds=60)
        assert webhooks.deliver_webhooks(now + datetime.timedelta(seconds=30))["deferred"] == 0
        second = now + datetime.timedelta(seconds=61)
        assert webhooks.deliver_webhooks(second)["deferred"] == 1
        delivery.refresh_from_db()
        assert delivery.next_try_at == second + datetime.timedelta(seconds=120)  # doubled
        third = second + datetime.timedelta(seconds=121)
        assert webhooks.deliver_webhooks(third)["sent"] == 1
    assert len(server.received) == 3 and all(valid for _h, _b, valid in server.received)
    # The same event id each time: the receiver drops a repeat.
    assert len({headers["x-kehu-delivery"] for headers, _b, _v in server.received}) == 1
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.SENT and delivery.attempts == 3


def test_failed_deliveries_are_logged_and_retried_by_the_administrator(
    org: Customer,
    demo: dict[str, User],
    client_for: Callable[..., Any],
    api_for: Callable[[str], Any],
) -> None:
    with webhook_server() as server:
        server.answers = [503, 503, 503]
        subscribe(server, ["customer.activated"])
        activate(org, demo["head_sale"])
        now = timezone.now()
        for step in range(3):
            webhooks.deliver_webhooks(now + datetime.timedelta(hours=step))
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == OutboxStatus.FAILED
        assert AuditEvent.objects.filter(action="ops.webhookdelivery.failed").count() == 1
        admin = client_for("admin")
        page = admin.get(reverse("ops:webhook-deliveries")).content.decode()
        assert f'id="webhook-delivery-{delivery.pk}"' in page and "HTTP 503" in page
        assert "receiver-key" not in page  # the address's key is never shown
        listed = api_for("admin").get("/api/v1/webhook-deliveries/").json()
        assert listed[0]["id"] == delivery.pk and listed[0]["status"] == "failed"
        assert client_for("manager1").get(reverse("ops:webhook-deliveries")).status_code == 403
        answer = admin.post(reverse("ops:webhook-delivery-retry", args=[delivery.pk]))
        assert answer.status_code == 302
        delivery.refresh_from_db()
        assert delivery.status == OutboxStatus.PENDING and delivery.attempts == 0
        assert webhooks.deliver_webhooks()["sent"] == 1
    assert AuditEvent.objects.filter(action="ops.webhookdelivery.retry").count() == 1
    retried = api_for("admin").post(f"/api/v1/webhook-deliveries/{delivery.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["status"] == "sent"  # nothing to do


def test_credit_hold_on_and_off_are_events(org: Customer, demo: dict[str, User]) -> None:
    with webhook_server() as server:
        subscribe(server, ["credit.hold_on", "credit.hold_off"])
        invoice = Receivable.objects.create(
            customer=org,
            invoice_number="INV-WEBHOOK-1",
            invoice_date=datetime.date(2026, 1, 5),
            due_date=datetime.date(2026, 2, 5),
            amount=Decimal("1000.00"),
            paid=Decimal("0"),
            open_amount=Decimal("1000.00"),
        )
        assert account_refresh(org.pk).held
        Receivable.objects.filter(pk=invoice.pk).update(paid=invoice.amount, open_amount=0)
        assert not account_refresh(org.pk).held
        assert webhooks.deliver_webhooks()["sent"] == 2
    events = [sent["event"] for sent in server.accepted]
    assert sorted(events) == ["credit.hold_off", "credit.hold_on"]
    on = next(sent for sent in server.accepted if sent["event"] == "credit.hold_on")
    assert on["data"]["customer"]["id"] == org.pk and on["data"]["reasons"]


def test_subscribers_are_kept_by_the_administrator_through_the_api(
    api_for: Callable[[str], Any],
) -> None:
    admin = api_for("admin")
    created = admin.post(
        "/api/v1/webhooks/",
        {
            "name": "门户",
            "url": "https://portal.example.cn/kehu?k=1",
            "secret": SECRET,
            "events": ["filing.decided"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["address"] == "https://portal.example.cn/kehu?…"
    assert "secret" not in body and "url" not in body
    assert api_for("manager1").get("/api/v1/webhooks/").status_code == 403
