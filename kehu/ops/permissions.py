"""What each role may do with jobs, health, the outboxes and the chat robots: administrators
everything, auditors read the robots (their webhook addresses only masked)."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"ops.*"},
    Role.AUDITOR: {"ops.chatrobot.view", "ops.chatrobot.export"},
}
