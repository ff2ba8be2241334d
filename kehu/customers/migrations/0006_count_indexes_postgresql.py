"""PostgreSQL only: indexes for counting a department's customers of one city or one account
manager (the list's region and owner filters; the list counts up to 1,001 rows). Without them
PostgreSQL ANDs two large bitmaps — the city index (≈ 100,000 rows for 北京 at 1,000,000
customers) or the manager's (15,000) with the department's (60,000–100,000) — to count even
1,001 rows: 45 and 28 ms. With them, and the row ids included, the count is an index-only
scan: 1 ms. SQLite does not need them (it counts along the department's index in name
order), and given the first, chose it for the page and sorted: slower, so not created there."""

from django.db import migrations

INDEXES = {
    "customer_unit_city": "(unit_id, status, city) INCLUDE (id)",
    "customer_unit_owner": "(unit_id, status, owner_id) INCLUDE (id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_encrypt_sensitive_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
