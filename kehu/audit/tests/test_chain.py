"""The hash chain: `kehu audit verify` accepts the chain services build and names the first
event that was altered, removed or reordered; exported heads catch a wholesale rewrite."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from kehu.audit.chain import event_hash, verify_rows
from kehu.audit.keys import audit_key
from kehu.audit.models import GENESIS_HASH, SCHEME_HMAC, SCHEME_SHA256, AuditEvent, ChainHead
from kehu.audit.selectors import chain_rows, verify_chain
from kehu.audit.services import record, record_many
from kehu.core.models import User

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def verify(*args: str) -> str:
    """`kehu audit verify …` in English, whatever the catalog says (the words are checked)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def broken_at(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        verify(*args)
    return str(caught.value)


def test_chain_built_by_services_verifies(demo: dict[str, User]) -> None:
    count = AuditEvent.objects.count()
    assert count > 20  # units, users, roles, certification of the demo
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, count + 1))
    first = AuditEvent.objects.get(seq=1)
    assert first.prev_hash == GENESIS_HASH
    head = ChainHead.objects.get(pk=1)
    last = AuditEvent.objects.get(seq=count)
    assert (head.seq, head.hash) == (last.seq, last.hash)

    output = verify()
    assert f"{count} events" in output
    assert f"head #{count} {last.hash}" in output


def test_altered_object_repr_is_detected(demo: dict[str, User]) -> None:
    AuditEvent.objects.filter(seq=5).update(object_repr="forged")
    message = broken_at()
    assert "#5" in message
    assert "altered" in message
    result = verify_chain()
    assert (result.ok, result.bad_seq, result.count) == (False, 5, 4)


def test_altered_changes_are_detected(demo: dict[str, User]) -> None:
    event = AuditEvent.objects.exclude(changes={}).order_by("seq")[3]
    AuditEvent.objects.filter(pk=event.pk).update(changes={"name": ["a", "b"]})
    assert f"#{event.seq}:" in broken_at()


@pytest.mark.parametrize(
    "column, value",
    [
        ("actor_username", "someone-else"),
        ("source_ip", "10.9.9.9"),
        ("action", "core.user.view"),
        ("extra", {"rows": 0}),
    ],
)
def test_every_hashed_column_is_covered(demo: dict[str, User], column: str, value: Any) -> None:
    AuditEvent.objects.filter(seq=7).update(**{column: value})
    assert verify_chain().bad_seq == 7


def test_deleted_event_is_detected(demo: dict[str, User]) -> None:
    AuditEvent.objects.filter(seq=6).delete()
    message = broken_at()
    assert "#6" in message
    assert "missing" in message


def test_deleted_first_event_is_detected(demo: dict[str, User]) -> None:
    AuditEvent.objects.filter(seq=1).delete()
    assert "#1" in broken_at()


def swap_seq(a: int, b: int) -> None:
    """Exchange two events' positions, going through a free number (seq is unique)."""
    with transaction.atomic():
        AuditEvent.objects.filter(seq=a).update(seq=-1)
        AuditEvent.objects.filter(seq=b).update(seq=a)
        AuditEvent.objects.filter(seq=-1).update(seq=b)


def test_reordered_events_are_detected(demo: dict[str, User]) -> None:
    swap_seq(8, 9)
    assert set(AuditEvent.objects.values_list("seq", flat=True)) == set(
        range(1, AuditEvent.objects.count() + 1)
    )
    message = broken_at()
    assert "#8" in message
    assert "reordered" in message


def rewrite_from(seq: int, key: bytes | None = None) -> None:
    """What a capable attacker does: recompute every hash after an edit, head included; with
    `key` one who also holds the audit key, else one who rewrites with plain SHA-256."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for row in chain_rows():
        if row["seq"] < seq:
            continue
        row["prev_hash"] = prev
        row["scheme"] = SCHEME_HMAC if key else SCHEME_SHA256
        row["hash"] = event_hash(row, key)
        AuditEvent.objects.filter(seq=row["seq"]).update(
            prev_hash=prev, hash=row["hash"], scheme=row["scheme"]
        )
        prev = row["hash"]
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    ChainHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)


def test_rewritten_chain_is_detected_with_an_exported_head(
    demo: dict[str, User], tmp_path: Path
) -> None:
    out = io.StringIO()
    with translation.override("en"):
        call_command("audit", "export-head", "--dir", str(tmp_path), stdout=out)
    head_seq = AuditEvent.objects.count()
    assert f"exported head #{head_seq} " in out.getvalue()
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    assert verify("--head", str(tmp_path))  # intact chain agrees with its exported head

    AuditEvent.objects.filter(seq=4).update(object_repr="forged")
    rewrite_from(4, audit_key())

    # The verification above exported the head to the configured folder as well: the
    # rewrite shows there, and in the head exported by hand.
    assert "rewritten" in broken_at()
    message = broken_at("--head", str(tmp_path))
    assert f"#{head_seq}" in message
    assert "rewritten" in message
    # A single file works as well as a folder.
    assert f"#{head_seq}" in broken_at("--head", str(files[0]))


def test_truncated_chain_is_detected_with_an_exported_head(
    demo: dict[str, User], tmp_path: Path
) -> None:
    call_command("audit", "export-head", "--dir", str(tmp_path), stdout=io.StringIO())
    last = AuditEvent.objects.count()
    AuditEvent.objects.filter(seq=last).delete()
    ChainHead.objects.filter(pk=1).update(
        seq=last - 1, hash=AuditEvent.objects.get(seq=last - 1).hash
    )
    assert (
        "events" in verify()
    )  # with the head row moved back too, nothing inside the database names the lost tail
    message = broken_at("--head", str(tmp_path))
    assert f"#{last}" in message
    assert "truncated" in message


def test_exported_heads_option_reads_the_configured_folder(
    demo: dict[str, User], tmp_path: Path, settings: Any
) -> None:
    settings.KEHU_AUDIT_HEAD_DIR = tmp_path / "heads"
    call_command("audit", "export-head", stdout=io.StringIO())
    assert len(list((tmp_path / "heads").glob("audit-head-*.json"))) == 1
    AuditEvent.objects.filter(seq=3).update(object_repr="forged")
    rewrite_from(3, audit_key())
    assert "rewritten" in broken_at()  # the configured folder is always checked
    assert "rewritten" in broken_at("--exported-heads")


def test_events_appended_after_the_export_keep_verifying(
    demo: dict[str, User], tmp_path: Path
) -> None:
    call_command("audit", "export-head", "--dir", str(tmp_path), stdout=io.StringIO())
    record("test.later", demo["admin"])
    record("test.later", demo["auditor"])
    assert f"{AuditEvent.objects.count()} events" in verify("--head", str(tmp_path))


def test_verify_rows_reports_the_first_problem_only() -> None:
    rows: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(1, 6):
        row: dict[str, Any] = {
            "seq": seq,
            "occurred_at": None,
            "actor_id": None,
            "actor_username": "system",
            "source_ip": "",
            "action": "test",
            "object_type": "",
            "object_id": "",
            "object_repr": str(seq),
            "changes": {},
            "extra": {},
            "prev_hash": prev,
        }
        row["hash"] = event_hash(row)
        prev = row["hash"]
        rows.append(row)
    assert verify_rows(rows).ok
    rows[1]["object_repr"] = "x"
    rows[3]["object_repr"] = "y"
    assert verify_rows(rows).bad_seq == 2


# --- the real command line: exit status of a separate process -------------------------


def kehu_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["KEHU_DATA_DIR"] = str(data_dir)
    env["KEHU_DEMO_CUSTOMERS"] = "30"  # the chain, not the volume, is under test
    return env


# migrate + seed_demo in one process, with a cheap password hasher (the demo users' password
# hashing would otherwise dominate the test's time).
PREPARE = """
import django
from django.conf import settings
from django.core.management import call_command
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
django.setup()
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", "--noinput", verbosity=0)
call_command("seed_demo")
"""


def run_kehu(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kehu.cli", *args],
        env=kehu_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.CHECKOUT_DIR,
    )


def test_command_line_exit_status(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE],
        env=kehu_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.CHECKOUT_DIR,
    )
    assert prepared.returncode == 0, prepared.stderr
    database = data_dir / "kehu.sqlite3"
    assert database.exists()

    intact = run_kehu(data_dir, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    with closing(sqlite3.connect(database)) as db:
        (count,) = db.execute("SELECT count(*) FROM audit_auditevent").fetchone()
    assert count > 20
    assert f" {count} " in intact.stdout  # the number of events checked

    with closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE audit_auditevent SET object_repr = 'forged' WHERE seq = 12")
    broken = run_kehu(data_dir, "audit", "verify")
    assert broken.returncode == 1
    assert "#12" in broken.stderr


def _record_many_batch(demo: dict[str, User]) -> list[User]:
    users = list(User.objects.order_by("pk")[:3])
    items: list[tuple[Any, dict[str, Any]]] = [
        (user, {"name": [None, f"名{n}"], "n": [n, n + 1]}) for n, user in enumerate(users)
    ]
    assert record_many("core.user.import", items, extra={"file": "名单.xlsx"}) == 3
    return users


def test_record_many_events_verify(demo: dict[str, User]) -> None:
    before = AuditEvent.objects.count()
    users = _record_many_batch(demo)
    events = list(AuditEvent.objects.filter(action="core.user.import").order_by("id"))
    assert [e.object_id for e in events] == [str(u.pk) for u in users]
    assert [e.seq for e in events] == [before + 1, before + 2, before + 3]
    assert events[1].changes == {"name": [None, "名1"], "n": [1, 2]}
    assert events[0].extra["file"] == "名单.xlsx"
    assert events[0].scheme == SCHEME_HMAC
    assert verify_chain(exports=False).ok
    assert f"{before + 3} events" in verify()


def test_record_many_unsealed_then_sealed(
    demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kehu.audit import sealing

    monkeypatch.setattr(sealing, "try_lock_head", lambda: None)  # the head is busy
    with transaction.atomic():
        _record_many_batch(demo)
    events = AuditEvent.objects.filter(action="core.user.import")
    assert [e.seq for e in events] == [None, None, None]
    assert {e.scheme for e in events} == {SCHEME_SHA256}
    sealing.seal_pending()
    assert None not in [e.seq for e in events.all()]
    assert verify_chain(exports=False).ok
