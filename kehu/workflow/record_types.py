"""Approval chains as a record type (administrators configure them per unit, FIL-6), and the
policy's view of cases (scoped by the case's unit)."""

from __future__ import annotations

import itertools
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kehu.core import policy
from kehu.core.models import OrgUnit, Role
from kehu.generic.filtering import ListFilterSet
from kehu.generic.registry import Column, RecordType, register
from kehu.workflow import definitions
from kehu.workflow.models import ApproverRule, Case

policy.register_scope(Case, "unit__path")
policy.register_scope(ApproverRule, "unit__path")

_counter = itertools.count(1)


def _process_choices() -> list[tuple[str, Any]]:
    return [(p.key, p.label) for p in definitions.all_processes()]


class ApproverRuleFilter(ListFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=OrgUnit.objects.all())
    role = django_filters.ChoiceFilter(label=_("Approver role"), choices=Role.choices)

    class Meta:
        model = ApproverRule
        fields = ["process", "unit", "role"]


class ApproverRuleForm(forms.ModelForm[ApproverRule]):
    process = forms.ChoiceField(label=_("Process"), choices=_process_choices)

    class Meta:
        model = ApproverRule
        fields = ["process", "unit", "position", "role", "basis"]


class ApproverRuleSerializer(serializers.ModelSerializer[ApproverRule]):
    class Meta:
        model = ApproverRule
        fields = ["id", "process", "unit", "position", "role", "basis", "version"]
        read_only_fields = ["id"]


def _sample_rule() -> dict[str, Any]:
    unit = OrgUnit.objects.order_by("path").first()
    process = definitions.all_processes()[0].key
    return {
        "process": process,
        "unit": unit.pk if unit else "",
        "position": 10 + next(_counter),
        "role": Role.GENERAL_MANAGER,
        "basis": f"客户备案管理办法 第{next(_counter)}条",
    }


register(
    RecordType(
        model=ApproverRule,
        slug="approver-rules",
        columns=[
            Column("process", sort="process", link=True),
            Column("unit"),
            Column("position", sort="position"),
            Column("role", badge=True),
            Column("updated_at", sort="updated_at"),
        ],
        filterset=ApproverRuleFilter,
        form=ApproverRuleForm,
        serializer=ApproverRuleSerializer,
        detail_fields=["process", "unit", "position", "role", "basis", "updated_at"],
        search_fields=["basis", "process"],
        default_sort="process",
        queryset=lambda: ApproverRule.objects.select_related("unit"),
        icon="git-branch",
        sample_data=_sample_rule,
        test_users={"editor": "admin", "outsider": "manager1", "scoped": "auditor"},
        extra={
            "nav_label": _("Approval chains"),
            "test_unit_scoped": False,
        },
    )
)
