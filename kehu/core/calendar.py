"""Chinese working days (FIL-8): the one calendar every deadline is counted in.

A date is a working day when, in this order:
1. an administrator entered it (`CalendarDay`: a holiday, an adjusted working day 调休, or a
   company day) — that entry decides;
2. the year is one chinese-calendar knows (2004–2026 in 1.11) — the library decides, 调休
   included;
3. otherwise Monday to Friday. For such a year an administrator should enter the official
   schedule (and mark the year entered, `CalendarYear`); `missing_schedule_years` says which
   years are missing so that the home page and the daily job can warn administrators.

Deadlines follow 民法典 art. 201/203: the start day is not counted, and a deadline that falls on
a non-working day moves to the next working day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import chinese_calendar
from django.urls import reverse
from django.utils import timezone

from kehu.core.models import CalendarDay, CalendarYear, Notification, Role, User
from kehu.core.notifications import notify

# Never search further than this for a working day (guards against a mis-entered calendar).
_MAX_SCAN = 366


Overrides = dict[datetime.date, bool]
# recount(before, after, first): move an app's open deadlines from the calendar entries `before`
# to `after` (changed from the day `first` on); returns what moved.
DeadlineRecount = Callable[[Overrides, Overrides, datetime.date], list[dict[str, Any]]]

_deadline_recounts: list[DeadlineRecount] = []


def entries() -> Overrides:
    """The administrator's entries as they are now (to compare with after a change)."""
    return _overrides()


def _overrides() -> Overrides:
    # Read per call, never cached in the process: another server may have changed it.
    return dict(CalendarDay.objects.values_list("date", "is_working"))


def library_knows(year: int) -> bool:
    """Whether chinese-calendar carries the official schedule of `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: datetime.date, overrides: Overrides | None = None) -> bool:
    entered = (_overrides() if overrides is None else overrides).get(day)
    if entered is not None:
        return entered
    if library_knows(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def next_working_day(day: datetime.date, overrides: Overrides | None = None) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    overrides = _overrides() if overrides is None else overrides
    for _ in range(_MAX_SCAN):
        if is_working_day(day, overrides):
            return day
        day += datetime.timedelta(days=1)
    raise ValueError("no working day within a year: check the calendar entries")


def add_working_days(
    start: datetime.date, days: int, overrides: Overrides | None = None
) -> datetime.date:
    """The date `days` working days after `start` (the start day itself is not counted).

    `days=0` gives the next working day on or after `start`.
    """
    overrides = _overrides() if overrides is None else overrides
    if days <= 0:
        return next_working_day(start, overrides)
    day = start
    for _ in range(days):
        day = next_working_day(day + datetime.timedelta(days=1), overrides)
    return day


def working_days_between(
    start: datetime.date, end: datetime.date, overrides: Overrides | None = None
) -> int:
    """Working days in (start, end]; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, overrides)
    overrides = _overrides() if overrides is None else overrides
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        count += is_working_day(day, overrides)
        day += datetime.timedelta(days=1)
    return count


def recount(
    start: datetime.date, due: datetime.date, before: Overrides, after: Overrides
) -> datetime.date:
    """`due` counted again from `start` under `after`, keeping its working days under
    `before`."""
    days = working_days_between(start, due, before)
    return add_working_days(start, max(days, 0), after)


def register_deadline_recount(recount_deadlines: DeadlineRecount) -> None:
    """An app whose deadlines are counted in working days moves them when the calendar changes
    (registered from its apps.py `ready()`; run in registration order)."""
    if recount_deadlines not in _deadline_recounts:
        _deadline_recounts.append(recount_deadlines)


def deadline_recounts() -> list[DeadlineRecount]:
    return list(_deadline_recounts)


def missing_schedule_years(today: datetime.date | None = None) -> list[int]:
    """This year and next year, where neither the library nor an administrator has the official
    schedule (next year is asked from October on, when the State Council usually publishes it)."""
    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    entered = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [y for y in years if y not in entered and not library_knows(y)]


def warn_missing_schedule(today: datetime.date | None = None) -> list[int]:
    """Daily job: tell system administrators (once per year) which schedules are missing."""
    from django.utils.translation import gettext as _

    missing = missing_schedule_years(today)
    admins = User.objects.filter(is_active=True, role_assignments__role=Role.SYSTEM_ADMIN)
    for year in missing:
        title = _("Holiday schedule of %(year)s missing") % {"year": year}
        if Notification.objects.filter(title=title).exists():
            continue
        notify(
            admins.distinct(),
            title,
            _(
                "Deadlines in %(year)s count Monday to Friday only until its public holidays "
                "and adjusted working days are entered."
            )
            % {"year": year},
            reverse("generic:calendar-days_list"),
            email=True,
        )
    return missing
