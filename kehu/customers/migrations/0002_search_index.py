"""The n-gram index of customer search (kehu.customers.search.storage): an FTS5 table on
SQLite, a GIN-indexed text[] table on PostgreSQL; built for the customers already there."""

from django.db import migrations


def create(apps, schema_editor):
    from kehu.customers.search import storage

    storage.create_schema(schema_editor.connection)
    storage.rebuild(schema_editor.connection)


def drop(apps, schema_editor):
    from kehu.customers.search import storage

    storage.drop_schema(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
