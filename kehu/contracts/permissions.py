"""What each role may do with contracts: account managers keep the contracts and projects of
their own customers, department heads those of their department; whoever reads customers
reads their contracts; the contract officer (合同管理员, the seeds' 信用(合同)管理员) and the
archivist receive the hand-overs and read what they receive; the contract officer also keeps
the ledger's checklist, the settings and the semi-annual statistics; the credit manager
prepares the annual credit-management analysis report."""

from kehu.core.models import Role

READ = {"contracts.contract.view", "contracts.project.view", "contracts.contract.export"}
READ |= {"contracts.project.export"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AUDITOR: {"contracts.*.view", "contracts.*.export"},
    Role.ACCOUNT_MANAGER: READ
    | {
        "contracts.contract.add:own",
        "contracts.contract.change:own",
        "contracts.contract.transition:own",
        "contracts.contract.attach:own",
        "contracts.project.add:own",
        "contracts.project.change:own",
    },
    # Not "contracts.contract.*": receipts are the contract officer's and the archive room's.
    Role.DEPARTMENT_HEAD: READ
    | {
        "contracts.contract.add",
        "contracts.contract.change",
        "contracts.contract.transition",
        "contracts.contract.attach",
        "contracts.project.*",
    },
    Role.GENERAL_MANAGER: READ | {"contracts.statisticsreport.view"},
    Role.COMPLIANCE: READ,
    Role.CREDIT_MANAGER: READ | {"contracts.statisticsreport.*"},
    Role.CONTRACT_OFFICER: READ
    | {
        "contracts.contract.receive",
        "contracts.contract.attach",
        "contracts.checklistitem.*",
        "contracts.contractsettings.*",
        "contracts.statisticsreport.*",
    },
    Role.ARCHIVIST: {"contracts.contract.view", "contracts.contract.archive"},
    Role.SYSTEM_ADMIN: {"contracts.checklistitem.*", "contracts.contractsettings.*"},
}
