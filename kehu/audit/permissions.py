"""What each role may read of the audit log."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"audit.auditevent.view", "audit.auditevent.export"},
    Role.AUDITOR: {
        "audit.auditevent.view",
        "audit.auditevent.export",
        # Every audit event in full (others see in full only events about what they read).
        "audit.auditevent.full",
    },
}
