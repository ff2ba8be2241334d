"""List filters of the workflow app's record types."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core.models import OrgUnit, Role
from kehu.generic.filtering import ListFilterSet
from kehu.workflow.models import ApproverRule


class ApproverRuleFilter(ListFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=OrgUnit.objects.all())
    role = django_filters.ChoiceFilter(label=_("Approver role"), choices=Role.choices)

    class Meta:
        model = ApproverRule
        fields = ["process", "unit", "role"]
