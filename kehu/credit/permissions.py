"""What each role may do with the credit file: credit managers keep it for the customers of
their units; account managers see their customers' limits and holds and request limits, but
not the investigation notes (unless an access grant opens them); finance imports the
receivables; the general manager approves the large limits; auditors read everything."""

from kehu.core.models import Role

ACCOUNT_READ = {"credit.creditaccount.view", "credit.creditaccount.check"}
LEDGER_READ = {"credit.receivable.view", "credit.openorder.view", "credit.limitgrant.view"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ACCOUNT_MANAGER: ACCOUNT_READ
    | LEDGER_READ
    | {"credit.limitrequest.add", "credit.limitrequest.view"}
    | {"credit.followup.add", "credit.promise.add", "credit.problemreport.add"}
    | {"credit.replytemplate.view"},
    Role.DEPARTMENT_HEAD: ACCOUNT_READ | LEDGER_READ | {"credit.limitrequest.view"},
    Role.CREDIT_MANAGER: ACCOUNT_READ
    | LEDGER_READ
    | {
        "credit.creditaccount.export",
        "credit.creditaccount.override",
        "credit.receivable.import",
        "credit.limitrequest.*",
        "credit.investigation.*",
        "credit.statement.*",
        "credit.followup.*",
        "credit.accountstatement.*",
        "credit.promise.*",
        "credit.problemreport.*",
        "credit.replytemplate.view",
        "credit.creditreview.*",
    },
    Role.FINANCE: ACCOUNT_READ
    | LEDGER_READ
    | {
        "credit.creditaccount.export",
        "credit.receivable.import",
        "credit.limitrequest.view",
        "credit.investigation.view",
        "credit.statement.view",
        "credit.statement.add",
        "credit.accountstatement.*",
    },
    Role.GENERAL_MANAGER: ACCOUNT_READ
    | LEDGER_READ
    | {
        "credit.creditaccount.export",
        "credit.limitrequest.view",
        "credit.investigation.view",
        "credit.statement.view",
    },
    Role.SYSTEM_ADMIN: {"credit.limitband.*", "credit.replytemplate.*", "credit.ratinggrade.*"},
    Role.AUDITOR: {"credit.*.view", "credit.*.export"},
}
