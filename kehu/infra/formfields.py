"""Form fields that accept Chinese conventions (UX-1, CUS-10): dates like 2023年5月1日,
amounts like 500万, phone numbers as people write them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.infra.normalize import normalize_phone, parse_amount, parse_date


class ChineseDateField(forms.DateField):
    widget = forms.DateInput(attrs={"placeholder": "2023-05-01", "autocomplete": "off"})

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        return parse_date(value if value not in self.empty_values else None)

    def prepare_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime.date) else value


class ChineseAmountField(forms.DecimalField):
    widget = forms.TextInput(
        attrs={"placeholder": _("e.g. 500万 or 5000000"), "inputmode": "decimal"}
    )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, Decimal):
            return value
        return parse_amount(str(value)) if value not in self.empty_values else None


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")

    def to_python(self, value: Any) -> str:
        return normalize_phone(super().to_python(value) or "")
