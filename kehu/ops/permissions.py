"""What each role may do with jobs, health, the outboxes, the chat robots and the webhook
subscribers: administrators everything, auditors read the robots and the subscribers (their
addresses only masked)."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"ops.*"},
    Role.AUDITOR: {
        "ops.chatrobot.view",
        "ops.chatrobot.export",
        "ops.webhooksubscriber.view",
        "ops.webhooksubscriber.export",
    },
}
