"""The working-day calendar's administrator entries as record types (list, edit, export, API):
holidays, adjusted working days and company days, and the years whose schedule is entered."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core import filters, forms, serializers
from kehu.core.calendar_changes import create_day, update_day
from kehu.core.models import CalendarDay, CalendarYear
from kehu.generic.registry import (
    ApiSpec,
    Column,
    DetailSpec,
    EditSpec,
    ListSpec,
    Nav,
    RecordType,
    register,
)

register(
    RecordType(
        model=CalendarDay,
        slug="calendar-days",
        nav=Nav(_("Working-day calendar"), icon="calendar", permission="change"),
        listing=ListSpec(
            columns=[
                Column("date", sort="date", link=True),
                Column("is_working", badge=True),
                Column("name", sort="name"),
                Column("updated_at", sort="updated_at"),
            ],
            filterset=filters.CalendarDayFilter,
            default_sort="-date",
            search_fields=["name"],
        ),
        detail=DetailSpec(fields=["date", "is_working", "name", "updated_at"]),
        edit=EditSpec(form=forms.CalendarDayForm, create=create_day, update=update_day),
        api=ApiSpec(serializer=serializers.CalendarDaySerializer),
    )
)

register(
    RecordType(
        model=CalendarYear,
        slug="calendar-years",
        listing=ListSpec(
            columns=[
                Column("year", sort="year", link=True),
                Column("note"),
                Column("updated_at", sort="updated_at"),
            ],
            filterset=filters.CalendarYearFilter,
            default_sort="-year",
            search_fields=["note"],
        ),
        detail=DetailSpec(fields=["year", "note", "updated_at"]),
        edit=EditSpec(form=forms.CalendarYearForm),
        api=ApiSpec(serializer=serializers.CalendarYearSerializer),
    )
)
