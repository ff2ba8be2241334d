"""ARC-1 end to end: the filing's last approval activates the customer, and the archives
number its dossier in the same transaction (the number shows in the customer API)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from kehu.api.services import create_token
from kehu.archives.models import Dossier
from kehu.core.models import User
from kehu.filing import services
from kehu.filing.tests.conftest import ready_customer
from kehu.filing.tests.test_process import review, step


@pytest.mark.django_db
def test_approved_filing_numbers_the_dossier(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    customer = ready_customer(manager)
    filing = services.open_filing(customer, by=manager)
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    review(filing, "initial_review", manager)
    review(filing, "second_review", demo["compliance"])
    services.filing_step_decide(
        filing, step(filing, "approve"), by=demo["head_sale"], outcome="approved"
    )
    assert not Dossier.objects.filter(customer=customer).exists()  # not before the last step
    services.filing_step_decide(filing, step(filing, "approve"), by=demo["gm"], outcome="approved")
    dossier = Dossier.objects.get(customer=customer)
    assert dossier.archive_number == f"{timezone.localdate().year}-SALE-001"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(manager, 't')[1]}")
    body = api.get(f"/api/v1/customers/{customer.pk}/").json()
    assert body["archive_number"] == dossier.archive_number
