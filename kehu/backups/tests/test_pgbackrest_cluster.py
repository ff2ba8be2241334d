"""pgBackRest for real, on a scratch PostgreSQL cluster of its own (initdb on a free port,
WAL archived by pgBackRest into two encrypted repositories): a full and an incremental
backup, `kehu backup status`'s reading of `pgbackrest info`, and a restore to a point in time
that brings back a table's rows as they were. The machine's own PostgreSQL server is left
alone (its archive_command is not Kehu's to change). Needs root (the cluster runs as the
`postgres` user), the `pgbackrest` package and PostgreSQL's server binaries."""

from __future__ import annotations

import datetime
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from kehu.backups import pgbackrest, status

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(
    not (BIN and shutil.which("pgbackrest") and shutil.which("runuser") and os.geteuid() == 0),
    reason="needs root, pgbackrest and PostgreSQL's server binaries",
)


def _as_postgres(*command: str, **kwargs: object) -> str:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return str(done.stdout)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cluster() -> Iterator[dict[str, str]]:
    # Not under pytest's temporary folder: that is root's alone, and the cluster is postgres'.
    base = Path(tempfile.mkdtemp(prefix="kehu-pgbackrest-"))
    os.chmod(base, 0o755)
    port = str(_free_port())
    config = base / "pgbackrest.conf"
    config.write_text(
        f"[global]\nrepo1-path={base}/repo1\nrepo1-cipher-type=aes-256-cbc\n"
        "repo1-cipher-pass=test-only-repo1-pass\nrepo1-retention-full=2\n"
        f"repo2-path={base}/repo2\nrepo2-cipher-type=aes-256-cbc\n"
        "repo2-cipher-pass=test-only-repo2-pass\nrepo2-retention-full=2\n"
        f"log-path={base}/log\nlock-path={base}/lock\nstart-fast=y\ncompress-type=zst\n\n"
        f"[kehu]\npg1-path={base}/data\npg1-port={port}\npg1-socket-path={base}\n"
    )
    for sub in ("repo1", "repo2", "log", "lock"):
        (base / sub).mkdir()
    shutil.chown(base, "postgres")
    for path in base.rglob("*"):
        shutil.chown(path, "postgres")
    bin_dir = BIN[-1]
    _as_postgres(f"{bin_dir}/initdb", "-D", f"{base}/data", "-U", "postgres")
    with open(base / "data" / "postgresql.conf", "a") as conf:
        conf.write(
            f"port={port}\nlisten_addresses=''\nunix_socket_directories='{base}'\n"
            "wal_level=replica\narchive_mode=on\n"
            f"archive_command='pgbackrest --config={config} --stanza=kehu archive-push %p'\n"
        )
    ctl = [f"{bin_dir}/pg_ctl", "-D", f"{base}/data", "-l", f"{base}/log/pg.log", "-w"]
    _as_postgres(*ctl, "start")
    try:
        yield {"base": str(base), "config": str(config), "port": port, "bin": bin_dir}
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *ctl, "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


def _psql(cluster: dict[str, str], sql: str) -> str:
    return _as_postgres(
        "psql", "-h", cluster["base"], "-p", cluster["port"], "-U", "postgres", "-AtXc", sql
    ).strip()


def _backrest(cluster: dict[str, str], *args: str) -> str:
    return _as_postgres("pgbackrest", f"--config={cluster['config']}", "--stanza=kehu", *args)


def test_full_incremental_status_and_point_in_time_restore(cluster: dict[str, str]) -> None:
    _backrest(cluster, "stanza-create")
    _backrest(cluster, "check")
    _psql(cluster, "CREATE TABLE rows (id int); INSERT INTO rows SELECT generate_series(1, 100)")
    _backrest(cluster, "--repo=1", "--type=full", "backup")
    _backrest(cluster, "--repo=2", "--type=full", "backup")
    _psql(cluster, "INSERT INTO rows SELECT generate_series(101, 150)")
    _backrest(cluster, "--repo=1", "--type=incr", "backup")
    time.sleep(1.1)
    target = _psql(cluster, "SELECT now()")  # the point in time to come back to: 150 rows
    time.sleep(1.1)
    _psql(cluster, "DELETE FROM rows WHERE id > 10")  # the mistake
    _psql(cluster, "SELECT pg_switch_wal()")
    _backrest(cluster, "check")  # waits until the WAL holding the mistake is archived

    # Kehu asks pgBackRest as the repositories' owner, as a wrapper on the server would.
    wrapper = Path(cluster["base"]) / "pgbackrest-as-postgres"
    wrapper.write_text('#!/bin/sh\nexec runuser -u postgres -- pgbackrest "$@"\n')
    wrapper.chmod(0o755)
    options = {"command": str(wrapper), "config": cluster["config"], "stanza": "kehu"}
    with override_settings(KEHU_PGBACKREST=options):
        read = pgbackrest.read_info()
        assert read[0]["name"] == "kehu" and len(read[0]["backup"]) == 3
        problems: list[str] = []
        state = status.pgbackrest_problems(
            pgbackrest.summarise(read, "kehu"),
            datetime.datetime.now(datetime.UTC),
            problems,
        )
    assert problems == [] and state["ok"] and state["cipher"] == "aes-256-cbc"
    repo1, repo2 = state["repos"]
    assert repo1["last_full"]["type"] == "full" and repo1["last"]["type"] == "incr"
    assert repo2["last"]["type"] == "full" and repo1["last"]["database_size"] > 0

    # Restore to the point in time before the mistake, from the encrypted repository 1.
    bin_dir, base = cluster["bin"], cluster["base"]
    ctl = [f"{bin_dir}/pg_ctl", "-D", f"{base}/data", "-l", f"{base}/log/pg.log", "-w"]
    _as_postgres(*ctl, "stop")
    _backrest(
        cluster,
        "--delta",
        "--type=time",
        f"--target={target}",
        "--target-action=promote",
        "restore",
    )
    _as_postgres(*ctl, "start")
    deadline = time.monotonic() + 60
    while _psql(cluster, "SELECT pg_is_in_recovery()") == "t" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _psql(cluster, "SELECT count(*) FROM rows") == "150"
