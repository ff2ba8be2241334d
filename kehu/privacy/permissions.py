"""What each role may do with core-tier values, disclosures and the privacy settings."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"privacy.retentionsettings.*", "privacy.sensitivitytiers.*"},
    Role.AUDITOR: {
        # CORE values and documents too (kehu.core.masking tiers).
        "privacy.core.reveal",
        "privacy.disclosure.view",
        "privacy.disclosure.export",
    },
    # Provisions of the department's customer data: requests, approval, the register.
    Role.DEPARTMENT_HEAD: {"privacy.disclosure.*"},
    Role.GENERAL_MANAGER: {"privacy.disclosure.view", "privacy.disclosure.export"},
    Role.ACCOUNT_MANAGER: {
        # CORE values (ID and bank account numbers, ID-card copies) of own customers only.
        "privacy.core.reveal:own",
        "privacy.disclosure.view",
        "privacy.disclosure.add:own",
    },
    Role.COMPLIANCE: {
        "privacy.core.reveal",
        "privacy.disclosure.view",
        "privacy.disclosure.export",
    },
}
