"""Flags other contexts show beside a customer wherever it is listed (the customer list, its
search and export, the API): each registers a flag with the condition that raises it, as an
expression the list's one query annotates, so that no row costs a query of its own."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.functions import Concat


@dataclass(frozen=True)
class Flag:
    key: str  # annotated as flag_<key>
    label: Any
    # A boolean expression over the customer's row (an Exists(...) of the context's table).
    condition: Callable[[], Any]
    color: str = "red"


_FLAGS: list[Flag] = []


def register_flag(flag: Flag) -> None:
    if all(known.key != flag.key for known in _FLAGS):
        _FLAGS.append(flag)


def annotate_flags(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` of customers with a boolean `flag_<key>` for every registered flag."""
    if not _FLAGS:
        return queryset
    return queryset.annotate(**{f"flag_{flag.key}": flag.condition() for flag in _FLAGS})


KEYS = "flag_keys"


def annotate_flag_keys(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` of customers with `flag_keys`: the keys of the raised flags, each followed
    by a space, in one column (the API reads it as `flags`)."""
    if KEYS in queryset.query.annotations:
        return queryset
    parts: list[Any] = [
        Case(When(flag.condition(), then=Value(f"{flag.key} ")), default=Value(""))
        for flag in _FLAGS
    ]
    if not parts:
        return queryset.annotate(**{KEYS: Value("", output_field=CharField())})
    return queryset.annotate(**{KEYS: Concat(*parts, Value(""), output_field=CharField())})


def split_keys(value: str | None) -> list[str]:
    """The flag keys of a `flag_keys` column."""
    return (value or "").split()


def raised_keys(customer: Any) -> list[str]:
    """The keys of the flags raised for `customer` (read with `annotate_flag_keys`, else
    asked in one query)."""
    if not hasattr(customer, KEYS):
        model = type(customer)
        found = annotate_flag_keys(model._default_manager.filter(pk=customer.pk))
        return split_keys(found.values_list(KEYS, flat=True).first())
    return split_keys(getattr(customer, KEYS))


class FlagText(str):
    """The raised flags' labels as plain text (export, API), drawn as badges on a page."""

    colors: tuple[str, ...] = ()

    def __html__(self) -> str:
        labels = [part for part in self.split(" · ") if part]
        return "".join(
            f'<span class="badge bg-{color}-lt me-1" data-flag>{html.escape(label)}</span>'
            for label, color in zip(labels, self.colors, strict=False)
        )


def raised(customer: Any) -> FlagText | None:
    """The flags raised for a customer read with `annotate_flags` (None: none raised, or
    read without the annotations)."""
    shown = [flag for flag in _FLAGS if getattr(customer, f"flag_{flag.key}", False)]
    if not shown:
        return None
    text = FlagText(" · ".join(str(flag.label) for flag in shown))
    text.colors = tuple(flag.color for flag in shown)
    return text
