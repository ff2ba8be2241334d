import datetime
from typing import Any

from django import forms, template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def tabler_widget(bound: forms.BoundField) -> SafeString:
    """Render a field's widget with Tabler's classes and the error state."""
    widget = bound.field.widget
    css = "form-control"
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = ""
    elif isinstance(widget, forms.Select):
        css = "form-select"
    if bound.errors and css:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css} if css else {}
    return bound.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound: forms.BoundField) -> bool:
    return isinstance(bound.field.widget, forms.CheckboxInput)


@register.filter
def display(value: Any) -> Any:
    """Human display of a cell value in lists and detail pages."""
    if value is None or value == "":
        return mark_safe('<span class="text-secondary">—</span>')
    if value is True:
        return format_html('<span class="badge bg-green-lt">{}</span>', _("Yes"))
    if value is False:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', _("No"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


@register.simple_tag
def sort_url(query: str, sort: str) -> str:
    return f"?{query}&sort={sort}" if query else f"?sort={sort}"


@register.filter
def amount(value: Any) -> str:
    """12345678.5 → "12,345,678.50", with the 万 / 亿 reading for large amounts."""
    if value is None or value == "":
        return ""
    from decimal import Decimal

    number = Decimal(value)
    text = f"{number:,.2f}"
    if abs(number) >= 100_000_000:
        return f"{text}（{number / 100_000_000:g}亿）"
    if abs(number) >= 10_000:
        return f"{text}（{number / 10_000:g}万）"
    return text


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def event_label(event: Any) -> str:
    """An audit event's action in words ("Customer · status changed")."""
    from kehu.audit.presentation import action_label

    return action_label(event.action, event.object_type)


@register.filter
def event_changes(event: Any) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) of an audit event's changes."""
    from kehu.audit.presentation import describe

    return describe([event])[0].changes
