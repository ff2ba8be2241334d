"""Searching a full ID number, phone or mobile: the search box must not be an oracle for
masked values (the mask shows 7 of a mobile's 11 digits, so 10,000 tries find it). Only a
user who may reveal the value finds a customer by it, each such search is audited and
counted against a per-minute allowance, and the value stays out of URLs and the access log."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
URL = "/api/v1/customers/"
MOBILE = "13912345678"
SEARCHED = "customers.customer.sensitive_search"


@pytest.fixture
def with_mobile(make_org: MakeOrg) -> Customer:
    """manager1's customer whose contact has a mobile (masked to everyone else: 139****5678)."""
    customer = make_org(owner="manager1")
    services.create_contact({"customer": customer, "name": "王芳", "mobile": MOBILE})
    return customer


def api_ids(client: Client, text: str) -> list[int]:
    response = client.get(URL, {"q": text})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def page_search(client: Client, text: str) -> Any:
    """The list page's search form, as the browser submits it, followed to the results."""
    return client.post("/customers/", {"q": text}, follow=True)


def test_a_manager_without_reveal_finds_nothing_by_a_full_mobile(
    client_for: Callable[[str], Client], api_for: Callable[[str], Client], with_mobile: Customer
) -> None:
    """manager2 sees manager1's customer (same department) with the mobile masked, the
    credit manager too: trying every hidden digit must not find it."""
    before = AuditEvent.objects.count()
    assert with_mobile.pk not in api_ids(api_for("manager2"), MOBILE)
    assert with_mobile.pk not in api_ids(api_for("credit"), MOBILE)
    page = page_search(client_for("manager2"), MOBILE)
    assert page.status_code == 200 and with_mobile.name not in page.content.decode()
    # The customer is there, found by its name: only the mobile does not match.
    assert with_mobile.pk in api_ids(api_for("manager2"), with_mobile.name)
    # manager2 may reveal his own customers' numbers: his searches are audited; the credit
    # manager reveals nothing, so his number search is a plain text search.
    searchers = AuditEvent.objects.filter(pk__gt=before, action=SEARCHED)
    assert set(searchers.values_list("actor_username", flat=True)) == {"manager2"}


def test_an_id_number_finds_nothing_without_reveal(
    api_for: Callable[[str], Client], make_person: Callable[..., Customer]
) -> None:
    number = id_number(datetime.date(1990, 3, 7))
    person = make_person(owner="manager1", id_number=number)
    assert person.pk not in api_ids(api_for("manager2"), number)
    assert person.pk not in api_ids(api_for("gm"), number)
    assert person.pk in api_ids(api_for("manager1"), number)


def test_a_revealers_search_is_audited_and_limited(
    api_for: Callable[[str], Client],
    client_for: Callable[[str], Client],
    with_mobile: Customer,
    settings: Any,
) -> None:
    settings.KEHU_SENSITIVE_SEARCHES_PER_MINUTE = 2
    before = AuditEvent.objects.count()
    owner = api_for("manager1")
    assert api_ids(owner, MOBILE) == [with_mobile.pk]
    event = AuditEvent.objects.get(pk__gt=before, action=SEARCHED)
    assert event.actor_username == "manager1"
    assert event.extra == {"kinds": ["phone"], "value": "139****5678"}
    assert MOBILE not in str(event.changes) + str(event.extra)
    assert api_ids(owner, MOBILE) == [with_mobile.pk]
    refused = owner.get(URL, {"q": MOBILE})
    assert refused.status_code == 429
    assert "一分钟" in refused.json()["detail"]
    page = page_search(client_for("manager1"), MOBILE)
    assert page.status_code == 429
    assert "一分钟" in page.content.decode() and 'id="search-refused"' in page.content.decode()
    assert AuditEvent.objects.filter(pk__gt=before, action=SEARCHED).count() == 2
    # Other searches go on.
    assert with_mobile.pk in api_ids(owner, with_mobile.name)


def test_a_full_number_stays_out_of_the_url(
    client_for: Callable[[str], Client], with_mobile: Customer
) -> None:
    client = client_for("manager1")
    posted = client.post("/customers/", {"q": MOBILE, "status": ""})
    assert posted.status_code == 302
    location = posted["Location"]
    assert MOBILE not in location and "qref=" in location
    page = client.get(location)
    html = page.content.decode()
    assert page.status_code == 200 and with_mobile.name in html
    # The form shows the text; no link on the page carries it.
    assert html.count(MOBILE) == 1 and f'value="{MOBILE}"' in html
    # Typed into the address bar: moved off the URL at once.
    typed = client.get("/customers/", {"q": MOBILE})
    assert typed.status_code == 302 and MOBILE not in typed["Location"]
    # The form posted by htmx is answered with the location to load.
    htmx = client.post("/customers/", {"q": MOBILE}, HTTP_HX_REQUEST="true")
    assert MOBILE not in htmx["HX-Location"] and "qref=" in htmx["HX-Location"]
    # Ordinary searches keep their text in the URL (bookmarks, shared links).
    plain = client.post("/customers/", {"q": "科技"})
    assert plain.status_code == 302 and "q=%E7%A7%91%E6%8A%80" in plain["Location"]


def test_the_access_log_leaves_out_query_strings() -> None:
    """`kehu serve` logs requests without their query strings (nor referers)."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from kehu.ops.management.commands.serve import ACCESS_LOG_FORMAT

    class Response:
        status = "200 OK"
        sent = 10
        headers: list[tuple[str, str]] = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/customers/?q={MOBILE}",
        "PATH_INFO": "/api/v1/customers/",
        "QUERY_STRING": f"q={MOBILE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"http://127.0.0.1/customers/?q={MOBILE}",
    }
    atoms = Logger(Config()).atoms(Response(), [], environ, datetime.timedelta(0, 0, 1500))
    line = ACCESS_LOG_FORMAT % atoms
    assert '"GET /api/v1/customers/ HTTP/1.1" 200' in line and MOBILE not in line


def contact_ids(client: Client, text: str) -> list[int]:
    response = client.get("/api/v1/contacts/", {"q": text})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_contact_list_finds_no_mobile_its_reader_may_not_reveal(
    client_for: Callable[[str], Client], api_for: Callable[[str], Client], with_mobile: Customer
) -> None:
    """manager2, the general manager and the credit manager see manager1's contact with its
    mobile masked: neither the contact list nor its API finds the contact by the number."""
    contact = with_mobile.contacts.get()
    before = AuditEvent.objects.count()
    for username in ("manager2", "gm", "credit"):
        assert contact.pk in contact_ids(api_for(username), contact.name), username
        assert contact.pk not in contact_ids(api_for(username), MOBILE), username
        page = client_for(username).post("/contacts/", {"q": MOBILE}, follow=True)
        assert page.status_code == 200 and contact.name not in page.content.decode(), username
    # Who may reveal some mobiles (manager2 his own customers') is audited for trying.
    searchers = AuditEvent.objects.filter(pk__gt=before, action=SEARCHED)
    assert "credit" not in set(searchers.values_list("actor_username", flat=True))
    assert searchers.filter(actor_username="manager2").count() == 2
    # The owner finds it.
    assert contact_ids(api_for("manager1"), MOBILE) == [contact.pk]


def test_a_contact_mobile_search_is_audited_limited_and_kept_out_of_the_url(
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    with_mobile: Customer,
    settings: Any,
) -> None:
    settings.KEHU_SENSITIVE_SEARCHES_PER_MINUTE = 2
    contact = with_mobile.contacts.get()
    before = AuditEvent.objects.count()
    client = client_for("manager1")
    posted = client.post("/contacts/", {"q": MOBILE})
    assert posted.status_code == 302
    assert MOBILE not in posted["Location"] and "qref=" in posted["Location"]
    page = client.get(posted["Location"])
    assert page.status_code == 200 and contact.name in page.content.decode()
    event = AuditEvent.objects.get(pk__gt=before, action=SEARCHED)
    assert event.actor_username == "manager1" and event.object_type == "customers.contact"
    assert event.extra == {"kinds": ["phone"], "value": "139****5678"}
    owner = api_for("manager1")
    assert contact_ids(owner, MOBILE) == [contact.pk]
    refused = owner.get("/api/v1/contacts/", {"q": MOBILE})
    assert refused.status_code == 429 and "一分钟" in refused.json()["detail"]
    refused_page = client.get(posted["Location"])
    assert refused_page.status_code == 429 and contact.name not in refused_page.content.decode()
    assert AuditEvent.objects.filter(pk__gt=before, action=SEARCHED).count() == 2
