"""What each role may do with filings: whoever reads customers reads their filings;
administrators keep the checklist, the watch list and the risk rules, compliance keeps the
watch list too (and sees every review record, SEC-1)."""

from kehu.core.models import Role

FILING_CONFIG_READ = {
    "filing.checklistitem.view",
    "filing.watchlistentry.view",
    "filing.riskrule.view",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"filing.checklistitem.*", "filing.watchlistentry.*", "filing.riskrule.*"},
    Role.AUDITOR: {"filing.*.view", "filing.*.export"},
    Role.DEPARTMENT_HEAD: {"filing.filing.view", "filing.filing.*"},
    Role.GENERAL_MANAGER: {"filing.filing.view"},
    Role.ACCOUNT_MANAGER: {"filing.filing.view", "filing.filing.add"},
    # Compliance also clears false watch-list matches of active customers (REV-4).
    Role.COMPLIANCE: FILING_CONFIG_READ
    | {"filing.filing.view", "filing.watchlistentry.*", "filing.watchlisthit.*"},
    Role.CREDIT_MANAGER: {"filing.filing.view"},
}
