"""Tamper evidence to the last event: the keyed chain, the head row, the heads exported every
N events (a missing one is a finding), the scheduled verification that raises an alarm, and
events that are not sealed yet."""

from __future__ import annotations

import datetime
import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from kehu.audit import keys
from kehu.audit.chain import event_hash
from kehu.audit.heads import export_now
from kehu.audit.models import GENESIS_HASH, SCHEME_SHA256, AuditEvent, ChainHead
from kehu.audit.sealing import seal_pending
from kehu.audit.selectors import verify_chain
from kehu.audit.services import record
from kehu.audit.tests.test_chain import rewrite_from
from kehu.core.models import Notification, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def verify() -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("audit", "verify", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as caught:
        verify()
    return str(caught.value)


def heads_in(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for file in sorted(folder.glob("audit-head-*.json"))
        for line in file.read_text().splitlines()
    ]


def test_deleting_the_last_events_is_found_by_the_head_row(demo: dict[str, User]) -> None:
    last = AuditEvent.objects.count()
    AuditEvent.objects.filter(seq__gt=last - 2).delete()
    message = broken()
    assert f"#{last - 2}" in message
    assert f"#{last}" in message
    assert "chain head" in message


def test_a_rewrite_without_the_key_is_found(demo: dict[str, User]) -> None:
    """Whoever can write to the database but lacks the key can only rewrite the chain with
    plain SHA-256: the events from the switch to keyed hashes on must be keyed."""
    AuditEvent.objects.filter(seq=4).update(object_repr="forged")
    rewrite_from(4)  # every hash recomputed, the head row moved along
    message = broken()
    assert "#4" in message
    assert "not keyed" in message


def test_a_rewrite_with_another_key_is_found(demo: dict[str, User]) -> None:
    AuditEvent.objects.filter(seq=4).update(object_repr="forged")
    rewrite_from(4, b"a key that is not the one configured here!")
    assert "#4" in broken()
    assert "altered" in broken()


def test_a_downgrade_to_an_unkeyed_chain_is_found(demo: dict[str, User], settings: Any) -> None:
    """Whoever can write the database and delete the exported heads, but lacks the key:
    forget the switch to keyed hashes and the exports in the database, delete the export
    files and recompute the whole chain with plain SHA-256 after a forgery."""
    export_now()
    for file in Path(settings.KEHU_AUDIT_HEAD_DIR).glob("audit-head-*.json"):
        file.unlink()
    ChainHead.objects.filter(pk=1).update(keyed_from=None, exported_seq=0, exported_at=None)
    AuditEvent.objects.filter(seq=4).update(object_repr="forged")
    rewrite_from(1)
    assert not AuditEvent.objects.filter(scheme="hmac-sha256").exists()
    message = broken()
    assert "none of the" in message
    assert "keyed" in message


def test_the_exported_heads_pin_the_switch_to_keyed_hashes(demo: dict[str, User]) -> None:
    """The switch point is exported with every head: moving it in the database is found even
    where the events before and after it would verify."""
    AuditEvent.objects.all().delete()
    ChainHead.objects.filter(pk=1).update(
        seq=0, hash=GENESIS_HASH, keyed_from=None, exported_seq=0, exported_at=None
    )
    record("test.first")
    export_now()
    assert ChainHead.objects.get(pk=1).keyed_from == 1
    # A chain whose keyed part was dropped and which now claims a later switch.
    ChainHead.objects.filter(pk=1).update(keyed_from=2)
    record("test.second")
    AuditEvent.objects.filter(seq=1).update(scheme=SCHEME_SHA256)
    assert "exported chain heads say the chain is keyed from event #1" in broken()


def test_exports_every_n_events_and_a_deleted_export_is_a_finding(
    demo: dict[str, User], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KEHU_AUDIT_EXPORT_EVERY_EVENTS = 5
    folder = Path(settings.KEHU_AUDIT_HEAD_DIR)
    export_now()  # the demo's events, at every multiple of 5 and the head
    count = AuditEvent.objects.count()
    assert [h["seq"] for h in heads_in(folder)] == [*range(5, count, 5), count]
    for _n in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            record("test.event", demo["admin"])
    exported = [h["seq"] for h in heads_in(folder)]
    assert exported[-1] >= count + 5  # exported after the writer's commit, N events later
    assert "intact" in verify()

    for file in folder.glob("audit-head-*.json"):
        file.unlink()
    message = broken()
    assert "missing" in message
    assert str(folder) in message
    # Also forgetting, in the database, that heads were exported does not switch it off.
    ChainHead.objects.filter(pk=1).update(exported_seq=0, exported_at=None)
    assert "no exported head for events #1 to" in broken()


def test_a_truncated_tail_is_found_by_the_exported_head(demo: dict[str, User]) -> None:
    export_now()
    last = AuditEvent.objects.count()
    AuditEvent.objects.filter(seq=last).delete()
    previous = AuditEvent.objects.get(seq=last - 1)
    ChainHead.objects.filter(pk=1).update(seq=last - 1, hash=previous.hash, exported_seq=0)
    assert "truncated" in broken()


def test_exports_also_go_to_syslog(demo: dict[str, User], settings: Any, tmp_path: Path) -> None:
    import socket

    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "log")
    receiver.bind(address)
    receiver.settimeout(10)
    settings.KEHU_AUDIT_HEAD_SYSLOG = address
    entry = export_now()
    message = receiver.recv(4096).decode()
    receiver.close()
    assert "kehu-audit-head" in message
    assert f'"seq": {entry["seq"]}' in message
    assert entry["hash"] in message


def test_an_unkeyed_chain_is_a_finding_until_its_next_event_keys_it(
    demo: dict[str, User],
) -> None:
    """A chain written before the key existed: plain SHA-256 events, no switch recorded. It
    cannot be told from a chain rewritten without the key, so it is a finding until the next
    event is sealed with the key and records the switch."""
    AuditEvent.objects.all().delete()
    prev = GENESIS_HASH
    for seq in range(1, 4):
        row: dict[str, Any] = {
            "seq": seq,
            "occurred_at": timezone.now(),
            "actor_id": None,
            "actor_username": "system",
            "source_ip": "",
            "action": "test.old",
            "object_type": "",
            "object_id": "",
            "object_repr": str(seq),
            "changes": {},
            "extra": {},
            "prev_hash": prev,
            "scheme": SCHEME_SHA256,
        }
        row["hash"] = event_hash(row)
        AuditEvent.objects.create(**row)
        prev = row["hash"]
    ChainHead.objects.filter(pk=1).update(seq=3, hash=prev, keyed_from=None, exported_seq=0)
    assert "none of the 3 events is keyed" in verify_chain().problem
    record("test.new")
    record("test.new")
    assert list(AuditEvent.objects.order_by("seq").values_list("scheme", flat=True)) == [
        "sha256",
        "sha256",
        "sha256",
        "hmac-sha256",
        "hmac-sha256",
    ]
    assert ChainHead.objects.get(pk=1).keyed_from == 4
    assert "5 events" in verify()
    # Downgrading the keyed events (a rewrite without the key) is found.
    rewrite_from(4)
    assert "#4 is not keyed" in broken()


def test_scheduled_verification_alarms_administrators_and_auditors(
    demo: dict[str, User],
) -> None:
    from kehu.ops.tasks import verify_audit_chain

    quiet = verify_audit_chain.call()
    assert quiet["ok"] and not Notification.objects.filter(title__contains="audit").exists()

    AuditEvent.objects.filter(seq=6).update(object_repr="forged")
    with translation.override("en"):
        outcome = verify_audit_chain.call()
    assert not outcome["ok"]
    alarmed = set(
        Notification.objects.filter(title="Audit chain verification failed").values_list(
            "user__username", flat=True
        )
    )
    assert {"admin", "auditor"} <= alarmed
    assert "manager1" not in alarmed
    event = AuditEvent.objects.get(action="audit.chain.verify_failed")
    assert event.extra["bad_seq"] == 6


def test_unsealed_events_are_listed_and_sealed_later(
    demo: dict[str, User], client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    """An event committed by a writer that did not get the chain head (its process died
    before the after-commit sealing): listed at once, sealed by the next sealer."""
    newest_sealed = AuditEvent.objects.count()
    pending = AuditEvent.objects.create(
        occurred_at=timezone.now(), action="test.pending", object_repr="待封存的事件"
    )
    page = client_for("auditor").get("/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "待封存的事件" in body
    rows = body[body.index('id="events"') :].split("<tr")
    position = {row: n for n, row in enumerate(rows)}
    pending_row = next(n for row, n in position.items() if "待封存的事件" in row)
    sealed_row = next(n for row, n in position.items() if f">{newest_sealed}</td>" in row)
    assert pending_row < sealed_row  # in insertion order, newest first
    listed = api_for("auditor").get("/api/v1/audit-events/").json()["results"]
    actions = [event["action"] for event in listed]
    assert listed[actions.index("test.pending")]["seq"] is None

    count = AuditEvent.objects.count()
    assert "intact" in verify()  # the verification seals what is pending first
    pending.refresh_from_db()
    assert pending.seq == count
    assert ChainHead.objects.get(pk=1).seq == count
    assert seal_pending() == 0


def test_the_key_is_generated_private_on_sqlite_and_required_on_postgresql(
    tmp_path: Path,
) -> None:
    key = keys._key("", "sqlite", str(tmp_path))
    file = tmp_path / keys.KEY_FILE_NAME
    assert file.read_text().strip().encode() == key and len(key) >= 32
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    assert keys._key("", "sqlite", str(tmp_path)) == key  # kept, not generated again
    with pytest.raises(ImproperlyConfigured, match="KEHU_AUDIT_KEY"):
        keys._key("", "postgresql", str(tmp_path / "other"))
    assert not (tmp_path / "other").exists()
    with pytest.raises(ImproperlyConfigured, match="32"):
        keys._key("short", "postgresql", str(tmp_path))


def test_an_event_rolled_back_with_its_savepoint_leaves_no_gap(demo: dict[str, User]) -> None:
    from django.db import transaction

    with transaction.atomic():
        record("test.kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            record("test.undone")
            raise RuntimeError("the inner step fails")
        record("test.kept")
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert not AuditEvent.objects.filter(action="test.undone").exists()
    assert AuditEvent.objects.filter(action="test.kept").count() == 2
    assert verify_chain().ok


def test_a_short_burst_then_silence_is_exported_by_the_interval_job(
    demo: dict[str, User], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Fewer than N events and then no write: the writers' after-commit step finds no export
    due, the interval job exports the head once M minutes have passed since the last one."""
    from kehu.ops.tasks import seal_and_export_audit

    folder = Path(settings.KEHU_AUDIT_HEAD_DIR)
    export_now()
    for _n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            record("test.burst")
    head = ChainHead.objects.get(pk=1)
    assert head.exported_seq == head.seq - 3
    assert seal_and_export_audit.call() == {"sealed": 0, "exported_seq": None}

    a_while_ago = timezone.now() - datetime.timedelta(
        minutes=settings.KEHU_AUDIT_EXPORT_EVERY_MINUTES + 1
    )
    ChainHead.objects.filter(pk=1).update(exported_at=a_while_ago)
    assert seal_and_export_audit.call() == {"sealed": 0, "exported_seq": head.seq}
    assert heads_in(folder)[-1]["seq"] == head.seq
    assert ChainHead.objects.get(pk=1).exported_seq == head.seq


def test_the_interval_job_seals_an_orphaned_event(demo: dict[str, User]) -> None:
    from kehu.ops.tasks import seal_and_export_audit

    orphan = AuditEvent.objects.create(occurred_at=timezone.now(), action="test.orphan")
    assert seal_and_export_audit.call()["sealed"] == 1
    orphan.refresh_from_db()
    assert orphan.seq == ChainHead.objects.get(pk=1).seq
    assert verify_chain().ok


def test_events_left_unsealed_past_the_grace_period_are_a_finding(
    demo: dict[str, User], settings: Any
) -> None:
    """Their writer died before sealing and no interval job ran, or they were slipped into
    the table: `kehu audit verify` reports them, then seals them."""
    grace = settings.KEHU_AUDIT_UNSEALED_GRACE_MINUTES
    recent = timezone.now() - datetime.timedelta(minutes=grace - 1)
    AuditEvent.objects.create(occurred_at=recent, action="test.pending")
    assert verify_chain().ok
    old = timezone.now() - datetime.timedelta(minutes=grace + 1)
    orphan = AuditEvent.objects.create(occurred_at=old, action="test.orphan")
    assert "are not sealed" in verify_chain().problem
    message = broken()
    assert f"1 events recorded more than {grace} minutes ago" in message
    assert f"id {orphan.pk}, test.orphan" in message
    assert "sealed now" in message
    assert "intact" in verify()
