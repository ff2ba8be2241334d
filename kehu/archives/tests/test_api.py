"""The archive API: cabinet checks, holds, borrowing, disposition and destruction — same
services and policy as the pages; the OpenAPI schema describes them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from kehu.api.services import create_token
from kehu.archives import services
from kehu.archives.models import ArchiveCategory, Cabinet, Dossier, Loan
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.services import change_status
from tests.record_type_samples import accepted_for_filing


def api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 't')[1]}")


@pytest.mark.django_db
def test_archive_api_end_to_end(
    demo: dict[str, User], make_active: Callable[..., Customer]
) -> None:
    archivist, gm = api(demo["archivist"]), api(demo["gm"])
    customer = make_active()
    dossier = Dossier.objects.get(customer=customer)
    cabinet = services.audited_create(Cabinet(code="G77", name="七七柜", shelves=2))
    check = {
        "checked_on": datetime.date.today().isoformat(),
        "lock_ok": True,
        "damp_ok": True,
        "disinfected": True,
        "dust_ok": True,
    }
    assert (
        archivist.post(
            f"/api/v1/cabinets/{cabinet.pk}/checks/", check, content_type="application/json"
        ).status_code
        == 201
    )
    assert (
        api(demo["manager1"])
        .post(f"/api/v1/cabinets/{cabinet.pk}/checks/", check, content_type="application/json")
        .status_code
        == 403
    )

    hold = archivist.post(
        f"/api/v1/dossiers/{dossier.pk}/holds/",
        {"name": "诉讼", "reason": "案件审理中"},
        content_type="application/json",
    )
    assert hold.status_code == 201 and hold.json()["active"]
    lifted = gm.post(
        f"/api/v1/holds/{hold.json()['id']}/lift/",
        {"reason": "结案"},
        content_type="application/json",
    )
    assert lifted.status_code == 200 and not lifted.json()["active"]

    borrower = api(demo["manager3"])
    created = borrower.post(
        "/api/v1/loans/",
        {"archive_number": dossier.archive_number, "kind": "electronic", "purpose": "查阅"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "requested" and created.json()["case_number"]
    assert [row["id"] for row in borrower.get("/api/v1/loans/").json()] == [created.json()["id"]]
    assert api(demo["manager4"]).get(f"/api/v1/loans/{created.json()['id']}/").status_code == 404
    assert Loan.objects.count() == 1

    item = services.file_item(
        {
            "dossier": accepted_for_filing(dossier),
            "category": ArchiveCategory.objects.get(code="complaints"),
            "title": "投诉",
        }
    )
    change_status(customer, "past", "停止合作", demo["manager1"])
    Dossier.objects.filter(pk=dossier.pk).update(closed_on=datetime.date(2010, 3, 1))
    due = archivist.get("/api/v1/disposition/").json()
    assert [row["item"] for row in due] == [item.pk]
    proposed = archivist.post(
        "/api/v1/destructions/",
        {"items": [item.pk], "reason": "期满", "method": "shredding"},
        content_type="application/json",
    )
    assert proposed.status_code == 201, proposed.content
    entry = proposed.json()
    refused = archivist.post(
        f"/api/v1/destructions/{entry['id']}/execute/",
        {"witnesses": ["finance", "credit"]},
        content_type="application/json",
    )
    assert refused.status_code == 400  # not approved yet
    from kehu.workflow.models import Step

    step = Step.objects.get(case_id=entry["case_id"], status="open")
    assert (
        gm.post(
            f"/api/v1/tasks/{step.pk}/complete/",
            {"outcome": "approved"},
            content_type="application/json",
        ).status_code
        == 200
    )
    done = archivist.post(
        f"/api/v1/destructions/{entry['id']}/execute/",
        {"witnesses": ["finance", "credit"]},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "executed" and done.json()["items"] == [item.reference_code]

    schema = archivist.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/destructions/" in schema.content and b"/api/v1/loans/" in schema.content
