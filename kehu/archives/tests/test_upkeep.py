"""ARC-9: the monthly cabinet check records disinfection, damp and dust care (a check with a
problem is flagged, shown and exported); items are filed into a dossier only after an
accepted check before filing (authenticity, completeness, accuracy), on the page, in the
service and in the API."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from kehu.api.services import create_token
from kehu.archives import check_register, reviews, services
from kehu.archives.models import (
    ArchiveCategory,
    ArchivingReview,
    Cabinet,
    CabinetCheck,
    Dossier,
    DossierItem,
)
from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers.models import Customer

TODAY = datetime.date.today()
ALL_DONE = {
    "checked_on": TODAY.isoformat(),
    "lock_ok": "on",
    "damp_ok": "on",
    "disinfected": "on",
    "dust_ok": "on",
}
ACCEPTED = {"authentic": True, "complete": True, "accurate": True, "outcome": "accepted"}


def api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 't')[1]}")


@pytest.fixture
def cabinet(demo: dict[str, User]) -> Cabinet:
    return services.audited_create(Cabinet(code="G20", name="二十号档案柜", shelves=3))


@pytest.fixture
def dossier(make_active: Callable[..., Customer]) -> Dossier:
    return Dossier.objects.get(customer=make_active())


def item_data(dossier: Dossier, title: str = "营业执照复印件") -> dict[str, object]:
    return {
        "dossier": dossier,
        "category": ArchiveCategory.objects.get(code="basic"),
        "title": title,
    }


# --- cabinet care ----------------------------------------------------------------------


@pytest.mark.django_db
def test_check_with_all_care_done_is_not_flagged(
    cabinet: Cabinet, client_for: Callable[[str], Client]
) -> None:
    response = client_for("archivist").post(f"/cabinets/{cabinet.pk}/check/", ALL_DONE)
    assert response.status_code == 302
    check = CabinetCheck.objects.get(cabinet=cabinet)
    assert (check.damp_ok, check.disinfected, check.dust_ok) == (True, True, True)
    assert not check.has_problem
    event = AuditEvent.objects.filter(action="archives.cabinet.check").latest("seq")
    assert event.extra["disinfected"] is True and event.extra["has_problem"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "left_out, note", [("disinfected", "disinfection_note"), ("dust_ok", "dust_note")]
)
def test_care_not_done_needs_its_note_and_flags_the_check(
    cabinet: Cabinet,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    left_out: str,
    note: str,
) -> None:
    client = client_for("archivist")
    data = {k: v for k, v in ALL_DONE.items() if k != left_out}
    client.post(f"/cabinets/{cabinet.pk}/check/", data)
    assert not CabinetCheck.objects.exists()  # nothing stored without the note

    client.post(f"/cabinets/{cabinet.pk}/check/", data | {note: "消毒剂用完，下周补做"})
    check = CabinetCheck.objects.get(cabinet=cabinet)
    assert check.has_problem
    assert getattr(check, left_out) is False
    assert getattr(check, note) == "消毒剂用完，下周补做"
    assert Notification.objects.filter(
        user=demo["archivist"], title__contains="G20", body__contains="消毒剂用完"
    ).exists()

    page = client.get(f"/cabinets/{cabinet.pk}/").content.decode()
    assert 'data-problem="1"' in page and "消毒剂用完，下周补做" in page


@pytest.mark.django_db
def test_the_service_refuses_a_missing_note_beside_its_field(cabinet: Cabinet) -> None:
    archivist = User.objects.get(username="archivist")
    with pytest.raises(ValidationError) as refused:
        services.record_check(
            cabinet,
            archivist,
            checked_on=TODAY,
            lock_ok=True,
            damp_ok=False,
            disinfected=True,
            dust_ok=False,
        )
    assert set(refused.value.message_dict) == {"damp_note", "dust_note"}
    assert not CabinetCheck.objects.exists()


@pytest.mark.django_db
def test_check_register_filters_problems_and_exports_the_care(
    cabinet: Cabinet, client_for: Callable[[str], Client]
) -> None:
    client = client_for("archivist")
    client.post(f"/cabinets/{cabinet.pk}/check/", ALL_DONE)
    client.post(
        f"/cabinets/{cabinet.pk}/check/",
        {k: v for k, v in ALL_DONE.items() if k != "dust_ok"} | {"dust_note": "柜顶积灰"},
    )
    problems = client.get("/archives/cabinet-checks/", {"has_problem": "true"})
    assert problems.status_code == 200
    assert [c.has_problem for c in problems.context["page"].rows] == [True]
    assert len(client.get("/archives/cabinet-checks/").context["page"].rows) == 2

    export = client.get("/archives/cabinet-checks/export/", {"cabinet": cabinet.pk})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values[1]) == len(check_register.COLUMNS)  # headers in the reader's language
    assert any("柜顶积灰" in row for row in values[2:])
    assert AuditEvent.objects.filter(action="archives.cabinetcheck.export").exists()
    assert client_for("manager1").get("/archives/cabinet-checks/").status_code == 403


@pytest.mark.django_db
def test_api_records_the_care_items(cabinet: Cabinet, demo: dict[str, User]) -> None:
    client = api(demo["archivist"])
    url = f"/api/v1/cabinets/{cabinet.pk}/checks/"
    body = {"checked_on": TODAY.isoformat(), "lock_ok": True, "damp_ok": True}
    missing = client.post(url, body, content_type="application/json")
    assert missing.status_code == 400 and "disinfected" in missing.json()
    created = client.post(
        url,
        body | {"disinfected": False, "disinfection_note": "未消毒", "dust_ok": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["has_problem"] is True
    assert client.get(url).json()[0]["disinfection_note"] == "未消毒"


# --- the check before filing -----------------------------------------------------------


@pytest.mark.django_db
def test_filing_is_refused_without_an_accepted_review(dossier: Dossier) -> None:
    archivist = User.objects.get(username="archivist")
    with pytest.raises(ValidationError) as refused:
        services.file_item(item_data(dossier))
    assert "dossier" in refused.value.message_dict
    assert not DossierItem.objects.filter(dossier=dossier).exists()

    returned = reviews.record_review(
        dossier,
        archivist,
        {
            "authentic": True,
            "complete": False,
            "completeness_note": "缺开户许可证",
            "accurate": True,
            "outcome": "returned",
            "reason": "请补齐开户许可证",
        },
    )
    with pytest.raises(ValidationError) as still_refused:
        services.file_item(item_data(dossier))
    assert "请补齐开户许可证" in still_refused.value.message_dict["dossier"][0]

    accepted = reviews.record_review(dossier, archivist, ACCEPTED)
    item = services.file_item(item_data(dossier))
    assert item.review == accepted
    assert returned.items.count() == 0 and accepted.items.count() == 1
    events = AuditEvent.objects.filter(action="archives.dossier.review", object_id=str(dossier.pk))
    assert [e.extra["outcome"] for e in events.order_by("seq")] == ["returned", "accepted"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        (ACCEPTED | {"accurate": False, "accuracy_note": "金额不符"}, "outcome"),
        (ACCEPTED | {"authentic": False}, "authenticity_note"),
        ({**ACCEPTED, "outcome": "returned"}, "reason"),
        ({**ACCEPTED, "outcome": ""}, "outcome"),
    ],
)
def test_review_rules(dossier: Dossier, data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        reviews.record_review(dossier, User.objects.get(username="archivist"), data)
    assert field in refused.value.message_dict
    assert not ArchivingReview.objects.exists()


@pytest.mark.django_db
def test_review_page_and_filing_page(dossier: Dossier, client_for: Callable[[str], Client]) -> None:
    client = client_for("archivist")
    basic = ArchiveCategory.objects.get(code="basic")
    item = {"dossier": dossier.pk, "category": basic.pk, "title": "购销合同", "medium": "paper"}
    refused = client.post("/archive-items/add/", item)
    assert refused.status_code == 400
    assert refused.context["form"].errors["dossier"]

    url = f"/dossiers/{dossier.pk}/review/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"authentic": "on", "complete": "on", "outcome": "accepted"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["accuracy_note"]
    ok = client.post(
        url, {"authentic": "on", "complete": "on", "accurate": "on", "outcome": "accepted"}
    )
    assert ok.status_code == 302

    assert client.post("/archive-items/add/", item).status_code == 302
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert 'data-outcome="accepted"' in page and "购销合同" in page
    assert client_for("manager1").get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_review_api(dossier: Dossier, demo: dict[str, User]) -> None:
    client = api(demo["archivist"])
    url = f"/api/v1/dossiers/{dossier.pk}/reviews/"
    returned = client.post(
        url,
        {
            "authentic": True,
            "complete": True,
            "accurate": False,
            "accuracy_note": "地址与执照不一致",
            "outcome": "accepted",
        },
        content_type="application/json",
    )
    assert returned.status_code == 400 and "outcome" in returned.json()
    created = client.post(url, ACCEPTED, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["reviewed_by"] == "archivist"
    assert client.get(url).json()[0]["outcome"] == "accepted"
    assert (
        api(demo["head_sale"]).post(url, ACCEPTED, content_type="application/json").status_code
        == 403
    )
