"""`kehu serve`'s children: the web server, the job worker and the scheduler. A worker or
scheduler that dies is started again after a pause that doubles with each quick death (up to
a minute); every child is stopped by its own process id when serve stops."""

from __future__ import annotations

import logging
import subprocess
import time
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
# A child that ran this long before dying is considered healthy again: the pause restarts.
HEALTHY_AFTER = 300.0


@dataclass
class Child:
    name: str
    command: list[str]
    restart: bool = True
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    history: list[int] = field(default_factory=list)

    def start(self, now: float) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = now
        self.restart_at = None
        self.history.append(self.process.pid)


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children

    def start(self, now: float | None = None) -> None:
        for child in self.children:
            child.start(time.monotonic() if now is None else now)

    def poll(self, now: float | None = None) -> list[str]:
        """Restart dead children whose pause is over; returns the names of those restarted.
        Raises SystemExit when a child that must not be restarted (the web server) died."""
        now = time.monotonic() if now is None else now
        restarted = []
        for child in self.children:
            if child.process is None or child.process.poll() is None:
                continue
            if not child.restart:
                raise SystemExit(child.process.returncode or 1)
            if child.restart_at is None:
                if now - child.started_at >= HEALTHY_AFTER:
                    child.pause = FIRST_PAUSE
                child.restart_at = now + child.pause
                logger.warning(
                    "%s exited with %s; restarting in %.0f s",
                    child.name,
                    child.process.returncode,
                    child.pause,
                )
                child.pause = min(child.pause * 2, LONGEST_PAUSE)
            if now >= child.restart_at:
                child.restarts += 1
                child.start(now)
                restarted.append(child.name)
        return restarted

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate every running child by its process id, then kill those that linger."""
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
