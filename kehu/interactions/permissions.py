"""Who may do what with interactions: whoever reads the customer reads its communication log;
account managers record and edit it for the customers they own, department heads for the
department's; auditors read everything. Complaints stay with the business department, the
general manager (who approves their results) and the auditor."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AUDITOR: {"interactions.*.view", "interactions.*.export"},
    # Not "interactions.interaction.*": personal notes are the account manager's only.
    Role.DEPARTMENT_HEAD: {
        "interactions.interaction.view",
        "interactions.interaction.add",
        "interactions.interaction.change",
        "interactions.interaction.export",
        "interactions.complaint.view",
        "interactions.complaint.add",
        "interactions.complaint.change",
        "interactions.complaint.export",
    },
    Role.GENERAL_MANAGER: {
        "interactions.interaction.view",
        "interactions.interaction.export",
        "interactions.complaint.view",
        "interactions.complaint.export",
    },
    Role.ACCOUNT_MANAGER: {
        "interactions.interaction.view",
        "interactions.interaction.add",
        "interactions.interaction.change:own",
        # Personal notes on the contacts: the account manager only, as the extended profile.
        "interactions.interaction.personal:own",
        # Complaints reach the business department (seed 003): its account managers record
        # and follow them; compliance and credit do not see them.
        "interactions.complaint.view",
        "interactions.complaint.add",
        "interactions.complaint.change:own",
    },
    Role.COMPLIANCE: {"interactions.interaction.view"},
    Role.CREDIT_MANAGER: {"interactions.interaction.view"},
}
