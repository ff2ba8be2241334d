"""`kehu backup`: the SQLite database (a consistent copy, compressed and encrypted) and the
stored files (immutable versions: only new ones are copied, each with its SHA-256 in the
manifest) to every configured destination; the weekly verification re-reads the whole set.
On PostgreSQL the database is pgBackRest's (kehu.backups.pgbackrest): `kehu backup` copies
the files only."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import export_head
from kehu.backups import packing
from kehu.backups.destinations import Destination, configured, iter_manifest_ids, sha256_of
from kehu.backups.models import RunKind
from kehu.backups.runs import Progress, no_progress, tracked
from kehu.core import storage

FORMAT = 1
# Result files of users' jobs are temporary (KEHU_JOB_RESULT_DAYS): not backed up.
SKIPPED_PREFIXES = ("jobs/",)


class HashingReader:
    """Passes a stream through, hashing and counting what was read."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        block = self._source.read(size)
        self._hash.update(block)
        self.size += len(block)
        return block

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


@contextmanager
def workspace() -> Iterator[Path]:
    """A private folder in the data folder for plain copies on their way (as protected as
    the live database), removed afterwards."""
    base = Path(settings.DATA_DIR) / "backup-work"
    base.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def new_backup_id(destinations: list[Destination]) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    candidate, n = stamp, 1
    while any(d.exists(f"manifests/{candidate}.json") for d in destinations):
        n += 1
        candidate = f"{stamp}-{n}"
    return candidate


def latest_manifest(destination: Destination) -> dict[str, Any] | None:
    ids = sorted(iter_manifest_ids(destination))
    return destination.read_json(f"manifests/{ids[-1]}.json") if ids else None


def source_files() -> list[str]:
    return [n for n in storage.stored_names() if not n.startswith(SKIPPED_PREFIXES)]


def _copy_new_files(
    destination: Destination, names: list[str], known: dict[str, Any], progress: Progress
) -> tuple[dict[str, Any], list[str]]:
    """Copy the files the destination lacks; the manifest entries of all of them."""
    present = set(destination.names("files"))
    entries, copied = {}, []
    for index, name in enumerate(names):
        progress(index, len(names), _("Copying new files"))
        if f"files/{name}" in present and name in known:
            entries[name] = known[name]
            continue
        with storage.open_raw(name) as raw:
            reader = HashingReader(raw)
            destination.put(f"files/{name}", reader)  # type: ignore[arg-type]
        entries[name] = {"sha256": reader.sha256, "size": reader.size}
        copied.append(name)
    return entries, copied


def backup(progress: Progress = no_progress) -> dict[str, Any]:
    """One backup to every destination; the manifest (written last) describes it."""
    destinations = configured()
    backup_id = new_backup_id(destinations)
    with tracked(RunKind.BACKUP, backup_id) as run, workspace() as work:
        head = export_head()  # an anchor of the chain at the backup's point
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "id": backup_id,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "audit_head": {"seq": head["seq"], "hash": head["hash"]},
        }
        size = 0
        if connection.vendor == "sqlite":
            progress(0, None, _("Copying the database"))
            plain, packed = work / "kehu.sqlite3", work / "db.kbak"
            packing.snapshot_sqlite(plain)
            key_id = packing.current_key_id()
            tables = packing.sqlite_digests(plain, packing.backup_key(key_id, b"kehu-digests"))
            packing.pack(plain, packed, work)
            plain.unlink()
            with open(packed, "rb") as handle:
                digest, packed_size = sha256_of(handle)
            name = f"db/{backup_id}.sqlite.gz.kbak"
            for destination in destinations:
                with open(packed, "rb") as handle:
                    destination.put(name, handle)
            manifest["database"] = {
                "name": name,
                "sha256": digest,
                "size": packed_size,
                "key_id": key_id,
                "tables": tables,
            }
            size += packed_size
        names = source_files()
        copied: set[str] = set()
        for destination in destinations:
            previous = latest_manifest(destination) or {}
            entries, new = _copy_new_files(destination, names, previous.get("files", {}), progress)
            copied.update(new)
            manifest["files"] = entries
        manifest["new_files"] = sorted(copied)
        for destination in destinations:
            destination.put_json(f"manifests/{backup_id}.json", manifest)
        run.size = size + sum(manifest["files"][n]["size"] for n in copied)
        run.summary = {
            "engine": manifest["engine"],
            "files": len(names),
            "new_files": len(copied),
            "tables": len(manifest.get("database", {}).get("tables", {})),
            "destinations": [d.label for d in destinations],
        }
        progress(len(names), len(names), _("Backup written"))
    prune_database_copies(destinations)
    return manifest


def prune_database_copies(destinations: list[Destination]) -> int:
    """Delete database copies (and their manifests) older than KEHU_BACKUP_KEEP_DAYS, always
    keeping the newest; the files stay (later manifests name them)."""
    cutoff = (timezone.now() - datetime.timedelta(days=settings.KEHU_BACKUP_KEEP_DAYS)).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    removed = 0
    for destination in destinations:
        ids = sorted(iter_manifest_ids(destination))
        for old in ids[:-1]:
            if old < cutoff:
                destination.delete(f"db/{old}.sqlite.gz.kbak")
                destination.delete(f"manifests/{old}.json")
                removed += 1
    return removed


def verify(progress: Progress = no_progress) -> dict[str, Any]:
    """Weekly: in every destination, re-read the latest database copy and every file the
    manifest names (SHA-256), and check that every stored file of Kehu is there; a problem
    fails the run (an alarm)."""
    from django.core.exceptions import ValidationError

    destinations = configured()
    with tracked(RunKind.VERIFY) as run:
        problems: list[str] = []
        checked = 0
        names = set(source_files())
        waiting = 0
        for destination in destinations:
            manifest = latest_manifest(destination)
            if manifest is None:
                problems.append(f"{destination.label}: no backup")
                continue
            run.backup_id = manifest["id"]
            wanted = dict(manifest.get("files", {}))
            database = manifest.get("database")
            if database:
                wanted[database["name"]] = database
            for index, (name, meta) in enumerate(sorted(wanted.items())):
                progress(index, len(wanted), _("Verifying the backup"))
                stored = name if name.startswith("db/") else f"files/{name}"
                try:
                    with destination.open(stored) as handle:
                        digest, _size = sha256_of(handle)
                except FileNotFoundError:
                    problems.append(f"{destination.label}: {stored} missing")
                    continue
                checked += 1
                if digest != meta["sha256"]:
                    problems.append(f"{destination.label}: {stored} altered")
            waiting = len(names - set(wanted))
        run.summary = {"checked": checked, "problems": problems[:50], "not_yet_backed_up": waiting}
        if problems:
            raise ValidationError(
                _("%(count)s problems in the backups: %(first)s")
                % {"count": len(problems), "first": "; ".join(problems[:5])}
            )
    return run.summary
