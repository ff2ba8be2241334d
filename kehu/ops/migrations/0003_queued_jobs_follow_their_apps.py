"""Jobs still waiting in the queue follow their task to the app that now declares it."""

from django.db import migrations

MOVED = {
    "kehu.ops.tasks.verify_documents": "kehu.documents.tasks.verify_documents",
    "kehu.ops.tasks.notify_expiring_documents": "kehu.documents.tasks.notify_expiring_documents",
    "kehu.ops.tasks.workflow_deadlines": "kehu.workflow.tasks.workflow_deadlines",
    "kehu.ops.tasks.remind_cabinet_checks": "kehu.archives.tasks.remind_cabinet_checks",
    "kehu.ops.tasks.remind_overdue_loans": "kehu.archives.tasks.remind_overdue_loans",
    "kehu.ops.tasks.propose_transfers": "kehu.archives.tasks.propose_transfers",
    "kehu.ops.tasks.privacy_retention": "kehu.privacy.tasks.privacy_retention",
}
UNFINISHED = ("READY", "RUNNING")


def forwards(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in MOVED.items():
        results.objects.filter(task_path=old, status__in=UNFINISHED).update(task_path=new)


def backwards(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in MOVED.items():
        results.objects.filter(task_path=new, status__in=UNFINISHED).update(task_path=old)


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0002_heartbeats_reminder_ledger_outbox"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
