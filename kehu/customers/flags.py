"""Flags other contexts show beside a customer wherever it is listed (the customer list, its
search and export, the API): each registers a flag with the condition that raises it, as an
expression the list's one query annotates, so that no row costs a query of its own."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


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
