"""The scheduled backup jobs: daily backup, weekly verification, monthly drill, daily status
check (late or failed backups alarm the administrators)."""

import datetime
from typing import Any

from django.tasks import task

from kehu.audit.context import SYSTEM, acting_as
from kehu.ops.schedule import DAY, WEEK, Periodic

PERIODIC = (
    Periodic(
        "backups-daily",
        "kehu.backups.tasks.daily_backup",
        DAY,
        at=datetime.time(1, 0),
        time_limit=datetime.timedelta(hours=6),
    ),
    Periodic(
        "backups-verify",
        "kehu.backups.tasks.weekly_verify",
        WEEK,
        at=datetime.time(4, 0),
        time_limit=datetime.timedelta(hours=12),
    ),
    Periodic(
        "backups-drill",
        "kehu.backups.tasks.monthly_drill",
        datetime.timedelta(days=30),
        time_limit=datetime.timedelta(hours=12),
    ),
    Periodic("backups-check", "kehu.backups.tasks.check_backups", DAY, at=datetime.time(9, 0)),
)


def _unconfigured() -> dict[str, Any] | None:
    """Without a destination the runs are skipped; the daily check alarms about it."""
    from django.core.exceptions import ImproperlyConfigured

    from kehu.backups.destinations import configured

    try:
        configured()
    except ImproperlyConfigured as error:
        return {"skipped": str(error)}
    return None


@task()
def daily_backup() -> dict[str, Any]:
    from kehu.backups.engine import backup

    if skipped := _unconfigured():
        return skipped
    with acting_as(SYSTEM):
        manifest = backup()
    return {"backup": manifest["id"], "new_files": len(manifest["new_files"])}


@task()
def weekly_verify() -> dict[str, Any]:
    from kehu.backups.engine import verify

    if skipped := _unconfigured():
        return skipped
    with acting_as(SYSTEM):
        return verify()


@task()
def monthly_drill() -> dict[str, Any]:
    from kehu.backups.drill import drill

    if skipped := _unconfigured():
        return skipped
    with acting_as(SYSTEM):
        report = drill()
    return {"backup": report["backup"], "ok": report["ok"]}


@task()
def check_backups() -> dict[str, Any]:
    from kehu.backups.status import check_and_alarm

    with acting_as(SYSTEM):
        return check_and_alarm()
