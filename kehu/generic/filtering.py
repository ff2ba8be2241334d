"""The base of the record lists' filter sets: django-filter's, without its deep copies.

Each request builds a filter set, which deep-copies its declared filters (with their choice
lists of lazy translations) and then builds a form class from new fields, whose instance
deep-copies those fields again, which costs more than filtering. Here a filter
set's filters are shallow copies (their `extra` copied, so a request-dependent queryset set
in it stays with this filter set; a `method` bound to the copy) and the form uses the
fields made for it as they are: nothing is shared that a request changes."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms

# The largest id a 64-bit integer column holds: a larger number is refused by the form, not
# handed to the database (where it overflows).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on a row's number: whole numbers from 1 to MAX_ID, else a form error."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A calendar year: whole numbers from 1900 to 2200."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2200)
        super().__init__(*args, **kwargs)


class _ShallowFilters(dict[str, Any]):
    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: _copy_filter(filter_) for name, filter_ in self.items()}


def _copy_filter(filter_: Any) -> Any:
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    copied.__dict__.pop("_field", None)  # made afresh, from this copy's extra
    if copied.method is not None:
        copied.method = copied.method  # rebinds its FilterMethod to the copy (and its parent)
    return copied


class _OwnFields(dict[str, forms.Field]):
    """A form class's fields made for one filter set only: its form needs no copy of them."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class ListFilterSet(django_filters.FilterSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        declared: dict[str, Any] = type(self).base_filters  # type: ignore[misc,has-type]
        self.base_filters = _ShallowFilters(declared)
        super().__init__(*args, **kwargs)

    def get_form_class(self) -> type[forms.Form]:
        form_class: type[forms.Form] = super().get_form_class()
        form_class.base_fields = _OwnFields(form_class.base_fields)
        return form_class
