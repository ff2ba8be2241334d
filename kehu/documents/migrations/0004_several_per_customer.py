"""DOC-8: a document type may allow several documents per customer, each with its own title,
number, expiry and versions. The one-per-type rule stays for the other types (a partial
unique constraint on the copied `is_single`). Existing documents are kept as they are;
permits, certificates, financial statements and credit reports become types that allow
several (an administrator may change that afterwards)."""

from django.db import migrations, models

SEVERAL = ("industry_permit", "iso_certificate", "financial_statement", "credit_report")


def allow_several(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    Document = apps.get_model("documents", "Document")
    DocumentType.objects.filter(code__in=SEVERAL).update(multiple=True)
    Document.objects.filter(doc_type__multiple=True).update(is_single=False)


def one_per_type(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    Document = apps.get_model("documents", "Document")
    DocumentType.objects.update(multiple=False)
    Document.objects.update(is_single=True)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_chairman_and_general_manager"),
        ("documents", "0003_document_type_for_contracts"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="document", name="document_per_type"),
        migrations.AddField(
            model_name="document",
            name="is_single",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddField(
            model_name="document",
            name="reference",
            field=models.CharField(blank=True, max_length=100, verbose_name="document number"),
        ),
        migrations.AddField(
            model_name="document",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="documenttype",
            name="multiple",
            field=models.BooleanField(
                default=False,
                help_text="A customer may hold several documents of this type (permits, "
                "certificates, statements of several periods), each with its own title, "
                "number, expiry and versions.",
                verbose_name="several per customer",
            ),
        ),
        migrations.RunPython(allow_several, one_per_type),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_single", True)),
                fields=("customer", "doc_type"),
                name="document_per_type",
            ),
        ),
    ]
