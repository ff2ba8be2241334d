"""Demo contracts: for sixteen active demo customers a transaction project and one to three
contracts in every status (signed ones with their dossier hand-overs, one of them overdue,
some with items filed), a supplementary agreement, a dispute, and the last half-year's
statistics report — all through the services, as the demo users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from kehu.audit.context import SYSTEM, acting_as, actor_for
from kehu.contracts import services, statistics
from kehu.contracts.models import Contract, ContractType, Project
from kehu.core.models import User
from kehu.customers.models import Customer, CustomerStatus
from kehu.documents import samples
from kehu.documents.models import DocumentType

TYPES = [ContractType.SALES, ContractType.SERVICE, ContractType.PURCHASE, ContractType.FRAMEWORK]
TITLES = {
    ContractType.SALES: "产品年度供货合同",
    ContractType.SERVICE: "技术服务合同",
    ContractType.PURCHASE: "原材料采购合同",
    ContractType.FRAMEWORK: "战略合作框架协议",
}
DEMO_CUSTOMERS = 16
# The status each demo contract reaches, in turn.
PATHS = [
    (),
    ("signed",),
    ("signed", "performing"),
    ("signed", "performing", "completed"),
    ("under_approval",),
    ("signed", "changed"),
    ("signed", "terminated"),
]


def _file(contract: Contract, code: str, by: User) -> None:
    doc_type = DocumentType.objects.get(code=code)
    upload = SimpleUploadedFile(
        f"{contract.number}_{doc_type.name}.pdf",
        samples.pdf(f"{contract.number} {code}"),
        content_type="application/pdf",
    )
    services.contract_document_attach(contract, doc_type, upload, by=by)


def load() -> int:
    if Contract.objects.exists():
        return 0
    today = timezone.localdate()
    customers = Customer.objects.filter(status=CustomerStatus.ACTIVE).select_related("owner")
    created = 0
    with acting_as(SYSTEM), transaction.atomic():
        for n, customer in enumerate(customers.order_by("pk")[:DEMO_CUSTOMERS]):
            owner = customer.owner
            if owner is None:
                continue
            with acting_as(actor_for(owner)):
                starts = today - datetime.timedelta(days=30 * (n % 14) + 20)
                project = services.project_create(
                    {"customer": customer, "name": f"{customer.name[:20]}合作项目",
                     "starts_on": starts, "owner": owner}
                )  # fmt: skip
                for k in range(1 + n % 3):
                    kind = TYPES[(n + k) % len(TYPES)]
                    signed_on = starts + datetime.timedelta(days=7 * k)
                    contract = services.contract_create(
                        {
                            "customer": customer,
                            "project": project if k < 2 else None,
                            "title": TITLES[kind],
                            "contract_type": kind,
                            "signing_unit": "北京华夏贸易有限公司",
                            "signatory": "周总",
                            "handler": owner,
                            "amount": Decimal(10_000 + 3_517 * ((n * 7 + k) % 97)),
                            "currency": "CNY" if (n + k) % 9 else "USD",
                            "effective_on": signed_on,
                            "ends_on": signed_on + datetime.timedelta(days=365),
                            "payment_terms": "验收合格后30日内付清",
                        }
                    )
                    if n % 4 == 0:
                        _file(contract, "contract_negotiation", owner)
                    for step, status in enumerate(PATHS[(n + k) % len(PATHS)]):
                        on = min(today, signed_on + datetime.timedelta(days=20 * step))
                        reason = "双方协商一致" if status in ("changed", "terminated") else ""
                        contract = services.contract_transition(
                            contract, status, by=owner, on=on, reason=reason
                        )
                        if status == "signed" and n % 2 == 0:
                            _file(contract, "contract_original", owner)
                    created += 1
                if n == 5:
                    parent = Contract.objects.filter(customer=customer).first()
                    if parent is not None:
                        services.contract_create(
                            {"customer": customer, "parent": parent, "title": "补充协议",
                             "contract_type": ContractType.SUPPLEMENT,
                             "signing_unit": "北京华夏贸易有限公司", "signatory": "周总",
                             "handler": owner, "amount": Decimal("5000.00")}
                        )  # fmt: skip
                        created += 1
        disputed = (
            Contract.objects.filter(status__in=["signed", "performing"])
            .select_related("handler")
            .order_by("pk")
            .first()
        )
        if disputed is not None:
            with acting_as(actor_for(disputed.handler)):
                services.contract_mark_disputed(
                    disputed, by=disputed.handler, reason="对交货质量有争议"
                )
        credit = User.objects.filter(username="credit").first()
        if credit is not None:
            statistics.report_generate(statistics.period_due(today), by=credit)
    return created + Project.objects.count()
