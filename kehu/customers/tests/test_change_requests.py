"""Change requests (CUS-13): whoever may see a customer proposes a correction with a
supporting file (checked by its content); the owner or the department head — never the
proposer — accepts (applying and auditing the change) or rejects (with a note); a stale
proposal is refused; the people concerned are notified."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from kehu.audit.models import AuditEvent
from kehu.core import crypto, keyrotation
from kehu.core.models import Notification, User
from kehu.customers import changes, services
from kehu.customers.forms import ChangeRequestForm
from kehu.customers.models import ChangeRequest, ChangeRequestStatus, Customer
from kehu.customers.tests.factories import credit_code, person_data
from kehu.customers.views import CHANGE_REQUESTS_PER_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def notified(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


def propose_post(
    customer: Customer, reason: str = "营业执照已变更", **changed: Any
) -> dict[str, Any]:
    """The proposal form as the page posts it: the current data with `changed` applied."""
    form = ChangeRequestForm(instance=customer)
    data: dict[str, Any] = {}
    for name in ChangeRequestForm.Meta.fields:
        value = form.initial.get(name)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    data.update(changed, reason=reason)
    return data


# --- proposing ---------------------------------------------------------------------------


def test_a_viewer_proposes_with_a_file_and_the_responsible_are_notified(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org(registered_capital="500万")
    client = client_for("compliance")
    assert client.get(f"/customers/{customer.pk}/propose/").status_code == 200
    data = propose_post(customer, city="北京", registered_capital="1000万")
    response = client.post(
        f"/customers/{customer.pk}/propose/",
        {**data, "attachment": upload("营业执照.pdf", PDF)},
    )
    request = ChangeRequest.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == f"/change-requests/{request.pk}/"
    assert request.proposer == demo["compliance"]
    assert request.status == ChangeRequestStatus.PENDING
    assert request.changes == {
        "registered_capital": ["5000000.00", "10000000.00"],
        "city": ["", "北京"],
    }
    assert request.attachment_name == "营业执照.pdf"
    assert request.attachment.read() == PDF
    # Nothing changed yet.
    assert Customer.objects.get(pk=customer.pk).city == ""
    event = AuditEvent.objects.get(
        action="customers.changerequest.create", object_id=str(request.pk)
    )
    assert event.actor_username == "compliance" and event.extra["customer"] == customer.pk
    # The owner and the department head are told; the proposer is not.
    for user in ("manager1", "head_sale"):
        (note,) = notified(demo[user])
        assert customer.name in note.title and note.link == f"/change-requests/{request.pk}/"
    assert notified(demo["compliance"]) == []
    # The request shows on the card and waits on the owner's list.
    card = client_for("manager1").get(f"/customers/{customer.pk}/").content.decode()
    assert f"/change-requests/{request.pk}/" in card
    waiting = client_for("manager1").get("/change-requests/")
    assert list(waiting.context["waiting"].rows) == [request]
    assert list(client_for("compliance").get("/change-requests/").context["mine"].rows) == [request]


@pytest.mark.parametrize("user", ["manager2", "credit", "gm", "head_sale"])
def test_anyone_who_sees_the_customer_may_propose(
    user: str, demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    response = client_for(user).post(
        f"/customers/{customer.pk}/propose/", propose_post(customer, city="北京")
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get(customer=customer).proposer == demo[user]


@pytest.mark.parametrize("user, code", [("auditor", 403), ("manager3", 404), ("archivist", 404)])
def test_others_may_not_propose(
    user: str, code: int, make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    client = client_for(user)
    assert client.get(f"/customers/{customer.pk}/propose/").status_code == code
    response = client.post(
        f"/customers/{customer.pk}/propose/", propose_post(customer, city="北京")
    )
    assert response.status_code == code
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("scan.pdf", b"MZ\x90\x00 this is a program, not a PDF"),
        ("scan.pdf", b"<html>%PDF-</html>"),
        ("photo.jpg", PNG[:4] + b"not really"),
        ("notes.txt", b"plain text"),
        ("empty.pdf", b""),
    ],
)
def test_the_file_is_checked_by_its_content_not_its_name(
    name: str, content: bytes, make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    before = (ChangeRequest.objects.count(), AuditEvent.objects.count())
    client = client_for("compliance")
    before = (ChangeRequest.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"/customers/{customer.pk}/propose/",
        {**propose_post(customer, city="北京"), "attachment": upload(name, content)},
    )
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert (ChangeRequest.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("name, content", [("a.png", PNG), ("b.jpeg", JPEG), ("c.bin", PDF)])
def test_pdf_png_and_jpeg_are_accepted(
    name: str, content: bytes, demo: dict[str, User], make_org: MakeOrg
) -> None:
    request = changes.change_request_propose(
        make_org(), demo["compliance"], {"city": "北京"}, "核实", upload(name, content)
    )
    assert request.attachment_name == name


def test_a_proposal_needs_a_reason_and_a_difference(
    demo: dict[str, User], make_org: MakeOrg
) -> None:
    customer = make_org()
    with pytest.raises(ValidationError) as raised:
        changes.change_request_propose(customer, demo["compliance"], {"city": "北京"}, "  ")
    assert "reason" in raised.value.message_dict
    with pytest.raises(ValidationError):
        changes.change_request_propose(
            customer, demo["compliance"], {"name": customer.name}, "没有变化"
        )
    # Values are validated like any entry.
    with pytest.raises(ValidationError) as raised:
        changes.change_request_propose(customer, demo["compliance"], {"phone": "12345"}, "电话有误")
    assert "phone" in raised.value.message_dict
    # Owner, department and status are not corrections.
    with pytest.raises(ValidationError):
        changes.change_request_propose(customer, demo["compliance"], {"status": "active"}, "状态")
    assert not ChangeRequest.objects.exists()


# --- deciding ----------------------------------------------------------------------------


def decide_post(client: Client, request: ChangeRequest, accept: bool, note: str = "") -> Any:
    return client.post(
        f"/change-requests/{request.pk}/",
        {"accept": "1" if accept else "0", "decision_note": note},
    )


def test_the_owner_accepts_and_the_change_is_applied_and_audited(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    request = changes.change_request_propose(
        customer,
        demo["compliance"],
        {"city": "北京", "founded_on": "2001年2月3日", "registered_capital": "2亿"},
        "执照",
        upload("a.pdf", PDF),
    )
    Notification.objects.all().delete()
    client = client_for("manager1")
    page = client.get(f"/change-requests/{request.pk}/")
    assert page.status_code == 200 and page.context["can_decide"]
    response = decide_post(client, request, accept=True, note="已核对执照")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.ACCEPTED
    assert request.decided_by == demo["manager1"] and request.decided_at is not None
    fresh = Customer.objects.get(pk=customer.pk)
    assert fresh.city == "北京"
    assert fresh.founded_on == datetime.date(2001, 2, 3)
    assert str(fresh.registered_capital) == "200000000.00"
    assert fresh.version == customer.version + 1
    update = AuditEvent.objects.get(action="customers.customer.update", object_id=str(customer.pk))
    assert update.changes["city"] == ["", "北京"] and update.actor_username == "manager1"
    accept = AuditEvent.objects.get(
        action="customers.changerequest.accept", object_id=str(request.pk)
    )
    assert accept.extra["note"] == "已核对执照"
    # The proposer and the department head hear of it; the owner decided it himself.
    for user in ("compliance", "head_sale"):
        assert len(notified(demo[user])) == 1, user
    assert notified(demo["manager1"]) == []
    assert "已核对执照" in notified(demo["compliance"])[0].body
    # Decided: no second decision.
    assert decide_post(client, request, accept=False, note="改主意").status_code == 200
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequestStatus.ACCEPTED


def test_the_department_head_may_decide_for_the_owner(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    request = changes.change_request_propose(
        customer, demo["manager2"], {"city": "天津"}, "电话核实"
    )
    response = decide_post(client_for("head_sale"), request, accept=False, note="无依据")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.REJECTED
    assert request.decision_note == "无依据"
    assert Customer.objects.get(pk=customer.pk).city == ""
    assert AuditEvent.objects.filter(
        action="customers.changerequest.reject", object_id=str(request.pk)
    ).exists()
    assert any(n.body == "无依据" for n in notified(demo["manager2"]))


@pytest.mark.parametrize("user, code", [("manager2", 403), ("gm", 403), ("auditor", 403),
                                        ("compliance", 403), ("manager3", 404)])  # fmt: skip
def test_others_may_not_decide(
    user: str, code: int, demo: dict[str, User], make_org: MakeOrg,
    client_for: Callable[[str], Client],
) -> None:  # fmt: skip
    customer = make_org()
    request = changes.change_request_propose(customer, demo["credit"], {"city": "北京"}, "核实")
    client = client_for(user)
    if code == 403:
        assert not client.get(f"/change-requests/{request.pk}/").context["can_decide"]
    assert decide_post(client, request, accept=True).status_code == code
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequestStatus.PENDING


def test_the_proposer_never_decides_even_as_owner(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    request = changes.change_request_propose(
        customer, demo["manager1"], {"city": "北京"}, "自己发现的"
    )
    client = client_for("manager1")
    assert not client.get(f"/change-requests/{request.pk}/").context["can_decide"]
    assert decide_post(client, request, accept=True).status_code == 403
    with pytest.raises(ValidationError):
        changes.change_request_decide(request, by=demo["manager1"], accept=True)
    assert list(client.get("/change-requests/").context["waiting"].rows) == []
    # The head decides it instead.
    changes.change_request_decide(request, by=demo["head_sale"], accept=True)
    assert Customer.objects.get(pk=customer.pk).city == "北京"


def test_rejection_needs_a_note_and_the_page_says_so(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    request = changes.change_request_propose(customer, demo["compliance"], {"city": "北京"}, "核实")
    with pytest.raises(ValidationError) as raised:
        changes.change_request_decide(request, by=demo["manager1"], accept=False, note="  ")
    assert "decision_note" in raised.value.message_dict
    response = decide_post(client_for("manager1"), request, accept=False, note="")
    assert response.status_code == 200
    message = raised.value.message_dict["decision_note"][0]
    assert message in response.content.decode()  # shown, not swallowed
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequestStatus.PENDING


def test_a_stale_proposal_is_refused(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    request = changes.change_request_propose(customer, demo["compliance"], {"city": "北京"}, "核实")
    services.update_customer(customer, {"city": "上海"}, customer.version)
    with pytest.raises(ValidationError):
        changes.change_request_decide(request, by=demo["manager1"], accept=True)
    response = decide_post(client_for("manager1"), request, accept=True)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Customer.objects.get(pk=customer.pk).city == "上海"
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequestStatus.PENDING
    # A change of another field does not make the proposal stale.
    other = changes.change_request_propose(
        customer, demo["compliance"], {"province": "上海市"}, "核实"
    )
    services.update_customer(Customer.objects.get(pk=customer.pk), {"phone": "13911112222"}, None)
    changes.change_request_decide(other, by=demo["manager1"], accept=True)
    assert Customer.objects.get(pk=customer.pk).province == "上海市"


def test_accepting_a_code_registered_meanwhile_is_refused_on_the_page(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org(credit_code="")
    code = credit_code()
    request = changes.change_request_propose(
        customer, demo["compliance"], {"credit_code": code}, "执照"
    )
    make_org(owner="manager2", credit_code=code)  # registered before the decision
    response = decide_post(client_for("manager1"), request, accept=True)
    assert response.status_code == 200
    assert "credit_code" not in response.context["form"].fields
    assert response.context["form"].non_field_errors()
    assert Customer.objects.get(pk=customer.pk).credit_code is None
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequestStatus.PENDING


def test_the_file_download_is_scoped_and_audited(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    customer = make_org()
    request = changes.change_request_propose(
        customer, demo["compliance"], {"city": "北京"}, "执照", upload("执照.pdf", PDF)
    )
    response = client_for("manager1").get(f"/change-requests/{request.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(
        action="customers.changerequest.download", object_id=str(request.pk)
    ).exists()
    assert client_for("manager3").get(f"/change-requests/{request.pk}/file/").status_code == 404


def test_a_merged_customers_requests_follow_the_survivor(
    demo: dict[str, User], make_org: MakeOrg
) -> None:
    from kehu.customers import duplicates

    keep, gone = make_org(credit_code=""), make_org()
    request = changes.change_request_propose(gone, demo["compliance"], {"city": "北京"}, "核实")
    duplicates.merge(keep, gone, "重复", demo["head_sale"])
    request.refresh_from_db()
    assert request.customer == keep
    changes.change_request_decide(request, by=demo["manager1"], accept=True)
    assert Customer.objects.get(pk=keep.pk).city == "北京"


def test_both_lists_page_through_every_request(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    """More requests than a page holds: each list pages on its own, newest first, and
    every request appears exactly once."""
    customer = make_org()
    total = CHANGE_REQUESTS_PER_PAGE + 7
    ChangeRequest.objects.bulk_create(
        ChangeRequest(
            customer=customer,
            proposer=demo["compliance"],
            changes={"phone": ["", f"0106{n:07d}"]},
            reason=f"理由{n}",
        )
        for n in range(total)
    )
    created = list(
        ChangeRequest.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    for user, name in (("manager1", "waiting"), ("compliance", "mine")):
        client = client_for(user)
        first = client.get("/change-requests/")
        page = first.context[name]
        assert page.total == total and len(page.rows) == CHANGE_REQUESTS_PER_PAGE
        html = first.content.decode()
        assert f'id="{name}-count">{total}<' in html
        match = re.search(rf'id="{name}-next" href="\?{name}_after=([^"]+)"', html)
        assert match, f"{name}: a link to the next page"
        second = client.get("/change-requests/", {f"{name}_after": match[1]}).context[name]
        shown = [r.pk for r in page.rows] + [r.pk for r in second.rows]
        assert shown == created
        assert second.next_cursor is None and second.prev_cursor


def test_an_encrypted_proposal_moved_to_another_request_does_not_decrypt(
    demo: dict[str, User],
) -> None:
    person = services.create_customer(person_data(demo["manager1"], phone="13500000000"))
    one = changes.change_request_propose(
        person, demo["compliance"], {"phone": "13511112222"}, "核实"
    )
    two = changes.change_request_propose(
        person, demo["compliance"], {"phone": "13533334444"}, "核实"
    )
    sealed_one, sealed_two = one.changes["phone"], two.changes["phone"]
    assert ":r:" in sealed_one[1] and "1351111" not in str(sealed_one)
    assert changes.plain_changes(one)["phone"] == ["13500000000", "13511112222"]

    # Another request's proposed value, or the current and proposed swapped: unreadable.
    ChangeRequest.objects.filter(pk=one.pk).update(
        changes={"phone": [sealed_one[0], sealed_two[1]]}
    )
    ChangeRequest.objects.filter(pk=two.pk).update(
        changes={"phone": [sealed_two[1], sealed_two[0]]}
    )
    for request in (one, two):
        request.refresh_from_db()
        plain = changes.plain_changes(request)["phone"]
        assert isinstance(plain[1], crypto.Unreadable)
    with pytest.raises(ValidationError, match="无法解密"):
        changes.change_request_decide(
            one, by=demo["manager1"], accept=True
        )  # never applies a moved value
    assert Customer.objects.get(pk=person.pk).phone == "13500000000"

    # Values written before the binding (column-bound) still read.
    legacy = crypto.encrypt("13555556666", "customers.changerequest.changes")
    ChangeRequest.objects.filter(pk=one.pk).update(changes={"phone": [sealed_one[0], legacy]})
    one.refresh_from_db()
    assert changes.plain_changes(one)["phone"] == ["13500000000", "13555556666"]

    # Key rotation binds them to their request.
    with override_settings(KEHU_FIELD_KEYS=[("r9", "nine"), *settings.KEHU_FIELD_KEYS]):
        assert keyrotation.run(keyrotation.start()).finished
        one.refresh_from_db()
        assert all(value.startswith("kehu2:r9:r:") for value in one.changes["phone"])
        assert changes.plain_changes(one)["phone"] == ["13500000000", "13555556666"]
