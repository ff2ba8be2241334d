"""`kehu worker`: django-tasks-db's `db_worker` that beats while it lives, so that the
scheduler can tell a dead worker's jobs from a slow one's and run them again."""

import contextlib
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from kehu.ops.jobs import beat, worker_beat_name

logger = logging.getLogger(__name__)


def _beat_forever(name: str, stop: threading.Event, every: float) -> None:
    """Beat every `every` seconds until stopped. A failed beat (the database restarting) is
    logged and tried again on a fresh connection: the thread never ends while the worker
    runs, or the worker's jobs would be taken for a dead worker's and run twice."""
    try:
        while not stop.is_set():
            try:
                beat(name)
            except Exception:
                logger.exception("heartbeat %s failed; trying again in %.0f s", name, every)
                with contextlib.suppress(Exception):
                    connection.close()
            stop.wait(every)
    finally:
        connection.close()


class Command(DBWorkerCommand):
    help = "Run the background job worker (with a heartbeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options.get("worker_id") or get_random_string(32)
        options["worker_id"] = worker_id
        stop = threading.Event()
        every = max(1.0, settings.KEHU_WORKER_STALE_SECONDS / 4)
        name = worker_beat_name(worker_id)
        threading.Thread(target=_beat_forever, args=(name, stop, every), daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
