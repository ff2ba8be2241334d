"""A change request's supporting file passes the one upload check: a PDF that runs a script
on opening or a PDF that is also a web page is refused through the page and the API, and
nothing is kept; a stored proof is served as a document, never as a page of ours."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import changes
from kehu.customers.models import ChangeRequest, Customer
from kehu.customers.tests.test_change_requests import propose_post
from kehu.documents.tests.conftest import pdf_bytes
from kehu.documents.tests.test_active_content import HTML, raw_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
ACTIVE = [
    (
        "script.pdf",
        raw_pdf(b"<</S/JavaScript/JS(app.alert(1))>>", catalog_extra=b"/OpenAction 4 0 R"),
    ),
    ("pdf-html.pdf", pdf_bytes().replace(b"\n", b"\n%" + HTML + b"\n", 1)),
]


def kept() -> tuple[int, int]:
    return ChangeRequest.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("name, content", ACTIVE)
def test_the_page_refuses_active_content(
    name: str, content: bytes, make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    client = client_for("compliance")
    before = kept()
    response = client.post(
        f"/customers/{customer.pk}/propose/",
        {**propose_post(customer, city="北京"), "attachment": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert kept() == before


@pytest.mark.parametrize("name, content", ACTIVE)
def test_the_api_refuses_active_content(
    name: str, content: bytes, make_org: MakeOrg, api_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    client = api_for("compliance")
    before = kept()
    response = client.post(
        f"/api/v1/customers/{customer.pk}/change-requests/",
        {
            "changes": json.dumps({"city": "北京"}),
            "reason": "营业执照已变更",
            "attachment": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400, response.content
    assert "attachment" in response.json()
    assert kept() == before


def test_a_plain_pdf_passes_and_is_served_as_a_document(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    request = changes.change_request_propose(
        make_org(),
        demo["compliance"],
        {"city": "北京"},
        "执照",
        SimpleUploadedFile("a.html", pdf_bytes()),
    )
    response = client_for("manager1").get(f"/change-requests/{request.pk}/file/")
    assert response.status_code == 200
    # Its content decides the type, not its name; no sniffing, no scripts, no forms.
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "attachment" in response["Content-Disposition"]
