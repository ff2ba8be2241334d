"""What each role may do with customers: department staff see their department's customers,
account managers edit the ones they own, department heads manage the department's, auditors
read everything."""

from kehu.core.models import Role

CUSTOMER_READ = {
    "customers.customer.view",
    "customers.contact.view",
    "customers.bankaccount.view",
    "customers.changerequest.view",
    "customers.classificationdimension.view",
    "customers.classificationvalue.view",
}
PROPOSE = {"customers.changerequest.add"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"customers.classificationdimension.*", "customers.classificationvalue.*"},
    Role.AUDITOR: {
        "customers.*.view",
        "customers.*.export",
        # Auditors may reveal masked values, each time with a recorded reason (SEC-3).
        "customers.customer.reveal",
        "customers.contact.reveal",
        "customers.bankaccount.reveal",
    },
    Role.DEPARTMENT_HEAD: CUSTOMER_READ
    | {
        "customers.customer.*",
        # Not "customers.contact.*": the extended profile is the account manager's only.
        "customers.contact.view",
        "customers.contact.add",
        "customers.contact.change",
        "customers.contact.delete",
        "customers.contact.export",
        "customers.contact.reveal",
        "customers.bankaccount.*",
        "customers.changerequest.*",
    },
    Role.GENERAL_MANAGER: CUSTOMER_READ
    | PROPOSE
    | {
        "customers.customer.export",
        "customers.customer.approve",
        "customers.customer.close",
        "customers.customer.merge",
        "customers.customer.grant",
        "customers.contact.export",
    },
    Role.ACCOUNT_MANAGER: CUSTOMER_READ
    | PROPOSE
    | {
        "customers.customer.add",
        "customers.customer.change:own",
        "customers.customer.transition:own",
        "customers.customer.verify:own",
        "customers.contact.add:own",
        "customers.contact.change:own",
        "customers.bankaccount.add:own",
        "customers.bankaccount.change:own",
        "customers.changerequest.decide:own",
        "customers.customer.reveal:own",
        "customers.contact.reveal:own",
        "customers.bankaccount.reveal:own",
        # The extended personal profile (CUS-14): the account manager only; others through
        # an explicit time-limited grant ("profile").
        "customers.contact.profile:own",
    },
    # Compliance checks identities (ID numbers, contacts' mobiles) during reviews.
    Role.COMPLIANCE: CUSTOMER_READ
    | PROPOSE
    | {"customers.customer.reveal", "customers.contact.reveal"},
    Role.CREDIT_MANAGER: CUSTOMER_READ | PROPOSE,
    # The counterparties of the contracts whose dossiers the contract officer receives.
    Role.CONTRACT_OFFICER: CUSTOMER_READ,
}
