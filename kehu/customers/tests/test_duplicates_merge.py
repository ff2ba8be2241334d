"""Possible duplicates (CUS-11): very similar names, shared phones and the same legal
representative flagged on both cards; dismissing a flag; merging two customers keeping all
history, contacts, accounts and requests of both; `resolve` for later records."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.audit.context import acting_as, actor_for
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import changes, duplicates, services
from kehu.customers.models import (
    BankAccount,
    ChangeRequest,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
    CustomerStatus,
    DuplicateFlag,
    DuplicateReason,
    StatusChange,
)
from kehu.customers.tests.factories import id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

MakeOrg = Callable[..., Customer]


def reasons_between(a: Customer, b: Customer) -> set[str]:
    """The open flags of the pair as seen from each card — must be the same on both."""
    seen_a = {f["reason"] for f in duplicates.open_flags(a) if f["other"].pk == b.pk}
    seen_b = {f["reason"] for f in duplicates.open_flags(b) if f["other"].pk == a.pk}
    assert seen_a == seen_b
    return {
        f.reason
        for f in DuplicateFlag.objects.filter(
            first_id=min(a.pk, b.pk), second_id=max(a.pk, b.pk), dismissed_at=None
        )
    }


# --- flags -------------------------------------------------------------------------------


def test_very_similar_names_are_flagged_on_both_cards(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    first = make_org(name="北京华夏科技有限公司")
    second = make_org(owner="manager4", name="华夏科技（上海）股份有限公司")
    assert reasons_between(first, second) == {DuplicateReason.SIMILAR_NAME}
    flag = DuplicateFlag.objects.get(first=first, second=second)
    assert flag.detail == "华夏科技"
    # Both cards show the flag; across departments only the other's department, to the
    # auditor (who sees both) the other customer with a link.
    for card, other, viewer in ((first, second, "head_sale"), (second, first, "manager4")):
        html = client_for(viewer).get(f"/customers/{card.pk}/").content.decode()
        assert 'id="duplicate-flags"' in html
        assert other.unit.name in html and other.name not in html
        html = client_for("auditor").get(f"/customers/{card.pk}/").content.decode()
        assert f'href="/customers/{other.pk}/">{other.name}</a>' in html


def test_individuals_are_not_flagged_for_common_names(
    make_person: Callable[..., Customer],
) -> None:
    a, b = make_person(name="张伟"), make_person(name="张伟")
    assert reasons_between(a, b) == set()


def test_a_shared_phone_is_flagged(make_org: MakeOrg) -> None:
    first = make_org(phone="010-62345001")
    second = make_org()
    assert reasons_between(first, second) == set()
    # A contact of the second customer answers on the first customer's number.
    services.create_contact({"customer": second, "name": "王芳", "office_phone": "01062345001"})
    assert reasons_between(first, second) == {DuplicateReason.SHARED_PHONE}
    # The flag names the phone masked (it is shown to everyone who sees either card).
    assert "010****5001" in DuplicateFlag.objects.get(first=first, second=second).detail


def test_the_same_legal_representative_is_flagged(make_org: MakeOrg) -> None:
    rep = id_number()
    first = make_org(legal_rep_name="王建国", legal_rep_id_number=rep)
    second = make_org(legal_rep_name="王建国", legal_rep_id_number=rep.lower())
    assert reasons_between(first, second) == {DuplicateReason.SAME_LEGAL_REP}
    third = make_org(legal_rep_name="王建国", legal_rep_id_number=id_number())
    assert reasons_between(first, third) == set()  # same name, another person


def test_a_flag_goes_when_it_is_no_longer_true(make_org: MakeOrg) -> None:
    first = make_org(phone="010-62345002")
    second = make_org(phone="010-62345002")
    assert reasons_between(first, second) == {DuplicateReason.SHARED_PHONE}
    services.update_customer(second, {"phone": "010-62345003"}, second.version)
    assert reasons_between(first, second) == set()


def test_dismissed_flags_stay_dismissed(
    demo: dict[str, User], make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    first = make_org(name="北京鼎盛物流有限公司")
    second = make_org(name="鼎盛物流有限责任公司")
    flag = DuplicateFlag.objects.get(first=first, second=second)
    client = client_for("manager1")
    response = client.post(f"/customers/{second.pk}/flags/{flag.pk}/dismiss/")
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.dismissed_at is not None and flag.dismissed_by == demo["manager1"]
    assert duplicates.open_flags(first) == duplicates.open_flags(second) == []
    assert AuditEvent.objects.filter(
        action="customers.customer.duplicate_dismissed", object_id=str(first.pk)
    ).exists()
    # Later edits re-evaluate the pair but do not raise it again.
    services.update_customer(second, {"city": "北京"}, second.version)
    assert duplicates.open_flags(first) == []
    assert 'id="duplicate-flags"' not in client.get(f"/customers/{first.pk}/").content.decode()
    # Dismissing twice: the flag is gone from the open ones.
    assert client.post(f"/customers/{second.pk}/flags/{flag.pk}/dismiss/").status_code == 404


def test_dismissing_needs_the_change_permission(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    first = make_org(name="北京瑞达电子有限公司")
    second = make_org(owner="manager2", name="瑞达电子有限公司")
    flag = DuplicateFlag.objects.get(first=first, second=second)
    # manager1 sees manager2's customer but may not change it; the auditor changes nothing.
    for user in ("manager1", "auditor"):
        response = client_for(user).post(f"/customers/{second.pk}/flags/{flag.pk}/dismiss/")
        assert response.status_code == 403, user
    flag.refresh_from_db()
    assert flag.dismissed_at is None


# --- merge -------------------------------------------------------------------------------


def add_contact(customer: Customer, name: str, primary: bool = False) -> Contact:
    return services.create_contact(
        {"customer": customer, "name": name, "title": "经理", "is_primary": primary}
    )


def add_account(customer: Customer, number: str) -> BankAccount:
    return services.create_bank_account(
        {
            "customer": customer,
            "account_name": customer.name,
            "bank_name": "中国银行",
            "account_number": number,
            "is_primary": True,
        }
    )


def test_merge_keeps_everything_of_both(demo: dict[str, User], make_org: MakeOrg) -> None:
    dimension = ClassificationDimension.objects.create(code="m-vol", name="交易量")
    major = ClassificationValue.objects.create(dimension=dimension, code="major", name="主力")
    keep = make_org(name="北京恒信科技有限公司", credit_code="", city="")
    gone = make_org(
        name="恒信科技（北京）有限公司",
        city="北京",
        legal_rep_name="李四",
        registered_capital="300万",
        founded_on="2015-06-01",
        classifications=[major],
    )
    code = gone.credit_code
    kept_contact = add_contact(keep, "张三", primary=True)
    moved_contact = add_contact(gone, "李四", primary=True)
    add_account(keep, "6222000011112222")
    moved_account = add_account(gone, "6222000033334444")
    request = changes.change_request_propose(gone, demo["compliance"], {"city": "天津"}, "地址有误")
    services.change_status(gone, CustomerStatus.IN_FILING, "开始备案", demo["manager1"])
    gone_history = list(StatusChange.objects.filter(customer=gone).values_list("pk", flat=True))

    merged = duplicates.merge(keep, gone, "同一家公司", demo["head_sale"])

    # Contacts, accounts and change requests of both are on the survivor, one primary each.
    assert set(merged.contacts.values_list("pk", flat=True)) == {kept_contact.pk, moved_contact.pk}
    assert merged.contacts.filter(is_primary=True).get() == kept_contact
    assert moved_account.pk in merged.bank_accounts.values_list("pk", flat=True)
    assert merged.bank_accounts.count() == 2
    assert ChangeRequest.objects.get(pk=request.pk).customer_id == keep.pk
    # Blank fields are filled from the absorbed customer; filled-in ones are kept.
    assert merged.name == "北京恒信科技有限公司"
    assert merged.city == "北京"
    assert merged.legal_rep_name == "李四"
    assert merged.registered_capital == Decimal("3000000.00")
    assert merged.founded_on == datetime.date(2015, 6, 1)
    assert list(merged.classifications.all()) == [major]
    # The unique identifier moved to the survivor.
    assert merged.credit_code == code
    assert merged.version == keep.version + 1
    assert str(code).lower() in merged.search_text and "李四" in merged.search_text
    # The absorbed customer stays, closed, pointing to the survivor, with its own history.
    gone.refresh_from_db()
    assert gone.merged_into_id == keep.pk
    assert gone.status == CustomerStatus.CLOSED
    assert gone.credit_code is None
    history = StatusChange.objects.filter(customer=gone)
    assert set(gone_history) < set(history.values_list("pk", flat=True))
    last = history.first()
    assert last is not None
    assert (last.from_status, last.to_status) == (CustomerStatus.IN_FILING, CustomerStatus.CLOSED)
    assert "同一家公司" in last.reason and str(keep.pk) in last.reason
    assert AuditEvent.objects.filter(object_id=str(gone.pk), action__startswith="customers.")
    # Both sides are audited.
    event = AuditEvent.objects.get(action="customers.customer.merge", object_id=str(keep.pk))
    assert event.extra["absorbed"] == gone.pk
    assert event.extra["contacts"] == 1 and event.extra["bank_accounts"] == 1
    assert event.changes["credit_code"] == [None, code]
    assert event.changes["city"] == [None, "北京"]
    assert (
        AuditEvent.objects.get(
            action="customers.customer.merged_into", object_id=str(gone.pk)
        ).extra["survivor"]
        == keep.pk
    )
    # The pair's flag is gone; the absorbed customer has no more open flags.
    assert duplicates.open_flags(gone) == []
    assert all(f["other"].pk != gone.pk for f in duplicates.open_flags(keep))
    # A closed, merged customer has no more lifecycle steps.
    assert services.allowed_transitions(gone) == []


def test_the_freed_code_can_be_looked_up_on_the_survivor_only(
    demo: dict[str, User], make_org: MakeOrg
) -> None:
    keep = make_org(credit_code="")
    gone = make_org()
    code = gone.credit_code
    duplicates.merge(keep, gone, "重复登记", demo["head_sale"])
    assert list(Customer.objects.filter(credit_code=code)) == [keep]
    with pytest.raises(ValidationError):
        services.create_customer(
            {"kind": "organization", "name": "北京另一家有限公司", "owner": demo["manager1"],
             "unit": demo["manager1"].unit, "credit_code": code}
        )  # fmt: skip


def test_merging_individuals_moves_the_id_number(
    demo: dict[str, User], make_person: Callable[..., Customer]
) -> None:
    keep = make_person(name="王小明", id_number="")
    gone = make_person(name="王小明")
    number = gone.id_number
    merged = duplicates.merge(keep, gone, "同一人", demo["gm"])
    assert merged.id_number == number
    assert merged.birth_date == gone.birth_date
    gone.refresh_from_db()
    assert gone.id_number_digest is None
    # The survivor is found by the number: registering it again names the survivor.
    with acting_as(actor_for(demo["manager1"])), pytest.raises(ValidationError) as raised:
        services.create_customer(
            {"kind": "individual", "name": "王小明", "owner": demo["manager1"],
             "unit": demo["manager1"].unit, "id_number": number}
        )  # fmt: skip
    assert f"/customers/{keep.pk}/" in raised.value.message_dict["id_number"][0]


@pytest.mark.parametrize("case", ["codes", "kinds", "ids", "self", "reason"])
def test_merge_refusals(
    case: str,
    demo: dict[str, User],
    make_org: MakeOrg,
    make_person: Callable[..., Customer],
) -> None:
    if case == "codes":
        keep, gone = make_org(), make_org()
    elif case == "kinds":
        keep, gone = make_org(), make_person()
    elif case == "ids":
        keep, gone = make_person(), make_person()
    else:
        keep = gone = make_org()
        if case == "reason":
            gone = make_org(credit_code="")
    reason = "" if case == "reason" else "重复"
    before = (AuditEvent.objects.count(), Contact.objects.count())
    with pytest.raises(ValidationError):
        duplicates.merge(keep, gone, reason, demo["head_sale"])
    for customer in {keep, gone}:
        fresh = Customer.objects.get(pk=customer.pk)
        assert fresh.merged_into_id is None and fresh.status == CustomerStatus.PROSPECT
    assert (AuditEvent.objects.count(), Contact.objects.count()) == before


def test_an_already_merged_customer_cannot_be_merged_again(
    demo: dict[str, User], make_org: MakeOrg
) -> None:
    keep, gone, third = make_org(credit_code=""), make_org(), make_org(credit_code="")
    duplicates.merge(keep, gone, "重复", demo["head_sale"])
    for survivor, absorbed in ((third, gone), (gone, third)):
        with pytest.raises(ValidationError):
            duplicates.merge(survivor, absorbed, "再合并", demo["head_sale"])
    assert Customer.objects.get(pk=third.pk).merged_into_id is None


def test_resolve_follows_merges(demo: dict[str, User], make_org: MakeOrg) -> None:
    a, b, c = make_org(credit_code=""), make_org(credit_code=""), make_org()
    assert duplicates.resolve(a) == a
    duplicates.merge(b, a, "重复", demo["head_sale"])
    duplicates.merge(c, b, "重复", demo["head_sale"])
    assert duplicates.resolve(Customer.objects.get(pk=a.pk)) == c
    assert duplicates.resolve(Customer.objects.get(pk=b.pk)) == c
    assert duplicates.resolve(c) == c


# --- the merge page ----------------------------------------------------------------------


def test_merge_page_for_the_department_head(
    make_org: MakeOrg, client_for: Callable[[str], Client]
) -> None:
    keep = make_org(name="北京宏远建设工程有限公司", credit_code="")
    gone = make_org(owner="manager2", name="宏远建设工程有限公司")
    client = client_for("head_sale")
    card = client.get(f"/customers/{keep.pk}/").content.decode()
    assert f"/customers/{keep.pk}/merge/?other={gone.pk}" in card  # offered on the flag
    assert client.get(f"/customers/{keep.pk}/merge/?other={gone.pk}").status_code == 200
    response = client.post(f"/customers/{keep.pk}/merge/", {"other": gone.pk, "reason": ""})
    assert response.status_code == 200
    assert Customer.objects.get(pk=gone.pk).merged_into_id is None
    response = client.post(f"/customers/{keep.pk}/merge/", {"other": gone.pk, "reason": "重复"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{keep.pk}/"
    assert Customer.objects.get(pk=gone.pk).merged_into_id == keep.pk
    html = client.get(f"/customers/{gone.pk}/").content.decode()
    assert 'id="merged-banner"' in html and f'href="/customers/{keep.pk}/"' in html
    assert 'id="edit-link"' not in html
    survivor = client.get(f"/customers/{keep.pk}/").content.decode()
    assert 'id="merged-from"' in survivor and f"/customers/{gone.pk}/" in survivor


def test_merge_page_refusals(make_org: MakeOrg, client_for: Callable[[str], Client]) -> None:
    keep = make_org(credit_code="")
    other_department = make_org(owner="manager4")
    # Account managers may not merge.
    assert client_for("manager1").get(f"/customers/{keep.pk}/merge/").status_code == 403
    # The SALE head cannot reach a SH-SALE customer: an error on the field, nothing merged.
    response = client_for("head_sale").post(
        f"/customers/{keep.pk}/merge/", {"other": other_department.pk, "reason": "重复"}
    )
    assert response.status_code == 200
    assert "other" in response.context["form"].errors
    assert Customer.objects.get(pk=other_department.pk).merged_into_id is None
    # Different credit codes: the service's refusal is shown on the form.
    different = make_org()
    response = client_for("head_sale").post(
        f"/customers/{different.pk}/merge/", {"other": make_org().pk, "reason": "重复"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_each_moved_object_has_its_own_merge_event(
    demo: dict[str, User], make_org: MakeOrg
) -> None:
    keep = make_org(name="北京逐条科技有限公司", credit_code="")
    gone = make_org(name="逐条科技（北京）有限公司")
    add_contact(keep, "张三", primary=True)
    contacts = [add_contact(gone, "李四", primary=True), add_contact(gone, "王五")]
    accounts = [add_account(gone, "6222000055556666"), add_account(gone, "6222000077778888")]
    request = changes.change_request_propose(gone, demo["compliance"], {"city": "天津"}, "地址有误")

    duplicates.merge(keep, gone, "同一家公司", demo["head_sale"])

    for model, rows in (
        ("contact", contacts),
        ("bankaccount", accounts),
        ("changerequest", [request]),
    ):
        for row in rows:
            event = AuditEvent.objects.get(
                action=f"customers.{model}.merge_move", object_id=str(row.pk)
            )
            assert event.extra["from_customer"] == gone.pk
            assert event.extra["to_customer"] == keep.pk
            assert event.changes["customer"] == [str(gone), str(keep)]
    demoted = AuditEvent.objects.get(
        action="customers.contact.merge_move", object_id=str(contacts[0].pk)
    )
    assert demoted.changes["is_primary"] == [True, False]
    assert Contact.objects.get(pk=contacts[0].pk).version == contacts[0].version + 1
