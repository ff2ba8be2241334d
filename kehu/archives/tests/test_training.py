"""ARC-8: the archivist's yearly re-training is a deadline of the reminder engine
("archives.archivist_training"), a year after the certification or the last re-training,
counted in working days: fixed dates in 2035 (a year the calendar library does not know)
with a National Day week entered by the administrator."""

from __future__ import annotations

import datetime

import pytest

from kehu.archives.training import TRAINING_RULE, pending_trainings
from kehu.core import services
from kehu.core.models import ArchivistCertification, CalendarDay, Notification, OrgUnit, Role, User
from kehu.ops.reminders import get_rule, run_reminders, stage_for

MONDAY = datetime.date(2035, 9, 24)
HOLIDAY = [datetime.date(2035, 10, day) for day in range(1, 6)]  # Mon 1 – Fri 5 October


@pytest.fixture
def archivist(demo: dict[str, User]) -> User:
    """A certified archivist whose last re-training was on `last`, and the holiday week."""
    for day in HOLIDAY:
        CalendarDay.objects.create(date=day, is_working=False, name="国庆节")
    user = services.create_user(
        {"username": "archivist9", "full_name": "孙档案", "unit": demo["archivist"].unit}
    )
    services.save_certification(
        user,
        {
            "education": "junior_college",
            "training_date": datetime.date(2026, 1, 5),
            "exam_date": datetime.date(2026, 1, 10),
            "certificate_no": "DA-2026-0009",
            "valid_until": datetime.date(2040, 1, 10),
        },
    )
    services.grant_role(user, Role.ARCHIVIST, OrgUnit.objects.get(code="BJ"))
    return user


KEPT = ("education", "training_date", "exam_date", "certificate_no", "valid_until")


def retrained(user: User, day: datetime.date) -> None:
    """Record a re-training on the user's certification, as the administrator's form does."""
    certification = ArchivistCertification.objects.get(user=user)
    data = {name: getattr(certification, name) for name in KEPT}
    services.save_certification(user, data | {"last_training_on": day})


def deadlines_of(
    user: User, today: datetime.date, reader: User | None = None
) -> list[datetime.date]:
    return [
        due.deadline
        for due in pending_trainings(today, reader)
        if due.obj.user_id == user.pk  # type: ignore[attr-defined]
    ]


@pytest.mark.django_db
def test_the_rule_is_declared_as_asked() -> None:
    rule = get_rule("archives.archivist_training")
    assert rule is TRAINING_RULE
    assert (rule.before, rule.escalate_after, rule.working_days) == ((20, 5), 5, True)


@pytest.mark.django_db
def test_due_a_year_after_the_last_training_seen_across_the_holiday(
    archivist: User, demo: dict[str, User]
) -> None:
    # 20 working days after Monday 24 September skip the holiday week: 29 October.
    retrained(archivist, datetime.date(2034, 10, 29))
    assert deadlines_of(archivist, MONDAY) == [datetime.date(2035, 10, 29)]
    retrained(archivist, datetime.date(2034, 10, 30))
    assert deadlines_of(archivist, MONDAY) == []

    retrained(archivist, datetime.date(2034, 10, 8))
    (due,) = [d for d in pending_trainings(MONDAY, None) if d.obj.user_id == archivist.pk]  # type: ignore[attr-defined]
    assert due.deadline == datetime.date(2035, 10, 8)
    assert {u.username for u in due.recipients} == {"archivist9", "admin"}
    # Two weeks ahead in calendar days, five working days ahead across the holiday.
    assert stage_for(TRAINING_RULE, due.deadline, MONDAY) == "before-5"
    assert (
        stage_for(TRAINING_RULE, due.deadline, MONDAY - datetime.timedelta(days=3)) == "before-20"
    )

    # "What is due" for a user: the archivist and the administrator, nobody else.
    assert deadlines_of(archivist, MONDAY, archivist) == [datetime.date(2035, 10, 8)]
    assert deadlines_of(archivist, MONDAY, demo["admin"]) == [datetime.date(2035, 10, 8)]
    assert deadlines_of(archivist, MONDAY, demo["manager1"]) == []


@pytest.mark.django_db
def test_reminded_once_and_closed_by_recording_the_training(
    archivist: User, demo: dict[str, User]
) -> None:
    retrained(archivist, datetime.date(2034, 10, 8))
    kinds = ["archives.archivist_training"]
    run_reminders(MONDAY, kinds)
    run_reminders(MONDAY, kinds)
    titles = Notification.objects.filter(title__contains="孙档案")
    assert titles.filter(user=archivist).count() == 1
    assert titles.filter(user=demo["admin"]).count() == 1

    retrained(archivist, datetime.date(2035, 10, 8))
    assert deadlines_of(archivist, MONDAY) == []
