"""The communication log: recording with its checks, the card's timeline (newest first,
by kind, who sees what), personal notes behind consent, follow-up reminders, the API."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kehu.core import calendar
from kehu.core.models import Notification, User
from kehu.customers.models import Customer
from kehu.interactions import services, timeline
from kehu.interactions.models import Channel, Interaction
from kehu.interactions.tests.conftest import add_contact
from kehu.ops.reminders import run_reminders
from kehu.privacy import consent
from kehu.privacy.models import Channel as ConsentChannel
from kehu.privacy.models import Purpose

pytestmark = pytest.mark.django_db


def at(days_ago: int, hour: int = 10) -> datetime.datetime:
    moment = timezone.localtime() - datetime.timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def log(customer: Customer, subject: str, when: datetime.datetime, **more: Any) -> Interaction:
    data = {"customer": customer, "occurred_at": when, "channel": Channel.PHONE,
            "subject": subject} | more  # fmt: skip
    return services.interaction_create(data)


def test_a_communication_is_recorded_with_its_people(
    make_customer: Callable[..., Customer], as_user: Any, demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    contact = add_contact(customer)
    with as_user("manager1"):
        people = [demo["manager1"], demo["manager2"]]
        row = log(customer, "询价", at(1), channel=Channel.WECHAT, needs="年底前补货",
                  contacts=[contact], our_participants=people)  # fmt: skip
    assert row.author == demo["manager1"]
    assert set(row.contacts.all()) == {contact}
    assert row.our_participants.count() == 2


def test_bad_input_is_refused_beside_the_field_in_chinese_and_nothing_stored(
    make_customer: Callable[..., Customer], as_user: Any
) -> None:
    customer = make_customer("manager1")
    other = add_contact(make_customer("manager2"), "外人")
    bad = {"ended_at": at(1, 14), "contacts": [other], "follow_up": "寄样品"}
    with (
        as_user("manager1"),
        translation.override("zh-hans"),
        pytest.raises(ValidationError) as refused,
    ):
        log(customer, "会谈", at(1, 15), **bad)
    errors = refused.value.message_dict
    assert set(errors) == {"ended_at", "contacts", "follow_up_due"}
    assert "结束" in errors["ended_at"][0]
    assert not Interaction.objects.exists()


def test_only_customers_the_author_works_on(
    make_customer: Callable[..., Customer], as_user: Any
) -> None:
    theirs = make_customer("manager4")
    with as_user("manager1"), pytest.raises(PermissionDenied):
        log(theirs, "拜访", at(1))
    with as_user("gm"), pytest.raises(PermissionDenied):  # reads, records nothing
        log(make_customer("manager1"), "拜访", at(1))


def test_timeline_newest_first_by_kind_and_scope(
    make_customer: Callable[..., Customer], as_user: Any, demo: dict[str, User]
) -> None:
    customer = make_customer("manager1")
    with as_user("manager1"):
        old = log(customer, "旧", at(5))
        new = log(customer, "新", at(1), channel=Channel.VISIT)
        middle = log(customer, "中", at(3))
    entries = timeline.timeline(demo["manager2"], customer)
    assert [e.pk for e in entries] == [new.pk, middle.pk, old.pk]
    older = timeline.timeline(demo["manager2"], customer, before=middle.occurred_at)
    assert [e.pk for e in older] == [old.pk]
    assert timeline.timeline(demo["manager1"], customer, kind="nothing") == []
    # Another department's account manager and the archivist see no entry of SALE's customer.
    assert timeline.timeline(demo["manager4"], customer) == []
    assert timeline.timeline(demo["archivist"], customer) == []
    assert timeline.visible_sources(demo["archivist"]) == []


def test_card_shows_the_timeline_to_readers_only(
    make_customer: Callable[..., Customer], as_user: Any, client_for: Callable[..., Any]
) -> None:
    customer = make_customer("manager1")
    with as_user("manager1"):
        first = log(customer, "第一次电话", at(2))
        second = log(customer, "第二次拜访", at(1), channel=Channel.VISIT)
    card = reverse("generic:customers_detail", args=[customer.pk])
    page = client_for("head_sale").get(card).content.decode()
    assert page.index(f'data-entry="communication-{second.pk}"') < page.index(
        f'data-entry="communication-{first.pk}"'
    )
    whole = client_for("manager2").get(reverse("interactions:timeline", args=[customer.pk]))
    assert whole.status_code == 200 and "第二次拜访" in whole.content.decode()
    outsider = client_for("manager4").get(reverse("interactions:timeline", args=[customer.pk]))
    assert outsider.status_code == 404


def _profile_consent(contact: Any, by: User) -> None:
    consent.record_consent(
        contact,
        {
            "purpose": Purpose.PROFILE,
            "scope": "个人档案",
            "given_on": timezone.localdate(),
            "channel": ConsentChannel.WRITTEN,
        },
        by,
        None,
    )


def test_personal_note_needs_consent_and_is_the_account_managers_only(
    make_customer: Callable[..., Customer],
    as_user: Any,
    demo: dict[str, User],
    client_for: Callable[..., Any],
) -> None:
    customer = make_customer("manager1")
    contact = add_contact(customer)
    with as_user("manager1"):
        with pytest.raises(ValidationError) as refused:
            log(customer, "饭局", at(1), contacts=[contact], personal_note="喜欢钓鱼")
        assert "personal_note" in refused.value.message_dict
        _profile_consent(contact, demo["manager1"])
        row = log(customer, "饭局", at(1), contacts=[contact], personal_note="喜欢钓鱼")
    detail = reverse("generic:interactions_detail", args=[row.pk])
    assert "喜欢钓鱼" in client_for("manager1").get(detail).content.decode()
    for reader in ("head_sale", "manager2", "auditor"):
        assert "喜欢钓鱼" not in client_for(reader).get(detail).content.decode()
    api = client_for("head_sale").get(f"/api/v1/interactions/{row.pk}/").json()
    assert api["personal_note"] == ""


def test_follow_up_reminded_then_escalated_until_done(
    make_customer: Callable[..., Customer],
    as_user: Any,
    demo: dict[str, User],
    client_for: Callable[..., Any],
) -> None:
    customer = make_customer("manager1")
    due = calendar.add_working_days(timezone.localdate(), 3)
    with as_user("manager1"):
        row = log(customer, "报价", at(1), follow_up="发送正式报价单", follow_up_due=due)
    assert row.follow_up_owner == demo["manager1"]
    kind = ["interactions.follow_up"]
    day_before = calendar.add_working_days(due, -1)
    assert run_reminders(day_before, kind) == {"interactions.follow_up": 1}
    assert run_reminders(day_before, kind) == {"interactions.follow_up": 0}  # once
    late = calendar.add_working_days(due, 1)
    assert run_reminders(late, kind)["interactions.follow_up"] == 1
    told = Notification.objects.filter(user=demo["manager1"], title__contains="发送正式报价单")
    assert told.count() == 2
    escalated = calendar.add_working_days(due, 6)
    run_reminders(escalated, kind)
    head = Notification.objects.filter(user=demo["head_sale"], title__startswith="Escalated")
    assert head.exists()
    response = client_for("manager1").post(reverse("interactions:follow_up_done", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.follow_up_done_at is not None
    assert run_reminders(calendar.add_working_days(due, 9), kind) == {"interactions.follow_up": 0}


def test_api_records_lists_and_refuses_bad_times(
    make_customer: Callable[..., Customer], api_for: Callable[[str], Any]
) -> None:
    customer = make_customer("manager1")
    api = api_for("manager1")
    body = {
        "customer": customer.pk,
        "occurred_at": "2026-11-02T10:00:00+08:00",
        "ended_at": "2026-11-02T09:00:00+08:00",
        "channel": "meeting",
        "subject": "年度会谈",
    }
    refused = api.post("/api/v1/interactions/", body, content_type="application/json")
    assert refused.status_code == 400 and "ended_at" in refused.json()
    body["ended_at"] = "2026-11-02T11:00:00+08:00"
    created = api.post("/api/v1/interactions/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    listed = api.get(f"/api/v1/customers/{customer.pk}/timeline/").json()
    assert [e["title"] for e in listed["results"]] == ["年度会谈"]
    assert api_for("manager4").get(f"/api/v1/customers/{customer.pk}/timeline/").status_code == 404
