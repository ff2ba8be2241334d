"""The working-day calendar's administrator entries as record types (list, edit, export, API):
holidays, adjusted working days and company days, and the years whose schedule is entered."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kehu.core.calendar_changes import create_day, update_day
from kehu.core.models import CalendarDay, CalendarYear
from kehu.generic.filtering import ListFilterSet, YearFilter
from kehu.generic.registry import Column, RecordType, register

_counter = itertools.count(1)


class CalendarDayFilter(ListFilterSet):
    year = YearFilter(field_name="date__year", label=_("Year"))
    is_working = django_filters.BooleanFilter(label=_("Working day"))

    class Meta:
        model = CalendarDay
        fields = ["year", "is_working"]


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "is_working": _(
                "Ticked: a working day (e.g. an adjusted Saturday 调休); "
                "not ticked: a day off (a public holiday or a company day)."
            )
        }


class CalendarDaySerializer(serializers.ModelSerializer[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "is_working", "name", "version"]
        read_only_fields = ["id"]


class CalendarYearFilter(ListFilterSet):
    class Meta:
        model = CalendarYear
        fields = ["year"]


class CalendarYearForm(forms.ModelForm[CalendarYear]):
    class Meta:
        model = CalendarYear
        fields = ["year", "note"]
        help_texts = {
            "year": _(
                "Mark a year once all of its official holidays and adjusted working days "
                "have been entered as calendar days."
            )
        }


class CalendarYearSerializer(serializers.ModelSerializer[CalendarYear]):
    class Meta:
        model = CalendarYear
        fields = ["id", "year", "note", "version"]
        read_only_fields = ["id"]


def _sample_day() -> dict[str, Any]:
    day = datetime.date(2031, 1, 1) + datetime.timedelta(days=next(_counter))
    return {"date": day.isoformat(), "name": f"公司活动日{day:%m%d}"}


def _sample_year() -> dict[str, Any]:
    return {"year": 2040 + next(_counter), "note": f"国务院办公厅通知 第{next(_counter)}号"}


_ADMIN_TEST_USERS = {"editor": "admin", "outsider": "manager1", "scoped": "auditor"}

register(
    RecordType(
        model=CalendarDay,
        slug="calendar-days",
        columns=[
            Column("date", sort="date", link=True),
            Column("is_working", badge=True),
            Column("name", sort="name"),
            Column("updated_at", sort="updated_at"),
        ],
        filterset=CalendarDayFilter,
        form=CalendarDayForm,
        serializer=CalendarDaySerializer,
        create=create_day,
        update=update_day,
        detail_fields=["date", "is_working", "name", "updated_at"],
        search_fields=["name"],
        default_sort="-date",
        icon="calendar",
        sample_data=_sample_day,
        test_users=_ADMIN_TEST_USERS,
        extra={"nav_label": _("Working-day calendar"), "test_unit_scoped": False},
    )
)

register(
    RecordType(
        model=CalendarYear,
        slug="calendar-years",
        columns=[
            Column("year", sort="year", link=True),
            Column("note"),
            Column("updated_at", sort="updated_at"),
        ],
        filterset=CalendarYearFilter,
        form=CalendarYearForm,
        serializer=CalendarYearSerializer,
        detail_fields=["year", "note", "updated_at"],
        search_fields=["note"],
        default_sort="-year",
        icon="calendar-check",
        sample_data=_sample_year,
        test_users=_ADMIN_TEST_USERS,
        extra={"nav_label": _("Entered holiday schedules"), "test_unit_scoped": False},
    )
)
