"""The ARC-2 categories in the prescribed order of the folder, with their retention rules
(ARC-7); archivists may change them afterwards."""

from django.db import migrations

CATEGORIES = [
    # code, name, class code, retention
    ("basic", "客户基本信息档案", "JC", "Y"),
    ("transactions", "客户交易记录档案", "JY", "D30"),
    ("complaints", "客户投诉与反馈档案", "TS", "D10"),
    ("contracts", "客户合作与合同档案", "HT", "D30"),
    ("service", "客户服务与维护档案", "FW", "D10"),
    ("other", "其他客户相关档案", "QT", "D10"),
]


def seed(apps, schema_editor):
    ArchiveCategory = apps.get_model("archives", "ArchiveCategory")
    for order, (code, name, class_code, retention) in enumerate(CATEGORIES, start=1):
        ArchiveCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "class_code": class_code, "order": order * 10,
                      "retention": retention},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_archive_dossiers_items_cabinets_destruction")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
