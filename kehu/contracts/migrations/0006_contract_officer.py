"""The contract officer (合同管理员) takes over the contract duties the credit manager held:
whoever is a credit manager today becomes contract officer too, in the same units, so that
nobody loses a duty; the open hand-overs waiting for a credit manager now wait for the
contract officer."""

from django.db import migrations


def take_over(apps, schema_editor):
    RoleAssignment = apps.get_model("core", "RoleAssignment")
    Step = apps.get_model("workflow", "Step")
    Handover = apps.get_model("contracts", "Handover")
    for held in RoleAssignment.objects.filter(role="credit_manager").order_by("pk"):
        RoleAssignment.objects.get_or_create(
            user_id=held.user_id,
            role="contract_officer",
            unit_id=held.unit_id,
            defaults={"granted_at": held.granted_at},
        )
    waiting = Handover.objects.filter(stage="officer", step__isnull=False).values("step_id")
    Step.objects.filter(pk__in=waiting, assignee_role="credit_manager").update(
        assignee_role="contract_officer"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0005_one_document_per_contract_item"),
        ("core", "0007_contract_officer_role"),
        ("workflow", "0002_contract_officer_role"),
    ]

    operations = [migrations.RunPython(take_over, migrations.RunPython.noop)]
