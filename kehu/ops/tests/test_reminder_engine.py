"""The reminder engine with a fixed clock across the Spring Festival of 2026 (15–23 February
off, Saturday 14 and 28 February worked): each stage once, escalation to the unit's heads,
the channel each person chose, the daily digest, and what is due on the pages."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, OrgUnit, User
from kehu.ops import preferences
from kehu.ops.models import DigestEntry, Outbox, ReminderChannel, ReminderSent
from kehu.ops.reminders import Due, ReminderRule, rules, run_reminders, send_digests, stage_for
from kehu.ops.reminders import registry as rules_module

D = datetime.date
KIND = "tests.deadline"
# Tuesday 24 February 2026, the first working day after the Spring Festival.
DEADLINE = D(2026, 2, 24)


def make_rule(dues: Callable[[], list[Due]], **options: Any) -> ReminderRule:
    def pending(today: datetime.date, user: Any) -> Iterator[Due]:
        for due in dues():
            if user is None or any(p.pk == user.pk for p in due.recipients):
                yield due

    defaults: dict[str, Any] = {"before": (3, 1), "every_after": 2, "escalate_after": 3}
    return ReminderRule(kind=KIND, label="测试期限", pending=pending, **(defaults | options))


@pytest.fixture
def sale(demo: dict[str, User]) -> OrgUnit:
    return OrgUnit.objects.get(code="SALE")


@pytest.fixture
def registered(
    monkeypatch: pytest.MonkeyPatch, demo: dict[str, User], sale: OrgUnit
) -> ReminderRule:
    due = Due(
        obj=sale,
        deadline=DEADLINE,
        recipients=[demo["manager1"]],
        title="季度对账",
        link="/customers/",
        unit=sale,
    )
    rule = make_rule(lambda: [due])
    monkeypatch.setitem(rules_module._RULES, KIND, rule)
    return rule


def told(day: datetime.date) -> int:
    return run_reminders(day, [KIND])[KIND]


@pytest.mark.django_db
def test_stages_count_working_days_across_the_holiday() -> None:
    rule = make_rule(list)
    assert stage_for(rule, DEADLINE, D(2026, 2, 11)) is None  # 4 working days ahead
    assert stage_for(rule, DEADLINE, D(2026, 2, 12)) == "before-3"  # 13, 14 (Sat), 24
    assert stage_for(rule, DEADLINE, D(2026, 2, 14)) == "before-1"
    assert stage_for(rule, DEADLINE, D(2026, 2, 20)) == "before-1"  # the holiday: 24 is next
    assert stage_for(rule, DEADLINE, DEADLINE) == "before-1"
    assert stage_for(rule, DEADLINE, D(2026, 2, 25)) == "overdue-0"
    assert stage_for(rule, DEADLINE, D(2026, 2, 26)) == "overdue-1"  # every 2 working days
    assert stage_for(rule, DEADLINE, D(2026, 2, 27)) == "overdue-1"
    assert stage_for(rule, DEADLINE, D(2026, 2, 28)) == "overdue-2"  # Sat 28 is worked: 4 late
    assert stage_for(rule, DEADLINE, D(2026, 3, 1)) == "overdue-2"  # Sunday
    assert stage_for(rule, DEADLINE, D(2026, 3, 3)) == "overdue-3"
    calendar_days = make_rule(list, before=(10,), working_days=False)
    assert stage_for(calendar_days, DEADLINE, D(2026, 2, 14)) == "before-10"
    assert stage_for(calendar_days, DEADLINE, D(2026, 2, 13)) is None


def test_each_stage_once_then_escalated_to_the_department_head(
    registered: ReminderRule, demo: dict[str, User]
) -> None:
    mine = Notification.objects.filter(user=demo["manager1"], title__contains="季度对账")
    heads = Notification.objects.filter(user=demo["head_sale"], title__contains="季度对账")
    assert told(D(2026, 2, 11)) == 0
    assert told(D(2026, 2, 12)) == 1
    assert told(D(2026, 2, 13)) == 0  # still "before-3": once
    assert told(D(2026, 2, 20)) == 1  # "before-1" during the holiday
    assert told(DEADLINE) == 0
    assert told(D(2026, 2, 25)) == 1
    assert mine.count() == 3 and heads.count() == 0
    assert told(D(2026, 2, 27)) == 2  # overdue-1 and, 3 working days late, the escalation
    assert heads.get().title.startswith("Escalated") or "升级" in heads.get().title
    assert told(D(2026, 2, 27)) == 0  # a second run the same day tells nobody
    ledger = ReminderSent.objects.filter(kind=KIND).values_list("stage", "recipient")
    stages = ["before-3", "before-1", "overdue-0", "overdue-1", "escalate"]
    # Each stage once for its person (the head for the escalation) and once for itself (0).
    assert sorted(stage for stage, _ in ledger) == sorted(stages * 2)


def test_a_run_that_missed_days_sends_only_the_latest_stage(
    registered: ReminderRule, demo: dict[str, User]
) -> None:
    assert told(D(2026, 2, 25)) == 1
    assert ReminderSent.objects.filter(kind=KIND, recipient__gt=0).get().stage == "overdue-0"


def test_each_person_gets_the_channel_they_chose(
    registered: ReminderRule, demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    colleague = demo["manager2"]
    due = Due(
        obj=OrgUnit.objects.get(code="SALE"),
        deadline=DEADLINE,
        recipients=[demo["manager1"], colleague, demo["credit"]],
        title="年度信用复核",
    )
    rule = make_rule(lambda: [due], default_channel=ReminderChannel.EMAIL)
    monkeypatch.setitem(rules_module._RULES, KIND, rule)
    preferences.preferences_save(demo["manager1"], {KIND: ReminderChannel.APP})
    preferences.preferences_save(colleague, {KIND: ReminderChannel.DIGEST})
    assert told(D(2026, 2, 20)) == 3
    for user in (demo["manager1"], colleague, demo["credit"]):
        assert Notification.objects.filter(user=user, title__contains="年度信用复核").exists()
    mailed = set(Outbox.objects.values_list("to", flat=True))
    assert demo["credit"].email in mailed  # the rule's default
    assert demo["manager1"].email not in mailed and colleague.email not in mailed
    assert DigestEntry.objects.get(user=colleague).sent_at is None

    assert send_digests() == 1
    digest = Outbox.objects.get(to=colleague.email)
    assert "年度信用复核" in digest.body
    assert send_digests() == 0  # sent once
    assert AuditEvent.objects.filter(action="ops.reminder_preference.change").count() == 2


def test_preferences_refuse_unknown_kinds_and_channels(demo: dict[str, User]) -> None:
    with pytest.raises(ValueError):
        preferences.preferences_save(demo["manager1"], {"no.such.kind": ReminderChannel.APP})
    kind = rules()[0].kind
    with pytest.raises(ValueError):
        preferences.preferences_save(demo["manager1"], {kind: "pigeon"})
    assert not preferences.channels_chosen(demo["manager1"])


def test_what_is_due_on_the_pages_and_in_the_export(
    registered: ReminderRule,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 2, 25))
    client = client_for("manager1")
    panel = client.get("/ops/due/panel/").content.decode()
    assert "季度对账" in panel and 'data-state="overdue"' in panel
    assert "季度对账" not in client_for("manager2").get("/ops/due/panel/").content.decode()
    home = client.get("/").content.decode()
    assert 'hx-get="/ops/due/panel/"' in home
    page = client.get("/ops/due/", {"kind": KIND, "state": "overdue"})
    assert "季度对账" in page.content.decode()
    assert "季度对账" not in client.get("/ops/due/", {"state": "soon"}).content.decode()
    export = client.get("/ops/due/", {"kind": KIND, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert any("季度对账" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert AuditEvent.objects.filter(action="ops.due.export").exists()


def test_reminder_settings_page_saves_a_choice(
    registered: ReminderRule, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("manager1")
    page = client.get("/ops/reminders/")
    assert page.status_code == 200 and "测试期限" in page.content.decode()
    choices = {rule.kind: rule.default_channel for rule in rules()}
    refused = client.post("/ops/reminders/", choices | {KIND: "pigeon"})
    assert refused.status_code == 200 and not preferences.channels_chosen(demo["manager1"])
    saved = client.post("/ops/reminders/", choices | {KIND: ReminderChannel.DIGEST})
    assert saved.status_code == 302
    assert preferences.channels_chosen(demo["manager1"]) == {KIND: ReminderChannel.DIGEST}


def test_what_is_due_and_the_settings_through_the_api(
    registered: ReminderRule,
    demo: dict[str, User],
    api_for: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 2, 25))
    api = api_for("manager1")
    due = api.get("/api/v1/due/", {"kind": KIND}).json()
    assert due == [
        {
            "kind": KIND,
            "kind_label": "测试期限",
            "title": "季度对账",
            "deadline": "2026-02-24",
            "state": "overdue",
            "link": "/customers/",
        }
    ]
    assert api_for("manager2").get("/api/v1/due/", {"kind": KIND}).json() == []
    settings = api.get("/api/v1/reminder-settings/").json()
    assert {"kind": KIND, "kind_label": "测试期限", "channel": "app"} in settings
    refused = api.put(
        "/api/v1/reminder-settings/",
        [{"kind": "no.such.kind", "channel": "email"}],
        content_type="application/json",
    )
    assert refused.status_code == 400 and "kind" in refused.json()
    wrong_channel = api.put(
        "/api/v1/reminder-settings/",
        [{"kind": KIND, "channel": "pigeon"}],
        content_type="application/json",
    )
    assert wrong_channel.status_code == 400
    assert not preferences.channels_chosen(demo["manager1"])
    saved = api.put(
        "/api/v1/reminder-settings/",
        [{"kind": KIND, "channel": "digest"}],
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert preferences.channels_chosen(demo["manager1"]) == {KIND: "digest"}
