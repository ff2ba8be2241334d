"""The contract dossier's document types and the default checklist per contract type
(CON-2); administrators may change both afterwards."""

from django.db import migrations

SCANS = ["application/pdf", "image/jpeg", "image/png", "image/tiff"]
OFFICE = [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]
ALL = ""
MAIN = ("sales", "framework", "purchase", "service")
# code, name, allowed content (empty: scans), [(contract types, required)]
ITEMS = [
    ("contract_negotiation", "谈判记录", SCANS + OFFICE, [(ALL, True)]),
    ("contract_feasibility", "可行性研究及内部审批文件", SCANS + OFFICE, [(MAIN, True)]),
    ("contract_counterparty_licence", "对方营业执照及资质证明", [], [(ALL, True)]),
    ("contract_capacity_proof", "对方履约能力证明", [], [(MAIN, True)]),
    ("contract_counterparty_poa", "对方代表授权委托书（正本/复印件）", [], [(ALL, True)]),
    ("contract_own_poa", "我方法定代表人授权委托书（正本/复印件）", [], [(ALL, True)]),
    ("contract_guarantor", "担保人资料", [], [(("sales", "purchase"), False)]),
    ("contract_correspondence", "往来函电（信件、电传、传真）", [], [(ALL, False)]),
    ("contract_notarisation", "公证、鉴证文件", [], [(ALL, False)]),
    ("contract_original", "合同正本", [], [(ALL, True)]),
    ("contract_copy", "合同副本", [], [(ALL, False)]),
    ("contract_amendment", "变更协议", [], [(ALL, False)]),
    ("contract_termination", "解除/终止协议", [], [(ALL, False)]),
    ("contract_acceptance", "验收记录", [], [(("purchase", "service"), True)]),
    ("contract_payment_voucher", "付款凭证", [], [(ALL, False)]),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    ChecklistItem = apps.get_model("contracts", "ChecklistItem")
    for n, (code, name, content_types, rules) in enumerate(ITEMS, start=1):
        doc_type, _created = DocumentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "content_types": content_types,
                "order": 500 + n * 10,
                "for_contracts": True,
            },
        )
        for types, required in rules:
            for contract_type in (types,) if isinstance(types, str) else types:
                ChecklistItem.objects.create(
                    name=name,
                    contract_type=contract_type,
                    doc_type=doc_type,
                    required=required,
                    order=n * 10,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("documents", "0003_document_type_for_contracts"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
