"""Background jobs (Django's tasks API, run by `kehu worker`)."""

from typing import Any

from django.tasks import task

from kehu.audit.monitor import seal_and_export, verify_and_alarm
from kehu.audit.services import export_head
from kehu.core.calendar import warn_missing_schedule
from kehu.ops.reminders import run_reminders, send_digests


@task()
def send_mail() -> dict[str, Any]:
    """Every minute: deliver the e-mail outbox."""
    from kehu.ops.outbox import deliver_pending

    return deliver_pending()


@task()
def send_robot_messages() -> dict[str, Any]:
    """Every minute: post the chat robots' messages."""
    from kehu.ops.robots import deliver_robot_messages

    return deliver_robot_messages()


@task()
def send_webhooks() -> dict[str, Any]:
    """Every minute: post the webhook deliveries."""
    from kehu.ops.webhooks import deliver_webhooks

    return deliver_webhooks()


@task()
def export_audit_head() -> dict[str, Any]:
    return export_head()


@task()
def seal_and_export_audit() -> dict[str, Any]:
    """Every 5 minutes: seal leftover audit events, export the chain head when due."""
    return seal_and_export()


@task()
def verify_audit_chain() -> dict[str, Any]:
    """Seal, verify and export the audit chain; a failure alarms administrators and auditors."""
    return verify_and_alarm()


@task()
def send_reminders() -> dict[str, Any]:
    """Daily: every reminder rule's deadlines; a warning when next year's calendar is missing."""
    return {"told": run_reminders(), "missing_schedules": warn_missing_schedule()}


@task()
def send_reminder_digests() -> dict[str, Any]:
    """Daily: the digest mail of each user who chose it."""
    return {"mails": send_digests()}
