"""SEC-1: the owning department's head or the general manager grants a named user access to
a customer until a time, with a reason; the grantee then finds it in the list and the card,
read-only unless more was granted; it ends by itself (fixed clock) or when revoked."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core import policy
from kehu.core.models import AccessGrant, User
from kehu.customers import services
from kehu.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db


def until(hours: int = 48) -> str:
    return (timezone.localtime() + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def customer(make_org: Callable[..., Customer]) -> Customer:
    customer = make_org("manager1")
    services.create_contact({"customer": customer, "name": "王芳", "mobile": "13900002222"})
    return customer


def test_who_may_grant(customer: Customer, client_for: Callable[[str], Client]) -> None:
    url = f"/customers/{customer.pk}/grants/new/"
    assert client_for("head_sale").get(url).status_code == 200
    assert client_for("gm").get(url).status_code == 200
    assert client_for("manager1").get(url).status_code == 403  # the owner does not grant
    assert client_for("compliance").get(url).status_code == 403
    assert client_for("manager4").get(url).status_code == 404  # cannot even see it
    card = client_for("head_sale").get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="grant-access"' in card
    assert (
        'id="grant-access"'
        not in client_for("manager2").get(f"/customers/{customer.pk}/").content.decode()
    )


def test_grant_use_and_expiry_with_a_fixed_clock(
    customer: Customer,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outsider = client_for("manager4")  # SH-SALE: sees nothing of SALE
    assert outsider.get(f"/customers/{customer.pk}/").status_code == 404
    head = client_for("head_sale")
    url = f"/customers/{customer.pk}/grants/new/"
    refused = head.post(url, {"user": demo["manager4"].pk, "until": until(), "reason": ""})
    assert refused.status_code == 400 and not AccessGrant.objects.exists()
    past = head.post(url, {"user": demo["manager4"].pk, "until": until(-1), "reason": "x"})
    assert past.status_code == 400 and not AccessGrant.objects.exists()
    done = head.post(url, {"user": demo["manager4"].pk, "until": until(48), "reason": "协助催收"})
    assert done.status_code == 302
    access = AccessGrant.objects.get()
    assert access.actions == ["view"] and access.granted_by == demo["head_sale"]
    event = AuditEvent.objects.get(action="core.accessgrant.grant")
    assert event.actor_username == "head_sale" and event.extra["reason"] == "协助催收"

    # The grantee sees the customer in the list, the card (read-only) and its contacts.
    assert customer.name in outsider.get("/customers/", {"register": "all"}).content.decode()
    card = outsider.get(f"/customers/{customer.pk}/")
    assert card.status_code == 200
    page = card.content.decode()
    assert 'id="my-grant"' in page and 'id="edit-link"' not in page
    assert outsider.get(f"/customers/{customer.pk}/edit/").status_code == 403
    contact = Contact.objects.get(customer=customer)
    assert outsider.get(f"/contacts/{contact.pk}/").status_code == 200
    assert customer.name in outsider.get("/privacy/grants/").content.decode()
    assert not policy.has_perm(demo["manager4"], "customers.customer.reveal", customer)

    # A fixed clock past the end: the access is gone without any job having run.
    later = access.until + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    fresh = User.objects.get(pk=demo["manager4"].pk)
    assert not policy.has_perm(fresh, "customers.customer.view", customer)
    assert client_for("manager4").get(f"/customers/{customer.pk}/").status_code == 404


def test_more_than_viewing_and_revocation(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    # The department head holds change and reveal on the customer, so may grant them.
    head = client_for("head_sale")
    head.post(
        f"/customers/{customer.pk}/grants/new/",
        {
            "user": demo["manager4"].pk,
            "until": until(),
            "actions": ["change", "reveal"],
            "reason": "交接期间代管",
        },
    )
    access = AccessGrant.objects.get()
    assert access.actions == ["change", "reveal", "view"]
    grantee = client_for("manager4")
    assert grantee.get(f"/customers/{customer.pk}/edit/").status_code == 200
    reveal = f"/privacy/reveal/customers.contact/{Contact.objects.get().pk}/mobile/"
    assert grantee.post(reveal, {"purpose": "contact", "reason": "回访"}).status_code == 200

    # Revoking needs a reason; then the access ends at once.
    revoke = f"/privacy/grants/{access.pk}/revoke/"
    assert client_for("manager2").post(revoke, {"reason": "x"}).status_code == 403
    client_for("head_sale").post(revoke, {"reason": ""})
    access.refresh_from_db()
    assert access.revoked_at is None
    client_for("head_sale").post(revoke, {"reason": "交接完成"})
    access.refresh_from_db()
    assert access.revoked_at is not None and access.revoked_by == demo["head_sale"]
    assert client_for("manager4").get(f"/customers/{customer.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="core.accessgrant.revoke").count() == 1
