"""The list's hand-built HTML equals what Django's templates rendered: plain <select>s
(`tabler_widget`'s fast path) and the list rows (`rows_cells`)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from kehu.core.models import OrgUnit
from kehu.customers.models import Customer
from kehu.generic import cells
from kehu.generic.registry import Column
from kehu.generic.templatetags.kehu import _select_html, filter_fields


class Choices(forms.Form):
    required = forms.ChoiceField(choices=[("", "—"), ("x", "X & <y>"), ("1", "one")])
    optional = forms.ChoiceField(choices=[("1", "a"), ("2", "b")], required=False)
    typed = forms.TypedChoiceField(choices=[(1, "a"), (2, "b")], coerce=int, help_text="help")
    empty = forms.ChoiceField(choices=[], required=False)
    grouped = forms.ChoiceField(choices=[("G", [("g1", "one")])], required=False)


@pytest.mark.parametrize(
    "data", [None, {"required": "x", "optional": "2", "typed": "2"}, {"required": "zz"}]
)
def test_plain_selects_render_as_django_renders_them(data: dict[str, str] | None) -> None:
    form = Choices(data)
    form.is_valid()
    for bound in form:
        attrs: dict[str, str | bool] = {"class": "form-select"}
        if bound.errors:
            attrs["class"] = "form-select is-invalid"
        fast = _select_html(bound, bound.field.widget, attrs)
        if bound.name == "grouped":
            assert fast is None  # optgroups: Django's templates render those
        else:
            assert fast == bound.as_widget(attrs=attrs)


class Filters(Choices):
    city = forms.CharField(label="城市 <市>", max_length=2, required=False)


OLD_FILTER_LOOP = Template(
    '{% load kehu %}{% for field in form %}<div class="col-md-2">'
    '<label class="form-label" for="{{ field.id_for_label }}">{{ field.label }}</label>'
    "{{ field|tabler_widget }}{% if field.errors %}"
    '<div id="{{ field.auto_id }}-errors" role="alert">{% for error in field.errors %}'
    '<div class="invalid-feedback d-block" data-error-for="{{ field.name }}">{{ error }}</div>'
    "{% endfor %}</div>{% endif %}</div>{% endfor %}"
)


def _tags_only(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize(
    "data", [None, {"required": "x", "city": "北京"}, {"required": "zz", "city": "北京市区"}]
)
def test_filter_fields_equal_the_old_template_loop(data: dict[str, str] | None) -> None:
    form = Filters(data)
    form.is_valid()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            old = OLD_FILTER_LOOP.render(Context({"form": form}))
            assert _tags_only(filter_fields(form)) == _tags_only(old)
    if data and data["required"] == "zz":
        assert "invalid-feedback" in filter_fields(form)


@pytest.mark.django_db
def test_model_choices_render_as_django_renders_them() -> None:
    OrgUnit.objects.create(name="销售部 <A>", code="S1", kind="department")

    class Units(forms.Form):
        unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False)

    for data in (None, {"unit": str(OrgUnit.objects.get().pk)}):
        bound = Units(data)["unit"]
        assert _select_html(bound, bound.field.widget, {}) == bound.as_widget(attrs={})


class Row:
    pk = 7
    name = "华夏 & <科技>"
    count = 1234567
    negative = -42
    amount = Decimal("12.50")
    flag = True
    off = False
    empty = None
    blank = ""
    when = datetime.datetime(2026, 11, 23, 1, 2, tzinfo=datetime.UTC)
    day = datetime.date(2026, 1, 2)


CELL_TEMPLATE = Template(
    "{% load kehu %}{% for cell in cells %}<td>{% if forloop.first %}"
    '<a href="{{ url }}">{{ cell|display }}</a>{% else %}{{ cell|display }}{% endif %}'
    "</td>{% endfor %}"
)


def old_cells(row: object, columns: list[Column]) -> str:
    values = [cells.cell_value(row, c.name) for c in columns]
    return CELL_TEMPLATE.render(Context({"cells": values, "url": f"/customers/{row.pk}/"}))  # type: ignore[attr-defined]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_row_cells_equal_the_old_cell_template(zone: str) -> None:
    names = ("name", "count", "negative", "amount", "flag", "off", "empty", "blank", "when", "day")
    columns = [Column(n) for n in names]
    for language in ("en", "zh-hans"):
        with translation.override(language), timezone.override(zone):
            assert (
                cells.rows_cells([Row(), Row()], columns, "/customers/")
                == [old_cells(Row(), columns)] * 2
            )


def test_choice_labels_and_paths_equal_the_old_cell_template() -> None:
    """Labels are translated once a page: each row still shows its own, in the language of
    the request; a broken path shows the dash."""
    merged = Customer(pk=9, name="华夏 <旧>")
    rows = [
        Customer(pk=1, name="甲", kind="organization", status="active", merged_into=merged),
        Customer(pk=2, name="乙", kind="individual", status="suspended"),
        Customer(pk=3, name="丙", kind="organization", status="unknown-status"),
    ]
    columns = [Column("name"), Column("kind"), Column("status"), Column("merged_into.name")]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert cells.rows_cells(rows, columns, "/customers/") == [
                old_cells(row, columns) for row in rows
            ]
    with translation.override("zh-hans"):
        assert "暂停" in cells.rows_cells(rows, columns, "/customers/")[1]
