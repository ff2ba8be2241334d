"""Users' background jobs: run as their owner with progress and a result only the owner can
download; cancelled, failed and abandoned jobs end in a clear state, never "running"."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kehu.audit.models import AuditEvent
from kehu.core import storage
from kehu.core.models import User
from kehu.generic.jobs import (
    JobCancelled,
    JobContext,
    register_job_kind,
    request_cancel,
    run_job,
    start_job,
)
from kehu.generic.jobs.services import forget_expired
from kehu.generic.models import JobState, UserJob
from kehu.ops import jobs as ops_jobs

pytestmark = pytest.mark.django_db

SEEN: dict[str, Any] = {}


def count_rows(ctx: JobContext) -> dict[str, Any]:
    """Reads the uploaded lines, reports each, and leaves them upper-cased as its result."""
    lines = (ctx.read_input() or b"").splitlines()
    SEEN["actor_purpose"] = ctx.params.get("_purpose")
    for done, _line in enumerate(lines, start=1):
        ctx.progress(done, len(lines), f"line {done}")
    ctx.attach_result("upper.txt", [line.upper() + b"\n" for line in lines], "text/plain")
    return {"lines": [["Lines", len(lines)]], "link": "/customers/"}


def refuse(ctx: JobContext) -> None:
    raise ValidationError("第 3 行：统一社会信用代码无效")


def crash(ctx: JobContext) -> None:
    raise RuntimeError("bug")


def wait_for_cancel(ctx: JobContext) -> None:
    UserJob.objects.filter(pk=ctx.job.pk).update(cancel_requested=True)  # the owner clicks
    ctx.progress(1, 10)
    raise AssertionError("not reached: progress raises JobCancelled")


register_job_kind("test.count", count_rows, label="Count")
register_job_kind("test.refuse", refuse, label="Refuse")
register_job_kind("test.crash", crash, label="Crash")
register_job_kind("test.cancel", wait_for_cancel, label="Cancel")


def test_a_job_runs_as_its_owner_and_only_the_owner_downloads_the_result(
    demo: dict[str, User], client_for: Callable[..., Client]
) -> None:
    owner, other = demo["manager1"], demo["manager2"]
    job = start_job(owner, "test.count", "Upper", input_file=("in.txt", b"a\nb\nc"))
    assert job.state == JobState.QUEUED and job.input_file

    assert run_job(job.pk) == JobState.SUCCEEDED
    job.refresh_from_db()
    assert (job.done, job.total, job.attempts) == (3, 3, 1)
    assert job.summary["lines"] == [["Lines", 3]]
    assert b"".join(storage.iter_plain(job.result_file)) == b"A\nB\nC\n"
    assert AuditEvent.objects.filter(
        action="generic.job.succeeded", object_id=str(job.pk), actor_id=owner.pk
    ).exists()
    assert run_job(job.pk) is None  # a finished job is not run again

    response = client_for("manager1").get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"A\nB\nC\n"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="generic.job.download", actor_id=owner.pk).exists()

    intruder = client_for(other.username)
    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/download/", f"/api/v1/jobs/{job.pk}/"):
        assert intruder.get(url).status_code == 404, url
    assert intruder.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    assert job.title not in intruder.get("/jobs/").content.decode()
    assert intruder.get("/api/v1/jobs/").json() == []


def test_the_jobs_page_and_api_show_progress_and_state(
    demo: dict[str, User], client_for: Callable[..., Client]
) -> None:
    job = start_job(demo["manager1"], "test.count", "Zwei Zeilen", input_file=("x", b"1\n2"))
    client = client_for("manager1")
    page = client.get("/jobs/").content.decode()
    assert "Zwei Zeilen" in page and 'hx-trigger="every 2s"' in page  # polls while queued
    run_job(job.pk)
    page = client.get("/jobs/").content.decode()
    assert 'hx-trigger="every' not in page  # nothing left to poll for
    detail = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="succeeded"' in detail and "upper.txt" in detail
    data = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert data["state"] == "succeeded" and data["percent"] == 100
    assert data["download"] == f"/api/v1/jobs/{job.pk}/download/"


def test_a_refused_job_fails_with_the_runners_message_and_a_crash_is_raised(
    demo: dict[str, User],
) -> None:
    refused = start_job(demo["manager1"], "test.refuse", "Bad file")
    assert run_job(refused.pk) == JobState.FAILED
    refused.refresh_from_db()
    assert refused.error == "第 3 行：统一社会信用代码无效" and refused.finished_at

    crashed = start_job(demo["manager1"], "test.crash", "Bug")
    with pytest.raises(RuntimeError):
        run_job(crashed.pk)
    crashed.refresh_from_db()
    assert crashed.state == JobState.FAILED and "bug" not in crashed.error


def test_cancelling_a_queued_job_ends_it_and_a_running_one_stops_at_its_next_report(
    demo: dict[str, User],
) -> None:
    owner = demo["manager1"]
    queued = start_job(owner, "test.count", "Never run")
    request_cancel(owner, queued)
    queued.refresh_from_db()
    assert queued.state == JobState.CANCELLED
    assert run_job(queued.pk) is None
    with pytest.raises(ValidationError):
        request_cancel(owner, queued)

    running = start_job(owner, "test.cancel", "Stops")
    assert run_job(running.pk) == JobState.CANCELLED
    with pytest.raises(JobCancelled):
        JobContext(UserJob.objects.get(pk=running.pk)).check_cancelled()


@override_settings(KEHU_JOB_MAX_ATTEMPTS=1, KEHU_WORKER_STALE_SECONDS=120)
def test_a_job_whose_worker_died_is_failed_not_left_running(demo: dict[str, User]) -> None:
    from kehu.generic.tasks import run_user_job

    job = start_job(demo["manager1"], "test.count", "Orphan")
    task = DBTaskResult.objects.get(pk=run_user_job.enqueue(job.pk).id)
    UserJob.objects.filter(pk=job.pk).update(task_id=str(task.pk), state=JobState.RUNNING)
    now = timezone.now()
    task.claim("worker-gone")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=now - datetime.timedelta(hours=1))
    assert ops_jobs.reclaim_stale(now)["failed"] == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error


def test_a_reclaimed_job_runs_again_from_the_start(demo: dict[str, User]) -> None:
    job = start_job(demo["manager1"], "test.count", "Again", input_file=("x", b"1"))
    UserJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1, done=7)
    assert run_job(job.pk) == JobState.SUCCEEDED
    job.refresh_from_db()
    assert (job.attempts, job.done) == (2, 1)


def test_expired_results_and_finished_uploads_are_deleted(demo: dict[str, User]) -> None:
    job = start_job(demo["manager1"], "test.count", "Old", input_file=("x", b"1"))
    run_job(job.pk)
    job.refresh_from_db()
    result, upload = job.result_file, job.input_file
    assert forget_expired(timezone.now()) == 0
    assert not storage.storage().exists(upload)
    assert forget_expired(timezone.now() + datetime.timedelta(days=8)) == 1
    assert not storage.storage().exists(result)
    job.refresh_from_db()
    assert job.result_file == ""


def test_the_purpose_declared_when_starting_travels_with_the_job(demo: dict[str, User]) -> None:
    from kehu.audit.context import Actor, Purpose, acting_as

    owner = demo["manager1"]
    with acting_as(Actor(owner.pk, owner.username, "10.0.0.9", Purpose("review", "年审"))):
        job = start_job(owner, "test.count", "With purpose")
    run_job(job.pk)
    assert SEEN["actor_purpose"] == ["review", "年审", ""]
    event = AuditEvent.objects.get(action="generic.job.succeeded", object_id=str(job.pk))
    assert event.source_ip == "10.0.0.9"
