"""The default filing configuration: the risk assessment report as a document type, the
checklist of the source documents (资料收集清单) and the high-risk rules they name."""

from django.db import migrations

# (name, customer kind ("" = every), industry ("" = every), field or document type code)
CHECKLIST = [
    ("统一社会信用代码", "organization", "", "field:credit_code"),
    ("法定代表人", "organization", "", "field:legal_rep_name"),
    ("注册地址", "organization", "", "field:registered_address"),
    ("注册资本", "organization", "", "field:registered_capital"),
    ("经营范围", "organization", "", "field:business_scope"),
    ("联系人（至少一人）", "", "", "field:contacts"),
    ("对公账户", "organization", "", "field:bank_accounts"),
    ("营业执照副本复印件", "organization", "", "doc:business_licence"),
    ("法定代表人身份证复印件", "organization", "", "doc:legal_rep_id"),
    ("开户许可证/银行账户证明", "organization", "", "doc:bank_account_proof"),
    ("身份证号码", "individual", "", "field:id_number"),
    ("联系电话", "individual", "", "field:phone"),
    ("住址", "individual", "", "field:address"),
    ("行业许可证（食品经营等）", "organization", "F", "doc:industry_permit"),
    ("行业许可证（医疗卫生）", "organization", "Q", "doc:industry_permit"),
    ("行业许可证（金融）", "organization", "J", "doc:industry_permit"),
    ("行业许可证（采矿）", "organization", "B", "doc:industry_permit"),
]
RULES = [
    ("敏感行业", "sensitive_industry", None, ["B", "J", "K"]),
    ("注册地与实际经营地不在同一城市", "address_cities_differ", None, []),
    ("地址频繁变更（超过2次）", "address_changes", 2, []),
    ("列入经营异常名录或严重违法失信名单", "watch_list", None, []),
    ("成立不满180天", "young_company", 180, []),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    ChecklistItem = apps.get_model("filing", "ChecklistItem")
    RiskRule = apps.get_model("filing", "RiskRule")
    DocumentType.objects.get_or_create(
        code="risk_report",
        defaults={
            "name": "客户风险评估报告",
            "has_dates": False,
            "content_types": [
                "application/pdf", "image/jpeg", "image/png", "image/tiff",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ],  # fmt: skip
            "order": 50,
        },
    )
    types = {t.code: t for t in DocumentType.objects.all()}
    for order, (name, kind, industry, target) in enumerate(CHECKLIST, start=1):
        item_kind, _sep, code = target.partition(":")
        if item_kind == "doc" and code not in types:
            continue
        ChecklistItem.objects.create(
            name=name,
            customer_kind=kind,
            industry=industry,
            item_kind="field" if item_kind == "field" else "document",
            field_name=code if item_kind == "field" else "",
            doc_type=types[code] if item_kind == "doc" else None,
            order=order * 10,
        )
    for name, kind, threshold, industries in RULES:
        RiskRule.objects.create(name=name, kind=kind, threshold=threshold, industries=industries)


class Migration(migrations.Migration):
    dependencies = [
        ("filing", "0001_filing_configuration_and_cases"),
        ("documents", "0002_seed_document_types"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
