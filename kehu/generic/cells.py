"""A record's columns as lists, the export and the detail page show them: `cell_value`
resolves a column on a row (masked where sensitive), `rows_cells` writes a list page's
<td> cells as the template's `{{ value|display }}` would."""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kehu.core import masking
from kehu.generic.registry import Column


def cell_value(row: Any, name: str) -> Any:
    """Resolve a column: attribute path, choice display, or method. Sensitive fields
    (kehu.core.masking) come out masked."""
    path, last = _steps(name)
    value = _last_object(row, path)
    if value is None:
        return None
    cls: type = type(value)
    return _reader(cls, last)(value)


@functools.cache
def _steps(name: str) -> tuple[tuple[str, ...], str]:
    *path, last = name.split(".")
    return tuple(path), last


def _last_object(row: Any, path: tuple[str, ...]) -> Any:
    """The object whose attribute the column shows (None if the path breaks)."""
    value = row
    for part in path:
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, Model):
            value = value()
    return value


@functools.cache
def _reader(cls: type, name: str) -> Callable[[Any], Any]:
    """How a column's last step reads attribute `name` of a `cls` object, decided once per
    class (a list page resolves hundreds of cells): choice label, `get_…_display`, masked
    value or the attribute itself (called when it is a method)."""
    is_model = issubclass(cls, Model)
    labels = _choice_labels(cls, name) if is_model else None
    # Declared whatever the tier in force: an administrator may change it at any time.
    sensitive = is_model and name in masking.declared_fields(cls)
    has_display = callable(getattr(cls, f"get_{name}_display", None))

    def plain(obj: Any) -> Any:
        if sensitive and masking.spec(obj, name) is not None:
            return masking.masked(obj, name)
        display = getattr(obj, f"get_{name}_display", None) if has_display else None
        if display is not None:
            return display()
        value = getattr(obj, name)
        return value() if callable(value) and not isinstance(value, Model) else value

    if labels is None:
        return plain

    def choice(obj: Any) -> Any:
        if sensitive and masking.spec(obj, name) is not None:
            return masking.masked(obj, name)
        raw = getattr(obj, name)
        if isinstance(raw, Hashable):
            return force_str(labels.get(raw, raw), strings_only=True)
        return plain(obj)

    return choice


@functools.cache
def _choice_labels(model: type[Model], name: str) -> dict[Any, Any] | None:
    """{value: label} of a field with choices (what get_FOO_display looks up, built once
    instead of on every call); None for other attributes."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not getattr(field, "choices", None) or getattr(field, "attname", None) != name:
        return None
    return dict(getattr(field, "flatchoices", ()))


EMPTY = '<span class="text-secondary">—</span>'
SECONDARY_CELL = '<td class="d-none d-md-table-cell">'


def shown(value: Any, zone: datetime.tzinfo | None = None) -> Any:
    """How lists and detail pages show a value (the template filter `display`): a dash for
    nothing, Yes / No badges, dates and times to the minute in `zone` (default: the current
    time zone); anything else as it is."""
    if value is None or value == "":
        return mark_safe(EMPTY)
    if value is True:
        return format_html('<span class="badge bg-green-lt">{}</span>', _("Yes"))
    if value is False:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', _("No"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


def rows_cells(rows: Sequence[Any], columns: Sequence[Column], list_url: str) -> list[SafeString]:
    """Each row's <td> cells, the first linked to `list_url<pk>/`: built here, because 50
    rows of template loops and filters cost more than the page's query."""
    page = _PageCells(columns)
    return [page.row(row, f"{list_url}{row.pk}/") for row in rows]


class _PageCells:
    """Writes one page's cells as `{{ value|display }}` with autoescaping would. What is
    the same on every row is worked out once a page: the columns' steps, the time zone,
    each choice label and Yes / No as shown (translating a label costs more than the rest
    of its cell)."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.steps = [_steps(column.name) for column in columns]
        self.opening = [SECONDARY_CELL if column.secondary else "<td>" for column in columns]
        self.zone = timezone.get_current_timezone()
        self.memo: dict[tuple[Any, ...], str] = {}

    def row(self, row: Any, detail_url: str) -> SafeString:
        cells = [self.cell(row, path, last) for path, last in self.steps]
        if cells:
            cells[0] = f'<a href="{html.escape(detail_url)}">{cells[0]}</a>'
        return mark_safe(
            "".join(f"{td}{cell}</td>" for td, cell in zip(self.opening, cells, strict=True))
        )

    def cell(self, row: Any, path: tuple[str, ...], last: str) -> str:
        obj = _last_object(row, path)
        if obj is None:
            return EMPTY
        cls: type = type(obj)
        labels = _choice_labels(cls, last) if isinstance(obj, Model) else None
        # A sensitive choice (a gender) is masked, not memoised by its value.
        if labels is not None and last not in masking.declared_fields(cls):
            raw = getattr(obj, last)
            if isinstance(raw, Hashable):
                key = (cls, last, raw)
                cached = self.memo.get(key)
                if cached is None:
                    cached = self.memo[key] = self.html(_reader(cls, last)(obj))
                return cached
        return self.html(_reader(cls, last)(obj))

    def html(self, value: Any) -> str:
        """`shown(value)` escaped, as autoescaping would write it."""
        if value is True or value is False:
            cached = self.memo.get((bool, value))
            if cached is None:
                cached = self.memo[(bool, value)] = shown(value).__html__()
            return cached
        value = shown(value, self.zone)
        if hasattr(value, "__html__"):
            return str(value.__html__())
        if isinstance(value, str):
            return html.escape(value)
        if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
            return str(value)  # what localize() makes of it, without its format lookups
        return html.escape(str(localize(value)))
