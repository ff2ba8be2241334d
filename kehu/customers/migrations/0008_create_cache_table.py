"""The database cache's table (settings.CACHES): the per-user allowance of searches for
full ID and phone numbers is counted there, shared by every server."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # Idempotent: an existing table is left alone.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_owner_count_index_sqlite"),
    ]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
