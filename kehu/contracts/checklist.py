"""The contract dossier checklist (CON-2): which items a contract of this type holds, which
are filed (a document version each) and which required ones are still missing — the shape
of the filing checklist (kehu.filing.checklist)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from kehu.contracts.models import ChecklistItem, Contract, ContractDocument

OK, MISSING, OPTIONAL = "ok", "missing", "optional"


@dataclass(frozen=True)
class Entry:
    doc_type_id: int
    code: str
    label: str
    required: bool
    state: str  # OK, MISSING or OPTIONAL (not filed, not required)
    note: str = ""
    filed: tuple[ContractDocument, ...] = field(default=())

    @property
    def present(self) -> bool:
        return self.state == OK


def items_for(contract_type: str) -> QuerySet[ChecklistItem]:
    """The active items that apply to the contract type, in their order."""
    return (
        ChecklistItem.objects.filter(is_active=True)
        .filter(Q(contract_type="") | Q(contract_type=contract_type))
        .select_related("doc_type")
        .order_by("order", "pk")
    )


def evaluate(contract: Contract) -> list[Entry]:
    """Each document type the checklist names once (required if any of its items is), with
    the versions filed for this contract."""
    filed: dict[int, list[ContractDocument]] = {}
    documents = ContractDocument.objects.filter(contract=contract).select_related(
        "version", "attached_by"
    )
    for document in documents.order_by("attached_at", "pk"):
        filed.setdefault(document.doc_type_id, []).append(document)
    merged: dict[int, tuple[ChecklistItem, bool]] = {}
    for item in items_for(contract.contract_type):
        first, required = merged.get(item.doc_type_id, (item, False))
        merged[item.doc_type_id] = (first, required or item.required)
    entries = []
    for doc_type_id, (item, required) in merged.items():
        rows = tuple(filed.get(doc_type_id, ()))
        state = OK if rows else MISSING if required else OPTIONAL
        entries.append(
            Entry(doc_type_id, item.doc_type.code, item.name, required, state, item.note, rows)
        )
    return entries


def missing(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.state == MISSING]


def is_complete(contract: Contract) -> bool:
    return not missing(evaluate(contract))
