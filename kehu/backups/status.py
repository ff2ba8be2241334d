"""`kehu backup status`, the daily check and the Backups page: the newest backup in each
destination and its age, the last runs (backup, verification, drill), pgBackRest's last full
and incremental on PostgreSQL; what is late (older than its schedule plus
KEHU_BACKUP_GRACE_HOURS) or failed is a problem, and the daily check alarms about it."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.backups import pgbackrest
from kehu.backups.destinations import configured
from kehu.backups.engine import latest_manifest
from kehu.backups.models import BackupRun, RunKind, RunStatus
from kehu.backups.runs import alarm

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def _grace() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.KEHU_BACKUP_GRACE_HOURS)


def _age_hours(when: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return round((now - when).total_seconds() / 3600, 1) if when else None


def last_run(kind: str) -> BackupRun | None:
    return BackupRun.objects.filter(kind=kind).exclude(status=RunStatus.RUNNING).first()


def _run_state(run: BackupRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "backup": run.backup_id,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "size": run.size,
        "summary": run.summary,
        "error": run.error,
    }


def _destinations(now: datetime.datetime, problems: list[str]) -> list[dict[str, Any]]:
    try:
        destinations = configured()
    except ImproperlyConfigured as error:
        problems.append(str(error))
        return []
    found = []
    for destination in destinations:
        try:
            manifest = latest_manifest(destination)
        except Exception as error:  # an unreachable bucket is a finding, not a crash
            problems.append(
                _("%(where)s cannot be read: %(error)s")
                % {"where": destination.label, "error": error}
            )
            continue
        when = datetime.datetime.fromisoformat(manifest["created_at"]) if manifest else None
        database = (manifest or {}).get("database") or {}
        found.append(
            {
                "destination": destination.label,
                "backup": (manifest or {}).get("id"),
                "created_at": when,
                "age_hours": _age_hours(when, now),
                "database_size": database.get("size"),
                "files": len((manifest or {}).get("files", {})),
            }
        )
        if when is None:
            problems.append(_("No backup in %(where)s yet.") % {"where": destination.label})
        elif now - when > DAY + _grace():
            problems.append(
                _("The last backup in %(where)s is %(hours)s hours old: backups are late.")
                % {"where": destination.label, "hours": _age_hours(when, now)}
            )
    return found


def _pgbackrest(now: datetime.datetime, problems: list[str]) -> dict[str, Any]:
    stanza = settings.KEHU_PGBACKREST["stanza"]
    try:
        state = pgbackrest.summarise(pgbackrest.read_info(), stanza)
    except (OSError, RuntimeError, ValueError) as error:
        problems.append(_("pgBackRest cannot be asked: %(error)s") % {"error": error})
        return {"stanza": stanza, "ok": False, "message": str(error), "repos": []}
    return pgbackrest_problems(state, now, problems)


def pgbackrest_problems(
    state: dict[str, Any], now: datetime.datetime, problems: list[str]
) -> dict[str, Any]:
    """Add what is late or failed in pgBackRest's summary to `problems`."""
    if not state["ok"]:
        problems.append(_("pgBackRest: %(message)s") % {"message": state.get("message", "")})
    if state["ok"] and not state.get("repos"):
        problems.append(_("pgBackRest holds no backup yet."))
    for repo in state.get("repos", []):
        full, last = repo.get("last_full"), repo.get("last")
        for entry in (full, last):
            if entry:
                entry["age_hours"] = _age_hours(entry["finished_at"], now)
        if repo["failed"]:
            problems.append(
                _("pgBackRest repository %(repo)s: backup %(label)s failed.")
                % {"repo": repo["repo"], "label": repo["failed"][-1]}
            )
        if full is None or now - full["finished_at"] > WEEK + _grace():
            problems.append(
                _("pgBackRest repository %(repo)s: the last full backup is late.")
                % {"repo": repo["repo"]}
            )
        if last is None or now - last["finished_at"] > DAY + _grace():
            problems.append(
                _("pgBackRest repository %(repo)s: the last backup is late.")
                % {"repo": repo["repo"]}
            )
    return state


def backup_status(now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    problems: list[str] = []
    state: dict[str, Any] = {
        "engine": connection.vendor,
        "checked_at": now,
        "destinations": _destinations(now, problems),
        "last_backup": _run_state(last_run(RunKind.BACKUP)),
        "last_verify": _run_state(last_run(RunKind.VERIFY)),
        "last_drill": _run_state(last_run(RunKind.DRILL)),
    }
    for key, label in (
        ("last_backup", _("backup")),
        ("last_verify", _("verification")),
        ("last_drill", _("restore drill")),
    ):
        run = state[key]
        if run and run["status"] == RunStatus.FAILED:
            problems.append(
                _("The last %(what)s failed: %(error)s") % {"what": label, "error": run["error"]}
            )
    if connection.vendor == "postgresql":
        state["pgbackrest"] = _pgbackrest(now, problems)
    state["problems"] = problems
    return state


def health_summary() -> dict[str, Any]:
    """For /health/ (administrators): the last backup, verification and drill, from Kehu's
    own record only (no destination or pgBackRest is asked: the page is polled)."""
    found = {}
    for key, kind in (
        ("last_backup", RunKind.BACKUP),
        ("last_verify", RunKind.VERIFY),
        ("last_drill", RunKind.DRILL),
    ):
        run = last_run(kind)
        found[key] = run and {
            "backup": run.backup_id,
            "status": run.status,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        }
    return found


def check_and_alarm(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Daily: the status; late or failed backups alarm the system administrators."""
    state = backup_status(now)
    if state["problems"]:
        alarm(
            "backups.backup.late",
            _("Backups need attention"),
            "\n".join(state["problems"]),
            problems=state["problems"][:20],
        )
    return {"problems": state["problems"]}


def as_text(state: dict[str, Any]) -> str:
    lines = [f"engine: {state['engine']}"]
    for d in state["destinations"]:
        lines.append(
            f"{d['destination']}: last backup {d['backup'] or '-'} "
            f"({d['age_hours']} h old), database {d['database_size'] or '-'} bytes, "
            f"{d['files']} files"
        )
    for key in ("last_backup", "last_verify", "last_drill"):
        run = state[key]
        if run:
            lines.append(f"{key}: {run['status']} {run['backup']} at {run['finished_at']}")
    pg = state.get("pgbackrest")
    if pg:
        lines.append(f"pgbackrest stanza {pg['stanza']}: {'ok' if pg['ok'] else pg['message']}")
        for repo in pg.get("repos", []):
            for key in ("last_full", "last"):
                entry = repo.get(key)
                if entry:
                    lines.append(
                        f"  repo{repo['repo']} {key}: {entry['label']} ({entry['type']}) "
                        f"{entry['finished_at']:%Y-%m-%d %H:%M} UTC, {entry['age_hours']} h "
                        f"old, database {entry['database_size']} bytes, backup "
                        f"{entry['backup_size']} bytes"
                    )
    lines += [f"PROBLEM: {p}" for p in state["problems"]]
    return "\n".join(lines)
