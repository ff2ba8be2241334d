"""Reads of contracts and projects shared by the pages, the card panel and the API."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from kehu.contracts import checklist
from kehu.contracts.forms import AttachForm
from kehu.contracts.handovers import ReceiptForm
from kehu.contracts.models import (
    Contract,
    ContractStatus,
    Handover,
    HandoverStage,
    HandoverStatus,
    Project,
)
from kehu.contracts.services import TRANSITIONS
from kehu.core import policy
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer

CARD_ROWS = 20
# Who confirms a hand-over's receipt: the contract officer, then the archive room.
RECEIVE_PERMISSION = {
    HandoverStage.OFFICER: "contracts.contract.receive",
    HandoverStage.ARCHIVE_ROOM: "contracts.contract.archive",
}


def contract_rows() -> QuerySet[Contract]:
    return Contract.objects.select_related("customer", "unit", "project", "handler")


def with_open_handovers(rows: QuerySet[Contract]) -> QuerySet[Contract]:
    """`open_handovers` of each row (the ledger's and the card's hand-over column): one
    query for the rows shown, none in the list's count."""
    waiting = Handover.objects.filter(status=HandoverStatus.OPEN).order_by("due_on", "pk")
    return rows.prefetch_related(Prefetch("handovers", queryset=waiting, to_attr="open_handovers"))


def ledger_rows() -> QuerySet[Contract]:
    return with_open_handovers(Contract.objects.select_related("customer", "unit", "handler"))


def handover_rows() -> QuerySet[Handover]:
    return Handover.objects.select_related("contract", "contract__customer", "step")


def contract_handovers(contract: Contract) -> list[Handover]:
    rows = contract.handovers.select_related("handed_by", "received_by", "step")
    return list(rows.order_by("pk"))


def project_rows() -> QuerySet[Project]:
    return Project.objects.select_related("customer", "owner")


def customer_contracts(user: Any, customer: Customer) -> QuerySet[Contract]:
    rows = policy.rows_of(user, contract_rows(), "customer", customer)
    return rows.order_by("-signed_on", "-pk")


def customer_projects(user: Any, customer: Customer) -> QuerySet[Project]:
    return policy.rows_of(user, project_rows(), "customer", customer).order_by("-starts_on", "-pk")


def next_statuses(contract: Contract) -> list[tuple[str, str]]:
    """The statuses the contract may move to, with their labels."""
    return [(s, str(ContractStatus(s).label)) for s in TRANSITIONS.get(contract.status, ())]


def contract_context(request: Any, contract: Contract) -> dict[str, Any]:
    """The contract page's panels: status steps, dispute, events."""
    user = request.user
    may_transition = policy.has_perm(user, "contracts.contract.transition", contract)
    entries = checklist.evaluate(contract)
    may_attach = policy.has_perm(user, "contracts.contract.attach", contract)
    today = timezone.localdate()
    rounds = contract_handovers(contract)
    waiting = next((h for h in rounds if h.status == HandoverStatus.OPEN), None)
    may_receive = waiting is not None and policy.has_perm(
        user, RECEIVE_PERMISSION[HandoverStage(waiting.stage)], contract
    )
    return {
        "contract_handovers": rounds,
        "contract_handover_waiting": waiting,
        "contract_handover_overdue": waiting is not None and waiting.overdue(today),
        "contract_receipt_form": ReceiptForm(contract=contract) if may_receive else None,
        "contract_checklist": entries,
        "contract_missing": checklist.missing(entries),
        "contract_attach_form": AttachForm(contract=contract) if may_attach else None,
        "contract_next_statuses": next_statuses(contract) if may_transition else [],
        "contract_may_dispute": may_transition and contract.status != ContractStatus.DRAFT,
        "contract_events": list(contract.events.select_related("by").order_by("happened_on", "pk")),
        "contract_amendments": list(
            policy.scope(user, Contract.objects.filter(parent=contract), "view").order_by("pk")
        ),
    }


def project_context(request: Any, project: Project) -> dict[str, Any]:
    rows = policy.rows_of(request.user, contract_rows(), "project", project)
    return {"project_contracts": list(rows.order_by("-signed_on", "-pk")[:100])}


def card_panel(request: Any, customer: Customer) -> CardPanel:
    return CardPanel(card_context(request.user, customer))


def card_context(user: Any, customer: Customer) -> dict[str, Any]:
    """The card's contracts panel: the customer's projects and newest contracts."""
    if not policy.has_perm(user, "contracts.contract.view", Contract(customer=customer)):
        return {"contracts_visible": False}
    contracts = list(with_open_handovers(customer_contracts(user, customer))[: CARD_ROWS + 1])
    add_probe = Contract(customer=customer, unit_id=customer.unit_id)
    return {
        "contracts_visible": True,
        "card_projects": list(customer_projects(user, customer)[:CARD_ROWS]),
        "card_contracts": contracts[:CARD_ROWS],
        "card_contracts_more": len(contracts) > CARD_ROWS,
        "card_today": timezone.localdate(),
        "card_contracts_url": f"{reverse('generic:contracts_list')}?customer={customer.pk}",
        "can_add_contract": policy.has_perm(user, "contracts.contract.add", add_probe),
        "can_add_project": policy.has_perm(
            user, "contracts.project.add", Project(customer=customer)
        ),
    }


def ending_contracts_review(month: datetime.date, config: Any) -> QuerySet[Customer]:
    """REV-4's contract part (kehu.reviews.selection's extra reviews): a customer whose
    contract in force ends in the month is reviewed that month, so that the review follows
    the contracts' duration."""
    last = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    ending = Contract.objects.filter(
        status__in=(ContractStatus.SIGNED, ContractStatus.PERFORMING, ContractStatus.CHANGED),
        ends_on__gte=month.replace(day=1),
        ends_on__lt=last,
    )
    return Customer.objects.filter(pk__in=ending.values("customer_id"))
