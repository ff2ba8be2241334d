"""Filing pages and API: open from the card and as "new customer + filing", act on the steps
from the filing page, print the filing form (its text read back with pypdf), the REST API,
and the e-mail for a filing task reaching a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime
import io
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from kehu.api.services import create_token
from kehu.core import calendar
from kehu.core.models import User
from kehu.customers.models import Customer, CustomerStatus
from kehu.filing import selectors, services
from kehu.filing.models import Filing, Stage
from kehu.filing.tests.conftest import make_customer, passing_checks, ready_customer
from kehu.filing.views import FILINGS_PER_PAGE
from kehu.ops.outbox import deliver_pending
from kehu.ops.reminders import run_reminders

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    _token, raw = create_token(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def current_step(filing: Filing, user: User) -> Any:
    filing.refresh_from_db()
    return selectors.my_step(filing, user)


def test_open_from_the_card_and_work_the_steps_on_the_filing_page(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    manager = demo["manager1"]
    customer = ready_customer(manager)
    page = client_for("manager1")
    card = page.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="open-filing"' in card
    response = page.post(f"/customers/{customer.pk}/filing/", {"declared_address_changes": 0})
    filing = Filing.objects.get(customer=customer)
    assert response["Location"] == f"/filings/{filing.pk}/"
    # A repeated click leads to the same filing.
    assert page.post(f"/customers/{customer.pk}/filing/")["Location"] == response["Location"]
    assert Filing.objects.filter(customer=customer).count() == 1

    detail = page.get(f"/filings/{filing.pk}/")
    assert detail.status_code == 200 and 'id="collection-complete"' in detail.content.decode()
    step = current_step(filing, manager)
    assert page.post(f"/filings/{filing.pk}/collect/", {"step": step.pk}).status_code == 302

    step = current_step(filing, manager)
    assert step.key == "initial_review"
    form = page.get(f"/filings/{filing.pk}/").context["review_form"]
    data = {"step": step.pk, "outcome": "passed"}
    for key, _label in form.items:
        data[f"result__{key}"] = "ok"
    data[f"result__{form.items[0][0]}"] = "doubtful"  # without an explanation: refused
    refused = page.post(f"/filings/{filing.pk}/review/", data)
    assert refused.status_code == 400
    assert refused.context["review_form"].errors
    data[f"explanation__{form.items[0][0]}"] = "代码与执照复印件一致，但执照模糊"
    assert page.post(f"/filings/{filing.pk}/review/", data).status_code == 302
    filing.refresh_from_db()
    assert filing.stage == Stage.SECOND_REVIEW
    assert filing.checks.filter(result="doubtful").count() == 1

    # Compliance sees the second review with the licence and watch-list facts.
    compliance = client_for("compliance")
    compliance.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertion reads English
    second = compliance.get(f"/filings/{filing.pk}/")
    assert "valid until" in second.content.decode()
    # Someone else's step is not offered, and posting to it changes nothing.
    step = current_step(filing, demo["compliance"])
    assert page.post(f"/filings/{filing.pk}/review/", {"step": step.pk}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).stage == Stage.SECOND_REVIEW


def test_new_customer_and_filing_in_one_form(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    page = client_for("manager1")
    listing = page.get("/customers/").content.decode()
    assert 'id="new-customer-filing"' in listing
    form = page.get("/filings/new/")
    token = form.context["token"]
    data = {
        "_submission": token, "kind": "organization", "name": "北京新备案测试有限公司",
        "owner": demo["manager1"].pk, "unit": demo["manager1"].unit_id,
        "capital_currency": "CNY", "phone": "010-62345678",
    }  # fmt: skip
    first = page.post("/filings/new/", data)
    assert first.status_code == 302
    second = page.post("/filings/new/", data)  # the same form again: nothing new
    assert second["Location"] == first["Location"]
    customer = Customer.objects.get(name="北京新备案测试有限公司")
    assert customer.status == CustomerStatus.IN_FILING
    assert Filing.objects.filter(customer=customer).count() == 1
    detail = page.get(first["Location"]).content.decode()
    assert 'data-state="missing"' in detail
    bad = page.post("/filings/new/", {**data, "_submission": "x", "name": ""})
    assert bad.status_code == 400
    assert client_for("compliance").get("/filings/new/").status_code == 403


def test_the_filing_form_pdf_names_the_customer(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    manager = demo["manager1"]
    customer = ready_customer(manager, name="北京备案表打印测试有限公司")
    filing = services.open_filing(customer, by=manager)
    response = client_for("manager1").get(f"/filings/{filing.pk}/form.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "北京备案表打印测试有限公司" in text and filing.number in text
    assert client_for("manager3").get(f"/filings/{filing.pk}/form.pdf").status_code == 404


def test_api_opens_reads_and_completes_through_the_tasks_api(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    customer = ready_customer(manager)
    client = api(manager)
    response = client.post(
        "/api/v1/filings/", {"customer": customer.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_status"] == "in_filing" and body["number"].startswith("BA-")
    assert body["steps"][0]["key"] == "collect"
    assert {e["state"] for e in body["checklist"]} == {"ok"}

    step_id = body["steps"][0]["id"]
    done = client.post(
        f"/api/v1/tasks/{step_id}/complete/", {"outcome": "complete"},
        content_type="application/json",
    )  # fmt: skip
    assert done.status_code == 200, done.content
    detail = client.get(f"/api/v1/filings/{body['id']}/").json()
    assert detail["stage"] == "initial_review"
    assert [s["key"] for s in detail["steps"]] == ["collect", "initial_review"]
    assert client.get(f"/api/v1/customers/{customer.pk}/").json()["status"] == "in_filing"
    listed = client.get("/api/v1/filings/", {"stage": "initial_review"}).json()
    assert [f["id"] for f in listed["results"]] == [body["id"]] and listed["count"] == 1
    assert api(demo["archivist"]).get("/api/v1/filings/").status_code == 403

    new = client.post(
        "/api/v1/filings/",
        {"new_customer": {"kind": "organization", "name": "API新客户备案有限公司",
                          "phone": "010-62345679"}},
        content_type="application/json",
    )  # fmt: skip
    assert new.status_code == 201, new.content
    assert {e["state"] for e in new.json()["checklist"]} >= {"missing"}
    # Errors: both or neither, someone else's customer, a second filing.
    assert client.post("/api/v1/filings/", {}, content_type="application/json").status_code == 400
    other = make_customer(demo["manager4"])
    assert (
        client.post("/api/v1/filings/", {"customer": other.pk}, content_type="application/json")
    ).status_code == 404
    again = client.post(
        "/api/v1/filings/", {"customer": customer.pk}, content_type="application/json"
    )
    assert again.status_code == 400
    assert api(demo["manager3"]).get(f"/api/v1/filings/{body['id']}/").status_code == 404
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/filings/{id}/" in schema


# --- e-mail through a real SMTP server ---------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """aiosmtpd on a free port of 127.0.0.1, Django's SMTP mailer pointed at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        with override_settings(MAILERS=mailers):
            yield inbox
    finally:
        controller.stop()


@pytest.mark.django_db
def test_a_filing_task_is_mailed_to_its_assignee(
    demo: dict[str, User], smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    # Each step runs as if committed (no flush of the seeded tables); the worker then sends
    # the outbox.
    @contextmanager
    def committed() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        deliver_pending()

    manager = demo["manager1"]
    customer = ready_customer(manager)
    smtp.envelopes.clear()
    with committed():
        filing = services.open_filing(customer, by=manager)
    with committed():
        services.complete_collection(filing, selectors.my_step(filing, manager), by=manager)
    filing.refresh_from_db()
    with committed():
        services.submit_review(
            filing, selectors.my_step(filing, manager), by=manager, outcome="passed",
            checks=passing_checks(filing, "initial_review"),
        )  # fmt: skip
    to_compliance = [e for e in smtp.envelopes if demo["compliance"].email in e.rcpt_tos]
    assert len(to_compliance) == 1
    message = to_compliance[0].content.decode()
    assert "Subject:" in message and f"/cases/{filing.case_id}/" in message
    assert any(manager.email in e.rcpt_tos for e in smtp.envelopes)

    # Due tomorrow, then overdue (escalated to the department head): mailed as well.
    second = selectors.my_step(filing, demo["compliance"])
    assert second is not None and second.due_date is not None
    smtp.envelopes.clear()
    with committed():
        run_reminders(second.due_date - datetime.timedelta(days=1), ["workflow.step"])
    assert [e.rcpt_tos for e in smtp.envelopes] == [[demo["compliance"].email]]
    smtp.envelopes.clear()
    with committed():
        run_reminders(calendar.add_working_days(second.due_date, 1), ["workflow.step"])
    mailed = sorted(address for e in smtp.envelopes for address in e.rcpt_tos)
    assert demo["compliance"].email in mailed


def test_the_filings_page_and_api_page_through_every_filing(demo: dict[str, User]) -> None:
    """More filings than a page holds: newest first, every filing exactly once, the stage
    filter kept from page to page."""
    owner = demo["manager1"]
    customer = make_customer(owner)
    total = FILINGS_PER_PAGE + 5
    Filing.objects.bulk_create(
        Filing(customer=customer, unit=owner.unit, opened_by=owner, stage=Stage.WITHDRAWN)
        for _ in range(total)
    )
    expected = list(Filing.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    page = Client()
    page.force_login(demo["head_sale"])
    first = page.get("/filings/", {"stage": "withdrawn"})
    listed = first.context["filings"]
    assert (listed.total, len(listed.rows)) == (total, FILINGS_PER_PAGE)
    html = first.content.decode()
    assert f"{total} " in html.split('id="filings-count">', 1)[1][:20]
    link = re.search(r'id="filings-next" href="\?stage=withdrawn&amp;filings_after=([^"]+)"', html)
    assert link, "a link to the next page that keeps the stage"
    second = page.get("/filings/", {"stage": "withdrawn", "filings_after": link[1]})
    rest = second.context["filings"].rows
    assert [f.pk for f in [*listed.rows, *rest]] == expected

    client = api(demo["head_sale"])
    body = client.get("/api/v1/filings/?stage=withdrawn&size=40").json()
    assert body["count"] == total and len(body["results"]) == 40
    more = client.get(body["next"]).json()
    assert more["next"] is None and more["previous"]
    assert [f["id"] for f in [*body["results"], *more["results"]]] == expected


def _reads_filings(sql: str) -> bool:
    """The query's first table is the filings' (not a customer query with a filing subquery)."""
    first = sql.find('FROM "filing_filing"')
    customers = sql.find('FROM "customers_customer"')
    return first >= 0 and (customers < 0 or first < customers)


def test_the_card_reads_the_open_filing_once(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """The lifecycle panel (no manual steps while a filing is under way) and the filing panel
    (no second filing) both depend on the open filing: the card reads it with the panel's
    filings (the owner sees them all; the newest is the open one, if any)."""
    manager = demo["manager1"]
    customer = ready_customer(manager)
    client = client_for("manager1")
    url = f"/customers/{customer.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        before = client.get(url).context
    assert before["can_open_filing"]
    # Reads of filings themselves (the staleness check's risk subquery names the table too).
    filing_reads = [q for q in captured if _reads_filings(q["sql"])]
    assert len(filing_reads) == 1  # the panel's filings, the open one among them
    services.open_filing(customer, by=manager)
    after = client.get(url).context
    assert not after["can_open_filing"] and after["transitions"] == []
