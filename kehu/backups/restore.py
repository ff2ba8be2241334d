"""`kehu restore <backup>` (SQLite): the database copy and the files of a backup into a
target folder, compared with the manifest (every table's rows, every file's SHA-256); then,
in a Kehu process pointed at the restored copy, `kehu audit verify` against the exported
heads, `kehu documents verify` and `kehu privacy_reapply` with this installation's deletion
ledger (deletions recorded after the backup are applied again)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.backups import packing
from kehu.backups.destinations import Destination, by_label, sha256_of
from kehu.backups.engine import HashingReader
from kehu.backups.models import RunKind
from kehu.backups.runs import Progress, no_progress, tracked
from kehu.core import storage
from kehu.privacy.requests import ledger_entries

DATABASE_FILE = "kehu.sqlite3"


def read_manifest(destination: Destination, backup_id: str) -> dict[str, Any]:
    if "/" in backup_id or backup_id.startswith("."):
        raise ValidationError(_("No such backup: %(id)s.") % {"id": backup_id})
    try:
        manifest: dict[str, Any] = destination.read_json(f"manifests/{backup_id}.json")
    except FileNotFoundError:
        raise ValidationError(_("No such backup: %(id)s.") % {"id": backup_id}) from None
    return manifest


def _prepare_target(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise ValidationError(
            _("The restore target %(path)s is not empty; restore into a new folder.")
            % {"path": target}
        )
    target.mkdir(parents=True, exist_ok=True, mode=0o700)


def restore_files(
    destination: Destination, manifest: dict[str, Any], files_dir: Path, progress: Progress
) -> list[str]:
    """Copy the backed-up blobs into `files_dir`; the problems (missing, SHA-256 differs)."""
    problems = []
    files = manifest.get("files", {})
    for index, (name, meta) in enumerate(sorted(files.items())):
        progress(index, len(files), _("Restoring files"))
        path = files_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with destination.open(f"files/{name}") as raw, open(path, "wb") as out:
                reader = HashingReader(raw)
                shutil.copyfileobj(reader, out, packing.READ)
        except FileNotFoundError:
            problems.append(f"{name}: missing from the backup")
            continue
        if reader.sha256 != meta["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest")
    return problems


def restore_database(destination: Destination, manifest: dict[str, Any], target: Path) -> None:
    database = manifest.get("database")
    if not database:
        raise ValidationError(
            _("Backup %(id)s holds no database copy (PostgreSQL: restore it with pgBackRest).")
            % {"id": manifest["id"]}
        )
    packing.backup_key(database["key_id"])  # refused before anything is read
    with destination.open(database["name"]) as raw:
        packing.unpack(raw, target, database["key_id"])


def checks_environment(target: Path, database_url: str) -> dict[str, str]:
    """The environment of a Kehu process working on the restored copy: this installation's
    data folder (its keys), the restored database and files, a copy of the exported heads."""
    env = {
        **os.environ,
        "KEHU_DATA_DIR": str(settings.DATA_DIR),
        "KEHU_DATABASE_URL": database_url,
        "KEHU_FILES_DIR": str(target / "files"),
        "KEHU_S3_BUCKET": "",
        "KEHU_AUDIT_HEAD_DIR": str(target / "audit-heads"),
        "KEHU_AUDIT_HEAD_SYSLOG": "",
        "DJANGO_SETTINGS_MODULE": "kehu.settings",
    }
    env.pop("KEHU_BACKUP_DIR", None)
    return env


def run_checks(target: Path, database_url: str) -> dict[str, Any]:
    """Hand the exported heads and the deletion ledger over and run the checks of a restore
    in a Kehu process on the restored copy (`kehu backup after-restore`)."""
    heads = Path(settings.KEHU_AUDIT_HEAD_DIR)
    exported = target / "exported-heads"
    exported.mkdir(exist_ok=True)
    if heads.is_dir():
        for file in heads.glob("*.json"):
            shutil.copy2(file, exported / file.name)
    ledger = target / "deletion-ledger.json"
    ledger.write_text(json.dumps(ledger_entries(), default=str), encoding="utf-8")
    command = [sys.executable, "-c", "from kehu.cli import main; main()", "backup"]
    command += ["after-restore", "--heads", str(exported), "--ledger", str(ledger)]
    done = subprocess.run(
        command,
        env=checks_environment(target, database_url),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ValidationError(
            _("The checks of the restored copy did not run: %(error)s")
            % {"error": (done.stderr or done.stdout).strip()[-1000:]}
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def restore(
    backup_id: str,
    target: Path,
    *,
    source: str | None = None,
    checks: bool = True,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Restore backup `backup_id` into `target` (a new folder) and check it; the report."""
    with tracked(RunKind.RESTORE, backup_id) as run:
        report = restore_into(backup_id, target, source=source, checks=checks, progress=progress)
        run.summary = report
        if not report["ok"]:
            raise ValidationError(
                _("The restored copy has problems: %(problems)s")
                % {"problems": "; ".join(report["problems"][:5])}
            )
    return report


def restore_into(
    backup_id: str,
    target: Path,
    *,
    source: str | None = None,
    checks: bool = True,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    destination = by_label(source)
    manifest = read_manifest(destination, backup_id)
    target = target.resolve()
    _prepare_target(target)
    database = target / DATABASE_FILE
    progress(0, None, _("Restoring the database"))
    restore_database(destination, manifest, database)
    key = packing.backup_key(manifest["database"]["key_id"], b"kehu-digests")
    problems = packing.differences(
        manifest["database"]["tables"], packing.sqlite_digests(database, key)
    )
    problems += restore_files(destination, manifest, target / "files", progress)
    report: dict[str, Any] = {
        "backup": backup_id,
        "target": str(target),
        "tables": len(manifest["database"]["tables"]),
        "files": len(manifest.get("files", {})),
        "problems": problems,
    }
    if checks:
        progress(0, None, _("Checking the restored copy"))
        found = run_checks(target, f"sqlite:///{database}")
        report["checks"] = found
        problems += found.get("problems", [])
    report["ok"] = not problems
    return report


def file_differences(manifest: dict[str, Any], files_dir: Path) -> list[str]:
    """Restored files whose SHA-256 differs from the source's stored blob now."""
    problems = []
    for name in sorted(manifest.get("files", {})):
        try:
            with storage.open_raw(name) as raw:
                source, _size = sha256_of(raw)
        except FileNotFoundError:
            continue  # deleted since the backup (a destroyed document): nothing to compare
        with open(files_dir / name, "rb") as handle:
            restored, _size = sha256_of(handle)
        if source != restored:
            problems.append(f"{name}: differs from the source")
    return problems
