"""What each role may do with jobs, health and the outbox."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {Role.SYSTEM_ADMIN: {"ops.*"}}
