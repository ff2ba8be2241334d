"""What each role may do with dossier documents: whoever reads a customer reads its dossier;
account managers upload to their own customers, department heads to the department's;
administrators keep the types."""

from kehu.core.models import Role

DOCUMENT_READ = {"documents.document.view", "documents.documentversion.view"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"documents.documenttype.*"},
    Role.AUDITOR: {"documents.*.view", "documents.*.export"},
    Role.DEPARTMENT_HEAD: DOCUMENT_READ | {"documents.document.*", "documents.documentversion.*"},
    Role.GENERAL_MANAGER: DOCUMENT_READ,
    Role.ACCOUNT_MANAGER: DOCUMENT_READ
    | {"documents.document.add:own", "documents.documentversion.attest:own"},
    Role.COMPLIANCE: DOCUMENT_READ,
    Role.CREDIT_MANAGER: DOCUMENT_READ,
    Role.CONTRACT_OFFICER: DOCUMENT_READ,
}
