from django.db import migrations, models


def owner_count_index(apps, schema_editor):
    """Adding columns may rebuild SQLite's table, which drops the index migration 0007
    created outside the model state: create it again."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_owner_unit "
            "ON customers_customer (owner_id, status, unit_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_encrypt_legal_rep_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="chairman",
            field=models.CharField(blank=True, max_length=50, verbose_name="chairman"),
        ),
        migrations.AddField(
            model_name="customer",
            name="general_manager",
            field=models.CharField(blank=True, max_length=50, verbose_name="general manager"),
        ),
        migrations.RunPython(owner_count_index, migrations.RunPython.noop),
    ]
