"""Who sends and revokes a customer's update links: its account manager (their own
customers) and the department heads; the auditor reads them. The contact who opens a link
needs no account: the link is the permission (kehu.selfservice.services)."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ACCOUNT_MANAGER: {
        "selfservice.updatelink.view:own",
        "selfservice.updatelink.add:own",
        "selfservice.updatelink.change:own",
    },
    Role.DEPARTMENT_HEAD: {"selfservice.updatelink.*"},
    Role.AUDITOR: {"selfservice.updatelink.view"},
}
