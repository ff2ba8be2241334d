"""The job queue's safety net: a job whose worker died is reclaimed and run again, then failed
with an alarm after the limit; /health/ reports the queue."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.tasks import task
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from kehu.audit.models import AuditEvent
from kehu.core.models import Notification, User
from kehu.ops import jobs
from kehu.ops.models import Heartbeat, Outbox
from kehu.ops.schedule import tick
from kehu.ops.tasks import export_audit_head

MINUTE = datetime.timedelta(minutes=1)


@task()
def broken_job() -> None:
    raise RuntimeError("the job broke")


def crash_while_running(job: DBTaskResult, worker: str, now: datetime.datetime) -> None:
    """A worker took the job and died: the row stays RUNNING, its worker beats no more."""
    job.refresh_from_db()
    job.claim(worker)
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=now - 10 * MINUTE)
    jobs.beat(jobs.worker_beat_name(worker), now - 10 * MINUTE)


def admin_alarms(demo: dict[str, User]) -> Any:
    return Notification.objects.filter(user=demo["admin"], title__contains="export_audit_head")


@pytest.mark.django_db
@override_settings(KEHU_JOB_MAX_ATTEMPTS=3, KEHU_WORKER_STALE_SECONDS=120)
def test_a_job_of_a_dead_worker_is_retried_then_failed_with_an_alarm(
    demo: dict[str, User],
) -> None:
    now = timezone.now()
    job = DBTaskResult.objects.get(pk=export_audit_head.enqueue().id)

    crash_while_running(job, "worker-a", now)
    assert jobs.reclaim_stale(now) == {"requeued": 1, "failed": 0, "overran": 0}
    job.refresh_from_db()
    assert job.status == "READY" and job.started_at is None and job.run_after > now
    assert AuditEvent.objects.filter(action="ops.job.reclaim", object_id=str(job.pk)).exists()

    crash_while_running(job, "worker-b", now)
    assert jobs.reclaim_stale(now) == {"requeued": 1, "failed": 0, "overran": 0}
    assert not admin_alarms(demo).exists()

    crash_while_running(job, "worker-c", now)
    assert jobs.reclaim_stale(now) == {"requeued": 0, "failed": 1, "overran": 0}
    job.refresh_from_db()
    assert job.status == "FAILED" and job.worker_ids == ["worker-a", "worker-b", "worker-c"]
    assert admin_alarms(demo).count() == 1
    event = AuditEvent.objects.get(action="ops.job.failed", object_id=str(job.pk))
    assert event.extra["attempts"] == 3
    assert jobs.reclaim_stale(now) == {"requeued": 0, "failed": 0, "overran": 0}


@pytest.mark.django_db
@override_settings(KEHU_WORKER_STALE_SECONDS=120)
def test_a_job_past_its_time_limit_is_not_run_twice_while_its_worker_beats(
    demo: dict[str, User],
) -> None:
    now = timezone.now()
    job = DBTaskResult.objects.get(pk=export_audit_head.enqueue().id)
    job.claim("alive")
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=now - 10 * MINUTE)
    jobs.beat(jobs.worker_beat_name("alive"), now)
    assert jobs.reclaim_stale(now) == {"requeued": 0, "failed": 0, "overran": 0}

    later = now + jobs.time_limit(job.task_path)
    jobs.beat(jobs.worker_beat_name("alive"), later)
    assert jobs.reclaim_stale(later) == {"requeued": 0, "failed": 0, "overran": 1}
    job.refresh_from_db()
    assert job.status == "RUNNING" and job.worker_ids == ["alive"]  # still its worker's
    overruns = Notification.objects.filter(user=demo["admin"], title__contains="export_audit_head")
    assert overruns.count() == 1
    assert AuditEvent.objects.filter(action="ops.job.overrun", object_id=str(job.pk)).exists()
    assert jobs.reclaim_stale(later + MINUTE) == {"requeued": 0, "failed": 0, "overran": 0}
    assert overruns.count() == 1  # told once

    # The worker is restarted (or dies): its beat stops, and the job runs again elsewhere.
    gone = later + 5 * MINUTE
    assert jobs.reclaim_stale(gone) == {"requeued": 1, "failed": 0, "overran": 0}
    job.refresh_from_db()
    assert job.status == "READY"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_survives_a_database_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.db import OperationalError

    from kehu.ops.management.commands import worker

    calls = []
    beaten = threading.Event()

    def beat_with_outage(name: str) -> None:
        calls.append(name)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        jobs.beat(name)
        beaten.set()

    monkeypatch.setattr(worker, "beat", beat_with_outage)
    stop = threading.Event()
    name = jobs.worker_beat_name("survivor")
    thread = threading.Thread(target=worker._beat_forever, args=(name, stop, 0.05))
    thread.start()
    try:
        assert beaten.wait(timeout=10), "the heartbeat stopped after the database error"
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert Heartbeat.objects.filter(name=name).exists()
    assert "heartbeat worker:survivor failed" in caplog.text


@pytest.mark.django_db
def test_a_job_that_raises_is_an_alarm(demo: dict[str, User]) -> None:
    job = DBTaskResult.objects.get(pk=broken_job.enqueue().id)
    job.claim("worker-x")
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="worker-x", excluded_queue_names=[],
    )  # fmt: skip
    worker.run_task(job)
    job.refresh_from_db()
    assert job.status == "FAILED"
    assert Notification.objects.filter(user=demo["admin"], title__contains="broken_job").exists()
    assert AuditEvent.objects.filter(action="ops.job.failed", object_id=str(job.pk)).exists()


@pytest.mark.django_db
@override_settings(KEHU_HEALTH_SCHEDULER_STALE_SECONDS=300, KEHU_HEALTH_MAX_WAIT_SECONDS=900)
def test_health_reports_the_queue(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    anonymous, admin = Client(), client_for("admin")
    response = anonymous.get("/health/")
    assert response.status_code == 503  # no scheduler has ever ticked
    assert response.json() == {"status": "degraded", "database": connection.vendor}
    assert admin.get("/health/").json()["problems"] == ["scheduler-stale"]

    now = timezone.now()
    enqueued = tick(now)
    Outbox.objects.create(to="secret.person@example.cn", subject="私密", body="x", next_try_at=now)
    assert anonymous.get("/health/").status_code == 200
    assert client_for("manager1").get("/health/").json() == {
        "status": "ok",
        "database": connection.vendor,
    }
    response = admin.get("/health/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["jobs"]["waiting"] == len(enqueued)
    assert body["jobs"]["running"] == 0 and body["jobs"]["failed_last_day"] == 0
    assert body["scheduler"]["last_tick"] == now.isoformat()
    assert body["mail"] == {"pending": 1, "failed": 0}
    assert "secret.person" not in response.content.decode()
    assert "私密" not in response.content.decode("utf-8")

    DBTaskResult.objects.update(enqueued_at=now - datetime.timedelta(hours=1))
    DBTaskResult.objects.filter(task_path__endswith="export_audit_head").update(
        status="FAILED", finished_at=now
    )
    assert anonymous.get("/health/").status_code == 503
    body = admin.get("/health/").json()
    assert body["problems"] == ["queue-waiting-too-long"]
    assert body["jobs"]["oldest_waiting_seconds"] >= 3600
    assert body["jobs"]["failed_last_day"] == 1

    jobs.beat("scheduler", now - datetime.timedelta(minutes=10))
    DBTaskResult.objects.filter(status="READY").delete()
    assert admin.get("/health/").json()["problems"] == ["scheduler-stale"]


@pytest.mark.django_db
def test_the_tick_forgets_old_successful_jobs_and_sent_mail_but_keeps_failures() -> None:
    now = timezone.now()
    old = now - datetime.timedelta(days=40)
    done = DBTaskResult.objects.get(pk=export_audit_head.enqueue().id)
    failed = DBTaskResult.objects.get(pk=export_audit_head.enqueue().id)
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL", finished_at=old)
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED", finished_at=old)
    sent = Outbox.objects.create(
        to="a@example.cn", subject="s", body="b", status="sent", sent_at=old, next_try_at=old
    )
    jobs.prune(now)
    assert not DBTaskResult.objects.filter(pk=done.pk).exists()
    assert DBTaskResult.objects.filter(pk=failed.pk).exists()
    assert not Outbox.objects.filter(pk=sent.pk).exists()


@pytest.mark.django_db
@override_settings(KEHU_JOB_MAX_ATTEMPTS=1, KEHU_WORKER_STALE_SECONDS=120)
def test_a_crashed_audit_verification_alarms_the_auditors_too(demo: dict[str, User]) -> None:
    from kehu.ops.tasks import verify_audit_chain

    now = timezone.now()
    job = DBTaskResult.objects.get(pk=verify_audit_chain.enqueue().id)
    crash_while_running(job, "worker-a", now)
    assert jobs.reclaim_stale(now) == {"requeued": 0, "failed": 1, "overran": 0}
    alarmed = set(
        Notification.objects.filter(title__contains="verify_audit_chain").values_list(
            "user__username", flat=True
        )
    )
    assert {"admin", "auditor"} <= alarmed
    assert "manager1" not in alarmed
    # Another job's failure stays with the system administrators.
    other = DBTaskResult.objects.get(pk=export_audit_head.enqueue().id)
    other.task_path = "kehu.ops.tasks.send_mail"
    other.save(update_fields=["task_path"])
    crash_while_running(other, "worker-b", now)
    jobs.reclaim_stale(now)
    mail_alarmed = Notification.objects.filter(title__contains="send_mail")
    names = set(mail_alarmed.values_list("user__username", flat=True))
    assert "admin" in names and "auditor" not in names
