"""Two reminder runs at the same moment on PostgreSQL: the second one's claim waits for the
first one's transaction and then skips, so the person is notified once."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from kehu.core.models import Notification, OrgUnit, User
from kehu.ops.reminders import Due, ReminderRule, remind

DAY = datetime.date(2027, 3, 1)
RULE = ReminderRule(kind="test.kind", label="测试", pending=lambda today, user: ())


def _blocked_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_notify_once_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent transactions); run with KEHU_DATABASE_URL")
    unit = OrgUnit.objects.create(code="REM", name="提醒测试部")
    person = User.objects.create_user("remindee", password=None, unit=unit)
    first_claimed, first_may_commit = threading.Event(), threading.Event()
    second_pid: list[int] = []
    sent: dict[str, int] = {}
    due = Due(obj=unit, deadline=DAY, recipients=[person], title="提醒")

    def first_run() -> None:
        try:
            with transaction.atomic():
                sent["first"] = remind(RULE, due, DAY)
                first_claimed.set()
                first_may_commit.wait(timeout=60)
        finally:
            connections.close_all()

    def second_run() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            with transaction.atomic():
                sent["second"] = remind(RULE, due, DAY)
        finally:
            connections.close_all()

    threads: list[Any] = [threading.Thread(target=first_run)]
    threads[0].start()
    assert first_claimed.wait(timeout=60)
    threads.append(threading.Thread(target=second_run))
    threads[1].start()
    # The second run's claim waits on the first run's uncommitted row; then the first commits.
    for _ in range(600):
        if second_pid and _blocked_on_a_lock(second_pid[0]):
            break
        threading.Event().wait(0.05)
    first_may_commit.set()
    for thread in threads:
        thread.join(timeout=60)
    assert sent == {"first": 1, "second": 0}
    assert Notification.objects.filter(user=person).count() == 1
