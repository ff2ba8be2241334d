"""`kehu serve` for real: started on a free local port against the test database, its worker
child killed, and the supervisor starts a new worker that beats."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pytest
from django.db import connection

from kehu.ops.models import Heartbeat

pytestmark = [pytest.mark.serve, pytest.mark.django_db(transaction=True)]
TIMEOUT = 30.0  # seconds for each step, on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The URL of the database this test runs on, for the server's processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def children(pid: int) -> dict[int, str]:
    """{pid: command line} of the processes whose parent is `pid`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
    return {child: command.decode(errors="replace") for child, command in found.items()}


def wait_for(condition: Callable[[], object], what: str, log: Path) -> object:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} within {TIMEOUT:.0f} s; serve said:\n{log.read_text()[-3000:]}")


def worker_pids(serve: int) -> list[int]:
    return [pid for pid, command in children(serve).items() if "kehu.cli worker" in command]


def worker_beats() -> set[str]:
    return set(Heartbeat.objects.filter(name__startswith="worker:").values_list("name", flat=True))


def test_serve_restarts_a_killed_worker(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    environ = {**os.environ, "KEHU_DATABASE_URL": database_url()}
    command = [sys.executable, "-m", "kehu.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(free_port()), "--workers", "1"]
    with log.open("wb") as output:
        serve = subprocess.Popen(command, env=environ, stdout=output, stderr=subprocess.STDOUT)
    seen: set[int] = set()
    try:
        first = wait_for(lambda: worker_pids(serve.pid), "a worker started", log)
        assert isinstance(first, list) and len(first) == 1
        seen.update(first)

        os.kill(first[0], signal.SIGKILL)
        again = wait_for(
            lambda: [pid for pid in worker_pids(serve.pid) if pid not in seen],
            "a new worker started",
            log,
        )
        beats = worker_beats()  # the killed worker's, if it beat at all (each start: a new id)
        assert isinstance(again, list)
        seen.update(again)
        assert serve.poll() is None  # serve itself lives on
        wait_for(lambda: worker_beats() - beats, "the new worker beats", log)
        assert "restarted worker" in log.read_text()
    finally:
        seen.update(pid for pid in children(serve.pid))
        serve.terminate()  # serve stops its children by their own ids
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        for pid in seen:  # anything left behind, by its own id
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
