"""Approval chains as a record type (administrators configure them per unit, FIL-6), and the
policy's view of cases (scoped by the case's unit)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.generic.registry import (
    ApiSpec,
    Column,
    DetailSpec,
    EditSpec,
    ListSpec,
    Nav,
    RecordType,
    register,
)
from kehu.workflow import filters, forms, serializers
from kehu.workflow.models import ApproverRule, Case

policy.register_scope(Case, "unit__path")
policy.register_scope(ApproverRule, "unit__path")

register(
    RecordType(
        model=ApproverRule,
        slug="approver-rules",
        nav=Nav(_("Approval chains"), icon="git-branch", permission="change"),
        queryset=lambda: ApproverRule.objects.select_related("unit"),
        listing=ListSpec(
            columns=[
                Column("process", sort="process", link=True),
                Column("unit"),
                Column("position", sort="position"),
                Column("role", badge=True),
                Column("updated_at", sort="updated_at"),
            ],
            filterset=filters.ApproverRuleFilter,
            default_sort="process",
            search_fields=["basis", "process"],
        ),
        detail=DetailSpec(fields=["process", "unit", "position", "role", "basis", "updated_at"]),
        edit=EditSpec(form=forms.ApproverRuleForm),
        api=ApiSpec(serializer=serializers.ApproverRuleSerializer),
    )
)
