"""A filing's decision is an integrator's event: a rejection queues one `filing.decided`
delivery, in the decision's transaction, naming the filing, its outcome and the customer."""

from __future__ import annotations

import pytest

from kehu.core.models import User
from kehu.filing import services
from kehu.filing.tests.conftest import ready_customer
from kehu.filing.tests.test_process import review, to_second_review
from kehu.ops import webhooks
from kehu.ops.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def test_a_decided_filing_queues_its_event(demo: dict[str, User]) -> None:
    webhooks.subscriber_create(
        {
            "name": "ERP",
            "url": "https://erp.example.cn/hooks",
            "secret": "integrator-shared-secret-0123456789",
            "events": ["filing.decided", "customer.activated"],
        }
    )
    manager = demo["manager1"]
    customer = ready_customer(manager)
    filing = services.open_filing(customer, by=manager)
    to_second_review(filing, manager)
    assert not WebhookDelivery.objects.exists()
    review(filing, "second_review", demo["compliance"], outcome="rejected", comment="失信名单")
    (delivery,) = WebhookDelivery.objects.all()  # rejected: no activation
    data = delivery.payload["data"]
    assert delivery.event == "filing.decided" and delivery.payload["event"] == "filing.decided"
    assert data["filing"] == {"id": filing.pk, "number": filing.number, "outcome": "rejected"}
    assert data["customer"]["id"] == customer.pk and data["customer"]["status"] == "rejected"
