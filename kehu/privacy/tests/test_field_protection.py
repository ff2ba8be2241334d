"""SEC-3: ID numbers, personal phones and account numbers are encrypted at rest, found by
their full value through keyed digests, masked on pages, in the API and in exports, and
revealed only on an explicit, audited request with a reason."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core import crypto
from kehu.core.models import User
from kehu.customers import search, services
from kehu.customers.models import BankAccount, Contact, Customer

pytestmark = pytest.mark.django_db

ID = "110105198001011238"
PHONE = "13812345678"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def person(make_person: Callable[..., Customer]) -> Customer:
    return make_person(id_number=ID, phone=PHONE, gender="male", birth_date="1980-01-01")


@pytest.fixture
def org_with_people(make_org: Callable[..., Customer]) -> Customer:
    customer = make_org()
    services.create_contact({"customer": customer, "name": "王芳", "mobile": "13900001111"})
    services.create_bank_account(
        {
            "customer": customer,
            "account_name": customer.name,
            "bank_name": "中国银行",
            "account_number": "6222 0200 1234 5678",
        }
    )
    return customer


def test_columns_hold_ciphertext_and_digests_find_the_values(
    person: Customer, org_with_people: Customer
) -> None:
    stored = raw("customers_customer", "id_number", person.pk)
    assert stored.startswith(crypto.PREFIX) and ID not in stored
    assert PHONE not in raw("customers_customer", "phone", person.pk)
    contact = Contact.objects.get(customer=org_with_people)
    account = BankAccount.objects.get(customer=org_with_people)
    assert "13900001111" not in raw("customers_contact", "mobile", contact.pk)
    assert "1234" not in raw("customers_bankaccount", "account_number", account.pk)
    # Read back as plain values.
    assert Customer.objects.get(pk=person.pk).id_number == ID
    assert Contact.objects.get(pk=contact.pk).mobile == "13900001111"
    assert BankAccount.objects.get(pk=account.pk).account_number == "6222020012345678"
    # Nor does the search text (or its index source) hold a personal phone or ID number.
    person.refresh_from_db()
    assert PHONE not in person.search_text and ID not in person.search_text
    assert "13900001111" not in Customer.objects.get(pk=org_with_people.pk).search_text
    # Full values still find their customers (for a reader who may reveal them).
    everyone = Customer.objects.all()
    auditor = User.objects.get(username="auditor")
    assert list(search.filter_text(everyone, ID, auditor)) == [person]
    assert list(search.filter_text(everyone, "138 1234 5678", auditor)) == [person]
    assert list(search.filter_text(everyone, "13900001111", auditor)) == [org_with_people]
    assert not search.filter_text(everyone, "5678", auditor).filter(pk=person.pk).exists()


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(person: Customer) -> None:
    stored = raw("customers_customer", "id_number", person.pk)
    assert isinstance(
        crypto.decrypt(stored, "customers.customer.legal_rep_id_number"), crypto.Unreadable
    )
    with connection.cursor() as cursor:  # nor when the model reads it from that column
        cursor.execute(
            "UPDATE customers_customer SET legal_rep_id_number = %s WHERE id = %s",
            [stored, person.pk],
        )
    moved = Customer.objects.get(pk=person.pk)  # the rest of the row still reads
    assert isinstance(moved.legal_rep_id_number, crypto.Unreadable) and moved.id_number == ID


def test_the_same_id_number_cannot_be_registered_twice(
    person: Customer, make_person: Callable[..., Customer]
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_person(id_number=ID, gender="male", birth_date="1980-01-01")
    assert "id_number" in error.value.message_dict


def test_a_shared_mobile_is_still_flagged_as_a_possible_duplicate(
    org_with_people: Customer, make_person: Callable[..., Customer]
) -> None:
    other = make_person(phone="13900001111")
    from kehu.customers.models import DuplicateFlag

    flag = DuplicateFlag.objects.get(first=org_with_people, second=other)
    assert "13900001111" not in flag.detail and "139****1111" in flag.detail


_WRITE_PERSON = f"""
from kehu.audit.context import SYSTEM, acting_as
from kehu.core.demo import load_demo
from kehu.core.models import User
from kehu.customers import services
load_demo()
owner = User.objects.get(username="manager1")
with acting_as(SYSTEM):
    person = services.create_customer({{"kind": "individual", "name": "测试甲", "owner": owner,
        "unit": owner.unit, "id_number": "{ID}", "phone": "{PHONE}", "gender": "male",
        "birth_date": "1980-01-01"}})
    services.create_contact({{"customer": services.create_customer({{"kind": "organization",
        "name": "北京测试乙科技有限公司", "owner": owner, "unit": owner.unit}}),
        "name": "王芳", "mobile": "13900001111"}})
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
"""


def test_the_raw_sqlite_file_does_not_contain_an_id_number_or_phone(tmp_path: Path) -> None:
    """A database of its own (committed, on disk), written through the services: its file
    holds the customers' names but no ID number or phone."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "KEHU_DATABASE_URL"}
    env["KEHU_DATA_DIR"] = str(tmp_path)
    for args in (["migrate", "--noinput"], ["shell", "--no-startup", "-c", _WRITE_PERSON]):
        done = subprocess.run(
            [sys.executable, "-m", "kehu.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    database = tmp_path / "kehu.sqlite3"
    content = database.read_bytes()
    wal = tmp_path / "kehu.sqlite3-wal"
    content += wal.read_bytes() if wal.exists() else b""
    assert "测试甲".encode() in content and "王芳".encode() in content  # the data is there
    for secret in (ID.encode(), PHONE.encode(), b"13900001111"):
        assert secret not in content, secret


def test_stored_columns_hold_no_id_number_or_phone(
    make_person: Callable[..., Customer], make_org: Callable[..., Customer]
) -> None:
    """Every column of every model table, as the database returns it (both databases)."""
    make_person(id_number=ID, phone=PHONE, gender="male", birth_date="1980-01-01")
    services.create_contact({"customer": make_org(), "name": "王芳", "mobile": "13900001111"})
    tables = connection.introspection.django_table_names(only_existing=True)
    content = ""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            content += "\n".join(str(row) for row in cursor.fetchall())
    assert "王芳" in content
    for secret in (ID, PHONE, "13900001111"):
        assert secret not in content, secret


def test_the_data_migration_encrypts_existing_rows(person: Customer) -> None:
    from importlib import import_module

    migration = import_module("kehu.customers.migrations.0005_encrypt_sensitive_fields")
    with connection.cursor() as cursor:  # a row as written before encryption
        cursor.execute(
            "UPDATE customers_customer SET id_number = %s, phone = %s, phone_digest = '' "
            "WHERE id = %s",
            [ID, PHONE, person.pk],
        )
    assert raw("customers_customer", "id_number", person.pk) == ID
    assert Customer.objects.get(pk=person.pk).id_number == ID  # plain rows still read
    migration.encrypt_existing(django_apps, None)
    assert ID not in raw("customers_customer", "id_number", person.pk)
    assert PHONE not in raw("customers_customer", "phone", person.pk)
    assert Customer.objects.get(pk=person.pk).phone_digest
    auditor = User.objects.get(username="auditor")
    assert list(search.filter_text(Customer.objects.all(), PHONE, auditor)) == [person]


def test_card_and_lists_mask_and_reveal_is_explicit_and_audited(
    person: Customer, org_with_people: Customer, client_for: Callable[[str], Client]
) -> None:
    client = client_for("manager1")  # the owner
    card = client.get(f"/customers/{person.pk}/").content.decode()
    assert ID not in card and "110105************" in card
    assert PHONE not in card and "138****5678" in card
    assert "data-reveal" in card
    org_card = client.get(f"/customers/{org_with_people.pk}/").content.decode()
    assert "13900001111" not in org_card and "139****1111" in org_card
    assert "****5678" in org_card and "6222020012345678" not in org_card
    contacts = client.get("/contacts/").content.decode()
    assert "13900001111" not in contacts and "139****1111" in contacts
    contact = Contact.objects.get(customer=org_with_people)
    assert "13900001111" not in client.get(f"/contacts/{contact.pk}/").content.decode()

    url = f"/privacy/reveal/customers.customer/{person.pk}/id_number/"
    form = client.get(url)
    assert form.status_code == 200 and ID not in form.content.decode()
    refused = client.post(url, {"purpose": "verification", "reason": ""})
    assert refused.status_code == 400 and ID not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="customers.customer.reveal").exists()
    shown = client.post(url, {"purpose": "verification", "reason": "核对身份证原件"})
    assert shown.status_code == 200 and ID in shown.content.decode()
    event = AuditEvent.objects.get(action="customers.customer.reveal")
    assert event.actor_username == "manager1" and event.object_id == str(person.pk)
    assert event.extra["field"] == "id_number" and event.extra["reason"] == "核对身份证原件"


def test_who_may_reveal(person: Customer, client_for: Callable[[str], Client]) -> None:
    url = f"/privacy/reveal/customers.customer/{person.pk}/id_number/"
    data = {"purpose": "review", "reason": "抽查"}
    # Another account manager of the department sees the card, masked, but may not reveal.
    other = client_for("manager2")
    card = other.get(f"/customers/{person.pk}/").content.decode()
    assert "110105************" in card and "data-reveal" not in card
    assert other.post(url, data).status_code == 403
    # An ID number is CORE: the department head, who reveals phones, may not reveal it.
    assert client_for("head_sale").post(url, data).status_code == 403
    assert client_for("compliance").post(url, data).status_code == 200
    assert client_for("auditor").post(url, data).status_code == 200
    assert client_for("manager4").post(url, data).status_code == 404  # not even visible
    # Fields that are not sensitive cannot be "revealed".
    name_url = f"/privacy/reveal/customers.customer/{person.pk}/name/"
    assert client_for("manager1").get(name_url).status_code == 404


def test_an_organisation_phone_is_not_personal(
    org_with_people: Customer, client_for: Callable[[str], Client]
) -> None:
    card = client_for("manager2").get(f"/customers/{org_with_people.pk}/").content.decode()
    assert org_with_people.phone in card


def test_api_masks_and_reveals_with_a_reason(
    person: Customer, org_with_people: Customer, api_for: Callable[[str], Client]
) -> None:
    api = api_for("manager1")
    body = api.get(f"/api/v1/customers/{person.pk}/").json()
    assert body["id_number"] == "110105************" and body["phone"] == "138****5678"
    contacts = api.get(f"/api/v1/customers/{org_with_people.pk}/").json()["contacts"]
    assert contacts[0]["mobile"] == "139****1111"
    account = api.get("/api/v1/bank-accounts/").json()["results"][0]
    assert account["account_number"] == "****5678"
    # Sending back what was read keeps the stored values.
    sent = {**body, "note": "已核对"}
    sent.pop("contacts")
    updated = api.put(f"/api/v1/customers/{person.pk}/", sent, content_type="application/json")
    assert updated.status_code == 200, updated.content
    person.refresh_from_db()
    assert person.id_number == ID and person.phone == PHONE and person.note == "已核对"
    reveal = {
        "object_type": "customers.customer",
        "object_id": person.pk,
        "field": "phone",
        "purpose": "contact",
    }
    assert api.post("/api/v1/reveal/", reveal, content_type="application/json").status_code == 400
    answer = api.post(
        "/api/v1/reveal/", {**reveal, "reason": "回访"}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json() == {"value": PHONE}
    assert AuditEvent.objects.filter(action="customers.customer.reveal").count() == 1
    other = api_for("manager2").post(
        "/api/v1/reveal/", {**reveal, "reason": "回访"}, content_type="application/json"
    )
    assert other.status_code == 403


def test_exports_stay_masked(
    org_with_people: Customer, client_for: Callable[[str], Client]
) -> None:
    # The auditor may reveal CORE values (account numbers): their columns stay, masked.
    client = client_for("auditor")
    for url, plain, masked in (
        ("/contacts/export.xlsx", "13900001111", "139****1111"),
        ("/bank-accounts/export.xlsx", "6222020012345678", "****5678"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
        assert masked in values and not any(plain in v for v in values)


def test_audit_history_masks_personal_phones(person: Customer) -> None:
    event = AuditEvent.objects.get(action="customers.customer.create", object_id=str(person.pk))
    assert PHONE not in str(event.changes) and ID not in str(event.changes)


def test_edit_forms_show_masked_values_and_keep_them_when_sent_back(
    person: Customer, org_with_people: Customer, client_for: Callable[[str], Client]
) -> None:
    """Opening an edit form reveals nothing (no plain value in the page); the masked value
    sent back unchanged keeps the stored one; a typed value replaces it."""
    from kehu.customers.tests.factories import form_data

    client = client_for("manager1")
    page = client.get(f"/customers/{person.pk}/edit/").content.decode()
    assert ID not in page and PHONE not in page
    assert "110105************" in page and "138****5678" in page
    saved = client.post(f"/customers/{person.pk}/edit/", form_data(person, note="已核对"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    person.refresh_from_db()
    assert (person.id_number, person.phone, person.note) == (ID, PHONE, "已核对")
    # A re-rendered form (an error elsewhere) still shows the masked value, not the stored one.
    refused = client.post(
        f"/customers/{person.pk}/edit/", form_data(person, email="不是邮箱")
    ).content.decode()
    assert ID not in refused and "110105************" in refused
    changed = client.post(f"/customers/{person.pk}/edit/", form_data(person, phone="13987654321"))
    assert changed.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13987654321" and person.id_number == ID

    contact = Contact.objects.get(customer=org_with_people)
    page = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert "13900001111" not in page and "139****1111" in page
    data = {
        "customer": org_with_people.pk, "name": "王芳", "mobile": "139****1111",
        "role": contact.role, "note": "新备注", "_version": contact.version,
    }  # fmt: skip
    answer = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert answer.status_code == 302, answer.context["form"].errors
    contact.refresh_from_db()
    assert (contact.mobile, contact.note) == ("13900001111", "新备注")

    account = BankAccount.objects.get(customer=org_with_people)
    page = client.get(f"/bank-accounts/{account.pk}/edit/").content.decode()
    assert "6222020012345678" not in page and "****5678" in page
    data = {
        "customer": org_with_people.pk, "account_name": account.account_name,
        "bank_name": "中国银行", "account_number": "****5678", "note": "对公",
        "_version": account.version,
    }  # fmt: skip
    assert client.post(f"/bank-accounts/{account.pk}/edit/", data).status_code == 302
    account.refresh_from_db()
    assert (account.account_number, account.note) == ("6222020012345678", "对公")
    assert not AuditEvent.objects.filter(action__endswith=".reveal").exists()


def test_a_proposed_phone_is_stored_encrypted_and_shown_masked(
    person: Customer, api_for: Callable[[str], Client], client_for: Callable[[str], Client]
) -> None:
    """A change request proposing a person's phone (CUS-13) holds it like the customer does."""
    new_phone = "13700001234"
    answer = api_for("manager2").post(
        f"/api/v1/customers/{person.pk}/change-requests/",
        {"changes": {"phone": new_phone}, "reason": "客户来电更正"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["changes"] == {"phone": ["138****5678", "137****1234"]}
    from kehu.customers.models import ChangeRequest

    request = ChangeRequest.objects.get(pk=body["id"])
    stored = raw("customers_changerequest", "changes", request.pk)
    assert new_phone not in stored and PHONE not in stored
    page = client_for("manager1").get(f"/change-requests/{request.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert new_phone not in text and "137****1234" in text
    event = AuditEvent.objects.get(action="customers.changerequest.create")
    assert new_phone not in str(event.changes) and PHONE not in str(event.changes)
    decided = api_for("manager1").post(
        f"/api/v1/change-requests/{request.pk}/decision/",
        {"accept": True},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    person.refresh_from_db()
    assert person.phone == new_phone
