"""A job queued before its task moved to the app that declares it still runs after the upgrade."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django_tasks_db.models import DBTaskResult

from kehu.documents import tasks as documents_tasks
from kehu.ops.schedule import SCHEDULE

migration = importlib.import_module("kehu.ops.migrations.0003_queued_jobs_follow_their_apps")


@pytest.mark.django_db
def test_a_waiting_job_follows_its_task_and_a_finished_one_is_left_as_it_ran() -> None:
    waiting = DBTaskResult.objects.get(pk=documents_tasks.verify_documents.enqueue().id)
    finished = DBTaskResult.objects.get(pk=documents_tasks.verify_documents.enqueue().id)
    DBTaskResult.objects.filter(pk=waiting.pk).update(task_path="kehu.ops.tasks.verify_documents")
    DBTaskResult.objects.filter(pk=finished.pk).update(
        task_path="kehu.ops.tasks.verify_documents", status="SUCCESSFUL"
    )

    migration.forwards(apps, None)

    waiting.refresh_from_db()
    finished.refresh_from_db()
    assert waiting.task_path == "kehu.documents.tasks.verify_documents"
    assert waiting.task.func is documents_tasks.verify_documents.func
    assert finished.task_path == "kehu.ops.tasks.verify_documents"


def test_every_moved_task_is_on_the_schedule() -> None:
    """Or, for the former reminder tasks, runs the reminder engine's task that is."""
    engine = importlib.import_module("kehu.ops.migrations.0004_reminder_stages_preferences_digest")
    scheduled = {job.task_path for job in SCHEDULE}
    moved = set(migration.MOVED.values()) - set(engine.REPLACED)
    assert moved <= scheduled and engine.ENGINE_TASK in scheduled
