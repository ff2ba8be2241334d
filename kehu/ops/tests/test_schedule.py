"""The scheduler: daily jobs at their time of day, weekly ones on their weekday, and a run
missed while no scheduler ran caught up once (a fixed clock throughout)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kehu.ops.schedule import SCHEDULE, enqueue_due

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# The daily jobs at the default time of day (the reminders have their own morning hours).
DAILY = [job.name for job in SCHEDULE if job.every == datetime.timedelta(days=1) and not job.at]
RETENTION = "privacy-retention"
VERIFY = "documents-verify"  # weekly


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """December 2026 in Shanghai (7 December is a Monday)."""
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def daily(names: list[str]) -> list[str]:
    return [name for name in names if name in DAILY]


def runs_of(name: str) -> int:
    task_path = next(job.task_path for job in SCHEDULE if job.name == name)
    return DBTaskResult.objects.filter(task_path=task_path).count()


@pytest.mark.django_db
@override_settings(KEHU_JOBS_DAILY_AT="02:00", KEHU_JOBS_AT={})
def test_daily_jobs_run_at_their_time_of_day_not_when_the_scheduler_started() -> None:
    assert daily(enqueue_due(at(7, 15))) == DAILY  # never ran: at once
    assert daily(enqueue_due(at(7, 23, 59))) == []
    assert daily(enqueue_due(at(8, 1, 59))) == []  # 24 h after, but before 02:00
    assert daily(enqueue_due(at(8, 2, 0))) == DAILY
    assert daily(enqueue_due(at(8, 14, 0))) == []
    assert runs_of(RETENTION) == 2
    assert runs_of("reminders") == 2  # at once, then on the 8th at 07:00
    enqueue_due(at(9, 6, 59))
    assert runs_of("reminders") == 2
    enqueue_due(at(9, 7, 0))
    assert runs_of("reminders") == 3


@pytest.mark.django_db
@override_settings(KEHU_JOBS_DAILY_AT="02:00", KEHU_JOBS_AT={})
def test_runs_missed_while_down_are_caught_up_once() -> None:
    enqueue_due(at(7, 2, 5))
    # The machine was down from the 7th to the 11th at 09:00: four 02:00 runs were missed.
    assert daily(enqueue_due(at(11, 9, 0))) == DAILY
    assert daily(enqueue_due(at(11, 9, 1))) == []
    assert daily(enqueue_due(at(11, 23, 0))) == []
    assert runs_of(RETENTION) == 2
    assert daily(enqueue_due(at(12, 2, 0))) == DAILY


@pytest.mark.django_db
@override_settings(KEHU_JOBS_DAILY_AT="02:00", KEHU_JOBS_AT={RETENTION: "06:30"})
def test_a_job_can_have_its_own_time_of_day() -> None:
    enqueue_due(at(7, 7, 0))
    due = enqueue_due(at(8, 2, 0))
    assert "audit-verify" in due and RETENTION not in due
    assert RETENTION not in enqueue_due(at(8, 6, 29))
    assert RETENTION in enqueue_due(at(8, 6, 30))


@pytest.mark.django_db
@override_settings(KEHU_JOBS_DAILY_AT="02:00", KEHU_JOBS_WEEKDAY=6, KEHU_JOBS_AT={})
def test_weekly_jobs_run_on_their_weekday() -> None:
    assert VERIFY in enqueue_due(at(7, 10))  # never ran
    for day in range(8, 13):  # Tuesday to Saturday
        assert VERIFY not in enqueue_due(at(day, 3))
    assert VERIFY not in enqueue_due(at(13, 1, 59))
    assert VERIFY in enqueue_due(at(13, 2, 0))  # Sunday 02:00
    # Down over the next Sunday: caught up on Monday, once.
    assert VERIFY in enqueue_due(at(21, 8))
    assert VERIFY not in enqueue_due(at(22, 8))
    assert runs_of(VERIFY) == 3


@pytest.mark.django_db
def test_the_mail_job_runs_every_minute_even_when_the_tick_comes_a_little_early() -> None:
    assert "mail-outbox" in enqueue_due(at(7, 10, 0))
    assert "mail-outbox" not in enqueue_due(at(7, 10, 0) + datetime.timedelta(seconds=30))
    assert "mail-outbox" in enqueue_due(at(7, 10, 0) + datetime.timedelta(seconds=59))


@pytest.mark.django_db
def test_the_audit_chain_is_sealed_and_its_head_exported_every_five_minutes() -> None:
    """Also when no write comes after a short burst (the writers export only after a write)."""
    start = at(7, 10, 0)
    assert "audit-seal-export" in enqueue_due(start)
    assert "audit-seal-export" not in enqueue_due(start + datetime.timedelta(minutes=2))
    assert "audit-seal-export" in enqueue_due(start + datetime.timedelta(minutes=5))
    assert runs_of("audit-seal-export") == 2
