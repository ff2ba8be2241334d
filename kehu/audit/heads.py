"""Exported chain heads: (seq, hash) written outside the database every N events or M
minutes, to KEHU_AUDIT_HEAD_DIR (one JSON line appended per export, a file per day) and
optionally to syslog. Verification compares the chain with them (kehu.audit.selectors)."""

from __future__ import annotations

import datetime
import json
import logging
import logging.handlers
import os
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kehu.audit.models import AuditEvent, ChainHead

SYSLOG_TAG = "kehu-audit-head"


def export_due(head: ChainHead, now: datetime.datetime) -> bool:
    if head.seq <= head.exported_seq:
        return False
    if head.seq - head.exported_seq >= settings.KEHU_AUDIT_EXPORT_EVERY_EVENTS:
        return True
    every = datetime.timedelta(minutes=settings.KEHU_AUDIT_EXPORT_EVERY_MINUTES)
    return head.exported_at is None or now - head.exported_at >= every


def _syslog(line: str) -> None:
    address: str | tuple[str, int] = settings.KEHU_AUDIT_HEAD_SYSLOG
    if isinstance(address, str) and ":" in address:
        host, port = address.rsplit(":", 1)
        address = (host, int(port))
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV
    )
    handler.ident = f"{SYSLOG_TAG}: "
    try:
        handler.emit(logging.LogRecord(SYSLOG_TAG, logging.INFO, "", 0, line, None, None))
    finally:
        handler.close()


def _entry(seq: int, hash_: str, head: ChainHead, now: datetime.datetime) -> dict[str, Any]:
    return {
        "seq": seq,
        "hash": hash_,
        "keyed_from": head.keyed_from,
        "exported_at": now.isoformat(),
        "host": socket.gethostname(),
    }


def _checkpoints(head: ChainHead) -> list[tuple[int, str]]:
    """The events at every multiple of N since the last export: a transaction that sealed
    many events at once still leaves no more than N events between two exported heads."""
    every = settings.KEHU_AUDIT_EXPORT_EVERY_EVENTS
    first = (head.exported_seq // every + 1) * every
    wanted = range(first, head.seq, every)
    if not wanted:
        return []
    rows = AuditEvent.objects.filter(seq__in=list(wanted)).values_list("seq", "hash")
    return sorted((int(seq or 0), str(hash_)) for seq, hash_ in rows)


def _write(entries: list[dict[str, Any]], now: datetime.datetime, directory: Path) -> Path:
    lines = "".join(json.dumps(entry) + "\n" for entry in entries)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-head-{timezone.localdate(now).isoformat()}.json"
    # Append only: the folder may be append-only (chattr +a), earlier lines stay.
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())
    if settings.KEHU_AUDIT_HEAD_SYSLOG:
        _syslog(json.dumps(entries[-1]))
    return path


def _export_locked(now: datetime.datetime, directory: Path | None, force: bool) -> dict | None:
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(pk=1)
        if not force and not export_due(head, now):
            return None
        entries = [_entry(head.seq, head.hash, head, now)]
        if directory is None:
            checkpoints = [_entry(seq, h, head, now) for seq, h in _checkpoints(head)]
            entries = checkpoints + entries
        path = _write(entries, now, directory or Path(settings.KEHU_AUDIT_HEAD_DIR))
        if directory is None:
            head.exported_seq, head.exported_at = head.seq, now
            head.save(update_fields=["exported_seq", "exported_at"])
        return {**entries[-1], "path": str(path)}


def export_if_due(now: datetime.datetime | None = None) -> dict[str, Any] | None:
    """Export the head when N events or M minutes have passed since the last export."""
    now = now or timezone.now()
    if not export_due(ChainHead.objects.get(pk=1), now):
        return None
    return _export_locked(now, None, force=False)


def export_now(directory: str | None = None) -> dict[str, Any]:
    """Export the head now (`kehu audit export-head`, the daily job), sealing first."""
    from kehu.audit.sealing import seal_pending

    seal_pending()
    entry = _export_locked(timezone.now(), Path(directory) if directory else None, force=True)
    assert entry is not None
    return entry


def read_exports(paths: list[Path]) -> dict[int, dict[str, Any]]:
    """Every exported head found in the files or folders: seq → entry."""
    exports: dict[int, dict[str, Any]] = {}
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    exports[int(entry["seq"])] = entry
    return exports


def missing_exports(
    head: ChainHead, chain_end: int, exports: dict[int, dict[str, Any]], folder: Path
) -> str:
    """The first expected export that is not there, or ""."""
    if head.exported_seq and head.exported_seq not in exports:
        return (
            f"the head exported at event #{head.exported_seq} (recorded in the database) is "
            f"missing from {folder}"
        )
    # Exports are expected from the switch to keyed hashes on (events before it predate
    # regular exports), and from the first event in a chain that records no switch.
    first = head.keyed_from or 1
    every = settings.KEHU_AUDIT_EXPORT_EVERY_EVENTS
    previous = first - 1
    exported = sorted(s for s in exports if first <= s <= chain_end)
    # Between two exports at most N events; after the last one up to 2N (sealed, about to be
    # exported by the writer's after-commit step).
    for seq, allowed in [(s, every) for s in exported] + [(chain_end, 2 * every)]:
        if seq - previous > allowed:
            return (
                f"no exported head for events #{previous + 1} to #{seq} in {folder} "
                f"(one is expected at least every {every} events)"
            )
        previous = seq
    return ""
