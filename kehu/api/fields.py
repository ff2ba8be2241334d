"""Serializer fields that accept Chinese conventions, like the form fields (UX-1)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from kehu.core import masking
from kehu.infra.normalize import parse_amount, parse_date


class ChineseDateField(serializers.DateField):
    """Accepts 2023-05-01, 2023年5月1日, 2023.5.1, 20230501."""

    def to_internal_value(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        try:
            return parse_date(str(value)) if value not in (None, "") else None
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class ChineseAmountField(serializers.DecimalField):
    """Accepts 5000000, "500万", "1.2亿", "￥3,000.50"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal | None:  # type: ignore[override]
        try:
            return parse_amount(str(data)) if data not in (None, "") else None
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def error_detail(error: DjangoValidationError) -> Any:
    """A Django ValidationError as DRF error detail: per field when it has fields, plain
    text (links of the HTML messages dropped)."""
    from django.utils.html import strip_tags

    if hasattr(error, "error_dict"):
        return {
            field: [strip_tags(str(m)) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return [strip_tags(str(m)) for m in error.messages]


class MaskedFieldsMixin:
    """Sensitive fields (kehu.core.masking) leave the API masked; revealing is its own audited
    call (`POST /api/v1/reveal/`). A masked value sent back unchanged keeps the stored one, so
    a client may PUT what it read."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        for name in masking.sensitive_fields(instance):
            if data.get(name) and masking.spec(instance, name) is not None:
                data[name] = masking.masked(instance, name, data[name])
        return data

    def to_internal_value(self, data: Any) -> Any:
        instance = getattr(self, "instance", None)
        if instance is not None and not hasattr(instance, "__iter__"):
            data = masking.keep_unchanged(instance, data)
        return super().to_internal_value(data)  # type: ignore[misc]
