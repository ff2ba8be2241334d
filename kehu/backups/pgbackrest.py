"""PostgreSQL's backups are pgBackRest's: weekly full, daily incremental, WAL archived
continuously (point-in-time recovery), the repositories encrypted, one on a second local
path and one in S3-compatible storage. Kehu prints the configuration to install
(`kehu backup pgbackrest-config`) and reads `pgbackrest info --output=json` for its status
and alarms."""

from __future__ import annotations

import datetime
import json
import subprocess
from typing import Any

from django.conf import settings

TEMPLATE = """\
# /etc/pgbackrest/pgbackrest.conf on the database server (owner postgres, mode 0640).
# The cipher passes are the repositories' keys: keep them in the password safe, never
# beside the repositories (without them the backups cannot be read).
[global]
# Repository 1: a second local disk (another device than the database's).
repo1-path=/srv/pgbackrest
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=<a long random secret: openssl rand -base64 48>
repo1-retention-full=4
# Repository 2: S3-compatible storage off-site (the same bucket service as KEHU_BACKUP_S3_*).
repo2-type=s3
repo2-path=/pgbackrest
repo2-s3-bucket={bucket}
repo2-s3-endpoint={endpoint}
repo2-s3-region={region}
repo2-s3-key=<access key>
repo2-s3-key-secret=<secret key>
repo2-s3-uri-style=path
repo2-cipher-type=aes-256-cbc
repo2-cipher-pass=<another long random secret>
repo2-retention-full=8
compress-type=zst
start-fast=y
archive-async=y
spool-path=/var/spool/pgbackrest
log-level-file=detail

[{stanza}]
pg1-path={pg_path}
pg1-port={port}

# postgresql.conf (then restart PostgreSQL):
#   wal_level = replica
#   archive_mode = on
#   archive_command = 'pgbackrest --stanza={stanza} archive-push %p'
#   max_wal_senders = 3
#
# Once: sudo -u postgres pgbackrest --stanza={stanza} stanza-create
#       sudo -u postgres pgbackrest --stanza={stanza} check
#
# /etc/cron.d/pgbackrest (the postgres user; each repository on its own):
#   30 1 * * 0   postgres pgbackrest --stanza={stanza} --repo=1 --type=full backup
#   30 1 * * 1-6 postgres pgbackrest --stanza={stanza} --repo=1 --type=incr backup
#   30 3 * * 0   postgres pgbackrest --stanza={stanza} --repo=2 --type=full backup
#   30 3 * * 1-6 postgres pgbackrest --stanza={stanza} --repo=2 --type=incr backup
"""


def configuration() -> str:
    from django.db import connection

    database = connection.settings_dict
    s3 = settings.KEHU_BACKUP_S3
    return TEMPLATE.format(
        stanza=settings.KEHU_PGBACKREST["stanza"],
        bucket=s3.get("bucket") or "<bucket>",
        endpoint=(s3.get("endpoint_url") or "<s3 endpoint host>").split("://")[-1],
        region=s3.get("region") or "<region>",
        pg_path="/var/lib/postgresql/15/main",
        port=database.get("PORT") or 5432,
    )


def read_info() -> list[dict[str, Any]]:
    """`pgbackrest info --output=json` for the configured stanza."""
    options = settings.KEHU_PGBACKREST
    command = [options["command"], f"--stanza={options['stanza']}", "--output=json", "info"]
    if options["config"]:
        command.insert(1, f"--config={options['config']}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError((done.stderr or done.stdout).strip()[-500:] or "pgbackrest failed")
    info: list[dict[str, Any]] = json.loads(done.stdout)
    return info


def _when(epoch: int | None) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC) if epoch else None


def summarise(info: list[dict[str, Any]], stanza: str) -> dict[str, Any]:
    """The stanza's state per repository: the last full and the last backup of any type
    (full, differential, incremental), their time, size and label; WAL archive range."""
    found = next((s for s in info if s.get("name") == stanza), None)
    if found is None:
        return {"stanza": stanza, "ok": False, "message": f"stanza {stanza} not found"}
    status = found.get("status", {})
    repos: dict[int, dict[str, Any]] = {}
    for backup in found.get("backup", []):
        key = backup.get("database", {}).get("repo-key", 1)
        repo = repos.setdefault(key, {"repo": key, "backups": 0, "failed": []})
        repo["backups"] += 1
        if backup.get("error"):
            repo["failed"].append(backup["label"])
        entry = {
            "label": backup["label"],
            "type": backup["type"],
            "started_at": _when(backup["timestamp"]["start"]),
            "finished_at": _when(backup["timestamp"]["stop"]),
            "database_size": backup["info"]["size"],
            "backup_size": backup["info"]["repository"]["delta"],
            "repository_size": backup["info"]["repository"]["size"],
            "error": bool(backup.get("error")),
        }
        repo["last"] = entry  # pgBackRest lists the backups oldest first
        if backup["type"] == "full":
            repo["last_full"] = entry
    archive = {
        a.get("database", {}).get("repo-key", 1): (a.get("min"), a.get("max"))
        for a in found.get("archive", [])
    }
    for key, repo in repos.items():
        repo["wal"] = archive.get(key)
    return {
        "stanza": stanza,
        "ok": status.get("code") == 0,
        "message": status.get("message", ""),
        "cipher": found.get("cipher"),
        "repos": [repos[k] for k in sorted(repos)],
    }
