"""`kehu serve`: the web server plus the job worker and the scheduler, supervised: a dead
worker or scheduler is restarted, and all stop together."""

import os
import signal
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.ops.supervisor import Child, Supervisor

# gunicorn's access log without query strings and referers (which carry them): search texts
# such as ID or phone numbers never reach the log. Path, status, size, time in ms, agent.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


class Command(BaseCommand):
    help = "Serve Kehu (gunicorn) with its background worker and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("KEHU_HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("KEHU_PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("KEHU_WEB_WORKERS", "2"))
        parser.add_argument("--no-jobs", action="store_true", help="Web server only.")

    def handle(self, *args: Any, **options: Any) -> None:
        kehu = [sys.executable, "-m", "kehu.cli"]
        children = []
        if not options["no_jobs"]:
            children.append(Child("worker", [*kehu, "worker"]))
            children.append(Child("scheduler", [*kehu, "scheduler"]))
        web = [
            sys.executable, "-m", "gunicorn", "kehu.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]), "--threads", "4",
            "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT,
            "--graceful-timeout", "5",
        ]  # fmt: skip
        children.append(Child("web", web, restart=False))
        supervisor = Supervisor(children)
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Kehu listening on http://{options['host']}:{options['port']}/")
        supervisor.start()
        try:
            while not stopping:
                for name in supervisor.poll():
                    self.stderr.write(f"restarted {name}")
                time.sleep(1)
        finally:
            supervisor.stop()
