"""Backups, restores and drills are the system administrators'."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"backups.*"},
}
