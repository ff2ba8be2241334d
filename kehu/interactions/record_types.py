"""Record types of interactions: the communication log (沟通记录) with list, filters, export,
detail, edit and API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core import masking, policy
from kehu.customers.models import Customer
from kehu.generic.registry import (
    ApiSpec,
    Column,
    DetailSpec,
    EditSpec,
    ListAction,
    ListSpec,
    Nav,
    RecordType,
    register,
)
from kehu.interactions import (
    complaints,
    filters,
    forms,
    purchases,
    research,
    selectors,
    serializers,
    services,
    survey_reports,
    surveys,
    tickets,
    visits,
)
from kehu.interactions.models import (
    Complaint,
    ComplaintReplyTemplate,
    CorrectiveAction,
    CustomerResearch,
    Interaction,
    Purchase,
    ServiceTicket,
    Survey,
    SurveyItem,
    SurveyReport,
    SurveyTemplate,
    VisitPlan,
)

policy.register_scope(
    Interaction,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)

policy.register_scope(Complaint, "customer__unit__path", "customer__owner_id")
policy.register_scope(Survey, "customer__unit__path", "customer__owner_id")
policy.register_scope(CorrectiveAction, "unit__path")
policy.register_scope(SurveyReport, "unit__path")
policy.register_scope(ServiceTicket, "customer__unit__path", "customer__owner_id")
policy.register_scope(Purchase, "customer__unit__path", "customer__owner_id")
policy.register_scope(VisitPlan, "customer__unit__path", "customer__owner_id")
policy.register_scope(CustomerResearch, "customer__unit__path", "customer__owner_id")

# The personal note never enters the audit trail or an export in clear.
masking.register(Interaction, "personal_note", masking.HIDDEN)

register(
    RecordType(
        model=Interaction,
        slug="interactions",
        nav=Nav(_("Communication log"), icon="messages"),
        queryset=lambda: Interaction.objects.select_related(
            "customer", "customer__unit", "author", "follow_up_owner"
        ),
        listing=ListSpec(
            columns=[
                Column("occurred_at", sort="occurred_at", link=True),
                Column("subject", sort="subject", link=True),
                Column("customer.name", label=_("Customer")),
                Column("channel", badge=True),
                Column("needs", secondary=True),
                Column("follow_up_due"),
                Column("author.full_name", label=_("recorded by"), secondary=True),
            ],
            filterset=filters.InteractionFilter,
            default_sort="-occurred_at",
            search_fields=["subject", "content", "needs", "customer__name"],
        ),
        detail=DetailSpec(
            fields=[
                "customer",
                "occurred_at",
                "ended_at",
                "channel",
                "subject",
                "content",
                "needs",
                "follow_up",
                "follow_up_due",
                "follow_up_owner",
                "follow_up_done_at",
                "project_ref",
                "author",
            ],
            panels=["interactions/_interaction_panel.html"],
            context=selectors.interaction_context,
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.InteractionForm,
            takes_user=True,
            create=services.interaction_create,
            update=services.interaction_update,
        ),
        api=ApiSpec(serializer=serializers.InteractionSerializer),
    )
)

register(
    RecordType(
        model=Complaint,
        slug="complaints",
        nav=Nav(_("Complaints"), icon="message-report"),
        queryset=lambda: Complaint.objects.select_related(
            "customer", "customer__unit", "handling_unit", "production_unit", "recorded_by"
        ),
        listing=ListSpec(
            columns=[
                Column("number", sort="number", link=True),
                Column("received_on", sort="received_on"),
                Column("customer.name", label=_("Customer")),
                Column("category", badge=True),
                Column("route", badge=True, secondary=True),
                Column("handling_unit.name", label=_("handling department")),
                Column("status", badge=True),
            ],
            filterset=filters.ComplaintFilter,
            default_sort="-received_on",
            search_fields=["number", "content", "customer__name"],
        ),
        detail=DetailSpec(
            fields=[
                "number",
                "customer",
                "received_on",
                "channel",
                "category",
                "route",
                "content",
                "handling_unit",
                "production_unit",
                "status",
                "measures",
                "production_opinion",
                "result",
                "approved_by",
                "approved_at",
                "reply_text",
                "replied_by",
                "replied_at",
                "confirmed_at",
                "confirmation_note",
                "recorded_by",
            ],
            panels=["interactions/_complaint_panel.html"],
            context=selectors.complaint_context,
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.ComplaintForm,
            takes_user=True,
            create=complaints.complaint_open,
            update=complaints.complaint_update,
        ),
        api=ApiSpec(serializer=serializers.ComplaintSerializer),
    )
)

register(
    RecordType(
        model=SurveyTemplate,
        slug="survey-templates",
        nav=Nav(_("Survey templates"), icon="forms"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("kind", badge=True),
                Column("is_active", badge=True),
            ],
            filterset=filters.SurveyTemplateFilter,
            default_sort="name",
            search_fields=["name"],
        ),
        detail=DetailSpec(fields=["name", "kind", "is_active", "round_month", "note"]),
        edit=EditSpec(form=forms.SurveyTemplateForm),
        api=ApiSpec(serializer=serializers.SurveyTemplateSerializer),
    )
)

register(
    RecordType(
        model=SurveyItem,
        slug="survey-items",
        queryset=lambda: SurveyItem.objects.select_related("template"),
        listing=ListSpec(
            columns=[
                Column("label", sort="label", link=True),
                Column("template.name", label=_("template")),
                Column("order", sort="order"),
                Column("scale", badge=True),
                Column("target"),
            ],
            filterset=filters.SurveyItemFilter,
            default_sort="order",
            search_fields=["label", "template__name"],
        ),
        detail=DetailSpec(fields=["template", "order", "label", "scale", "target"]),
        edit=EditSpec(form=forms.SurveyItemForm),
        api=ApiSpec(serializer=serializers.SurveyItemSerializer),
    )
)

register(
    RecordType(
        model=Survey,
        slug="surveys",
        nav=Nav(_("Surveys"), icon="clipboard-list"),
        queryset=lambda: Survey.objects.select_related(
            "template", "customer", "customer__unit", "assignee"
        ),
        listing=ListSpec(
            columns=[
                Column("template.name", label=_("template"), link=True),
                Column("customer.name", label=_("Customer")),
                Column("year", sort="year"),
                Column("assignee.full_name", label=_("account manager")),
                Column("due_date", sort="due_date"),
                Column("status", badge=True),
            ],
            filterset=filters.SurveyFilter,
            default_sort="-year",
            search_fields=["customer__name", "template__name"],
            actions=[
                ListAction(
                    _("Send a survey"),
                    "interactions:survey_send",
                    "interactions.survey.add",
                    "send",
                    "send-surveys-link",
                ),
                ListAction(
                    _("Survey results"),
                    "interactions:survey_results",
                    "interactions.survey.view",
                    "chart-bar",
                    "survey-results-link",
                ),
            ],
        ),
        detail=DetailSpec(
            fields=[
                "template",
                "customer",
                "year",
                "assignee",
                "due_date",
                "status",
                "answered_on",
                "respondent",
                "comment",
            ],
            panels=["interactions/_survey_panel.html"],
            context=selectors.survey_context,
            parent="customer",
        ),
        edit=EditSpec(form=forms.SurveyForm, takes_user=True, create=surveys.survey_create),
        api=ApiSpec(serializer=serializers.SurveySerializer),
    )
)

register(
    RecordType(
        model=CorrectiveAction,
        slug="corrective-actions",
        nav=Nav(_("Corrective actions"), icon="tool"),
        queryset=lambda: CorrectiveAction.objects.select_related("item", "unit", "owner"),
        listing=ListSpec(
            columns=[
                Column("item.label", label=_("item"), link=True),
                Column("year", sort="year"),
                Column("unit.name", label=_("department")),
                Column("measured"),
                Column("target"),
                Column("due_date"),
                Column("status", badge=True),
            ],
            filterset=filters.CorrectiveActionFilter,
            default_sort="-year",
            search_fields=["item__label", "description"],
        ),
        detail=DetailSpec(
            fields=[
                "item",
                "year",
                "unit",
                "measured",
                "target",
                "description",
                "owner",
                "due_date",
                "status",
            ],
        ),
        edit=EditSpec(
            form=forms.CorrectiveActionForm,
            create_form=forms.CorrectiveActionCreateForm,
            takes_user=True,
            create=surveys.corrective_action_create,
        ),
        api=ApiSpec(serializer=serializers.CorrectiveActionSerializer),
    )
)

register(
    RecordType(
        model=SurveyReport,
        slug="survey-reports",
        nav=Nav(_("Survey analysis reports"), icon="report-analytics"),
        queryset=lambda: SurveyReport.objects.select_related(
            "template", "unit", "author", "approved_by"
        ),
        listing=ListSpec(
            columns=[
                Column("number", sort="number", link=True),
                Column("template.name", label=_("template"), link=True),
                Column("year", sort="year"),
                Column("unit.name", label=_("department")),
                Column("author.full_name", label=_("author"), secondary=True),
                Column("status", badge=True),
                Column("approved_at", secondary=True),
            ],
            filterset=filters.SurveyReportFilter,
            default_sort="-year",
            search_fields=["number", "template__name", "analysis"],
        ),
        detail=DetailSpec(
            fields=[
                "number",
                "template",
                "year",
                "unit",
                "status",
                "analysis",
                "author",
                "submitted_at",
                "approved_by",
                "approved_at",
                "return_reason",
            ],
            panels=["interactions/_survey_report_panel.html"],
            context=selectors.survey_report_context,
        ),
        edit=EditSpec(
            form=forms.SurveyReportForm,
            takes_user=True,
            create=survey_reports.report_create,
            update=survey_reports.report_update,
        ),
        api=ApiSpec(serializer=serializers.SurveyReportSerializer),
    )
)

register(
    RecordType(
        model=ComplaintReplyTemplate,
        slug="complaint-reply-letters",
        nav=Nav(_("Complaint reply letters"), icon="mail-forward"),
        listing=ListSpec(
            columns=[
                Column("title", sort="title", link=True),
                Column("route", badge=True),
                Column("is_active", badge=True),
            ],
            filterset=filters.ComplaintReplyTemplateFilter,
            default_sort="title",
            search_fields=["title", "body"],
        ),
        detail=DetailSpec(fields=["title", "route", "body", "is_active"]),
        edit=EditSpec(form=forms.ComplaintReplyTemplateForm),
        api=ApiSpec(serializer=serializers.ComplaintReplyTemplateSerializer),
    )
)

register(
    RecordType(
        model=CustomerResearch,
        slug="customer-research",
        nav=Nav(_("Customer research"), icon="zoom-question"),
        queryset=lambda: CustomerResearch.objects.select_related(
            "customer", "customer__unit", "author", "evaluated_by"
        ),
        listing=ListSpec(
            columns=[
                Column("customer.name", label=_("Customer"), link=True),
                Column("researched_on", sort="researched_on"),
                Column("author.full_name", label=_("author")),
                Column("signed_at"),
                Column("evaluated_at", secondary=True),
                Column("voided_at", secondary=True),
            ],
            filterset=filters.ResearchFilter,
            default_sort="-researched_on",
            search_fields=["customer__name", "demand_analysis", "action_plan"],
        ),
        detail=DetailSpec(
            fields=[
                "customer",
                "researched_on",
                "demand_analysis",
                "entry_points",
                "action_plan",
                "author",
                "signed_at",
                "evaluation",
                "evaluated_by",
                "evaluated_at",
                "voided_at",
                "void_reason",
            ],
            panels=["interactions/_research_panel.html"],
            context=selectors.research_context,
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.ResearchForm,
            takes_user=True,
            create=research.research_create,
            update=research.research_update,
        ),
        api=ApiSpec(serializer=serializers.ResearchSerializer),
    )
)

register(
    RecordType(
        model=VisitPlan,
        slug="visit-plans",
        nav=Nav(_("Visit plan"), icon="calendar-event"),
        queryset=lambda: VisitPlan.objects.select_related("customer", "customer__unit", "planner"),
        listing=ListSpec(
            columns=[
                Column("planned_on", sort="planned_on", link=True),
                Column("customer.name", label=_("Customer")),
                Column("kind", badge=True),
                Column("purpose"),
                Column("planner.full_name", label=_("account manager")),
                Column("status", badge=True),
            ],
            filterset=filters.VisitPlanFilter,
            default_sort="planned_on",
            search_fields=["purpose", "customer__name"],
        ),
        detail=DetailSpec(
            fields=[
                "customer",
                "kind",
                "planned_on",
                "purpose",
                "planner",
                "status",
                "communication",
            ],
            panels=["interactions/_visit_panel.html"],
            context=selectors.visit_context,
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.VisitPlanForm,
            takes_user=True,
            create=visits.visit_plan_create,
            update=visits.visit_plan_update,
        ),
        api=ApiSpec(serializer=serializers.VisitPlanSerializer),
    )
)

register(
    RecordType(
        model=ServiceTicket,
        slug="service-tickets",
        nav=Nav(_("Service tickets"), icon="lifebuoy"),
        queryset=lambda: ServiceTicket.objects.select_related(
            "customer", "customer__unit", "handler"
        ),
        listing=ListSpec(
            columns=[
                Column("started_at", sort="started_at", link=True),
                Column("customer.name", label=_("Customer")),
                Column("problem_type", badge=True),
                Column("handler.full_name", label=_("handler")),
                Column("status", badge=True),
                Column("due_at"),
                Column("breached", badge=True),
            ],
            filterset=filters.TicketFilter,
            default_sort="-started_at",
            search_fields=["description", "solution", "customer__name"],
        ),
        detail=DetailSpec(
            fields=[
                "customer",
                "problem_type",
                "description",
                "handler",
                "handler_staff_no",
                "started_at",
                "ended_at",
                "steps",
                "status",
                "solution",
                "satisfaction",
                "sla_hours",
                "due_at",
                "breached",
            ],
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.TicketForm,
            takes_user=True,
            create=tickets.ticket_create,
            update=tickets.ticket_update,
        ),
        api=ApiSpec(serializer=serializers.TicketSerializer),
    )
)

register(
    RecordType(
        model=Purchase,
        slug="purchases",
        nav=Nav(_("Purchases"), icon="shopping-cart"),
        queryset=lambda: Purchase.objects.select_related("customer", "customer__unit"),
        listing=ListSpec(
            columns=[
                Column("purchased_on", sort="purchased_on", link=True),
                Column("customer.name", label=_("Customer")),
                Column("product", sort="product"),
                Column("quantity"),
                Column("unit_price"),
                Column("amount", sort="amount"),
                Column("order_number", secondary=True),
            ],
            filterset=filters.PurchaseFilter,
            default_sort="-purchased_on",
            search_fields=["product", "order_number", "customer__name"],
            actions=[
                ListAction(
                    _("Import"),
                    "interactions:purchase_import",
                    "interactions.purchase.add",
                    "file-import",
                    "import-purchases",
                )
            ],
        ),
        detail=DetailSpec(
            fields=[
                "customer",
                "purchased_on",
                "product",
                "quantity",
                "unit_price",
                "amount",
                "order_number",
                "note",
            ],
            parent="customer",
        ),
        edit=EditSpec(form=forms.PurchaseForm, takes_user=True, create=purchases.purchase_create),
        api=ApiSpec(serializer=serializers.PurchaseSerializer),
    )
)
