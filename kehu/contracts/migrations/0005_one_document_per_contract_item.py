"""DOC-8 for contracts: each contract's dossier item is a document of its own (the contract
original of contract A is not an earlier version of contract B's original). The contract
item types become types that allow several per customer; the versions filed so far for
several contracts under one document per customer and type are split into one document
per contract (renumbered from 1, in their order), the document that held the current
version keeping its row; the archive items filed from them follow their contract's
document. Nothing is deleted."""

from django.db import migrations
from django.db.models import Max


def _refresh(document, DocumentVersion):
    newest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    document.current = newest
    document.expires_on = newest.expires_on if newest else None
    document.save(update_fields=["current", "expires_on"])


def split(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    Document = apps.get_model("documents", "Document")
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    ContractDocument = apps.get_model("contracts", "ContractDocument")
    DossierItem = apps.get_model("archives", "DossierItem")
    types = DocumentType.objects.filter(for_contracts=True)
    types.update(multiple=True)
    Document.objects.filter(doc_type__in=types).update(is_single=False)
    for document in Document.objects.filter(doc_type__in=types).order_by("pk"):
        attached = ContractDocument.objects.filter(version__document=document).select_related(
            "contract"
        )
        groups: dict[int, list] = {}
        contracts = {}
        for row in attached.order_by("version__number", "pk"):
            groups.setdefault(row.contract_id, [])
            if row.version_id not in groups[row.contract_id]:
                groups[row.contract_id].append(row.version_id)
            contracts[row.contract_id] = row.contract
        if not groups:
            continue
        # The contract of the current version keeps the row (its id stays in the history).
        keeper = next(
            (c for c, versions in groups.items() if document.current_id in versions),
            next(iter(groups)),
        )
        every = list(
            DocumentVersion.objects.filter(document=document)
            .order_by("number")
            .values_list("pk", flat=True)
        )
        # Out of the way first: numbers are unique per document.
        top = (DocumentVersion.objects.filter(document=document).aggregate(n=Max("number"))["n"]
               or 0) + 1  # fmt: skip
        for offset, pk in enumerate(every):
            DocumentVersion.objects.filter(pk=pk).update(number=top + offset)
        grouped = {pk for versions in groups.values() for pk in versions}
        stray = [pk for pk in every if pk not in grouped]
        for contract_id, versions in groups.items():
            contract = contracts[contract_id]
            if contract_id == keeper and not stray:
                target = document
            else:
                target = Document.objects.create(
                    customer_id=document.customer_id,
                    doc_type_id=document.doc_type_id,
                    is_single=False,
                )
            target.title = contract.title[:200]
            target.reference = contract.number[:100]
            target.save(update_fields=["title", "reference"])
            for n, pk in enumerate(versions, start=1):
                DocumentVersion.objects.filter(pk=pk).update(document=target, number=n)
            _refresh(target, DocumentVersion)
            if target.pk != document.pk:
                DossierItem.objects.filter(
                    document=document, title__startswith=f"{contract.number} "
                ).update(document=target)
        for n, pk in enumerate(stray, start=1):
            DocumentVersion.objects.filter(pk=pk).update(number=n)
        _refresh(document, DocumentVersion)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_statistics_reports"),
        ("documents", "0004_several_per_customer"),
        ("archives", "0006_cabinet_care_and_archiving_review"),
    ]

    operations = [migrations.RunPython(split, migrations.RunPython.noop)]
