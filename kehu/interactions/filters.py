"""List filters of the interaction record types (pages and API alike)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core.models import OrgUnit, User
from kehu.generic.filtering import IdFilter, ListFilterSet, YearFilter
from kehu.interactions.models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintReplyTemplate,
    ComplaintRoute,
    ComplaintStatus,
    CorrectiveAction,
    CorrectiveStatus,
    CustomerResearch,
    Interaction,
    ProblemType,
    Purchase,
    ReportStatus,
    ServiceTicket,
    Survey,
    SurveyItem,
    SurveyKind,
    SurveyReport,
    SurveyStatus,
    SurveyTemplate,
    TicketStatus,
    VisitKind,
    VisitPlan,
    VisitStatus,
)


class InteractionFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("Department"), field_name="customer__unit", queryset=OrgUnit.objects.all()
    )
    occurred_from = django_filters.DateFilter(
        label=_("from"), field_name="occurred_at", lookup_expr="date__gte"
    )
    occurred_to = django_filters.DateFilter(
        label=_("to"), field_name="occurred_at", lookup_expr="date__lte"
    )
    follow_up_open = django_filters.BooleanFilter(
        label=_("follow-up open"), method="filter_follow_up_open"
    )

    class Meta:
        model = Interaction
        fields = ["customer", "channel", "unit"]

    def filter_follow_up_open(self, queryset, name, value):  # type: ignore[no-untyped-def]
        done = {"follow_up_done_at__isnull": True, "follow_up_due__isnull": False}
        return queryset.filter(**done) if value else queryset.exclude(**done)


class ComplaintFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    status = django_filters.ChoiceFilter(label=_("status"), choices=ComplaintStatus.choices)
    route = django_filters.ChoiceFilter(label=_("route"), choices=ComplaintRoute.choices)
    category = django_filters.ChoiceFilter(label=_("category"), choices=ComplaintCategory.choices)
    handling_unit = django_filters.ModelChoiceFilter(
        label=_("handling department"), queryset=OrgUnit.objects.all()
    )
    received_from = django_filters.DateFilter(
        label=_("from"), field_name="received_on", lookup_expr="gte"
    )
    received_to = django_filters.DateFilter(
        label=_("to"), field_name="received_on", lookup_expr="lte"
    )

    class Meta:
        model = Complaint
        fields = ["customer", "status", "route", "category", "handling_unit"]


class SurveyTemplateFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=SurveyKind.choices)

    class Meta:
        model = SurveyTemplate
        fields = ["kind"]


class SurveyItemFilter(ListFilterSet):
    template = django_filters.ModelChoiceFilter(
        label=_("template"), queryset=SurveyTemplate.objects.all()
    )

    class Meta:
        model = SurveyItem
        fields = ["template"]


class SurveyFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    template = django_filters.ModelChoiceFilter(
        label=_("template"), queryset=SurveyTemplate.objects.all()
    )
    year = YearFilter(label=_("year"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=SurveyStatus.choices)

    class Meta:
        model = Survey
        fields = ["customer", "template", "year", "status"]


class CorrectiveActionFilter(ListFilterSet):
    year = YearFilter(label=_("year"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=CorrectiveStatus.choices)

    class Meta:
        model = CorrectiveAction
        fields = ["year", "status"]


class SurveyReportFilter(ListFilterSet):
    template = django_filters.ModelChoiceFilter(
        label=_("template"), queryset=SurveyTemplate.objects.all()
    )
    year = YearFilter(label=_("year"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=ReportStatus.choices)

    class Meta:
        model = SurveyReport
        fields = ["template", "year", "status"]


class ComplaintReplyTemplateFilter(ListFilterSet):
    route = django_filters.ChoiceFilter(label=_("route"), choices=ComplaintRoute.choices)

    class Meta:
        model = ComplaintReplyTemplate
        fields = ["route", "is_active"]


class ResearchFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    signed = django_filters.BooleanFilter(
        label=_("signed"), field_name="signed_at", lookup_expr="isnull", exclude=True
    )
    voided = django_filters.BooleanFilter(
        label=_("voided"), field_name="voided_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = CustomerResearch
        fields = ["customer"]


class VisitPlanFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    planner = django_filters.ModelChoiceFilter(
        label=_("account manager"), queryset=User.objects.filter(is_active=True)
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=VisitKind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=VisitStatus.choices)
    planned_from = django_filters.DateFilter(
        label=_("from"), field_name="planned_on", lookup_expr="gte"
    )
    planned_to = django_filters.DateFilter(
        label=_("to"), field_name="planned_on", lookup_expr="lte"
    )

    class Meta:
        model = VisitPlan
        fields = ["customer", "planner", "kind", "status"]


class TicketFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    problem_type = django_filters.ChoiceFilter(label=_("problem type"), choices=ProblemType.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=TicketStatus.choices)
    breached = django_filters.BooleanFilter(label=_("SLA breached"))
    handler = django_filters.ModelChoiceFilter(
        label=_("handler"), queryset=User.objects.filter(is_active=True)
    )

    class Meta:
        model = ServiceTicket
        fields = ["customer", "problem_type", "status", "breached", "handler"]


class PurchaseFilter(ListFilterSet):
    customer = IdFilter(label=_("customer number"), field_name="customer_id")
    purchased_from = django_filters.DateFilter(
        label=_("from"), field_name="purchased_on", lookup_expr="gte"
    )
    purchased_to = django_filters.DateFilter(
        label=_("to"), field_name="purchased_on", lookup_expr="lte"
    )

    class Meta:
        model = Purchase
        fields = ["customer"]
