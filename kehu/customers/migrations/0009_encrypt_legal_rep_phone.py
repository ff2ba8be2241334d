import kehu.core.crypto
from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    """Rewrite every legal representative's phone encrypted (plain values read as they are),
    fill its digest, and take it out of the search text and its n-gram index."""
    from kehu.core.digest import lookup_digest
    from kehu.customers.search import build_search_text, storage

    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    fields = (
        "pk", "kind", "name", "credit_code", "org_code", "phone", "legal_rep_name",
        "legal_rep_phone", "search_text",
    )  # fmt: skip
    batch = []
    rows = Customer.objects.exclude(legal_rep_phone="").only(*fields)
    for customer in rows.iterator(chunk_size=1000):
        phone = customer.legal_rep_phone
        customer.legal_rep_phone_digest = lookup_digest("phone", phone) if phone else ""
        contacts = Contact.objects.filter(customer_id=customer.pk).only("name", "office_phone")
        customer.search_text = build_search_text(customer, contacts)
        batch.append(customer)
        if len(batch) >= 1000:
            _save(Customer, storage, batch)
            batch = []
    if batch:
        _save(Customer, storage, batch)


def owner_count_index(apps, schema_editor):
    """Altering the column rebuilds SQLite's table, which drops the index migration 0007
    created outside the model state: create it again."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_owner_unit "
            "ON customers_customer (owner_id, status, unit_id)"
        )


def _save(Customer, storage, batch):
    Customer.objects.bulk_update(
        batch, ["legal_rep_phone", "legal_rep_phone_digest", "search_text"]
    )
    storage.write([(c.pk, c.search_text) for c in batch])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_create_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="legal_rep_phone_digest",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="customer",
            name="legal_rep_phone",
            field=kehu.core.crypto.EncryptedTextField(
                blank=True, verbose_name="legal representative's phone"
            ),
        ),
        migrations.RunPython(owner_count_index, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False),
    ]
