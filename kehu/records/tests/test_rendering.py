"""The list's hand-built HTML equals what Django's templates rendered: plain <select>s
(`tabler_widget`'s fast path) and the list rows (`row_cells`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from kehu.core.models import OrgUnit
from kehu.records import listing
from kehu.records.registry import Column
from kehu.records.templatetags.kehu import _select_html


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
    amount = Decimal("12.50")
    flag = True
    empty = None
    when = datetime.datetime(2026, 11, 23, 1, 2, tzinfo=datetime.UTC)
    day = datetime.date(2026, 1, 2)


def test_row_cells_equal_the_old_cell_template() -> None:
    columns = [Column(n) for n in ("name", "count", "amount", "flag", "empty", "when", "day")]
    template = Template(
        "{% load kehu %}{% for cell in cells %}<td>{% if forloop.first %}"
        '<a href="{{ url }}">{{ cell|display }}</a>{% else %}{{ cell|display }}{% endif %}'
        "</td>{% endfor %}"
    )
    cells = [listing.cell_value(Row(), c.name) for c in columns]
    for language in ("en", "zh-hans"):
        with translation.override(language), timezone.override("Asia/Shanghai"):
            old = template.render(Context({"cells": cells, "url": "/customers/7/"}))
            assert listing.row_cells(Row(), columns, "/customers/7/") == old
