"""Record types of the contract archive: transaction projects, the contract ledger (合同管理台帐)
and the contract dossier checklist, each with list, filters, export, detail, edit and API."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kehu.contracts import filters, forms, selectors, serializers, services
from kehu.contracts.models import ChecklistItem, Contract, ContractDocument, Handover, Project
from kehu.core import policy
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

# A user sees the contracts and projects of the customers he sees (a grant on the customer too).
policy.register_scope(
    Project, "customer__unit__path", "customer__owner_id", grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)  # fmt: skip
policy.register_scope(
    Contract, "customer__unit__path", "customer__owner_id", grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)  # fmt: skip
policy.register_scope(Handover, "contract__customer__unit__path", "contract__customer__owner_id")
policy.register_scope(
    ContractDocument, "contract__customer__unit__path", "contract__customer__owner_id"
)

register(
    RecordType(
        model=Project,
        slug="projects",
        nav=Nav(_("Transaction projects"), icon="briefcase"),
        queryset=lambda: Project.objects.select_related("customer", "owner"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("customer.name", label=_("Customer")),
                Column("starts_on", sort="starts_on"),
                Column("ends_on"),
                Column("owner.full_name", label=_("project owner")),
                Column("status", badge=True),
            ],
            filterset=filters.ProjectFilter,
            default_sort="-starts_on",
            search_fields=["name", "customer__name"],
        ),
        detail=DetailSpec(
            fields=["customer", "name", "starts_on", "ends_on", "owner", "status", "note"],
            panels=["contracts/_project_contracts.html"],
            context=selectors.project_context,
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.ProjectForm,
            create_form=forms.ProjectCreateForm,
            takes_user=True,
            create=services.project_create,
            update=services.project_update,
        ),
        api=ApiSpec(serializer=serializers.ProjectSerializer),
    )
)

register(
    RecordType(
        model=Contract,
        slug="contracts",
        nav=Nav(_("Contract ledger"), icon="file-certificate"),
        queryset=lambda: Contract.objects.select_related(
            "customer", "unit", "project", "parent", "handler"
        ),
        listing=ListSpec(
            columns=[
                Column("number", sort="number", link=True),
                Column("title", sort="title"),
                Column("customer.name", label=_("counterparty")),
                Column("unit.name", label=_("Department")),
                Column("contract_type", badge=True),
                Column("status", badge=True),
                Column("amount", sort="amount"),
                Column("currency", secondary=True),
                Column("signed_on", sort="signed_on"),
                Column("ends_on", secondary=True),
                Column("handler.full_name", label=_("handler"), secondary=True),
                Column("handover_state", label=_("hand-over due")),
            ],
            filterset=filters.ContractFilter,
            default_sort="-updated_at",
            search_fields=["number", "title", "customer__name"],
            queryset=selectors.ledger_rows,
            count_limit=10_000,
            print_url=reverse_lazy("contracts:ledger_pdf"),
            actions=[
                ListAction(
                    _("Contract statistics by department"),
                    "contracts:department_statistics",
                    "contracts.contract.view",
                    "table",
                    "department-statistics-link",
                )
            ],
        ),
        detail=DetailSpec(
            fields=[
                "number",
                "customer",
                "unit",
                "project",
                "parent",
                "title",
                "contract_type",
                "status",
                "signing_unit",
                "signatory",
                "counterparty_signatory",
                "handler",
                "amount",
                "currency",
                "signed_on",
                "effective_on",
                "ends_on",
                "payment_terms",
                "guarantee",
                "disputed",
                "note",
            ],
            panels=[
                "contracts/_contract_status.html",
                "contracts/_contract_handovers.html",
                "contracts/_contract_checklist.html",
            ],
            context=selectors.contract_context,
            parent="customer",
        ),
        edit=EditSpec(
            form=forms.ContractForm,
            create_form=forms.ContractCreateForm,
            takes_user=True,
            create=services.contract_create,
            update=services.contract_update,
        ),
        api=ApiSpec(serializer=serializers.ContractSerializer),
    )
)

register(
    RecordType(
        model=ChecklistItem,
        slug="contract-checklist",
        nav=Nav(_("Contract checklist"), icon="list-check", permission="change"),
        queryset=lambda: ChecklistItem.objects.select_related("doc_type"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("contract_type", badge=True),
                Column("doc_type"),
                Column("required", badge=True),
                Column("order", sort="order"),
                Column("is_active", badge=True),
            ],
            filterset=filters.ChecklistItemFilter,
            default_sort="order",
            search_fields=["name", "note"],
        ),
        detail=DetailSpec(
            fields=["name", "contract_type", "doc_type", "required", "order", "is_active", "note"]
        ),
        edit=EditSpec(form=forms.ChecklistItemForm),
        api=ApiSpec(serializer=serializers.ContractChecklistItemSerializer),
    )
)
