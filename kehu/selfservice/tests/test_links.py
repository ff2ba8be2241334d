"""Self-service update links: sent by the owner (e-mail through the outbox, or a QR code),
stored as a hash, single-use, expiring and revocable; the page shows the customer's data with
masked values only masked and the documents due; a submission becomes a change request with
its proof files (the staff upload's checks), audited with the link and the declared name;
accepted, the register is updated and the licence filed; refusals are clear and in Chinese."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import changes
from kehu.customers.models import ChangeRequest, ChangeRequestStatus, Contact, Customer
from kehu.documents.models import Document
from kehu.ops.models import Outbox
from kehu.ops.reminders import run_reminders
from kehu.selfservice import services
from kehu.selfservice.models import LinkChannel, UpdateLink
from kehu.selfservice.tests.conftest import LEGAL_REP_PHONE, pdf

pytestmark = [pytest.mark.django_db]


def email_link(customer: Customer, contact: Contact, by: User) -> tuple[UpdateLink, str]:
    return services.link_create(customer, by=by, channel=LinkChannel.EMAIL, contact=contact)


def page_url(token: str) -> str:
    return reverse("selfservice:page", args=[token])


def test_the_mail_carries_the_link_and_only_its_hash_is_stored(
    customer: Customer, contact: Contact, demo: dict[str, User]
) -> None:
    link, token = email_link(customer, contact, demo["manager1"])
    mail = Outbox.objects.get(to="wangwu@example.cn")
    assert page_url(token) in mail.body and customer.name in mail.subject
    assert link.token_digest == services.digest(token) and token not in link.token_digest
    assert link.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)
    created = AuditEvent.objects.get(action="selfservice.updatelink.create")
    assert token not in str(created.extra) and created.extra["channel"] == "email"


def test_the_page_shows_the_customers_data_masked_and_the_documents_due(
    customer: Customer, contact: Contact, other_customer: Customer, demo: dict[str, User]
) -> None:
    _link, token = email_link(customer, contact, demo["manager1"])
    page = Client().get(page_url(token))
    assert page.status_code == 200
    text = page.content.decode()
    assert customer.name in text and "北京市海淀区旧地址1号" in text
    assert LEGAL_REP_PHONE not in text and "138****5678" in text  # masked, never in full
    assert other_customer.name not in text
    assert 'data-doc-type="business_licence"' in text and "已于 2020-12-31 过期" in text
    assert customer.credit_code and customer.credit_code not in text  # not offered here


def submit(token: str, **values: Any) -> Any:
    data = {"declared_name": "王五", "registered_address": "北京市朝阳区新地址8号"} | values
    return Client().post(page_url(token), data)


def test_a_submission_becomes_a_change_request_and_the_link_is_spent(
    customer: Customer, contact: Contact, demo: dict[str, User]
) -> None:
    link, token = email_link(customer, contact, demo["manager1"])
    answer = submit(token, file_business_licence=pdf(), expires_business_licence="2036-06-30")
    assert answer.status_code == 200 and "您的更新已收到" in answer.content.decode()
    request = ChangeRequest.objects.get(customer=customer)
    assert request.proposer is None and request.declared_name == "王五"
    assert request.status == ChangeRequestStatus.PENDING
    assert changes.plain_changes(request)["registered_address"][1] == "北京市朝阳区新地址8号"
    assert f"#{link.pk}" in request.reason
    created = AuditEvent.objects.get(action="customers.changerequest.create")
    assert created.actor_username == "anonymous"
    assert created.extra["link"] == link.pk and created.extra["declared_name"] == "王五"
    assert created.extra["documents"] == ["business_licence"]
    assert AuditEvent.objects.filter(action="selfservice.updatelink.submit").count() == 1
    (proof,) = changes.proofs_of(request)
    assert proof.name == "营业执照.pdf"
    customer.refresh_from_db()
    assert customer.registered_address == "北京市海淀区旧地址1号"  # nothing changed yet
    # A second POST (a reload, a double tap) is refused and changes nothing.
    again = submit(token)
    assert again.status_code == 410
    assert "该链接已使用" in again.content.decode()
    assert ChangeRequest.objects.filter(customer=customer).count() == 1


def test_the_owner_accepts_and_the_register_and_dossier_are_updated(
    customer: Customer, contact: Contact, demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    _link, token = email_link(customer, contact, demo["manager1"])
    submit(token, file_business_licence=pdf(), expires_business_licence="2036-06-30")
    request = ChangeRequest.objects.get(customer=customer)
    owner = client_for("manager1")
    shown = owner.get(reverse("customers:change_request", args=[request.pk])).content.decode()
    assert "王五（通过更新链接）" in shown and 'id="proof-files"' in shown
    assert (
        owner.post(
            reverse("customers:change_request", args=[request.pk]), {"accept": "1"}
        ).status_code
        == 302
    )
    customer.refresh_from_db()
    assert customer.registered_address == "北京市朝阳区新地址8号"
    licence = Document.objects.get(customer=customer, doc_type__code="business_licence")
    assert licence.expires_on == datetime.date(2036, 6, 30)
    assert licence.current is not None and licence.current.number == 2
    assert licence.current.uploaded_by == demo["manager1"]
    assert (
        AuditEvent.objects.filter(
            action="documents.document.upload", object_id=str(licence.pk)
        ).count()
        == 2
    )
    assert AuditEvent.objects.filter(action="customers.changerequest.accept").exists()


def test_expired_and_revoked_links_are_refused_in_chinese(
    customer: Customer, contact: Contact, demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    expired, expired_token = email_link(customer, contact, demo["manager1"])
    UpdateLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    refused = Client().get(page_url(expired_token))
    assert refused.status_code == 410 and "该链接已过期" in refused.content.decode()
    assert customer.name not in refused.content.decode()
    revoked, revoked_token = email_link(customer, contact, demo["manager1"])
    assert client_for("manager2").post(
        reverse("selfservice:revoke", args=[revoked.pk])
    ).status_code in (403, 404)
    assert (
        client_for("manager1").post(reverse("selfservice:revoke", args=[revoked.pk])).status_code
        == 302
    )
    refused = submit(revoked_token)
    assert refused.status_code == 410 and "该链接已被撤销" in refused.content.decode()
    assert not ChangeRequest.objects.filter(customer=customer).exists()
    unknown = Client().get(page_url("x" * 43))
    assert unknown.status_code == 410 and "该链接无效" in unknown.content.decode()
    assert AuditEvent.objects.filter(action="selfservice.updatelink.revoke").count() == 1


def test_uploads_pass_the_staff_uploads_checks(
    customer: Customer, contact: Contact, demo: dict[str, User]
) -> None:
    _link, token = email_link(customer, contact, demo["manager1"])
    program = SimpleUploadedFile("执照.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    answer = submit(token, file_business_licence=program)
    assert answer.status_code == 400
    assert not ChangeRequest.objects.filter(customer=customer).exists()
    assert submit(token, registered_address="北京市海淀区旧地址1号").status_code == 400  # no change
    assert (
        "与我们保存的资料没有差异"
        in submit(token, registered_address="北京市海淀区旧地址1号").content.decode()
    )
    assert submit(token, declared_name="").status_code == 400
    assert submit(token).status_code == 200  # the link still works after refusals


def test_visits_are_rate_limited(
    customer: Customer, contact: Contact, demo: dict[str, User]
) -> None:
    _link, token = email_link(customer, contact, demo["manager1"])
    with override_settings(KEHU_UPDATE_LINK_RATE=2):
        assert Client().get(page_url(token)).status_code == 200
        assert Client().get(page_url(token)).status_code == 200
        limited = Client().get(page_url(token))
    assert limited.status_code == 429 and "请求过于频繁" in limited.content.decode()


def test_only_the_owner_side_sends_links_and_the_card_lists_them(
    customer: Customer, contact: Contact, client_for: Callable[..., Any]
) -> None:
    send = reverse("selfservice:send", args=[customer.pk])
    assert client_for("manager2").post(send, {"channel": "qr"}).status_code == 403
    assert client_for("archivist").post(send, {"channel": "qr"}).status_code == 404
    qr = client_for("manager1").post(send, {"channel": "qr"})
    assert qr.status_code == 200
    text = qr.content.decode()
    token = re.search(r"/u/([\w-]+)/", text)
    assert token is not None and "<svg" in text
    assert UpdateLink.objects.get().token_digest == services.digest(token.group(1))
    card = client_for("manager1").get(reverse("generic:customers_detail", args=[customer.pk]))
    assert (
        'id="update-links"' in card.content.decode() and token.group(1) not in card.content.decode()
    )
    mail = client_for("manager1").post(send, {"channel": "email", "contact": contact.pk})
    assert mail.status_code == 302 and Outbox.objects.filter(to=contact.email).exists()


def test_the_api_sends_lists_and_revokes(
    customer: Customer, contact: Contact, api_for: Callable[[str], Any]
) -> None:
    owner = api_for("manager1")
    url = f"/api/v1/customers/{customer.pk}/update-links/"
    created = owner.post(url, {"channel": "qr"}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert "/u/" in created.json()["url"] and created.json()["state"] == "open"
    listed = owner.get(url).json()
    assert [row["id"] for row in listed] == [created.json()["id"]] and "url" not in listed[0]
    assert (
        api_for("manager2")
        .post(url, {"channel": "qr"}, content_type="application/json")
        .status_code
        == 403
    )
    revoked = owner.post(f"/api/v1/update-links/{created.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"


def test_the_reminder_sends_a_link_only_when_enabled(
    customer: Customer, contact: Contact, demo: dict[str, User]
) -> None:
    soon = timezone.localdate() + datetime.timedelta(days=10)
    Document.objects.filter(customer=customer).update(expires_on=soon)
    run_reminders(kinds=["selfservice.licence"])
    assert not UpdateLink.objects.exists()
    with override_settings(KEHU_UPDATE_LINK_REMINDERS=True):
        run_reminders(kinds=["selfservice.licence"])
        run_reminders(kinds=["selfservice.licence"])  # once per document and expiry
    link = UpdateLink.objects.get()
    assert link.reminder == "selfservice.licence" and link.contact == contact
    assert Outbox.objects.filter(to=contact.email).count() == 1
