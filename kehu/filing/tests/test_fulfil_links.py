"""Each missing checklist item of a filing leads to the page that fulfils it and back to the
filing; who may not change the customer or upload gets no such link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from kehu.core.models import User
from kehu.filing import checklist, services
from kehu.filing.selectors import fulfil_links
from kehu.filing.tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def test_missing_items_lead_to_their_pages_with_the_way_back(demo: dict[str, User]) -> None:
    owner = demo["manager1"]
    customer = make_customer(owner)
    filing = services.open_filing(customer, by=owner)
    entries = checklist.evaluate(customer)
    links = fulfil_links(entries, filing, owner)
    missing = {e.key for e in entries if not e.present}
    assert {"field:contacts", "field:bank_accounts"} <= missing
    assert set(links) == missing  # the owner may fulfil every one of them
    back = f"/filings/{filing.pk}/"
    for key, (_label, url) in links.items():
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert query["next"] == [back], key
        if key == "field:contacts":
            assert parts.path == "/contacts/add/" and query["customer"] == [str(customer.pk)]
        elif key == "field:bank_accounts":
            assert parts.path == "/bank-accounts/add/"
            assert query["account_name"] == [customer.name]
        elif key.startswith("doc:"):
            assert parts.path == f"/customers/{customer.pk}/documents/upload/"
            assert query["type"] == [key.removeprefix("doc:")]
        else:
            assert parts.path == f"/customers/{customer.pk}/edit/"

    assert fulfil_links(entries, filing, demo["auditor"]) == {}
