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
    ListSpec,
    Nav,
    RecordType,
    register,
)
from kehu.interactions import complaints, filters, forms, selectors, serializers, services
from kehu.interactions.models import Complaint, Interaction

policy.register_scope(
    Interaction,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)

policy.register_scope(Complaint, "customer__unit__path", "customer__owner_id")

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
