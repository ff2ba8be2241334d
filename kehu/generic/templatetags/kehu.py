import html
from typing import Any

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

from kehu.audit.presentation import action_label, describe
from kehu.generic.cells import shown

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
    if "maxlength" in widget.attrs:
        # The browser would cut longer input silently; the form refuses it with the limit.
        attrs["maxlength"] = False
    if bound.errors:
        # Read out with the field: its errors (`field_errors`) describe it.
        attrs["aria-invalid"] = "true"
        if bound.auto_id:
            attrs["aria-describedby"] = errors_id(bound)
    if type(widget) is forms.Select and not bound.field.localize:
        fast = _select_html(bound, widget, attrs)
        if fast is not None:
            return fast
    return bound.as_widget(attrs=attrs)


def _select_html(
    bound: forms.BoundField, widget: forms.Select, extra: dict[str, str | bool]
) -> SafeString | None:
    """What `as_widget` renders for a plain <select>, built without a template per option
    (a filter form's selects hold hundreds of options; their templates cost more than the
    list's query). None for grouped choices, which the widget's templates render."""
    attrs = bound.build_widget_attrs(extra, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    attrs = widget.build_attrs(widget.attrs, attrs)
    chosen = set(widget.format_value(bound.value()))
    options = []
    found = False
    for value, label in widget.choices:
        if isinstance(label, list | tuple):
            return None
        text = "" if value is None else str(value)
        selected = not found and text in chosen
        found = found or selected
        mark = " selected" if selected else ""
        options.append(f'\n  <option value="{_esc(text)}"{mark}>{_esc(label)}</option>\n')
    attributes = "".join(
        f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
    name = _esc(bound.html_name)
    return mark_safe(f'<select name="{name}"{attributes}>{"".join(options)}\n</select>')


@register.filter
def filter_fields(form: forms.Form) -> SafeString:
    """A list's filter fields as generic/list.html lays them out (label, widget, errors),
    built here: the template's loop over a dozen fields costs as much as their widgets."""
    parts = []
    for field in form:
        errors = field_errors(field)
        parts.append(
            f'<div class="col-md-2">\n'
            f'  <label class="form-label" for="{_esc(field.id_for_label)}">'
            f"{_esc(field.label)}</label>\n"
            f"  {tabler_widget(field)}\n"
            f"  {errors}\n"
            f"</div>\n"
        )
    return mark_safe("".join(parts))


def errors_id(bound: forms.BoundField) -> str:
    """The id of the element holding a field's errors (its widget's aria-describedby)."""
    return f"{bound.auto_id}-errors"


@register.filter
def field_errors(bound: forms.BoundField) -> SafeString:
    """A field's errors, announced (role=alert) and describing its widget; "" without."""
    if not bound.errors:
        return mark_safe("")
    name = _esc(bound.name)
    messages = "".join(
        f'<div class="invalid-feedback d-block" data-error-for="{name}">{_esc(error)}</div>'
        for error in bound.errors
    )
    return mark_safe(f'<div id="{_esc(errors_id(bound))}" role="alert">{messages}</div>')


def _esc(value: Any) -> str:
    """What the template's autoescaping makes of a value (without lazy-wrapper overhead)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


@register.filter
def is_checkbox(bound: forms.BoundField) -> bool:
    return isinstance(bound.field.widget, forms.CheckboxInput)


@register.filter
def display(value: Any) -> Any:
    """Human display of a cell value in lists and detail pages (kehu.generic.cells.shown)."""
    return shown(value)


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
    return action_label(event.action, event.object_type)


@register.filter
def event_changes(event: Any) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) of an audit event's changes."""
    return describe([event])[0].changes
