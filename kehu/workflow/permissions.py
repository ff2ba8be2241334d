"""What each role may do with cases and the approver rules."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"workflow.approverrule.*"},
    Role.AUDITOR: {"workflow.*.view", "workflow.*.export"},
    Role.DEPARTMENT_HEAD: {"workflow.case.view"},
    Role.GENERAL_MANAGER: {"workflow.case.view"},
    Role.COMPLIANCE: {"workflow.case.view"},
}
