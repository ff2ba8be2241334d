"""ARC-3/ARC-4 and the demo: cabinets, locations, monthly checks with a reminder when due,
printable folder label, location index and catalogue (archive number as PDF text), the
filing register and catalogue lists; demo customers carry their numbers."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from kehu.archives import services
from kehu.archives.models import ArchiveCategory, Cabinet, Dossier
from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.ops.reminders import run_reminders
from tests.record_type_samples import accepted_for_filing


def pdf_text(content: bytes) -> str:
    """The PDF's text with line breaks removed (table cells wrap long codes)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


@pytest.fixture
def placed(demo: dict[str, User], make_active: Callable[..., Customer]) -> Dossier:
    cabinet = services.audited_create(
        Cabinet(code="G09", name="九号档案柜", room="档案室", shelves=4)
    )
    dossier = Dossier.objects.get(customer=make_active())
    values = {"cabinet": cabinet, "shelf": 2, "position": "03", "custodian": demo["archivist"]}
    dossier = services.update_dossier(dossier, values, None)
    services.file_item(
        {
            "dossier": accepted_for_filing(dossier),
            "category": ArchiveCategory.objects.get(code="basic"),
            "title": "营业执照复印件",
            "pages": 2,
        }
    )
    return dossier


@pytest.mark.django_db
def test_folder_label_index_and_catalogue_carry_the_archive_number(
    placed: Dossier, client_for: Callable[[str], Client]
) -> None:
    client = client_for("archivist")
    label = client.get(f"/dossiers/{placed.pk}/label.pdf")
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    text = pdf_text(label.content)
    assert placed.archive_number in text
    assert placed.customer.name in text
    assert "赵敏" in text  # the custodian
    index = client.get(f"/cabinets/{placed.cabinet_id}/index.pdf")
    text = pdf_text(index.content)
    assert placed.archive_number in text and placed.customer.name in text
    catalogue = pdf_text(client.get(f"/dossiers/{placed.pk}/catalogue.pdf").content)
    assert placed.archive_number in catalogue and "营业执照复印件" in catalogue
    prints = AuditEvent.objects.filter(action__endswith=".print")
    assert prints.count() == 3
    # Outside the scope: the account manager of SH-SALE sees no such dossier.
    assert client_for("manager4").get(f"/dossiers/{placed.pk}/label.pdf").status_code == 404


@pytest.mark.django_db
def test_location_shows_on_dossier_and_card(
    placed: Dossier, client_for: Callable[[str], Client]
) -> None:
    page = client_for("archivist").get(f"/dossiers/{placed.pk}/").content.decode()
    assert "G09" in page and placed.archive_number in page
    card = client_for("manager1").get(f"/customers/{placed.customer_id}/").content.decode()
    assert "G09" in card


@pytest.mark.django_db
def test_shelf_beyond_the_cabinet_is_refused(
    placed: Dossier, client_for: Callable[[str], Client]
) -> None:
    client = client_for("archivist")
    data = {
        "title": placed.title,
        "category": placed.category_id,
        "confidentiality": "normal",
        "cabinet": placed.cabinet_id,
        "shelf": 9,
        "_version": placed.version,
    }
    response = client.post(f"/dossiers/{placed.pk}/edit/", data)
    assert response.status_code == 400
    assert "shelf" in response.context["form"].errors


CABINET = "archives.cabinet_check"


@pytest.mark.django_db
def test_monthly_check_and_reminder_when_due(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    cabinet = services.audited_create(Cabinet(code="G10", name="十号档案柜", shelves=3))
    today = datetime.date.today()
    # Never checked: due at once, reminded once.
    assert run_reminders(today, [CABINET]) == {CABINET: 1}
    assert run_reminders(today, [CABINET]) == {CABINET: 0}
    assert Notification.objects.filter(user=demo["archivist"], title__contains="G10").count() == 1
    client = client_for("archivist")
    response = client.post(
        f"/cabinets/{cabinet.pk}/check/",
        {
            "checked_on": today.isoformat(),
            "lock_ok": "on",
            "damp_ok": "on",
            "disinfected": "on",
            "dust_ok": "on",
        },
    )
    assert response.status_code == 302
    cabinet.refresh_from_db()
    assert cabinet.last_checked_on == today
    assert services.next_check_due(cabinet) == services.add_month(today)
    assert run_reminders(today + datetime.timedelta(days=5), [CABINET]) == {CABINET: 0}
    later = services.add_month(today)
    assert run_reminders(later, [CABINET]) == {CABINET: 1}
    # A problem needs a note; with one, the archivists are told.
    refused = client.post(f"/cabinets/{cabinet.pk}/check/", {"checked_on": today.isoformat()})
    assert refused.status_code == 302 and cabinet.checks.count() == 1
    client.post(
        f"/cabinets/{cabinet.pk}/check/",
        {
            "checked_on": today.isoformat(),
            "lock_ok": "on",
            "disinfected": "on",
            "dust_ok": "on",
            "damp_note": "柜内潮湿，已放干燥剂",
        },
    )
    assert cabinet.checks.count() == 2
    assert AuditEvent.objects.filter(action="archives.cabinet.check").count() == 2
    assert Notification.objects.filter(
        body="柜内潮湿，已放干燥剂", title__contains=cabinet.code
    ).exists()
    # Account managers hold no archive permission.
    forbidden = client_for("manager1").post(f"/cabinets/{cabinet.pk}/check/", {})
    assert forbidden.status_code == 403


@pytest.mark.django_db
def test_register_and_catalogue_filter_and_export(
    placed: Dossier, client_for: Callable[[str], Client]
) -> None:
    client = client_for("archivist")
    register = client.get("/archive-items/", {"category": placed.category_id, "size": 200})
    assert register.status_code == 200
    assert "营业执照复印件" in register.content.decode()
    export = client.get("/archive-items/export.xlsx", {"year": str(datetime.date.today().year)})
    assert export.status_code == 200
    catalogue = client.get("/dossiers/", {"numbered": "true", "cabinet": str(placed.cabinet_id)})
    assert placed.archive_number in catalogue.content.decode()
    assert client.get("/dossiers/", {"kept_apart": "true"}).context["page"].rows == []


@pytest.mark.django_db
def test_settings_page_changes_the_pattern(client_for: Callable[[str], Client]) -> None:
    client = client_for("archivist")
    page = client.get("/archives/settings/")
    assert page.status_code == 200
    data = {
        "number_pattern": "{year}-{seq}",
        "fonds_code": "KH01",
        "loan_days": 14,
        "confidential_loan_working_days": 5,
        "_version": 1,
    }
    bad = client.post("/archives/settings/", {**data, "number_pattern": "{year}-{dept}"})
    assert bad.status_code == 400
    assert client.post("/archives/settings/", data).status_code == 302
    assert client_for("manager1").get("/archives/settings/").status_code == 403


@pytest.mark.django_db
def test_demo_active_customers_carry_numbers(demo: dict[str, User]) -> None:
    from kehu.archives import demo as archive_demo
    from kehu.customers import demo as customer_demo
    from kehu.documents import demo as document_demo

    customer_demo.load(40)
    document_demo.load()
    assert archive_demo.load() > 0
    active = Customer.objects.filter(status="active")
    assert active.exists()
    numbered = Dossier.objects.filter(customer__in=active).exclude(archive_number="")
    assert numbered.count() == active.count()
    assert Cabinet.objects.count() == 3
    assert Dossier.objects.filter(cabinet__isnull=False).exists()
    assert archive_demo.load() == 0  # once


@pytest.mark.django_db
def test_register_and_catalogue_print_with_the_list_filters(
    placed: Dossier, client_for: Callable[[str], Client]
) -> None:
    client = client_for("archivist")
    page = client.get("/archive-items/").content.decode()
    assert "/archive-items/register.pdf?" in page
    register = client.get("/archive-items/register.pdf", {"q": "营业执照复印件"})
    text = pdf_text(register.content)
    assert "营业执照复印件" in text and placed.archive_number in text
    catalogue = pdf_text(client.get("/dossiers/catalogue.pdf", {"numbered": "true"}).content)
    assert placed.archive_number in catalogue
    events = AuditEvent.objects.filter(
        action__in=["archives.dossieritem.print", "archives.dossier.print"]
    )
    assert events.count() == 2
    assert client_for("manager1").get("/dossiers/catalogue.pdf").status_code == 403


@pytest.mark.django_db
def test_the_catalogue_and_the_register_lists_link_their_printed_versions(
    client_for: Callable[[str], Client],
) -> None:
    """Each list's PDF button prints the rows the list shows: its own query string."""
    client = client_for("archivist")
    for list_url, pdf_url in (("/dossiers/", "catalogue_pdf"), ("/archive-items/", "register_pdf")):
        page = client.get(list_url, {"q": "样例"}).content.decode()
        assert f'id="print-link" href="{reverse(f"archives:{pdf_url}")}?q=' in page
    assert 'id="print-link"' not in client.get("/cabinets/").content.decode()
