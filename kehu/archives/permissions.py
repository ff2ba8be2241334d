"""What each role may do with the archive: the archivist does the archive functions and
nothing else (SEC-1); department heads and the general manager read their units' dossiers;
the general manager approves destructions; borrowing requests come from whoever works with
customers."""

from kehu.core.models import Role

ARCHIVE_READ = {"archives.dossier.view", "archives.dossieritem.view"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AUDITOR: {"archives.*.view", "archives.*.export"},
    Role.DEPARTMENT_HEAD: ARCHIVE_READ
    | {
        "archives.loan.add",
        # The loans of the department's dossiers: overdue escalations and loss or damage
        # reports link to them.
        "archives.loan.view",
        "archives.transfer.view",
    },
    Role.GENERAL_MANAGER: ARCHIVE_READ
    | {
        "archives.loan.add",
        # The loans he approves (outside the department) and is told of when overdue.
        "archives.loan.view",
        "archives.loan.approve",
        "archives.hold.*",
        "archives.destruction.view",
        "archives.destruction.approve",
    },
    Role.ACCOUNT_MANAGER: {"archives.loan.add"},
    Role.CREDIT_MANAGER: ARCHIVE_READ | {"archives.transfer.view", "archives.transfer.receive"},
    Role.ARCHIVIST: {
        "archives.archivecategory.*",
        "archives.archivesettings.*",
        "archives.dossier.*",
        "archives.dossieritem.*",
        "archives.archivingreview.*",
        "archives.cabinet.*",
        "archives.hold.*",
        "archives.loan.*",
        "archives.transfer.*",
        "archives.destruction.view",
        "archives.destruction.add",
        "archives.destruction.execute",
        "archives.destruction.export",
    },
    Role.FINANCE: {"archives.loan.approve"},
}
