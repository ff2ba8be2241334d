"""CUS-14: the extended personal profile of a key contact — encrypted, opened only by the
account manager and explicit grantees, only under the contact's consent, each opening
audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core import grants
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.privacy import consent
from kehu.privacy.models import ContactProfile

pytestmark = pytest.mark.django_db
SECRET = "喜欢钓鱼，女儿在北京四中读高二"


@pytest.fixture
def contact(make_org: Callable[..., Customer], demo: dict[str, User]) -> Contact:
    customer = make_org("manager1")
    return services.create_contact({"customer": customer, "name": "王芳", "is_primary": True})


def give_consent(contact: Contact, demo: dict[str, User]) -> None:
    consent.record_consent(
        contact,
        {
            "purpose": "profile",
            "scope": "客户画像",
            "given_on": datetime.date(2026, 1, 5),
            "channel": "written",
        },
        demo["manager1"],
        None,
    )


def test_consent_is_required_then_the_owner_opens_and_saves(
    contact: Contact, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    owner = client_for("manager1")
    url = f"/privacy/profiles/{contact.pk}/"
    owner.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertion reads English
    refused = owner.get(url)
    assert refused.status_code == 403 and "has not consented" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="customers.contact.profile_open").exists()

    give_consent(contact, demo)
    assert 'id="open-profile"' in owner.get(f"/contacts/{contact.pk}/").content.decode()
    assert owner.get(url).status_code == 200
    saved = owner.post(f"{url}edit/", {"interests": SECRET, "version": 1})
    assert saved.status_code == 302
    assert SECRET in owner.get(url).content.decode()
    opened = AuditEvent.objects.filter(action="customers.contact.profile_open")
    assert opened.count() == 3 and opened.first().actor_username == "manager1"  # type: ignore[union-attr]
    change = AuditEvent.objects.get(action="customers.contact.profile_change")
    assert change.extra["sections"] == ["interests"] and SECRET not in str(change.changes)
    # A stale form changes nothing.
    stale = owner.post(f"{url}edit/", {"interests": "别的", "version": 1})
    assert stale.status_code == 409
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT interests FROM privacy_contactprofile")
        assert SECRET not in cursor.fetchone()[0]
    assert ContactProfile.objects.get().interests == SECRET


@pytest.mark.parametrize("username", ["manager2", "head_sale", "gm", "auditor", "compliance"])
def test_nobody_else_opens_it_without_a_grant(
    username: str,
    contact: Contact,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    give_consent(contact, demo)
    client = client_for(username)
    assert client.get(f"/privacy/profiles/{contact.pk}/").status_code == 403
    assert 'id="open-profile"' not in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_an_explicit_grant_opens_it_until_it_ends(
    contact: Contact,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    give_consent(contact, demo)
    # Only who holds the profile by role (the account manager) may grant it.
    access = grants.grant_access(
        user=demo["head_sale"],
        obj=contact.customer,
        until=timezone.now() + datetime.timedelta(hours=2),
        by=demo["manager1"],
        reason="重要客户拜访准备",
        actions=("view", "profile"),
    )
    assert client_for("head_sale").get(f"/privacy/profiles/{contact.pk}/").status_code == 200
    later = access.until + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client_for("head_sale").get(f"/privacy/profiles/{contact.pk}/").status_code == 403
