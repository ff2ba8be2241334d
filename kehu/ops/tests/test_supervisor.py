"""`kehu serve`'s supervisor: a dead worker or scheduler is started again after a pause that
doubles; the web server's death ends serve; stopping ends every child by its own id."""

from __future__ import annotations

import sys

import pytest

from kehu.ops.supervisor import FIRST_PAUSE, Child, Supervisor

DIES = [sys.executable, "-c", "raise SystemExit(3)"]
LIVES = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_a_dead_child_is_restarted_with_a_growing_pause() -> None:
    worker = Child("worker", DIES)
    scheduler = Child("scheduler", LIVES)
    supervisor = Supervisor([worker, scheduler])
    supervisor.start(now=0.0)
    try:
        assert worker.process is not None
        worker.process.wait()
        assert supervisor.poll(now=0.5) == []  # the pause starts
        assert supervisor.poll(now=0.5 + FIRST_PAUSE) == ["worker"]
        assert worker.restarts == 1 and len(worker.history) == 2
        worker.process.wait()
        assert supervisor.poll(now=2.0) == []
        assert supervisor.poll(now=2.0 + FIRST_PAUSE) == []  # the pause has doubled
        assert supervisor.poll(now=2.0 + 2 * FIRST_PAUSE) == ["worker"]
        assert scheduler.restarts == 0 and scheduler.process is not None
        assert scheduler.process.poll() is None
    finally:
        supervisor.stop(timeout=10)
    assert scheduler.process.poll() is not None  # stopped by its own pid


def test_the_web_servers_death_ends_serve() -> None:
    web = Child("web", DIES, restart=False)
    worker = Child("worker", LIVES)
    supervisor = Supervisor([worker, web])
    supervisor.start(now=0.0)
    try:
        assert web.process is not None
        web.process.wait()
        with pytest.raises(SystemExit):
            supervisor.poll(now=1.0)
    finally:
        supervisor.stop(timeout=10)
    assert worker.process is not None and worker.process.poll() is not None
