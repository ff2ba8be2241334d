"""The filing configuration as record types (list, detail, edit, export, API): checklist items,
the watch list and the high-risk rules. Administrators keep them; compliance also keeps the
watch list; auditors read them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.filing import filters, forms, serializers
from kehu.filing.models import ChecklistItem, Filing, RiskRule, WatchListEntry
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

policy.register_scope(Filing, "customer__unit__path", "customer__owner_id")

register(
    RecordType(
        model=ChecklistItem,
        slug="filing-checklist",
        nav=Nav(_("Filing checklist"), icon="list-check", permission="change"),
        queryset=lambda: ChecklistItem.objects.select_related("doc_type"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("customer_kind", badge=True),
                Column("industry"),
                Column("item_kind", badge=True),
                Column("order", sort="order"),
                Column("is_active", badge=True),
            ],
            filterset=filters.ChecklistItemFilter,
            default_sort="order",
            search_fields=["name", "note"],
        ),
        detail=DetailSpec(
            fields=[
                "name",
                "customer_kind",
                "industry",
                "item_kind",
                "field_name",
                "doc_type",
                "note",
                "condition",
                "order",
                "is_active",
                "updated_at",
            ],
        ),
        edit=EditSpec(form=forms.ChecklistItemForm),
        api=ApiSpec(serializer=serializers.ChecklistItemSerializer),
    )
)

register(
    RecordType(
        model=WatchListEntry,
        slug="watch-list",
        nav=Nav(_("Watch list"), icon="alert-octagon", permission="change"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name_key", link=True),
                Column("credit_code", sort="credit_code"),
                Column("list_kind", badge=True),
                Column("source"),
                Column("listed_on"),
                Column("is_active", badge=True),
            ],
            filterset=filters.WatchListEntryFilter,
            default_sort="name_key",
            search_fields=["name", "credit_code"],
        ),
        detail=DetailSpec(
            fields=[
                "name",
                "credit_code",
                "list_kind",
                "source",
                "listed_on",
                "note",
                "is_active",
                "updated_at",
            ],
        ),
        edit=EditSpec(form=forms.WatchListEntryForm),
        api=ApiSpec(serializer=serializers.WatchListEntrySerializer),
    )
)

register(
    RecordType(
        model=RiskRule,
        slug="risk-rules",
        nav=Nav(_("Risk rules"), icon="alert-triangle", permission="change"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("kind", badge=True),
                Column("threshold"),
                Column("is_active", badge=True),
            ],
            filterset=filters.RiskRuleFilter,
            default_sort="name",
            search_fields=["name", "note"],
        ),
        detail=DetailSpec(
            fields=["name", "kind", "threshold", "industries", "is_active", "note", "updated_at"]
        ),
        edit=EditSpec(form=forms.RiskRuleForm),
        api=ApiSpec(serializer=serializers.RiskRuleSerializer),
    )
)
