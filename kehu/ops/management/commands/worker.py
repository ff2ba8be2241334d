"""`kehu worker`: django-tasks-db's `db_worker` that beats while it lives, so that the
scheduler can tell a dead worker's jobs from a slow one's and run them again."""

import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from kehu.ops.jobs import beat, worker_beat_name


def _beat_forever(name: str, stop: threading.Event, every: float) -> None:
    try:
        while not stop.is_set():
            beat(name)
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
