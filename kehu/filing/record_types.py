"""The filing configuration as record types (list, detail, edit, export, API, standard tests):
checklist items, the watch list and the high-risk rules. Administrators keep them; compliance
also keeps the watch list; auditors read them."""

from __future__ import annotations

import itertools
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kehu.core import policy
from kehu.customers.models import CustomerKind, Industry
from kehu.documents.models import DocumentType
from kehu.filing.models import (
    ChecklistItem,
    Filing,
    ItemKind,
    RiskRule,
    RuleKind,
    WatchList,
    WatchListEntry,
    check_item,
)
from kehu.generic.filtering import ListFilterSet
from kehu.generic.registry import Column, RecordType, register

policy.register_scope(Filing, "customer__unit__path", "customer__owner_id")

_counter = itertools.count(1)
_TEST_USERS = {"editor": "admin", "outsider": "archivist", "scoped": "auditor"}


# --- checklist items -------------------------------------------------------------------


class ChecklistItemForm(forms.ModelForm[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = [
            "name", "customer_kind", "industry", "item_kind", "field_name", "doc_type", "note",
            "order", "is_active",
        ]  # fmt: skip


class ChecklistItemFilter(ListFilterSet):
    customer_kind = django_filters.ChoiceFilter(
        label=_("customer kind"), choices=CustomerKind.choices
    )
    industry = django_filters.ChoiceFilter(label=_("industry"), choices=Industry.choices)
    item_kind = django_filters.ChoiceFilter(label=_("item kind"), choices=ItemKind.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = ChecklistItem
        fields = ["customer_kind", "industry", "item_kind", "is_active"]


class ChecklistItemSerializer(serializers.ModelSerializer[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = [
            "id", "name", "customer_kind", "industry", "item_kind", "field_name", "doc_type",
            "note", "order", "is_active", "version",
        ]  # fmt: skip
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        current = self.instance
        value = {
            name: attrs.get(name, getattr(current, name, None))
            for name in ("item_kind", "field_name", "doc_type")
        }
        try:
            check_item(value["item_kind"] or "", value["field_name"] or "", value["doc_type"])
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


def _sample_item() -> dict[str, Any]:
    n = next(_counter)
    doc_type = DocumentType.objects.order_by("pk").first()
    assert doc_type is not None
    return {
        "name": f"样例清单项{n}",
        "customer_kind": "organization",
        "industry": "",
        "item_kind": "document",
        "field_name": "",
        "doc_type": doc_type.pk,
        "note": "",
        "order": 100 + n,
        "is_active": "on",
    }


register(
    RecordType(
        model=ChecklistItem,
        slug="filing-checklist",
        columns=[
            Column("name", sort="name", link=True),
            Column("customer_kind", badge=True),
            Column("industry"),
            Column("item_kind", badge=True),
            Column("order", sort="order"),
            Column("is_active", badge=True),
        ],
        filterset=ChecklistItemFilter,
        form=ChecklistItemForm,
        serializer=ChecklistItemSerializer,
        detail_fields=[
            "name",
            "customer_kind",
            "industry",
            "item_kind",
            "field_name",
            "doc_type",
            "note",
            "order",
            "is_active",
            "updated_at",
        ],
        search_fields=["name", "note"],
        default_sort="order",
        queryset=lambda: ChecklistItem.objects.select_related("doc_type"),
        icon="list-check",
        sample_data=_sample_item,
        test_users=dict(_TEST_USERS),
        extra={"nav_label": _("Filing checklist"), "test_unit_scoped": False},
    )
)


# --- watch list ------------------------------------------------------------------------


class WatchListEntryForm(forms.ModelForm[WatchListEntry]):
    class Meta:
        model = WatchListEntry
        fields = ["name", "credit_code", "list_kind", "source", "listed_on", "note", "is_active"]

    def clean_credit_code(self) -> str:
        from kehu.customers.identifiers import clean_credit_code

        code = self.cleaned_data.get("credit_code") or ""
        return clean_credit_code(code) if code.strip() else ""


class WatchListEntryFilter(ListFilterSet):
    list_kind = django_filters.ChoiceFilter(label=_("list"), choices=WatchList.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = WatchListEntry
        fields = ["list_kind", "is_active"]


class WatchListEntrySerializer(serializers.ModelSerializer[WatchListEntry]):
    class Meta:
        model = WatchListEntry
        fields = [
            "id", "name", "credit_code", "list_kind", "source", "listed_on", "note", "is_active",
            "version",
        ]  # fmt: skip
        read_only_fields = ["id"]

    def validate_credit_code(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        from kehu.customers.identifiers import clean_credit_code

        try:
            return clean_credit_code(value) if value.strip() else ""
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def _sample_entry() -> dict[str, Any]:
    n = next(_counter)
    return {
        "name": f"样例异常企业第{n}有限公司",
        "credit_code": "",
        "list_kind": "abnormal",
        "source": "国家企业信用信息公示系统",
        "listed_on": "2025-03-01",
        "note": "",
        "is_active": "on",
    }


register(
    RecordType(
        model=WatchListEntry,
        slug="watch-list",
        columns=[
            Column("name", sort="name_key", link=True),
            Column("credit_code", sort="credit_code"),
            Column("list_kind", badge=True),
            Column("source"),
            Column("listed_on"),
            Column("is_active", badge=True),
        ],
        filterset=WatchListEntryFilter,
        form=WatchListEntryForm,
        serializer=WatchListEntrySerializer,
        detail_fields=[
            "name",
            "credit_code",
            "list_kind",
            "source",
            "listed_on",
            "note",
            "is_active",
            "updated_at",
        ],
        search_fields=["name", "credit_code"],
        default_sort="name_key",
        icon="alert-octagon",
        sample_data=_sample_entry,
        test_users=dict(_TEST_USERS),
        extra={"nav_label": _("Watch list"), "test_unit_scoped": False},
    )
)


# --- risk rules ------------------------------------------------------------------------


class RiskRuleForm(forms.ModelForm[RiskRule]):
    industries = forms.TypedMultipleChoiceField(
        label=_("sensitive industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For the sensitive-industry rule."),
    )

    class Meta:
        model = RiskRule
        fields = ["name", "kind", "threshold", "industries", "is_active", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_n = {RuleKind.ADDRESS_CHANGES, RuleKind.YOUNG_COMPANY}
        if data.get("kind") in needs_n and data.get("threshold") is None:
            self.add_error("threshold", _("This rule needs its threshold N."))
        if data.get("kind") == RuleKind.SENSITIVE_INDUSTRY and not data.get("industries"):
            self.add_error("industries", _("Choose the sensitive industries."))
        return data


class RiskRuleFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("rule"), choices=RuleKind.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = RiskRule
        fields = ["kind", "is_active"]


class RiskRuleSerializer(serializers.ModelSerializer[RiskRule]):
    industries = serializers.ListField(
        child=serializers.ChoiceField(choices=Industry.choices), required=False
    )

    class Meta:
        model = RiskRule
        fields = ["id", "name", "kind", "threshold", "industries", "is_active", "note", "version"]
        read_only_fields = ["id"]


def _sample_rule() -> dict[str, Any]:
    n = next(_counter)
    return {
        "name": f"样例规则{n}",
        "kind": "address_changes",
        "threshold": 3,
        "industries": [],
        "note": "",
    }


register(
    RecordType(
        model=RiskRule,
        slug="risk-rules",
        columns=[
            Column("name", sort="name", link=True),
            Column("kind", badge=True),
            Column("threshold"),
            Column("is_active", badge=True),
        ],
        filterset=RiskRuleFilter,
        form=RiskRuleForm,
        serializer=RiskRuleSerializer,
        detail_fields=[
            "name",
            "kind",
            "threshold",
            "industries",
            "is_active",
            "note",
            "updated_at",
        ],
        search_fields=["name", "note"],
        default_sort="name",
        icon="alert-triangle",
        sample_data=_sample_rule,
        test_users=dict(_TEST_USERS),
        extra={"nav_label": _("Risk rules"), "test_unit_scoped": False},
    )
)
