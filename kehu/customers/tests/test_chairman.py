"""An organisation's chairman and general manager (董事长, 总经理) are basic data: stored,
shown on the card, and left out for an individual."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kehu.core.models import User
from kehu.customers.services import create_customer
from tests.record_type_samples import customer_data

pytestmark = pytest.mark.django_db


def test_chairman_and_general_manager_on_the_card(demo: dict[str, User], client_for: Any) -> None:
    data = customer_data(demo["manager1"]) | {"chairman": "赵董", "general_manager": "钱总"}
    customer = create_customer(data)
    assert (customer.chairman, customer.general_manager) == ("赵董", "钱总")
    card = client_for("manager1").get(reverse("generic:customers_detail", args=[customer.pk]))
    page = card.content.decode()
    assert "赵董" in page and "钱总" in page
