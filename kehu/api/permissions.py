"""What each role may do with API tokens beyond their own."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    # Anyone's API tokens: listed and revoked, never created for someone else.
    Role.SYSTEM_ADMIN: {"api.apitoken.view", "api.apitoken.revoke"},
}
