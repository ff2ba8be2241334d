"""Demo archive: active demo customers carry archive numbers (numbered when the
customer demo activated them, or here), three cabinets with folders in them, and the
licences of the demo documents filed into their dossiers after an accepted check before
filing."""

from __future__ import annotations

from django.db import transaction

from kehu.archives import reviews, services
from kehu.archives.models import ArchiveCategory, Cabinet, Dossier
from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User
from kehu.customers.models import Customer, CustomerStatus
from kehu.documents.models import Document

CABINETS = [
    ("G01", "一号档案柜", "档案室 101"),
    ("G02", "二号档案柜", "档案室 101"),
    ("G03", "销售部档案柜", "销售部办公室"),
]


def load() -> int:
    if Cabinet.objects.exists():
        return 0
    created = 0
    with acting_as(SYSTEM), transaction.atomic():
        for customer in Customer.objects.filter(status=CustomerStatus.ACTIVE).order_by("pk"):
            dossier = services.open_dossier(customer)
            if not dossier.archive_number:
                services.number_dossier(dossier)
                created += 1
        cabinets = [
            services.audited_create(Cabinet(code=code, name=name, room=room, shelves=5))
            for code, name, room in CABINETS
        ]
        custodian = User.objects.filter(username="archivist").first()
        dossiers = Dossier.objects.exclude(archive_number="").order_by("archive_number")
        for n, dossier in enumerate(dossiers[:30]):
            values = {
                "cabinet": cabinets[n % 3],
                "shelf": n // 3 % 5 + 1,
                "position": f"{n // 15 + 1:02d}-{n % 15 + 1:02d}",
                "custodian": custodian,
            }
            services.update_dossier(dossier, values, None)
        if custodian is None:  # nobody to check the materials before filing
            return created + len(cabinets)
        basic = ArchiveCategory.objects.get(code="basic")
        documents = Document.objects.filter(customer__dossier__isnull=False).select_related(
            "customer__dossier", "doc_type"
        )
        accepted = {"authentic": True, "complete": True, "accurate": True, "outcome": "accepted"}
        reviewed: set[int] = set()
        for document in documents.order_by("pk"):
            dossier = document.customer.dossier
            if dossier.pk not in reviewed:
                reviews.record_review(dossier, custodian, accepted)
                reviewed.add(dossier.pk)
            services.file_item(
                {
                    "dossier": document.customer.dossier,
                    "category": basic,
                    "title": document.doc_type.name,
                    "document": document,
                    "medium": "both",
                    "pages": 1,
                }
            )
            created += 1
    return created + len(cabinets)
