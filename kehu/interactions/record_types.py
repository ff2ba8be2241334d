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
from kehu.interactions import filters, forms, selectors, serializers, services
from kehu.interactions.models import Interaction

policy.register_scope(
    Interaction,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)

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
