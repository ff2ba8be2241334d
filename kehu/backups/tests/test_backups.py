"""Backups on SQLite: the restore drill (rows and files identical, the audit chain valid, a
deletion made after the backup applied again), a backup without its key refused, the late
backup alarm, incremental files, S3; pgBackRest's status from its real JSON."""

from __future__ import annotations

import datetime
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone, translation

from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.models import AuditEvent
from kehu.backups import engine, pgbackrest, status
from kehu.backups.drill import drill
from kehu.backups.models import BackupRun, RunKind, RunStatus
from kehu.backups.restore import restore
from kehu.core.models import Notification

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="kehu restore is SQLite's; PostgreSQL: pgBackRest"
)


@sqlite_only
def test_restore_reproduces_rows_files_chain_and_reapplies_a_later_deletion(
    installation: dict[str, Any], tmp_path: Path
) -> None:
    from kehu.privacy.requests import ANONYMOUS, delete_personal_data

    manifest = engine.backup()
    assert manifest["database"]["tables"]["customers_customer"]["rows"] >= 2
    assert installation["version"].stored_name in manifest["files"]
    assert (tmp_path / "backups" / manifest["database"]["name"]).is_file()
    # After the backup: a person's data is deleted (the ledger records it).
    person = installation["person"]
    original = person.name
    with acting_as(SYSTEM):
        delete_personal_data(person, None)

    report = restore(manifest["id"], tmp_path / "restored")

    assert report["ok"], report
    assert report["problems"] == []
    checks = report["checks"]
    assert "audit chain intact" in checks["audit"]
    assert "documents intact: 1 versions checked" in checks["documents"]
    assert "1 ledger entries added" in checks["privacy"]
    assert "1 deletion(s) re-applied" in checks["privacy"]
    restored = sqlite3.connect(tmp_path / "restored" / "kehu.sqlite3")
    (name,) = restored.execute(
        "SELECT name FROM customers_customer WHERE id = ?", [person.pk]
    ).fetchone()
    assert name != original and name.startswith(ANONYMOUS)  # anonymised again
    blob = tmp_path / "restored" / "files" / installation["version"].stored_name
    assert blob.is_file()
    run = BackupRun.objects.get(kind=RunKind.RESTORE)
    assert run.status == RunStatus.SUCCEEDED
    assert AuditEvent.objects.filter(action="backups.restore.done").exists()


@sqlite_only
def test_the_drill_compares_every_table_and_file_and_is_on_record(
    installation: dict[str, Any],
) -> None:
    report = drill()
    assert report["ok"] and report["problems"] == []
    assert report["tables"] > 50 and report["files"] >= 1
    state = status.backup_status()
    assert state["last_drill"]["status"] == RunStatus.SUCCEEDED
    assert state["problems"] == []
    assert AuditEvent.objects.filter(action="backups.drill.done").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the logical drill of PostgreSQL")
def test_the_postgresql_drill_compares_a_snapshot_with_its_restored_copy(
    installation: dict[str, Any],
) -> None:
    report = drill()
    assert report["ok"] and report["problems"] == []
    assert report["engine"] == "postgresql" and report["tables"] > 50 and report["files"] >= 1
    assert "audit chain intact" in report["checks"]["audit"]
    assert "documents intact: 1 versions checked" in report["checks"]["documents"]
    state = status.backup_status()
    assert state["pgbackrest"]["repos"][0]["last"]["type"] == "incr"
    assert state["problems"] == [], state["problems"]


@sqlite_only
def test_a_backup_without_its_key_or_with_the_wrong_key_is_refused(
    installation: dict[str, Any], tmp_path: Path
) -> None:
    manifest = engine.backup()
    key_id = manifest["database"]["key_id"]
    with translation.override("zh-hans"):
        other = override_settings(KEHU_BACKUP_KEYS=[("other", "another secret")])
        with other, pytest.raises(CommandError) as missing:
            call_command("restore", manifest["id"], "--target", str(tmp_path / "a"))
        assert f"备份密钥 {key_id}" in str(missing.value) and "未配置" in str(missing.value)
        wrong_key = override_settings(KEHU_BACKUP_KEYS=[(key_id, "not the right secret")])
        with wrong_key, pytest.raises(ValidationError) as wrong:
            restore(manifest["id"], tmp_path / "b")
        assert "密钥不对" in " ".join(wrong.value.messages)
    assert not (tmp_path / "b" / "kehu.sqlite3").exists()
    failed = BackupRun.objects.filter(kind=RunKind.RESTORE, status=RunStatus.FAILED)
    assert [run.backup_id for run in failed] == [manifest["id"]] * 2
    assert AuditEvent.objects.filter(action="backups.restore.failed").count() == 2


def test_files_are_copied_once_and_the_weekly_check_rereads_them(
    installation: dict[str, Any], backup_dir: Path
) -> None:
    first = engine.backup()
    second = engine.backup()
    assert len(first["new_files"]) == len(first["files"]) >= 1
    assert second["new_files"] == [] and second["files"] == first["files"]
    assert engine.verify()["problems"] == []
    (backup_dir / "files" / installation["version"].stored_name).write_bytes(b"altered")
    with pytest.raises(ValidationError):
        engine.verify()
    assert AuditEvent.objects.filter(action="backups.verify.failed").exists()
    admin = installation["demo"]["admin"]
    assert Notification.objects.filter(user=admin, link="/backups/").exists()


def test_a_late_backup_alarms_the_administrators(
    installation: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    manifest = engine.backup()
    assert status.check_and_alarm()["problems"] == []
    out = io.StringIO()
    call_command("backup", "status", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["destinations"][0]["backup"] == manifest["id"]
    assert shown["last_backup"]["status"] == "succeeded" and shown["problems"] == []
    health = client_for("admin").get("/health/").json()
    assert health["backups"]["last_backup"]["backup"] == manifest["id"]
    assert "backups" not in client_for("manager1").get("/health/").json()
    later = timezone.now() + datetime.timedelta(days=1, hours=7)
    found = status.check_and_alarm(later)["problems"]
    assert any("late" in problem or "晚" in problem for problem in found), found
    event = AuditEvent.objects.get(action="backups.backup.late")
    assert event.extra["problems"] == found
    admin = installation["demo"]["admin"]
    assert Notification.objects.filter(user=admin, link="/backups/").exists()


def test_backups_go_to_s3_too_and_restore_from_there(
    installation: dict[str, Any], moto_server: str, tmp_path: Path
) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="kehu-backups")
    s3 = {
        "bucket": "kehu-backups",
        "prefix": "site-a",
        "endpoint_url": moto_server,
        "access_key": "testing",
        "secret_key": "testing",
        "region": "us-east-1",
    }
    with override_settings(KEHU_BACKUP_S3=s3):
        manifest = engine.backup()
        keys = {o["Key"] for o in client.list_objects_v2(Bucket="kehu-backups")["Contents"]}
        assert f"site-a/manifests/{manifest['id']}.json" in keys
        assert f"site-a/files/{installation['version'].stored_name}" in keys
        if connection.vendor == "sqlite":
            report = restore(manifest["id"], tmp_path / "from-s3", source="s3", checks=False)
            assert report["ok"], report


def test_the_backup_folder_may_not_hold_the_keys(installation: dict[str, Any]) -> None:
    from django.conf import settings

    inside = override_settings(KEHU_BACKUP_DIR=Path(settings.DATA_DIR) / "backups")
    with inside, pytest.raises(CommandError, match="KEHU_BACKUP_DIR"):
        call_command("backup")


def test_pgbackrest_status_from_its_json() -> None:
    info = json.loads((Path(__file__).parent / "pgbackrest_info.json").read_text())
    state = pgbackrest.summarise(info, "kehu")
    repo1, repo2 = state["repos"]
    assert state["ok"] and state["cipher"] == "aes-256-cbc"
    assert repo1["last_full"]["label"] == "20261207-221755F"
    assert repo1["last"]["type"] == "incr" and repo1["last"]["backup_size"] == 185840
    assert repo2["last"]["type"] == "full" and repo1["wal"][0] == "000000010000000000000001"
    soon = repo1["last"]["finished_at"] + datetime.timedelta(hours=2)
    problems: list[str] = []
    status.pgbackrest_problems(state, soon, problems)
    assert problems == []
    later = soon + datetime.timedelta(days=8)
    status.pgbackrest_problems(state, later, problems)
    assert len(problems) == 4  # both repositories: full and last late


def test_the_pgbackrest_configuration_names_both_repositories() -> None:
    text = pgbackrest.configuration()
    assert "repo1-cipher-type=aes-256-cbc" in text and "repo2-type=s3" in text
    assert "archive_command = 'pgbackrest --stanza=kehu archive-push %p'" in text


@pytest.mark.django_db
def test_the_deletion_ledger_travels_into_a_restored_copy(tmp_path: Path) -> None:
    from kehu.privacy.models import DeletionLedger
    from kehu.privacy.requests import merge_ledger

    DeletionLedger.objects.create(
        subject_type="customers.customer",
        subject_id="7",
        action="anonymised",
        fields=["name", "phone"],
    )
    target = tmp_path / "ledger.json"
    call_command("backup", "ledger", str(target), stdout=io.StringIO())
    entries = json.loads(target.read_text())
    assert [(e["subject_id"], e["fields"]) for e in entries] == [("7", ["name", "phone"])]
    DeletionLedger.objects.all().delete()  # a copy from before the deletion
    with acting_as(SYSTEM):
        assert merge_ledger(entries) == 1
        assert merge_ledger(entries) == 0  # twice changes nothing
    (entry,) = DeletionLedger.objects.all()
    assert entry.performed_at.isoformat() == entries[0]["performed_at"]


@pytest.mark.django_db
def test_without_a_destination_the_jobs_skip_and_the_check_alarms(backup_dir: Path) -> None:
    from kehu.backups import tasks

    with override_settings(KEHU_BACKUP_DIR=None), translation.override("zh-hans"):
        assert "KEHU_BACKUP_DIR" in tasks.daily_backup.call()["skipped"]
        assert "skipped" in tasks.monthly_drill.call()
        found = status.check_and_alarm()["problems"]
    assert any("未配置备份位置" in problem for problem in found), found
    assert AuditEvent.objects.filter(action="backups.backup.late").exists()
    assert not BackupRun.objects.exists()
