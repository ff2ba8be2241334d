"""Who may do what with interactions: whoever reads the customer reads its communication log;
account managers record and edit it for the customers they own, department heads for the
department's; auditors read everything."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AUDITOR: {"interactions.*.view", "interactions.*.export"},
    # Not "interactions.interaction.*": personal notes are the account manager's only.
    Role.DEPARTMENT_HEAD: {
        "interactions.interaction.view",
        "interactions.interaction.add",
        "interactions.interaction.change",
        "interactions.interaction.export",
    },
    Role.GENERAL_MANAGER: {"interactions.interaction.view", "interactions.interaction.export"},
    Role.ACCOUNT_MANAGER: {
        "interactions.interaction.view",
        "interactions.interaction.add",
        "interactions.interaction.change:own",
        # Personal notes on the contacts: the account manager only, as the extended profile.
        "interactions.interaction.personal:own",
    },
    Role.COMPLIANCE: {"interactions.interaction.view"},
    Role.CREDIT_MANAGER: {"interactions.interaction.view"},
}
