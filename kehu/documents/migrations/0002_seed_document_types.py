"""The DOC-1 list of document types; administrators may change it afterwards."""

from django.db import migrations

SCANS = ["application/pdf", "image/jpeg", "image/png", "image/tiff"]
OFFICE = [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]
TYPES = [
    # code, name, has issue/expiry dates, allowed content (empty: scans)
    ("business_licence", "营业执照", True, []),
    ("tax_registration", "税务登记证", True, []),
    ("org_code_certificate", "组织机构代码证", True, []),
    ("legal_rep_id", "法定代表人身份证复印件", True, []),
    ("power_of_attorney", "授权委托书", True, []),
    ("industry_permit", "行业许可证", True, []),
    ("iso_certificate", "ISO/质量体系认证证书", True, []),
    ("bank_account_proof", "开户许可证/银行账户证明", False, []),
    ("address_proof", "经营地址证明", True, []),
    ("contract_key_pages", "合同关键页", False, []),
    ("financial_statement", "财务报表", False, SCANS + OFFICE),
    ("credit_report", "征信报告", True, []),
    ("survey_form", "调查表", False, SCANS + OFFICE),
    ("other", "其他", False, []),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for order, (code, name, has_dates, content_types) in enumerate(TYPES, start=1):
        DocumentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "has_dates": has_dates,
                "content_types": content_types,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
