"""What each role may do with the organisation, users, roles, access grants and the calendar."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {
        "core.orgunit.*",
        "core.user.*",
        "core.roleassignment.*",
        "core.archivistcertification.*",
        "core.securitypolicy.*",
        "core.accesslimits.*",
        "core.calendarday.*",
        "core.calendaryear.*",
    },
    Role.AUDITOR: {
        "core.orgunit.view",
        "core.orgunit.export",
        "core.user.view",
        "core.user.export",
        "core.calendarday.view",
        "core.calendaryear.view",
        # Every access grant, to review who was given what (SEC-1).
        "core.accessgrant.view",
        "core.accessgrant.export",
    },
    Role.DEPARTMENT_HEAD: {"core.orgunit.view", "core.user.view"},
    Role.GENERAL_MANAGER: {"core.orgunit.view", "core.user.view"},
}
