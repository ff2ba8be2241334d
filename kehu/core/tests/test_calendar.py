"""Working days (FIL-8): weekends, public holidays, adjusted working days, administrator days."""

from __future__ import annotations

import datetime as dt

import pytest

from kehu.core import calendar
from kehu.core.models import CalendarDay, CalendarYear

D = dt.date


@pytest.mark.django_db
class TestLibraryYears:
    def test_spring_festival_2026_and_its_adjusted_saturdays(self) -> None:
        assert calendar.is_working_day(D(2026, 2, 14))  # Saturday, adjusted working day
        assert not calendar.is_working_day(D(2026, 2, 16))  # Monday of the holiday
        assert calendar.is_working_day(D(2026, 2, 28))  # Saturday, adjusted working day
        assert not calendar.is_working_day(D(2026, 2, 21))  # Saturday inside the holiday

    def test_start_day_not_counted_and_holiday_skipped(self) -> None:
        # Friday 13 Feb + 2 working days: Sat 14 (adjusted) is one, then the holiday to
        # Mon 23 Feb, so the second is Tue 24 Feb.
        assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
        assert calendar.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)

    def test_national_day_2026(self) -> None:
        # Wed 30 Sep + 1 working day → Thu 8 Oct (1–7 Oct off); + 3 → Sat 10 Oct (adjusted).
        assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
        assert calendar.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
        assert calendar.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
        assert calendar.is_working_day(D(2026, 9, 20))  # Sunday, adjusted working day

    def test_a_deadline_counted_from_a_holiday_lands_on_a_working_day(self) -> None:
        assert calendar.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)
        assert calendar.add_working_days(D(2026, 10, 3), 1) == D(2026, 10, 8)
        assert calendar.add_working_days(D(2026, 10, 3), 2) == D(2026, 10, 9)

    def test_working_days_between(self) -> None:
        assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
        assert calendar.working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
        assert calendar.working_days_between(D(2026, 11, 23), D(2026, 11, 23)) == 0


@pytest.mark.django_db
class TestAdministratorSchedule:
    def test_2027_without_a_schedule_is_monday_to_friday_and_warned(self) -> None:
        assert not calendar.library_knows(2027)
        assert calendar.is_working_day(D(2027, 2, 8))  # a Monday
        assert not calendar.is_working_day(D(2027, 2, 6))  # a Saturday
        assert calendar.missing_schedule_years(D(2026, 11, 23)) == [2027]
        assert calendar.missing_schedule_years(D(2026, 5, 1)) == []  # asked from October on

    def test_entered_days_decide_and_the_warning_ends(self) -> None:
        for day in range(6, 14):  # an entered Spring Festival 2027 (6–13 Feb)
            CalendarDay.objects.create(date=D(2027, 2, day), is_working=False, name="春节")
        CalendarDay.objects.create(date=D(2027, 2, 20), is_working=True, name="春节调休")
        CalendarYear.objects.create(year=2027, note="国务院办公厅通知")
        # Fri 5 Feb + 1 → Mon 15 Feb; Sat 20 Feb counts as a working day.
        assert calendar.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 15)
        assert calendar.add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)
        assert calendar.missing_schedule_years(D(2026, 11, 23)) == []

    def test_a_company_day_overrides_the_library(self) -> None:
        CalendarDay.objects.create(date=D(2026, 11, 24), is_working=False, name="公司活动日")
        assert calendar.add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 25)


@pytest.mark.django_db
def test_home_page_warns_administrators_of_a_missing_schedule(
    client_for: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar.timezone, "localdate", lambda: D(2026, 11, 23))
    admin = client_for("admin")  # type: ignore[operator]
    assert 'id="calendar-warning"' in admin.get("/").content.decode()
    manager = client_for("manager1")  # type: ignore[operator]
    assert 'id="calendar-warning"' not in manager.get("/").content.decode()
    CalendarYear.objects.create(year=2027, note="国务院办公厅通知")
    assert 'id="calendar-warning"' not in admin.get("/").content.decode()


@pytest.mark.django_db
def test_administrators_are_told_once_of_a_missing_schedule(demo: dict[str, object]) -> None:
    from kehu.core.models import Notification

    assert calendar.warn_missing_schedule(D(2026, 11, 23)) == [2027]
    calendar.warn_missing_schedule(D(2026, 11, 24))
    notes = Notification.objects.filter(title__contains="2027")
    assert [n.user.username for n in notes] == ["admin"]
