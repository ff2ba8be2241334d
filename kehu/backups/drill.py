"""`kehu backup drill` (monthly, and from the Backups page): back up, restore into a scratch
place, compare every table's rows and every file's SHA-256 with the source, run the checks
of a restore, report. SQLite: the backup just written, through `kehu restore`'s code.
PostgreSQL: pgBackRest's restore needs the server's own machinery, so the drill is logical:
pg_dump of an exported snapshot (the rows digested in that same snapshot) restored into a
scratch database; the files as on SQLite."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from kehu.backups import engine, packing
from kehu.backups.destinations import configured
from kehu.backups.models import RunKind
from kehu.backups.restore import (
    file_differences,
    restore_files,
    restore_into,
    run_checks,
)
from kehu.backups.runs import Progress, no_progress, tracked


def drill(progress: Progress = no_progress) -> dict[str, Any]:
    with tracked(RunKind.DRILL) as run:
        manifest = engine.backup(progress)
        run.backup_id = manifest["id"]
        with engine.workspace() as scratch:
            if connection.vendor == "sqlite":
                report = restore_into(manifest["id"], scratch / "restored", progress=progress)
            else:
                report = postgresql_drill(manifest, scratch / "restored", progress)
            progress(0, None, _("Comparing files with the source"))
            report["problems"] += file_differences(manifest, scratch / "restored" / "files")
        report["engine"] = connection.vendor
        report["ok"] = not report["problems"]
        report.pop("target", None)
        run.summary = report
        if report["problems"]:
            raise ValidationError(
                _("The restore drill found differences: %(problems)s")
                % {"problems": "; ".join(report["problems"][:5])}
            )
        progress(1, 1, _("Restore drill passed"))
    return report


# PostgreSQL ----------------------------------------------------------------------------------


def _conninfo(settings_dict: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "dbname": name,
    }


def _url(info: dict[str, Any]) -> str:
    auth = quote(info["user"] or "", safe="")
    if info["password"]:
        auth += ":" + quote(info["password"], safe="")
    return f"postgres://{auth}@{info['host'] or ''}:{info['port'] or 5432}/{info['dbname']}"


def _pg_env(info: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "host"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
    ):
        if info[key]:
            env[variable] = str(info[key])
    return env


def _connect(info: dict[str, Any], autocommit: bool = False) -> Any:
    import psycopg

    conn = psycopg.connect(**{k: v for k, v in info.items() if v is not None})
    conn.autocommit = autocommit
    return conn


def postgresql_drill(manifest: dict[str, Any], target: Path, progress: Progress) -> dict[str, Any]:
    source = _conninfo(connection.settings_dict, connection.settings_dict["NAME"])
    scratch = {**source, "dbname": f"{source['dbname']}_drill_{uuid.uuid4().hex[:8]}"}
    key = os.urandom(32)  # the digests never leave this run
    target.mkdir(parents=True, mode=0o700)
    dump = target / "kehu.dump"
    progress(0, None, _("Copying the database"))
    with _connect(source) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        conn.execute("SET TIME ZONE 'UTC'")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                "--no-owner",
                source["dbname"],
            ],
            env=_pg_env(source),
            check=True,
            capture_output=True,
            timeout=3600,
        )
        expected = packing.table_digests(conn.cursor(), "postgresql", key)
    admin = _connect({**source, "dbname": "postgres"}, autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{scratch["dbname"]}" TEMPLATE template0')
        progress(0, None, _("Restoring the database"))
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={scratch['dbname']}", str(dump)],
            env=_pg_env(scratch),
            check=True,
            capture_output=True,
            timeout=3600,
        )
        dump.unlink()
        with _connect(scratch) as conn:
            conn.execute("SET TIME ZONE 'UTC'")
            found = packing.table_digests(conn.cursor(), "postgresql", key)
        problems = packing.differences(expected, found)
        destination = configured()[0]
        problems += restore_files(destination, manifest, target / "files", progress)
        report: dict[str, Any] = {
            "backup": manifest["id"],
            "tables": len(expected),
            "files": len(manifest.get("files", {})),
            "problems": problems,
        }
        progress(0, None, _("Checking the restored copy"))
        checks = run_checks(target, _url(scratch))
        report["checks"] = checks
        problems += checks.get("problems", [])
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch["dbname"]}" WITH (FORCE)')
        admin.close()
    return report
