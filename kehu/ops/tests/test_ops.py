"""Periodic jobs, the health endpoint and the production settings check."""

from __future__ import annotations

import datetime
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kehu.audit.models import ChainHead
from kehu.audit.services import record
from kehu.ops.models import ScheduledRun
from kehu.ops.schedule import SCHEDULE, enqueue_due

JOB = "audit-head-export"
TASK = "kehu.ops.tasks.export_audit_head"
ALL_JOBS = [job.name for job in SCHEDULE]
DAILY = [job.name for job in SCHEDULE if job.every == datetime.timedelta(days=1)]


@pytest.mark.django_db
def test_audit_head_export_is_enqueued_once_per_day() -> None:
    now = timezone.now()
    assert enqueue_due(now) == ALL_JOBS
    assert TASK in DBTaskResult.objects.values_list("task_path", flat=True)
    assert ScheduledRun.objects.get(name=JOB).last_enqueued_at == now
    assert [name for name in enqueue_due(now) if name in DAILY] == []
    assert JOB in DAILY
    assert [n for n in enqueue_due(now + datetime.timedelta(days=1)) if n in DAILY] == DAILY


@pytest.mark.django_db
def test_scheduler_command_once() -> None:
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert f"enqueued {JOB}" in out.getvalue()
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert f"enqueued {JOB}" not in out.getvalue()
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


@pytest.mark.django_db
def test_the_enqueued_job_exports_the_head(tmp_path: Path) -> None:
    record("test.event")
    record("test.event")
    head = ChainHead.objects.get(pk=1)
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate, KEHU_AUDIT_HEAD_DIR=tmp_path):
        assert enqueue_due() == ALL_JOBS
        assert JOB not in enqueue_due()
    files = list(tmp_path.glob("audit-head-*.json"))
    assert len(files) == 1
    assert files[0].name == f"audit-head-{timezone.localdate().isoformat()}.json"
    # The interval job exports the head too (none was exported yet), then the daily job.
    entries = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert [(e["seq"], e["hash"]) for e in entries] == [(head.seq, head.hash)] * 2
    assert not DBTaskResult.objects.exists()


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        KEHU_DATA_DIR=str(tmp_path),
        KEHU_SECURE="1",
        KEHU_SECRET_KEY=secrets.token_urlsafe(64),
        KEHU_ALLOWED_HOSTS="kehu.example.com",
    )
    done = subprocess.run(
        [sys.executable, "-m", "kehu.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.CHECKOUT_DIR,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "no issues" in output, output


def test_debug_stays_off_unless_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import runpy

    for name in list(os.environ):
        if name.startswith("KEHU_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KEHU_DATA_DIR", str(tmp_path))
    values: dict[str, Any] = runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    key = (tmp_path / "secret_key").read_text().strip()
    assert values["SECRET_KEY"] == key
    assert len(key) >= 50
    # The generated key is kept: the next start uses the same one.
    assert runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))["SECRET_KEY"] == key
    monkeypatch.setenv("KEHU_SECURE", "1")
    secure = runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))
    assert secure["SESSION_COOKIE_SECURE"] and secure["CSRF_COOKIE_SECURE"]
    assert secure["SECURE_SSL_REDIRECT"] and secure["SECURE_HSTS_SECONDS"] > 0
