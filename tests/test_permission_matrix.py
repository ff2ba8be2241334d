"""The permission matrix (SEC-1/SEC-2): for every URL pattern of kehu.urls — pages and
API operations — and every demo user, for an object of their own, of their department and of
another unit, the answer must be the one declared here. The table is written by hand, not
derived from the policy, and the URL configuration is walked: a new page or endpoint without
a rule fails `test_every_url_has_a_rule`.

Objects: customer A (manager1's, SALE), B (manager2's, SALE), C (manager4's, SH-SALE), each
with a contact, a bank account, a change request, a document version and a duplicate flag.
So for manager1 A is their own, B their department's and C another unit's; for head_sale A and
B are the department's; the general manager, compliance and credit (BJ) reach SALE but not
Shanghai; the auditor reads everything.

"Allowed" is any answer but 403/404 (and never a server error); "denied" is 403 or 404.
POST-only actions are sent empty, each request in a rolled-back transaction, so an allowed
action changes nothing for the next user."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kehu.api.services import create_token
from kehu.archives import transfers
from kehu.archives.models import ArchiveCategory, Cabinet, Transfer
from kehu.audit.context import SYSTEM, acting_as
from kehu.contracts import services as contracts
from kehu.contracts import statistics
from kehu.contracts.models import ChecklistItem as ContractChecklistItem
from kehu.core import grants, policy
from kehu.core.middleware import is_list_search
from kehu.core.models import CalendarDay, CalendarYear, OrgUnit, Role, RoleAssignment, User
from kehu.credit.models import ReplyTemplate
from kehu.customers import changes, services
from kehu.customers.models import DuplicateFlag
from kehu.customers.tests.factories import org_data
from kehu.documents import samples
from kehu.documents import services as documents
from kehu.documents.models import DocumentType
from kehu.filing.models import ChecklistItem, RiskRule, WatchListEntry, WatchListHit
from kehu.generic.services import audited_create
from kehu.interactions import complaints, purchases, research, surveys, tickets, visits
from kehu.interactions import services as interactions
from kehu.interactions.models import (
    Complaint,
    ComplaintReplyTemplate,
    CorrectiveAction,
    SurveyItem,
    SurveyReport,
    SurveyTemplate,
)
from kehu.privacy import consent, disclosures, requests
from kehu.reviews import services as reviews
from kehu.reviews.models import ReviewTask
from kehu.workflow import services as workflow
from kehu.workflow.models import ApproverRule
from tests.record_type_samples import accepted_for_filing

pytestmark = pytest.mark.django_db

USERS = (
    "admin", "manager1", "manager2", "manager3", "manager4", "head_sale", "compliance",
    "credit", "archivist", "finance", "gm", "auditor",
)  # fmt: skip
EVERYONE = frozenset(USERS)
NOBODY: frozenset[str] = frozenset()


def users(*names: str) -> frozenset[str]:
    unknown = set(names) - EVERYONE
    assert not unknown, unknown
    return frozenset(names)


# --- who, declared ---------------------------------------------------------------------

CUSTOMER_READERS = users(
    "manager1", "manager2", "manager3", "manager4", "head_sale", "compliance", "credit", "gm",
    "auditor",
)  # fmt: skip
SALE_READERS = users("manager1", "manager2", "head_sale", "compliance", "credit", "gm", "auditor")
SH_READERS = users("manager4", "auditor")
READ = {"A": SALE_READERS, "B": SALE_READERS, "C": SH_READERS}
EDIT = {"A": users("manager1", "head_sale"), "B": users("manager2", "head_sale"), "C": {"manager4"}}
OWNER = {"A": users("manager1"), "B": users("manager2"), "C": users("manager4")}
ACCOUNT_MANAGERS = users("manager1", "manager2", "manager3", "manager4")
# Revealing a masked value: the owner, the department head, compliance (customers and
# contacts, not accounts) and the auditor.
REVEAL = {
    "A": users("manager1", "head_sale", "compliance", "auditor"),
    "B": users("manager2", "head_sale", "compliance", "auditor"),
    "C": users("manager4", "auditor"),
}
REVEAL_ACCOUNT = {k: v - {"compliance"} for k, v in REVEAL.items()}
GRANTERS = {"A": users("head_sale", "gm"), "B": users("head_sale", "gm"), "C": NOBODY}
PROPOSERS = {  # customers.changerequest.add: readers but the auditor and the department head
    k: v - {"auditor"} for k, v in READ.items()
}
DECIDERS = {
    "A": users("manager1", "head_sale"),
    "B": users("manager2", "head_sale"),
    "C": {"manager4"},
}
MERGERS = {"A": users("head_sale", "gm"), "B": users("head_sale", "gm"), "C": NOBODY}
# The dossier package needs the export permission on the customer.
PACKAGERS = {
    "A": users("head_sale", "gm", "auditor"),
    "B": users("head_sale", "gm", "auditor"),
    "C": users("auditor"),
}
ADMIN = users("admin")
TOKEN_KEEPERS = {key: owners | ADMIN for key, owners in OWNER.items()}
ORG_READERS = users("admin", "auditor", "head_sale", "gm")
# Update links: their senders and the auditor.
LINK_READERS = {key: editors | users("auditor") for key, editors in EDIT.items()}
# A case is seen by whoever may see its subject (customer A), its opener and its assignees.
CASE_READERS = SALE_READERS
# A request's case: its opener, the compliance officer it is assigned to, and the roles that
# read cases in SALE (department head, general manager, compliance, auditor).
REQUEST_READERS = users("manager1", "head_sale", "gm", "compliance", "auditor")
STATUS_BODY = {"to_status": "in_filing", "reason": "核对", "version": ""}


def _step_done(step: Any) -> bool:
    step.refresh_from_db()
    return bool(step.status != "open")


def _step_waiting(step: Any) -> bool:
    step.refresh_from_db()
    return bool(step.status == "waiting")


def _provided(disclosure: Any) -> bool:
    disclosure.refresh_from_db()
    return bool(disclosure.status == "provided")


# Data provisions: who reads the register, and who reads customer A's provision (SALE).
DISCLOSURE_VIEWERS = ACCOUNT_MANAGERS | users("head_sale", "compliance", "gm", "auditor")
DISCLOSURE_READERS = users("manager1", "manager2", "head_sale", "compliance", "gm", "auditor")

COMPLETE_BODY = {"outcome": "approved", "comment": "同意"}

# Filing (a filing per customer A/B/C on a second customer of the same owner, at the second
# review): whoever reads the customer reads its filing; account managers and the department
# head open filings for customers they edit; compliance does the second review.
FILERS = ACCOUNT_MANAGERS | {"head_sale"}
SECOND_REVIEWERS = {"A": users("compliance"), "B": users("compliance"), "C": NOBODY}
HIT_CLEARERS = SECOND_REVIEWERS
# Archives (a dossier per customer A/B/C on a third, active customer of the same owner): the
# archivist (BJ) does the archive work in BJ; department heads, the general manager and the
# credit manager (who receives transfers) read their units' dossiers; account managers hold
# no archive permission (they borrow); the auditor reads everything.
DOSSIER_READ = {
    "A": users("archivist", "head_sale", "gm", "credit", "auditor"),
    "B": users("archivist", "head_sale", "gm", "credit", "auditor"),
    "C": users("auditor"),
}
ARCHIVE_WORK = {"A": users("archivist"), "B": users("archivist"), "C": NOBODY}
HOLDERS = {"A": users("archivist", "gm"), "B": users("archivist", "gm"), "C": NOBODY}
ARCHIVE_CONFIG = users("archivist", "auditor")
# Borrowing: whoever works with customers asks to borrow, and the archivist, who keeps the
# loan register (archives.loan.*; a request still needs the general manager's approval, as
# the archive room is outside every customer's department). The loans of A/B/C are their
# owners' (manager1 borrows A's dossier, …), issued on paper.
# Complaints stay with the business department, the general manager and the auditor.
COMPLAINT_READ = {
    "A": users("manager1", "manager2", "head_sale", "gm", "auditor"),
    "B": users("manager1", "manager2", "head_sale", "gm", "auditor"),
    "C": users("manager4", "auditor"),
}
# Survey templates: the administrator builds them; who works with surveys reads them.
SURVEY_CONFIG_READ = ACCOUNT_MANAGERS | users("admin", "head_sale", "gm", "auditor")
SURVEY_REPORT_READ = users("manager1", "manager2", "head_sale", "gm", "auditor")
COMPLAINT_REPLY = {k: v - {"auditor"} for k, v in COMPLAINT_READ.items()}
LOAN_REQUESTERS = ACCOUNT_MANAGERS | {"head_sale", "gm", "archivist"}
# A loan is read by its borrower, the archivist, the department head and the general
# manager of the dossier's unit (told of overdue and damaged loans, and the general manager
# approves those from outside the department), and the auditor.
LOAN_READ = {
    "A": users("manager1", "archivist", "head_sale", "gm", "auditor"),
    "B": users("manager2", "archivist", "head_sale", "gm", "auditor"),
    "C": users("manager4", "auditor"),
}
INCIDENT_REPORTERS = {
    "A": users("manager1", "archivist"),
    "B": users("manager2", "archivist"),
    "C": users("manager4"),
}
TRANSFER_READERS = users("archivist", "head_sale", "credit", "auditor")
# The hand-over from the department to the credit management office: the credit manager.
TRANSFER_RECEIVERS = {"A": users("credit"), "B": users("credit"), "C": NOBODY}
# Destructions (of a fourth customer's dossier per A/B/C, approved): the register is read by
# the archivists, the general manager and the auditor — of their units only (SEC-2).
DESTRUCTION_READ = {
    "A": users("archivist", "gm", "auditor"),
    "B": users("archivist", "gm", "auditor"),
    "C": users("auditor"),
}
WITNESSES = ("finance", "credit")
# The credit file (CRD): account managers of the department, its head, credit, finance and
# the general manager of BJ, the auditor; credit staff override holds.
CREDIT_VIEWERS = ACCOUNT_MANAGERS | users("head_sale", "credit", "finance", "gm", "auditor")
_CREDIT_SALE = users("manager1", "manager2", "head_sale", "credit", "finance", "gm")
CREDIT_READ = {"A": _CREDIT_SALE | {"auditor"}, "B": _CREDIT_SALE | {"auditor"},
               "C": users("manager4", "auditor")}  # fmt: skip
CREDIT_CHECK = {"A": _CREDIT_SALE, "B": _CREDIT_SALE, "C": users("manager4")}
CREDIT_WORK = {"A": users("credit"), "B": users("credit"), "C": NOBODY}
_SALE_REQUESTERS = users("manager1", "manager2", "credit")
CREDIT_REQUESTERS = {"A": _SALE_REQUESTERS, "B": _SALE_REQUESTERS, "C": users("manager4")}
# Standard letters: those who write to the customer, and the auditor (who reads everything).
LETTER_READ = {"A": _SALE_REQUESTERS | {"auditor"}, "B": _SALE_REQUESTERS | {"auditor"},
               "C": users("manager4", "auditor")}  # fmt: skip
_STATEMENT_SALE = users("credit", "finance", "gm", "auditor")
STATEMENT_READ = {"A": _STATEMENT_SALE, "B": _STATEMENT_SALE, "C": users("auditor")}
# A limit request of a SALE customer: its readers in SALE and BJ, and the auditor.
LIMIT_REQUEST_READERS = users("manager1", "manager2", "head_sale", "credit", "finance", "gm",
                              "auditor")  # fmt: skip
# The register review (a task per customer A/B/C on the archive world's active customer of
# the same owner): account managers see their own tasks, the head of SALE, compliance and
# the general manager (BJ) those of SALE, the auditor all; only the owner answers.
REVIEW_CAMPAIGN_READERS = ACCOUNT_MANAGERS | users("head_sale", "compliance", "gm", "auditor")
REVIEW_TASK_READ = {
    "A": users("manager1", "head_sale", "compliance", "gm", "auditor"),
    "B": users("manager2", "head_sale", "compliance", "gm", "auditor"),
    "C": users("manager4", "auditor"),
}
REVIEW_REPORTERS = users("compliance", "auditor")
# Contracts and projects (one of each per customer A/B/C): whoever reads the customer reads
# them, and the archivist (BJ), who receives contract dossiers; the customer's editors keep
# them; the credit manager (the contract officer, BJ) files items too and keeps the
# checklist and the settings with the administrator.
CONTRACT_READ = {
    "A": SALE_READERS | users("archivist"),
    "B": SALE_READERS | users("archivist"),
    "C": SH_READERS,
}
CONTRACT_LIST = CUSTOMER_READERS | users("archivist")
CONTRACT_EXPORT = CUSTOMER_READERS
CONTRACT_ADD = ACCOUNT_MANAGERS | users("head_sale")
CONTRACT_FILERS = {"A": EDIT["A"] | users("credit"), "B": EDIT["B"] | users("credit"),
                   "C": EDIT["C"]}  # fmt: skip
CONTRACT_CONFIG = users("admin", "credit")
CONTRACT_RECEIVERS = {"A": users("credit"), "B": users("credit"), "C": NOBODY}


def _filing_step(filing: Any) -> Any:
    return filing.case.steps.get(key="second_review")


def _supplement_requested(filing: Any) -> bool:
    return bool(_filing_step(filing).status == "waiting")


def _confirmed(transfer: Any) -> bool:
    transfer.refresh_from_db()
    return bool(transfer.status == "confirmed")


def _renewal_asked(loan: Any) -> bool:
    return bool(loan.case.steps.filter(key="renew").exists())


def _incident_reported(loan: Any) -> bool:
    loan.refresh_from_db()
    return bool(loan.incident_kind)


def _executed(destruction: Any) -> bool:
    destruction.refresh_from_db()
    return bool(destruction.status == "executed")


def _witness_pks() -> list[int]:
    return [User.objects.get(username=name).pk for name in WITNESSES]


@dataclass(frozen=True)
class Rule:
    """`expect`: the users allowed — one set, or one per object ("A", "B", "C").
    `kind`: which object the URL names (None: no object). `method`: GET or POST (or PUT)."""

    kind: str | None = None
    expect: Any = EVERYONE
    method: str = "GET"
    public: bool = False  # reachable without signing in (sign-in pages, health): not checked
    # The request's data, from the object (default: empty).
    body: Callable[[Any], dict[str, Any]] | None = None
    # For actions that answer everybody alike (a message and a redirect) and refuse in the
    # service: whether the action took effect, looked at before the rollback.
    took_effect: Callable[[Any], bool] | None = None


def per_object(mapping: dict[str, Any]) -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in mapping.items()}


def record_rules(
    slug: str,
    kind: str | None,
    *,
    view: Any,
    export: Any,
    add: Any,
    change: Any,
    listing: Any = None,
) -> dict[str, list[Rule]]:
    """The five pages and two API routes every record type has."""
    listing = view if listing is None else listing
    flat_list = listing if not isinstance(listing, dict) else frozenset().union(*listing.values())
    return {
        f"generic:{slug}_list": [Rule(expect=flat_list)],
        f"generic:{slug}_export": [Rule(expect=export)],
        f"generic:{slug}_export_csv": [Rule(expect=export)],
        f"generic:{slug}_add": [Rule(expect=add)],
        f"generic:{slug}_detail": [Rule(kind, view)],
        f"generic:{slug}_edit": [Rule(kind, change)],
        f"api:{slug}-list": [Rule(expect=flat_list), Rule(expect=add, method="POST")],
        f"api:{slug}-detail": [Rule(kind, view), Rule(kind, change, method="PUT")],
    }


RULES: dict[str, list[Rule]] = {
    # Public or personal pages.
    "accounts:login": [Rule(public=True)],
    "accounts:logout": [Rule(public=True)],
    "accounts:second_factor": [Rule(public=True)],
    "accounts:change_password": [Rule()],
    "set_language": [Rule(public=True)],
    "javascript-catalog": [Rule(public=True)],
    "health": [Rule(public=True)],
    "core:home": [Rule()],
    "core:notifications": [Rule()],
    "ops:due": [Rule()],
    "ops:due-panel": [Rule()],
    # Each panel answers whoever it is shown to, and 404 to anyone else (tests/
    # test_dashboards.py); "What waits for me" is everybody's with a role.
    "core:dashboard_panel": [Rule()],
    "ops:reminder-settings": [Rule()],
    "api:due": [Rule()],
    "api:reminder_settings": [Rule()],
    # A user's background jobs: their own only.
    "jobs:list": [Rule()],
    "jobs:detail": [Rule("userjob", per_object(OWNER))],
    "jobs:cancel": [Rule("userjob", per_object(OWNER), "POST")],
    "jobs:download": [Rule("userjob", per_object(OWNER))],
    "api:jobs": [Rule()],
    "api:job": [Rule("userjob", per_object(OWNER))],
    "api:job_cancel": [Rule("userjob", per_object(OWNER), "POST")],
    "api:job_download": [Rule("userjob", per_object(OWNER))],
    "api:api-root": [Rule()],
    "api:schema": [Rule()],
    "api:docs": [Rule()],
    # Audit trail.
    "audit:events": [Rule(expect=users("admin", "auditor"))],
    "audit:export": [Rule(expect=users("admin", "auditor"))],
    "api:audit-events-list": [Rule(expect=users("admin", "auditor"))],
    "api:audit-events-detail": [Rule("event", users("admin", "auditor"))],
    # Administration of users (object: manager1's account, in SALE).
    "core:grant_role": [Rule("user", ADMIN, "POST")],
    "core:revoke_role": [Rule("assignment", ADMIN, "POST")],
    "core:unlock": [Rule("user", ADMIN, "POST")],
    "core:certification": [Rule("user", ADMIN, "POST")],
    "core:reset_password": [Rule("user", ADMIN, "POST")],
    "core:reset_totp": [Rule("user", ADMIN, "POST")],
    "core:security_policy": [Rule(expect=ADMIN)],
    "core:access_limits": [Rule(expect=ADMIN)],
    # API tokens: everyone keeps their own; the administrator lists and revokes anyone's.
    "tokens:mine": [Rule(), Rule(method="POST")],
    "tokens:all": [Rule(expect=ADMIN)],
    "tokens:revoke": [Rule("apitoken", per_object(TOKEN_KEEPERS), "POST")],
    "api:tokens": [Rule(), Rule(method="POST")],
    "api:token": [Rule("apitoken", per_object(TOKEN_KEEPERS))],
    "api:token_revoke": [Rule("apitoken", per_object(TOKEN_KEEPERS), "POST")],
    # Customers beyond the generic pages.
    "customers:change_status": [
        Rule("customer", per_object(EDIT), "POST", body=lambda o: STATUS_BODY)
    ],
    "customers:verify": [Rule("customer", per_object(EDIT), "POST")],
    "customers:merge": [Rule("customer", per_object(MERGERS))],
    "customers:dismiss_flag": [Rule("flag", per_object(EDIT), "POST")],
    "customers:propose": [Rule("customer", per_object(PROPOSERS))],
    "customers:package": [Rule("customer", per_object(PACKAGERS))],
    "customers:list_pdf": [Rule(expect=users("head_sale", "gm", "auditor"))],
    "customers:change_requests": [Rule(expect=CUSTOMER_READERS)],
    # The roster import: whoever may create customers somewhere; a preview (and its confirm)
    # is its owner's check job only: a job of another kind is nobody's preview.
    "customers:import": [Rule(expect=ACCOUNT_MANAGERS | {"head_sale"})],
    "customers:import_template": [Rule(expect=ACCOUNT_MANAGERS | {"head_sale"})],
    "api/v1/customer-imports/": [Rule(expect=ACCOUNT_MANAGERS | {"head_sale"}, method="POST")],
    "customers:import_preview": [
        Rule("rostercheck", per_object({"A": OWNER["A"]})),
        Rule("userjob", per_object({"A": set(), "B": set(), "C": set()})),
    ],
    "customers:import_confirm": [
        Rule("rostercheck", per_object({"A": OWNER["A"]}), "POST"),
        Rule("userjob", per_object({"A": set(), "B": set(), "C": set()}), "POST"),
    ],
    "customers:change_request": [Rule("changerequest", per_object(READ))],
    "customers:change_request_file": [Rule("changerequest", per_object(READ))],
    "api/v1/customers/<int:pk>/status/": [
        Rule(
            "customer",
            per_object(EDIT),
            "POST",
            body=lambda o: {"to_status": "in_filing", "reason": "核对"},
        )
    ],
    "api/v1/customers/<int:pk>/merge/": [
        Rule(
            "customer",
            per_object(MERGERS),
            "POST",
            body=lambda o: {"other": o.twin_pk, "reason": "同一家"},
        )
    ],
    "api/v1/customers/<int:pk>/duplicates/": [Rule("customer", per_object(READ))],
    "api/v1/customers/<int:pk>/completeness/": [Rule("customer", per_object(READ))],
    "api/v1/customers/<int:pk>/change-requests/": [
        Rule("customer", per_object(READ)),
        Rule("customer", per_object(PROPOSERS), "POST"),
    ],
    "api/v1/change-requests/<int:pk>/decision/": [
        Rule("changerequest", per_object(DECIDERS), "POST")
    ],
    # Documents.
    "documents:upload": [Rule("customer_pk", per_object(EDIT))],
    "documents:expiring": [Rule(expect=CUSTOMER_READERS)],
    "documents:integrity": [Rule(expect=ADMIN)],
    "documents:document": [Rule("document", per_object(READ))],
    "documents:download": [Rule("version", per_object(READ))],
    "documents:preview": [Rule("version", per_object(READ))],
    "documents:attest": [Rule("version", per_object(EDIT), "POST")],
    "api/v1/customers/<int:pk>/documents/": [
        Rule("customer", per_object(READ)),
        Rule("customer", per_object(EDIT), "POST"),
    ],
    "api/v1/documents/<int:pk>/versions/": [Rule("document", per_object(READ))],
    "api:document_download": [Rule("version", per_object(READ))],
    # Workflow (a case on customer A in SALE, its step with SALE's department head).
    "workflow:tasks": [Rule()],
    "workflow:cases": [Rule()],
    "workflow:case": [Rule("case", CASE_READERS)],
    # Comments: whoever reads the open case, but the auditor (read-only, writes nothing).
    "workflow:comment": [Rule("case", CASE_READERS - {"auditor"}, "POST")],
    "workflow:complete": [
        Rule(
            "step",
            users("head_sale"),
            "POST",
            body=lambda o: {
                f"s{o.pk}-outcome": "approved",
                f"s{o.pk}-comment": "同意",
                f"s{o.pk}-version": o.version,
            },
            took_effect=_step_done,
        )
    ],
    # The approval step cannot wait for an outside party: nobody, not even its assignee.
    "workflow:wait": [
        Rule(
            "step",
            NOBODY,
            "POST",
            body=lambda o: {f"w{o.pk}-reason": "缺营业执照"},
            took_effect=_step_waiting,
        )
    ],
    # Resuming a step that is not waiting changes nothing, for anyone.
    "workflow:resume": [Rule("step", NOBODY, "POST", took_effect=_step_waiting)],
    "api:tasks": [Rule()],
    "api:task_complete": [Rule("step", users("head_sale"), "POST", body=lambda o: COMPLETE_BODY)],
    "api:case": [Rule("case", CASE_READERS)],
    # Privacy.
    "privacy:grants": [Rule()],
    "privacy:grant_register": [Rule(expect=users("auditor"))],
    "privacy:grant_register_export": [Rule(expect=users("auditor"))],
    "api:access-grants-list": [Rule(expect=users("auditor"))],
    "api:access-grants-detail": [
        Rule("grant", per_object({key: users("auditor") for key in ("A", "B", "C")}))
    ],
    "privacy:grant_new": [Rule("customer", per_object(GRANTERS))],
    "privacy:grant_revoke": [Rule("grant", per_object(GRANTERS), "POST")],
    "privacy:reveal": [Rule("reveal", per_object(REVEAL))],
    # Everyone declares the purpose of their own session's work with personal data.
    "privacy:purpose": [Rule(), Rule(method="POST")],
    "privacy:consent_new": [Rule("person", per_object(EDIT))],
    # Data-subject requests: an access request on A, registered by manager1, done.
    "privacy:requests": [Rule()],
    "privacy:retention": [Rule(expect=ADMIN)],
    "privacy:tiers": [Rule(expect=ADMIN)],
    "ops:outbox": [Rule(expect=ADMIN)],
    "backups:status": [Rule(expect=ADMIN)],
    "backups:backup": [Rule(expect=ADMIN, method="POST")],
    "backups:drill": [Rule(expect=ADMIN, method="POST")],
    "ops:outbox-retry": [Rule("outbox", ADMIN, "POST")],
    "ops:robot-outbox": [Rule(expect=ADMIN)],
    "ops:robot-message-retry": [Rule("robotmessage", ADMIN, "POST")],
    "ops:robot-test": [Rule("chatrobot", ADMIN, "POST")],
    "ops:webhook-deliveries": [Rule(expect=ADMIN)],
    "ops:webhook-delivery-retry": [Rule("webhookdelivery", ADMIN, "POST")],
    "api:webhook_deliveries": [Rule(expect=ADMIN)],
    "api:webhook_delivery_retry": [Rule("webhookdelivery", ADMIN, "POST")],
    # Update links: the owner and the department head send and revoke them, the auditor
    # reads them; the contact's page is public (the token is the permission) and tested in
    # kehu/selfservice/tests; a submitted proof file is read with its change request.
    "selfservice:page": [Rule(public=True)],
    "selfservice:send": [
        Rule("customer", per_object(EDIT), "POST", body=lambda c: {"channel": "qr"})
    ],
    "selfservice:revoke": [Rule("updatelink", per_object(EDIT), "POST")],
    "selfservice:proof": [Rule("submittedfile", per_object(READ))],
    "api:customer_update_links": [
        Rule("customer", per_object(LINK_READERS)),
        Rule("customer", per_object(EDIT), "POST", body=lambda c: {"channel": "qr"}),
    ],
    "api:update_link_revoke": [Rule("updatelink", per_object(EDIT), "POST")],
    "api:chat_robot_test": [Rule("chatrobot", ADMIN, "POST")],
    "api:robot_messages": [Rule(expect=ADMIN)],
    "api:robot_message_retry": [Rule("robotmessage", ADMIN, "POST")],
    "privacy:request": [Rule("subjectrequest", REQUEST_READERS)],
    "privacy:request_package": [Rule("subjectrequest", REQUEST_READERS)],
    "privacy:request_new": [Rule("person", per_object(EDIT))],
    "privacy:disclosures": [Rule(expect=DISCLOSURE_VIEWERS)],
    "privacy:disclosure": [Rule("disclosure", DISCLOSURE_READERS)],
    "privacy:disclosure_agreement": [Rule("disclosure", DISCLOSURE_READERS)],
    "privacy:disclosure_provide": [
        Rule(
            "disclosure",
            users("manager1", "head_sale"),
            "POST",
            body=lambda o: {"provided_on": "2026-12-01", "method": "加密邮件"},
            took_effect=_provided,
        )
    ],
    "privacy:disclosure_new": [Rule("customer", per_object(EDIT))],
    # The extended profile: the account manager only (no grants in the matrix).
    "privacy:profile": [Rule("contact", per_object(OWNER))],
    "privacy:profile_edit": [Rule("contact", per_object(OWNER))],
    "api:consents": [
        Rule("person_api", per_object(READ)),
        Rule(
            "person_api",
            per_object(EDIT),
            "POST",
            body=lambda o: {
                "object_type": "customers.contact",
                "object_id": o.pk,
                "purpose": "profile",
                "scope": "画像",
                "given_on": "2026-01-05",
                "channel": "email",
            },
        ),
    ],
    "privacy:consent_withdraw": [
        Rule("consent", per_object(EDIT), "POST", body=lambda o: {"note": "来电撤回"})
    ],
    "privacy:consent_evidence": [Rule("consent", per_object(READ))],
    "privacy:marketing_contact": [
        Rule("person", per_object(EDIT), "POST", body=lambda o: {"note": "新品推介"})
    ],
    "api:reveal": [
        Rule(
            "reveal_api",
            per_object(REVEAL),
            "POST",
            body=lambda o: {
                "object_type": "customers.contact",
                "object_id": o.pk,
                "field": "mobile",
                "purpose": "review",
                "reason": "抽查",
            },
        )
    ],
    # Record types (pages and API).
    **record_rules(
        "customers",
        "customer",
        view=per_object(READ),
        listing=CUSTOMER_READERS,
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    **record_rules(
        "interactions",
        "interaction",
        view=per_object(READ),
        listing=CUSTOMER_READERS,
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    **record_rules(
        "complaints",
        "complaint",
        view=per_object(COMPLAINT_READ),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    # The reply answers every reader but the read-only auditor alike (a message; the
    # service refuses who may not send it).
    "interactions:complaint_reply": [Rule("complaint", per_object(COMPLAINT_REPLY), "POST")],
    "api:complaint_reply": [Rule("complaint", per_object(COMPLAINT_REPLY), "POST")],
    "interactions:reply_letter": [Rule("complaint", per_object(COMPLAINT_READ))],
    **record_rules(
        "survey-templates",
        "surveytemplate",
        view=SURVEY_CONFIG_READ,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "survey-items",
        "surveyitem",
        view=SURVEY_CONFIG_READ,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "surveys",
        "survey",
        view=per_object(COMPLAINT_READ),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    **record_rules(
        "corrective-actions",
        "correctiveaction",
        view=users("manager1", "manager2", "head_sale", "gm", "auditor"),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=users("head_sale", "gm"),
        change=users("head_sale", "gm"),
    ),
    # The survey analysis report of SALE: its department's readers, the general manager (who
    # approves it on the workflow) and the auditor; the department head writes it.
    **record_rules(
        "survey-reports",
        "surveyreport",
        view=SURVEY_REPORT_READ,
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=users("head_sale"),
        change=users("head_sale"),
    ),
    "interactions:survey_report_pdf": [Rule("surveyreport", SURVEY_REPORT_READ)],
    "interactions:survey_report_submit": [Rule("surveyreport", users("head_sale"), "POST")],
    "interactions:survey_results_xlsx": [Rule(expect=users("head_sale", "gm", "auditor"))],
    # Standard complaint reply letters: the administrator keeps them, who replies reads them.
    **record_rules(
        "complaint-reply-letters",
        "complaintletter",
        view=SURVEY_CONFIG_READ,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    "interactions:survey_send": [Rule(expect=ACCOUNT_MANAGERS | {"head_sale"})],
    "interactions:survey_results": [
        Rule(expect=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"))
    ],
    # The answering page shows every reader the survey; answering is checked by the service
    # (an empty form is refused alike).
    "interactions:survey_form": [Rule("survey", per_object(COMPLAINT_READ))],
    "interactions:survey_answer": [
        Rule("survey", per_object(COMPLAINT_READ)),
        Rule("survey", per_object(COMPLAINT_REPLY), "POST"),
    ],
    **record_rules(
        "customer-research",
        "research",
        view=per_object(COMPLAINT_READ),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    # Signing, evaluating and voiding answer every reader but the auditor alike (a message;
    # the service refuses who may not).
    "interactions:research_sign": [Rule("research", per_object(COMPLAINT_REPLY), "POST")],
    "interactions:research_evaluate": [Rule("research", per_object(COMPLAINT_REPLY), "POST")],
    "interactions:research_void": [Rule("research", per_object(COMPLAINT_REPLY), "POST")],
    **record_rules(
        "visit-plans",
        "visitplan",
        view=per_object(COMPLAINT_READ),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    "interactions:visit_done": [Rule("visitplan", per_object(COMPLAINT_REPLY), "POST")],
    **record_rules(
        "service-tickets",
        "serviceticket",
        view=per_object(COMPLAINT_READ),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    **record_rules(
        "purchases",
        "purchase",
        view=per_object(COMPLAINT_READ),
        listing=ACCOUNT_MANAGERS | users("head_sale", "gm", "auditor"),
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    "interactions:purchase_import": [Rule(expect=ACCOUNT_MANAGERS | {"head_sale"})],
    "interactions:timeline": [Rule("customer", per_object(READ))],
    "api:customer_timeline": [Rule("customer", per_object(READ))],
    # Marking a follow-up done: who edits the communication (its follow-up is the owner's).
    "interactions:follow_up_done": [Rule("interaction", per_object(EDIT), "POST")],
    "api:interaction_follow_up_done": [Rule("interaction", per_object(EDIT), "POST")],
    **record_rules(
        "contacts",
        "contact",
        view=per_object(READ),
        listing=CUSTOMER_READERS,
        export=users("head_sale", "gm", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    **record_rules(
        "bank-accounts",
        "bankaccount",
        view=per_object(READ),
        listing=CUSTOMER_READERS,
        export=users("head_sale", "auditor"),
        add=ACCOUNT_MANAGERS | {"head_sale"},
        change=per_object(EDIT),
    ),
    **record_rules(
        "classification-dimensions",
        "dimension",
        view=CUSTOMER_READERS | ADMIN,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "classification-values",
        "value",
        view=CUSTOMER_READERS | ADMIN,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "document-types",
        "doctype",
        view=users("admin", "auditor"),
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "units",
        "unit",
        view=ORG_READERS,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "users",
        "user",
        view=ORG_READERS,
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "calendar-days",
        "calendarday",
        view=users("admin", "auditor"),
        export=ADMIN,
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "calendar-years",
        "calendaryear",
        view=users("admin", "auditor"),
        export=ADMIN,
        add=ADMIN,
        change=ADMIN,
    ),
    # Webhook subscribers: the administrator keeps them, the auditor reads them (masked).
    **record_rules(
        "webhooks",
        "webhooksubscriber",
        view=users("admin", "auditor"),
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    # Chat robots: the administrator keeps them, the auditor reads them (masked).
    **record_rules(
        "chat-robots",
        "chatrobot",
        view=users("admin", "auditor"),
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "approver-rules",
        "approverrule",
        view=users("admin", "auditor"),
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    # Filing configuration: the administrator keeps it, compliance reads it and keeps the
    # watch list too.
    **record_rules(
        "filing-checklist",
        "checklistitem",
        view=users("admin", "compliance", "auditor"),
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    **record_rules(
        "watch-list",
        "watchentry",
        view=users("admin", "compliance", "auditor"),
        export=users("admin", "compliance", "auditor"),
        add=users("admin", "compliance"),
        change=users("admin", "compliance"),
    ),
    **record_rules(
        "risk-rules",
        "riskrule",
        view=users("admin", "compliance", "auditor"),
        export=users("admin", "auditor"),
        add=ADMIN,
        change=ADMIN,
    ),
    "filing:watchlist_import": [Rule(expect=users("admin", "compliance"))],
    # Filings.
    "filing:list": [Rule(expect=CUSTOMER_READERS)],
    "filing:new": [Rule(expect=FILERS)],
    "filing:detail": [Rule("filing", per_object(READ))],
    "filing:pdf": [Rule("filing", per_object(READ))],
    "filing:open": [Rule("customer_pk", per_object(EDIT), "POST")],
    # Ongoing watch-list monitoring: compliance clears a false match of a customer it sees.
    "filing:clear_hit": [
        Rule("watchhit", per_object(HIT_CLEARERS)),
        Rule("watchhit", per_object(HIT_CLEARERS), "POST", body=lambda hit: {"reason": "同名"}),
    ],
    "api/v1/customers/<int:pk>/watch-list-hits/": [Rule("customer", per_object(READ))],
    "api/v1/watch-list-hits/<int:pk>/clear/": [
        Rule("watchhit", per_object(HIT_CLEARERS), "POST", body=lambda hit: {"reason": "同名"}),
    ],
    # The account manager, the opener (the same) or the department head.
    "filing:withdraw": [Rule("filing", per_object(EDIT), "POST")],
    # Who signs for the customer: whoever keeps its data, while the filing is under way.
    "filing:signatory": [Rule("filing", per_object(EDIT), "POST")],
    "api:filing_signatory": [
        Rule("filing", per_object(EDIT), "POST", body=lambda f: {"signatory_is_legal_rep": True})
    ],
    # Requesting a supplement in the second review: its assignee, compliance, only.
    "filing:act": [
        Rule(
            "filing_act",
            per_object(SECOND_REVIEWERS),
            "POST",
            body=lambda o: {"step": _filing_step(o).pk, "reason": "补充营业执照副本"},
            took_effect=_supplement_requested,
        )
    ],
    "api:filings": [
        Rule(expect=CUSTOMER_READERS),
        Rule(expect=FILERS, method="POST"),
        Rule("customer_body", per_object(EDIT), "POST", body=lambda o: {"customer": o.pk}),
    ],
    "api:filing": [Rule("filing", per_object(READ))],
    # Archive configuration and the physical archive: the archivist's.
    **record_rules(
        "archive-categories",
        "category",
        view=ARCHIVE_CONFIG,
        export=ARCHIVE_CONFIG,
        add=users("archivist"),
        change=users("archivist"),
    ),
    **record_rules(
        "cabinets",
        "cabinet",
        view=ARCHIVE_CONFIG,
        export=ARCHIVE_CONFIG,
        add=users("archivist"),
        change=users("archivist"),
    ),
    "archives:settings": [Rule(expect=users("archivist"))],
    "archives:cabinet_check": [Rule("cabinet", users("archivist"), "POST")],
    "archives:cabinet_index_pdf": [Rule("cabinet", ARCHIVE_CONFIG)],
    "archives:check_register": [Rule(expect=ARCHIVE_CONFIG)],
    "archives:check_register_export": [Rule(expect=ARCHIVE_CONFIG)],
    "api/v1/cabinets/<int:pk>/checks/": [
        Rule("cabinet", ARCHIVE_CONFIG),
        Rule("cabinet", users("archivist"), "POST"),
    ],
    # The archive catalogue and the filing register.
    **record_rules(
        "dossiers",
        "dossier",
        view=per_object(DOSSIER_READ),
        export=users("archivist", "auditor"),
        add=users("archivist"),
        change=per_object(ARCHIVE_WORK),
    ),
    **record_rules(
        "archive-items",
        "item",
        view=per_object(DOSSIER_READ),
        export=users("archivist", "auditor"),
        add=users("archivist"),
        change=per_object(ARCHIVE_WORK),
    ),
    "archives:register_pdf": [Rule(expect=users("archivist", "auditor"))],
    "archives:catalogue_pdf": [Rule(expect=users("archivist", "auditor"))],
    "archives:folder_label_pdf": [Rule("dossier", per_object(DOSSIER_READ))],
    "archives:dossier_catalogue_pdf": [Rule("dossier", per_object(DOSSIER_READ))],
    # The check before filing: the archivist who files.
    "archives:dossier_review": [
        Rule("dossier", per_object(ARCHIVE_WORK)),
        Rule("dossier", per_object(ARCHIVE_WORK), "POST"),
    ],
    "api/v1/dossiers/<int:pk>/reviews/": [
        Rule("dossier", per_object(DOSSIER_READ)),
        Rule("dossier", per_object(ARCHIVE_WORK), "POST"),
    ],
    # Holds: the archivist and the general manager.
    "archives:place_hold": [Rule("dossier", per_object(HOLDERS), "POST")],
    "archives:lift_hold": [Rule("hold", per_object(HOLDERS), "POST")],
    "api/v1/dossiers/<int:pk>/holds/": [
        Rule("dossier", per_object(DOSSIER_READ)),
        Rule("dossier", per_object(HOLDERS), "POST"),
    ],
    "api/v1/holds/<int:pk>/lift/": [Rule("hold", per_object(HOLDERS), "POST")],
    # Borrowing. The list shows everyone their own requests (and the archivist the unit's).
    "archives:loans": [Rule()],
    "archives:loan_request": [Rule(expect=LOAN_REQUESTERS)],
    "archives:loan": [Rule("loan", per_object(LOAN_READ))],
    "archives:loan_slip_pdf": [Rule("loan", per_object(LOAN_READ))],
    "api/v1/loans/": [Rule(), Rule(expect=LOAN_REQUESTERS, method="POST")],
    "api/v1/loans/<int:pk>/": [Rule("loan", per_object(LOAN_READ))],
    "api/v1/loans/<int:pk>/renewal/": [
        Rule(
            "loan",
            per_object(OWNER),
            "POST",
            body=lambda o: {"reason": "尚未核对完毕"},
            took_effect=_renewal_asked,
        )
    ],
    "api/v1/loans/<int:pk>/incident/": [
        Rule(
            "loan",
            per_object(INCIDENT_REPORTERS),
            "POST",
            body=lambda o: {"kind": "damage", "report": "封面破损一角"},
            took_effect=_incident_reported,
        )
    ],
    # Transfers (ARC-5).
    "archives:transfers": [
        Rule(expect=TRANSFER_READERS),
        Rule(
            "transfer_body",
            per_object(TRANSFER_RECEIVERS),
            "POST",
            body=lambda o: {"transfer": o.pk, "note": "已接收"},
            took_effect=_confirmed,
        ),
    ],
    "api/v1/transfers/": [Rule(expect=TRANSFER_READERS)],
    "api/v1/transfers/<int:pk>/confirm/": [
        Rule("transfer", per_object(TRANSFER_RECEIVERS), "POST", took_effect=_confirmed)
    ],
    # Disposition and destruction (ARC-7): the archivist proposes and executes, the general
    # manager approves (in the workflow).
    "archives:disposition": [Rule(expect=users("archivist"))],
    "api/v1/disposition/": [Rule(expect=users("archivist"))],
    "archives:destructions": [Rule(expect=users("archivist", "gm", "auditor"))],
    "archives:destruction": [
        Rule("destruction", per_object(DESTRUCTION_READ)),
        Rule(
            "destruction",
            per_object(ARCHIVE_WORK),
            "POST",
            body=lambda o: {"witnesses": _witness_pks(), "executed_on": "2026-11-20"},
            took_effect=_executed,
        ),
    ],
    "archives:destruction_pdf": [Rule("destruction", per_object(DESTRUCTION_READ))],
    # An empty list for those who may not read the register.
    "api/v1/destructions/": [Rule(), Rule(expect=users("archivist"), method="POST")],
    "api/v1/destructions/<int:pk>/": [Rule("destruction", per_object(DESTRUCTION_READ))],
    # The credit file: readers of the customer's credit (finance too), credit staff act.
    "credit:register": [Rule(expect=CREDIT_VIEWERS)],
    "credit:register_export": [Rule(expect=users("credit", "finance", "gm", "auditor"))],
    "credit:import": [Rule(expect=users("credit", "finance"))],
    "credit:customer": [Rule("customer", per_object(CREDIT_READ))],
    "credit:override": [Rule("customer", per_object(CREDIT_WORK), "POST")],
    "credit:override_end": [Rule("creditoverride", users("credit"), "POST")],
    "api/v1/credit/check": [
        Rule(
            "customer_body",
            per_object(CREDIT_CHECK),
            "POST",
            body=lambda o: {"customer": o.pk, "amount": "1"},
        )
    ],
    "api/v1/credit/accounts/<int:pk>/": [Rule("customer", per_object(CREDIT_READ))],
    "credit:limit_request_new": [Rule("customer", per_object(CREDIT_REQUESTERS))],
    "credit:limit_request": [Rule("limitrequest", LIMIT_REQUEST_READERS)],
    "credit:approval_pdf": [Rule("limitrequest", LIMIT_REQUEST_READERS)],
    # The request is still pending: no notification letter yet, for anybody.
    "credit:notice_pdf": [Rule("limitrequest", NOBODY)],
    "credit:limit_bands": [Rule(expect=users("admin"))],
    "credit:statements": [Rule("customer", per_object(STATEMENT_READ))],
    "credit:review": [Rule("customer", per_object(CREDIT_WORK), "POST")],
    "credit:post_credit": [Rule("customer", per_object(CREDIT_READ))],
    "credit:reply_letter": [Rule("letter", per_object(LETTER_READ))],
    "credit:statement_file": [Rule("accountstatement", LIMIT_REQUEST_READERS)],
    "credit:reply_templates": [Rule(expect=users("admin"))],
    "credit:reply_template": [Rule("replytemplate", users("admin"))],
    "credit:application_new": [Rule("customer", per_object(CREDIT_REQUESTERS))],
    "credit:application": [Rule("creditapplication", LIMIT_REQUEST_READERS)],
    "credit:section_save": [Rule("creditapplication", users("credit"), "POST")],
    "credit:report_sign": [Rule("creditapplication", users("credit"), "POST")],
    # The investigation's forms: credit staff; its report: whoever reads investigations.
    "credit:site_visit": [
        Rule("creditapplication", users("credit")),
        Rule("creditapplication", users("credit"), "POST"),
    ],
    "credit:site_visit_photo": [Rule("creditapplication", users("credit"), "POST")],
    "credit:related_party_add": [Rule("creditapplication", users("credit"), "POST")],
    "credit:related_party_remove": [Rule("relatedparty", users("credit"), "POST")],
    "credit:report_pdf": [Rule("creditapplication", _STATEMENT_SALE)],
    "credit:application_pdf": [Rule("creditapplication", LIMIT_REQUEST_READERS)],
    "credit:site_visit_pdf": [Rule("sitevisit", _STATEMENT_SALE)],
    "credit:problem_pdf": [Rule("problemreport", CREDIT_READ["A"])],
    "credit:rating_scale": [
        Rule(expect=users("admin")),
        Rule(expect=users("admin"), method="POST"),
    ],
    "credit:rating_grade": [Rule("ratinggrade", users("admin"))],
    "credit:statement_edit": [Rule("financialstatement", users("credit"))],
    "credit:follow_up_edit": [Rule("followup", users("credit"))],
    "api/v1/credit/limit-requests/": [
        Rule(expect=ACCOUNT_MANAGERS | users("credit"), method="POST")
    ],
    "api/v1/credit/limit-requests/<int:pk>/": [Rule("limitrequest", LIMIT_REQUEST_READERS)],
    "api/v1/credit/receivables/": [Rule(expect=users("credit", "finance"), method="POST")],
    "api/v1/credit/orders/": [Rule(expect=users("credit", "finance"), method="POST")],
    # The register review.
    "reviews:campaigns": [
        Rule(expect=REVIEW_CAMPAIGN_READERS),
        Rule(expect=users("compliance"), method="POST"),
    ],
    "reviews:campaign": [Rule("reviewcampaign", REVIEW_CAMPAIGN_READERS)],
    "reviews:campaign_close": [Rule("reviewcampaign", users("compliance"), "POST")],
    "reviews:report_xlsx": [Rule("reviewcampaign", REVIEW_REPORTERS)],
    "reviews:report_pdf": [Rule("reviewcampaign", REVIEW_REPORTERS)],
    "reviews:settings": [Rule(expect=ADMIN)],
    "reviews:tasks": [Rule(expect=REVIEW_CAMPAIGN_READERS)],
    "reviews:task": [Rule("reviewtask", per_object(REVIEW_TASK_READ))],
    "reviews:task_confirm": [Rule("reviewtask", per_object(OWNER), "POST")],
    "reviews:task_correct": [Rule("reviewtask", per_object(OWNER), "POST")],
    "api:review-campaigns-list": [Rule(expect=REVIEW_CAMPAIGN_READERS)],
    "api:review-campaigns-detail": [Rule("reviewcampaign", REVIEW_CAMPAIGN_READERS)],
    "api:review_progress": [Rule("reviewcampaign", REVIEW_CAMPAIGN_READERS)],
    "api:review-tasks-list": [Rule(expect=REVIEW_CAMPAIGN_READERS)],
    "api:review-tasks-detail": [Rule("reviewtask", per_object(REVIEW_TASK_READ))],
    "api:review_task_confirm": [Rule("reviewtask", per_object(OWNER), "POST")],
    "api:review_task_correct": [Rule("reviewtask", per_object(OWNER), "POST")],
    # Contracts (CON-1 … CON-5).
    **record_rules(
        "contracts",
        "contract",
        view=per_object(CONTRACT_READ),
        listing=CONTRACT_LIST,
        export=CONTRACT_EXPORT,
        add=CONTRACT_ADD,
        change=per_object(EDIT),
    ),
    **record_rules(
        "projects",
        "project",
        view=per_object(READ),
        listing=CUSTOMER_READERS,
        export=CONTRACT_EXPORT,
        add=CONTRACT_ADD,
        change=per_object(EDIT),
    ),
    **record_rules(
        "contract-checklist",
        "contractchecklistitem",
        view=CONTRACT_CONFIG | users("auditor"),
        export=CONTRACT_CONFIG | users("auditor"),
        add=CONTRACT_CONFIG,
        change=CONTRACT_CONFIG,
    ),
    "contracts:settings": [Rule(expect=CONTRACT_CONFIG)],
    "contracts:ledger_pdf": [Rule(expect=CONTRACT_EXPORT)],
    "contracts:transition": [Rule("contract", per_object(EDIT), "POST")],
    "contracts:dispute": [Rule("contract", per_object(EDIT), "POST")],
    "contracts:attach": [Rule("contract", per_object(CONTRACT_FILERS), "POST")],
    "api:contract_transition": [Rule("contract", per_object(EDIT), "POST")],
    "api:contract_dispute": [Rule("contract", per_object(EDIT), "POST")],
    # Hand-overs (CON-3): the receipt of the open one by the contract officer (the demo's
    # credit officer); the list with the contract.
    "contracts:receive": [Rule("handover", per_object(CONTRACT_RECEIVERS), "POST")],
    "api:handover_receipt": [Rule("handover", per_object(CONTRACT_RECEIVERS), "POST")],
    "api:contract_handovers": [Rule("contract", per_object(CONTRACT_READ))],
    # The periodic reports (semi-annual statistics, annual credit report): the credit and
    # contract officer generates, the general manager and the auditor read (company-wide).
    "contracts:statistics": [
        Rule(expect=users("credit", "gm", "auditor")),
        Rule(expect=users("credit"), method="POST"),
    ],
    "contracts:statistics_file": [Rule("statisticsreport", users("credit", "gm", "auditor"))],
    "api:contract_statistics": [
        Rule(expect=users("credit", "gm", "auditor")),
        Rule(expect=users("credit"), method="POST"),
    ],
    "api:contract_statistics_file": [Rule("statisticsreport", users("credit", "gm", "auditor"))],
    # Statistics per department (RPT-2): whoever reads contracts, of his departments only.
    "contracts:department_statistics": [Rule(expect=CONTRACT_LIST)],
    "api:contract_department_statistics": [Rule(expect=CONTRACT_LIST)],
    "api:contract_checklist": [
        Rule("contract", per_object(CONTRACT_READ)),
        Rule("contract", per_object(CONTRACT_FILERS), "POST"),
    ],
    "api/v1/destructions/<int:pk>/execute/": [
        Rule(
            "destruction",
            per_object(ARCHIVE_WORK),
            "POST",
            body=lambda o: {"witnesses": list(WITNESSES)},
            took_effect=_executed,
        )
    ],
}


# --- the URL configuration ----------------------------------------------------------------


def _walk_urls() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(rule key, route, view) of every URL pattern; the key is its namespaced name, else its
    route."""

    def walk(
        patterns: list[Any], prefix: str, namespace: str
    ) -> Iterator[tuple[str, str, Callable[..., Any]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "<format>" in route or "(?P<format>" in route:
                    continue  # DRF's format-suffix twins of the routes below
                key = f"{namespace}{pattern.name}" if pattern.name else route
                yield key, route, pattern.callback

    yield from walk(get_resolver().url_patterns, "", "")


def url_patterns() -> Iterator[tuple[str, str]]:
    """(rule key, route) of every URL pattern: its namespaced name, else its route."""
    for key, route, _view in _walk_urls():
        yield key, route


def test_every_url_has_a_rule() -> None:
    missing = sorted({key for key, _route in url_patterns()} - set(RULES))
    assert not missing, f"URL patterns without a permission rule: {missing}"
    stale = sorted(set(RULES) - {key for key, _route in url_patterns()})
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def declared_permissions(view: Callable[..., Any]) -> set[str]:
    """The permissions a view declares (`kehu.core.access.requires`, stacked or not, or a
    class view's `required_permission`), read through the decorators that wrap it."""
    declared = set()
    current: Any = view
    while current is not None:
        declared.add(getattr(current, "required_permission", ""))
        declared.add(getattr(getattr(current, "view_class", None), "required_permission", ""))
        current = getattr(current, "__wrapped__", None)
    return declared - {""}


def test_declared_permissions_agree_with_the_rules(demo: dict[str, User]) -> None:
    """Whoever the matrix lets through a view that declares a permission holds it."""
    checked, wrong = 0, []
    for key, _route, view in _walk_urls():
        for perm in sorted(declared_permissions(view)):
            checked += 1
            for rule in RULES[key]:
                allowed = rule.expect
                if isinstance(allowed, dict):
                    allowed = frozenset().union(*allowed.values())
                lacking = sorted(u for u in allowed if not policy.has_perm(demo[u], perm))
                if lacking:
                    wrong.append(f"{key} ({rule.method}) requires {perm}; lacking: {lacking}")
    assert checked > 20, "hardly any view declares its permission: is `requires` still used?"
    assert not wrong, "\n".join(wrong)


# --- objects ------------------------------------------------------------------------------


def _customer_world(owner: User, demo: dict[str, User]) -> dict[str, Any]:
    customer = services.create_customer(org_data(owner))
    contact = services.create_contact(
        {"customer": customer, "name": "王芳", "mobile": f"139{customer.pk:08d}"}
    )
    account = services.create_bank_account(
        {
            "customer": customer,
            "account_name": customer.name,
            "bank_name": "中国银行",
            "account_number": f"6222{customer.pk:012d}",
        }
    )
    evidence = SimpleUploadedFile("证明.pdf", samples.pdf(), content_type="application/pdf")
    request = changes.change_request_propose(
        customer, demo["gm"], {"registered_address": "北京市海淀区新地址1号"}, "核对", evidence
    )
    twin = services.create_customer(org_data(owner))
    customer.twin_pk = twin.pk  # type: ignore[attr-defined]  # for the merge body
    flag = DuplicateFlag.objects.create(
        first_id=min(customer.pk, twin.pk),
        second_id=max(customer.pk, twin.pk),
        reason="similar_name",
    )
    signed = SimpleUploadedFile("同意书.pdf", samples.pdf(), content_type="application/pdf")
    marketing = consent.record_consent(
        contact,
        {"purpose": "marketing", "scope": "营销", "given_on": datetime.date(2026, 1, 5),
         "channel": "written"},
        owner,
        signed,
    )  # fmt: skip
    consent.record_consent(
        contact,
        {"purpose": "profile", "scope": "画像", "given_on": datetime.date(2026, 1, 5),
         "channel": "written"},
        owner,
        None,
    )  # fmt: skip
    talk = interactions.interaction_create(
        {"customer": customer, "submitted_by": owner, "channel": "phone", "subject": "报价沟通",
         "occurred_at": timezone.now() - datetime.timedelta(days=1), "follow_up": "寄报价单",
         "follow_up_due": datetime.date(2026, 12, 20)}
    )  # fmt: skip
    complaint = complaints.complaint_open(
        {"customer": customer, "submitted_by": owner, "received_on": datetime.date(2026, 11, 2),
         "channel": "phone", "content": "送货延误", "category": "delivery",
         "route": "service_process", "handling_unit": customer.unit}
    )  # fmt: skip
    questionnaire, _new = SurveyTemplate.objects.get_or_create(
        name="年度满意度调查", defaults={"kind": "satisfaction"}
    )
    survey = surveys.survey_create(
        {"template": questionnaire, "customer": customer, "year": 2026,
         "due_date": datetime.date(2026, 12, 31), "submitted_by": owner}
    )  # fmt: skip
    study = research.research_create(
        {"customer": customer, "submitted_by": owner, "researched_on": datetime.date(2026, 11, 2),
         "action_plan": "拜访采购部"}
    )  # fmt: skip
    visit = visits.visit_plan_create(
        {"customer": customer, "submitted_by": owner, "kind": "visit", "purpose": "年度拜访",
         "planned_on": datetime.date(2099, 9, 15)}
    )  # fmt: skip
    ticket = tickets.ticket_create(
        {"customer": customer, "submitted_by": owner, "problem_type": "network",
         "description": "VPN 无法连接", "handler": owner, "sla_hours": 8,
         "started_at": timezone.now() - datetime.timedelta(hours=1)}
    )  # fmt: skip
    bought = purchases.purchase_create(
        {"customer": customer, "submitted_by": owner, "purchased_on": datetime.date(2026, 11, 2),
         "product": "彩盒", "quantity": 100, "unit_price": 2}
    )  # fmt: skip
    # As if the general manager had approved the result: the reply letter exists.
    Complaint.objects.filter(pk=complaint.pk).update(approved_at=timezone.now(), result="补发")
    licence = DocumentType.objects.get(code="business_licence")
    upload = SimpleUploadedFile("licence.png", samples.png(), content_type="image/png")
    version = documents.document_upload(customer, licence, upload, owner)
    entry = WatchListEntry.objects.create(name=customer.name, list_kind="other")
    watch_hit = WatchListHit.objects.create(
        customer=customer, entry=entry, matched_by="name", found_at=timezone.now()
    )
    return {
        "watchhit": watch_hit,
        "customer": customer,
        "customer_pk": customer,
        "contact": contact,
        "person": contact,
        "consent": marketing,
        "bankaccount": account,
        "changerequest": request,
        "flag": flag,
        "document": version.document,
        "version": version,
        "apitoken": create_token(owner, "matrix")[0],
        "userjob": _running_job_with_result(owner),
        "interaction": talk,
        "complaint": complaint,
        "survey": survey,
        "research": study,
        "visitplan": visit,
        "serviceticket": ticket,
        "purchase": bought,
        **_update_links(customer, contact, owner),
    }


def _filing_world(owner: User, demo: dict[str, User]) -> Any:
    """A filing of another customer of `owner` (its dossier complete), at the second review."""
    from kehu.filing import selectors as filing_selectors
    from kehu.filing import services as filing
    from kehu.filing.tests.conftest import ready_customer

    opened = filing.open_filing(ready_customer(owner), by=owner)
    assert opened.case is not None
    filing.complete_collection(opened, opened.case.steps.get(key="collect"), by=owner)
    items, _initial = filing_selectors.review_items(opened, "initial_review")
    filing.submit_review(
        opened, opened.case.steps.get(key="initial_review"), by=owner, outcome="passed",
        checks=[{"key": k, "label": label, "result": "ok"} for k, label in items],
    )  # fmt: skip
    return opened


def _active(owner: User, demo: dict[str, User]) -> Any:
    """A further customer of `owner`, active, with its numbered dossier."""
    from kehu.archives.models import Dossier

    customer = services.create_customer(org_data(owner))
    customer = services.change_status(customer, "in_filing", "备案", demo["gm"])
    customer = services.change_status(customer, "active", "备案通过", demo["gm"])
    return Dossier.objects.get(customer=customer)


def _archive_world(owner: User, demo: dict[str, User]) -> dict[str, Any]:
    """A dossier with an item, a hold and a folder lent to `owner`; a destruction (approved)
    of another dossier's item, its customer's relationship ended in 2014."""
    from kehu.archives import loans, retention
    from kehu.archives import services as archives
    from kehu.archives.models import ArchiveCategory, Dossier

    archivist = demo["archivist"]
    dossier = _active(owner, demo)
    item = archives.file_item(
        {"dossier": accepted_for_filing(dossier),
         "category": ArchiveCategory.objects.get(code="basic"), "title": "营业执照"}
    )  # fmt: skip
    hold = retention.place_hold(dossier, name="诉讼保全", reason="合同纠纷", by=archivist)
    loan = loans.request_loan(dossier=dossier, borrower=owner, purpose="核对合同", kind="physical")
    loan = loans.loan_decide(loan, approved=True, by=archivist)
    loan = loans.loan_issue(loan, by=archivist)
    ended = _active(owner, demo)
    complaint = archives.file_item(
        {"dossier": accepted_for_filing(ended),
         "category": ArchiveCategory.objects.get(code="complaints"), "title": "投诉处理记录"}
    )  # fmt: skip
    services.change_status(ended.customer, "past", "停止合作", demo["gm"])
    Dossier.objects.filter(pk=ended.pk).update(closed_on=datetime.date(2014, 6, 30))
    complaint.refresh_from_db()
    destruction = retention.destruction_propose(
        [complaint], reason="保管期满", method="pulping", by=archivist
    )
    destruction = retention.destruction_decide(destruction, approved=True, by=demo["gm"])
    return {
        "dossier": dossier,
        "item": item,
        "hold": hold,
        "loan": loan,
        "destruction": destruction,
    }


def _contract_world(customer: Any) -> dict[str, Any]:
    """A project and a draft contract of `customer` (handled by its owner)."""
    owner = customer.owner
    project = contracts.project_create(
        {"customer": customer, "name": "供货项目", "starts_on": datetime.date(2026, 1, 1),
         "owner": owner}
    )  # fmt: skip
    contract = contracts.contract_create(
        {"customer": customer, "project": project, "title": "供货合同", "contract_type": "sales",
         "signing_unit": "北京华夏贸易有限公司", "signatory": "王强", "handler": owner,
         "amount": Decimal("1000.00")}
    )  # fmt: skip
    contract = contracts.contract_transition(contract, "signed", by=owner)
    return {"project": project, "contract": contract, "handover": contract.handovers.get()}


@pytest.fixture
def world(demo: dict[str, User]) -> dict[str, Any]:
    with acting_as(SYSTEM):
        objects = {
            "A": _customer_world(demo["manager1"], demo),
            "B": _customer_world(demo["manager2"], demo),
            "C": _customer_world(demo["manager4"], demo),
        }
        sale = OrgUnit.objects.get(code="SALE")
        until = timezone.now() + datetime.timedelta(days=3)
        # Grants to (and, for Shanghai, by) users outside the matrix, so that they open
        # nothing for the demo users.
        svc = OrgUnit.objects.get(code="SH-SVC")
        grantee = User.objects.create_user(username="grantee", password="x", unit=svc)
        sh_head = User.objects.create_user(username="sh_head", password="x", unit=svc)
        # A grantor holds what they grant: the Shanghai head reads Shanghai's customers.
        RoleAssignment.objects.create(
            user=sh_head, role=Role.DEPARTMENT_HEAD, unit=OrgUnit.objects.get(code="SH-SALE")
        )
        for key in ("A", "B", "C"):
            objects[key]["grant"] = grants.grant_access(
                user=grantee, obj=objects[key]["customer"], until=until,
                by=sh_head if key == "C" else demo["head_sale"], reason="测试",
            )  # fmt: skip
        case = workflow.open_case(
            "workflow.approval", objects["A"]["customer"], unit=sale, by=demo["manager1"]
        )
        day, _ = CalendarDay.objects.get_or_create(
            date=datetime.date(2026, 10, 10), defaults={"is_working": True, "name": "调休"}
        )
        year, _ = CalendarYear.objects.get_or_create(year=2026)
        access = requests.open_request(
            objects["A"]["person"], "access", "本人申请副本", demo["manager1"],
            datetime.date(2026, 11, 20),
        )  # fmt: skip
        assert access.case is not None
        workflow.complete_step(
            access.case.steps.get(), by=demo["compliance"], outcome="done", comment="已提供"
        )
        disclosure = disclosures.request_disclosure(
            objects["A"]["customer"], by=demo["manager1"], recipient_kind="external",
            recipient_name="某合作方", purpose="资信核查", categories=["basic"],
            agreement=SimpleUploadedFile("协议.pdf", samples.pdf(), "application/pdf"),
        )  # fmt: skip
        assert disclosure.case is not None
        workflow.complete_step(
            disclosure.case.steps.get(), by=demo["head_sale"], outcome="approved"
        )
        rule = ApproverRule.objects.create(
            process="workflow.approval", unit=sale, position=1, role="department_head", basis="x"
        )
        for key, owner in (("A", "manager1"), ("B", "manager2"), ("C", "manager4")):
            objects[key]["filing"] = _filing_world(demo[owner], demo)
            objects[key].update(_archive_world(demo[owner], demo))
        for key in ("A", "B", "C"):
            objects[key].update(_contract_world(objects[key]["customer"]))
        objects["A"]["rostercheck"] = _roster_check(demo["manager1"])
        # The daily job proposes the dossiers' hand-over to the credit management office.
        transfers.propose_transfers(datetime.date(2030, 1, 1))
        for key in ("A", "B", "C"):
            objects[key]["transfer"] = Transfer.objects.get(
                dossier=objects[key]["dossier"], status="proposed"
            )
        # The register review, opened by hand: a task for each active customer.
        campaign, _created = reviews.campaign_open(
            datetime.date(2026, 8, 1), by=demo["compliance"], everyone=True
        )
        for key in ("A", "B", "C"):
            objects[key]["reviewtask"] = ReviewTask.objects.get(
                campaign=campaign, customer=objects[key]["dossier"].customer
            )
        watch = audited_create(
            WatchListEntry(name="某异常经营有限公司", list_kind="abnormal", source="公示系统")
        )
        cabinet = audited_create(Cabinet(code="G01", name="一号档案柜", room="档案室"))
        item = SurveyItem.objects.create(
            template=SurveyTemplate.objects.get(name="年度满意度调查"), label="服务质量",
            scale="five", target=80,
        )  # fmt: skip
        corrective = audited_create(
            CorrectiveAction(item=item, year=2026, unit=sale, measured=60, target=80)
        )
        survey_report = audited_create(
            SurveyReport(template=item.template, year=2026, unit=sale, analysis="服务质量偏低",
                         author=demo["head_sale"])
        )  # fmt: skip
        reply_letter = audited_create(
            ComplaintReplyTemplate(title="投诉回复函", body="尊敬的{customer}：{result}")
        )
    shared: dict[str, Any] = {
        "user": demo["manager1"],
        "assignment": demo["manager1"].role_assignments.first(),
        "unit": sale,
        "case": case,
        "step": case.steps.first(),
        "event": None,
        "dimension": None,
        "value": None,
        "doctype": DocumentType.objects.get(code="business_licence"),
        "calendarday": day,
        "calendaryear": year,
        "approverrule": rule,
        "subjectrequest": access,
        "disclosure": disclosure,
        "checklistitem": ChecklistItem.objects.first(),
        "watchentry": watch,
        "riskrule": RiskRule.objects.first(),
        "category": ArchiveCategory.objects.get(code="basic"),
        "cabinet": cabinet,
        "contractchecklistitem": ContractChecklistItem.objects.first(),
        "statisticsreport": statistics.report_generate(
            statistics.half_year(datetime.date(2026, 3, 1)), by=demo["credit"]
        ),
        "surveytemplate": SurveyTemplate.objects.get(name="年度满意度调查"),
        "surveyitem": item,
        "correctiveaction": corrective,
        "surveyreport": survey_report,
        "complaintletter": reply_letter,
        "outbox": _failed_mail(demo["manager1"]),
        "chatrobot": None,
        "robotmessage": None,
        "webhooksubscriber": None,
        "webhookdelivery": None,
        "creditoverride": _credit_override(objects["A"]["customer"], demo["credit"]),
        "limitrequest": _limit_request(demo),
        "creditapplication": _credit_application(demo),
        "relatedparty": _related_party(demo),
        "sitevisit": _site_visit(demo),
        "problemreport": _problem_report(objects["A"]["customer"], demo["manager1"]),
        "financialstatement": _statement(objects["A"]["customer"], demo["credit"]),
        "followup": _follow_up(objects["A"]["customer"], demo["manager1"]),
        "ratinggrade": _rating_grade(),
        "accountstatement": _account_statement(objects["A"]["customer"], demo["credit"]),
        "replytemplate": ReplyTemplate.objects.create(title="催款函", body="致{customer}"),
        "reviewcampaign": campaign,
    }
    shared["chatrobot"], shared["robotmessage"] = _failed_robot_message()
    shared["webhooksubscriber"], shared["webhookdelivery"] = _failed_webhook_delivery()
    from kehu.audit.models import AuditEvent
    from kehu.customers.models import ClassificationDimension, ClassificationValue

    shared["event"] = AuditEvent.objects.order_by("seq").first()
    shared["dimension"] = ClassificationDimension.objects.first() or ClassificationDimension(
        code="d", name="维度"
    )
    if shared["dimension"].pk is None:
        shared["dimension"].save()
    shared["value"] = ClassificationValue.objects.first() or ClassificationValue.objects.create(
        dimension=shared["dimension"], code="v", name="值"
    )
    return {"objects": objects, "shared": shared}


def _running_job_with_result(owner: User) -> Any:
    """A job of `owner` still running (so it can be cancelled) with a result to download."""
    import io

    from kehu.core import storage
    from kehu.generic.models import JobState, UserJob

    stored = storage.store("jobs/matrix.csv", io.BytesIO(b"a,b\n"))
    return UserJob.objects.create(
        owner=owner,
        kind="matrix",
        title="导出",
        state=JobState.RUNNING,
        result_file=stored.name,
        result_name="export.csv",
        result_type="text/csv",
        result_expires_at=timezone.now() + datetime.timedelta(days=1),
    )


def _roster_check(owner: User) -> Any:
    """A finished check of a roster file by `owner` (one new customer, no wrong row): its
    preview can be confirmed."""
    from kehu.customers.roster.services import start_check
    from kehu.customers.tests.roster_files import org_row, xlsx
    from kehu.generic.jobs import run_job

    sale = OrgUnit.objects.get(code="SALE")
    job = start_check(owner, sale, "roster.xlsx", xlsx([org_row(9401)]), False)
    assert run_job(job.pk) == "succeeded", job.pk
    job.refresh_from_db()
    assert job.summary["counts"]["new"] == 1 and not job.summary["counts"]["error"]
    return job


def _credit_override(customer: Any, by: User) -> Any:
    from kehu.credit import services as credit
    from kehu.credit.exposure import account_for

    until = timezone.localdate() + datetime.timedelta(days=5)
    return credit.override_grant(account_for(customer), reason="回款承诺", until=until, by=by)


def _limit_request(demo: dict[str, User]) -> Any:
    """A pending limit request of manager1's for a further active SALE customer."""
    from decimal import Decimal

    from kehu.credit import limits

    customer = _active(demo["manager1"], demo).customer
    data = {"kind": "new", "limit_amount": Decimal("300000"), "payment_days": 30,
            "reason": "新客户首次授信"}  # fmt: skip
    return limits.limit_request_create(customer, data, by=demo["manager1"])


def _credit_application(demo: dict[str, User]) -> Any:
    """A credit application of manager1's for a further active SALE customer."""
    from decimal import Decimal

    from kehu.credit import applications

    customer = _active(demo["manager1"], demo).customer
    data = {"requested_limit": Decimal("300000"), "payment_days": 30, "reason": "首次授信"}
    return applications.application_create(customer, data, by=demo["manager1"])


def _related_party(demo: dict[str, User]) -> Any:
    from kehu.credit import investigation

    application = _credit_application(demo)
    data = {"relation": "guarantor", "name": "担保人甲"}
    return investigation.related_party_add(application, data, by=demo["credit"])


def _site_visit(demo: dict[str, User]) -> Any:
    """An application with its site visit recorded (the URLs name the application)."""
    from kehu.credit import investigation
    from kehu.credit.tests.test_investigation import VISIT

    application = _credit_application(demo)
    investigation.site_visit_save(application, VISIT, by=demo["credit"])
    return application


def _problem_report(customer: Any, by: User) -> Any:
    from decimal import Decimal

    from kehu.credit import postcredit

    data = {"kind": "abnormal", "amount": Decimal("1000"), "description": "付款方不符",
            "measures": "核实"}  # fmt: skip
    return postcredit.problem_report_create(customer, data, by=by)


def _statement(customer: Any, by: User) -> Any:
    from kehu.credit import statements
    from kehu.credit.tests.test_statements import YEAR

    return statements.statement_create(customer, YEAR, by=by)


def _follow_up(customer: Any, by: User) -> Any:
    from kehu.credit import postcredit

    data = {"kind": "call", "happened_on": datetime.date(2026, 10, 31), "summary": "对账"}
    return postcredit.follow_up_record(customer, data, by=by)


def _rating_grade() -> Any:
    from kehu.credit.models import RatingGrade

    return RatingGrade.objects.get(code="AA")


def _account_statement(customer: Any, by: User) -> Any:
    from kehu.credit import postcredit

    upload = SimpleUploadedFile("对账单.pdf", samples.pdf(), content_type="application/pdf")
    data = {"as_of": datetime.date(2026, 10, 31), "balance": 1000, "status": "sent"}
    return postcredit.account_statement_record(customer, data, upload, by=by)


def _failed_mail(user: Any) -> Any:
    from django.utils import timezone

    from kehu.ops.models import Outbox

    return Outbox.objects.create(
        to=user.email, subject="提醒", body="正文", status="failed", next_try_at=timezone.now()
    )


def _failed_robot_message() -> tuple[Any, Any]:
    from django.utils import timezone

    from kehu.ops.models import RobotMessage
    from kehu.ops.robots import robot_create

    robot = robot_create(
        {
            "name": "矩阵测试群",
            "platform": "wecom",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix-key",
        }
    )
    message = RobotMessage.objects.create(
        robot=robot,
        kind="ops.robot-test",
        title="提醒",
        status="failed",
        next_try_at=timezone.now(),
    )
    return robot, message


def _failed_webhook_delivery() -> tuple[Any, Any]:
    import uuid

    from django.utils import timezone

    from kehu.ops.models import WebhookDelivery
    from kehu.ops.webhooks import subscriber_create

    subscriber = subscriber_create(
        {
            "name": "矩阵测试订阅方",
            "url": "https://erp.example.cn/hooks?key=matrix",
            "secret": "matrix-secret-0123456789",
            "events": ["customer.activated"],
        }
    )
    delivery = WebhookDelivery.objects.create(
        subscriber=subscriber,
        event="customer.activated",
        event_id=uuid.uuid4(),
        payload={},
        status="failed",
        next_try_at=timezone.now(),
    )
    return subscriber, delivery


def _update_links(customer: Any, contact: Any, owner: Any) -> dict[str, Any]:
    """An open link of the customer, and a file sent through another one."""
    from kehu.selfservice import services as selfservice
    from kehu.selfservice.models import SubmittedFile

    link, _token = selfservice.link_create(customer, by=owner, channel="qr")
    _used, token = selfservice.link_create(customer, by=owner, channel="qr")
    licence = DocumentType.objects.get(code="business_licence")
    upload = SimpleUploadedFile("licence.pdf", samples.pdf(), content_type="application/pdf")
    selfservice.submit(
        token,
        values={},
        uploads=[selfservice.Upload(licence, upload)],
        declared_name="联系人",
    )
    return {"updatelink": link, "submittedfile": SubmittedFile.objects.latest("pk")}


# Rule kinds naming an object of another kind: in the URL in another way, or in the body only.
IN_BODY = {"customer_body": "customer", "transfer_body": "transfer"}
OBJECT_OF = {
    "letter": "customer",
    "reveal": "contact",
    "reveal_api": "contact",
    "person_api": "contact",
    "filing_act": "filing",
    **IN_BODY,
}


def url_for(key: str, route: str, rule: Rule, obj: Any) -> str:
    """The URL of pattern `key` naming `obj`."""
    kwargs: dict[str, Any] = {}
    if key == "core:dashboard_panel":
        kwargs = {"slug": "workflow"}
    elif rule.kind == "flag":
        customer = obj.first
        kwargs = {"pk": customer.pk, "flag_pk": obj.pk}
        obj = customer
    elif rule.kind == "assignment":
        kwargs = {"pk": obj.user_id, "assignment_pk": obj.pk}
    elif rule.kind == "customer_pk":
        kwargs = {"customer_pk": obj.pk}
    elif rule.kind == "person_api":
        return reverse(key) + f"?object_type=customers.contact&object_id={obj.pk}"
    elif rule.kind == "person":
        kwargs = {"label": "customers.contact", "pk": obj.pk}
    elif rule.kind == "reveal":
        kwargs = {"label": "customers.contact", "pk": obj.pk, "field": "mobile"}
    elif rule.kind == "event":
        kwargs = {"seq": obj.seq}
    elif rule.kind == "filing_act":
        kwargs = {"pk": obj.pk, "action": "supplement"}
    elif rule.kind == "letter":
        kwargs = {"pk": obj.pk, "template_pk": ReplyTemplate.objects.get().pk}
    elif rule.kind == "statisticsreport":
        kwargs = {"pk": obj.pk, "kind": "pdf"}
    elif rule.kind not in (None, "reveal_api", *IN_BODY):
        kwargs = {"pk": obj.pk}
    if "/" not in key:  # a named pattern
        return reverse(key, kwargs=kwargs or None)
    url = "/" + route
    for name, value in kwargs.items():
        url = url.replace(f"<int:{name}>", str(value))
    return url


def answer(
    client: Client, method: str, url: str, body: dict[str, Any], probe: Callable[[], bool] | None
) -> int:
    """The answer's status; with a probe, 200 when the action took effect, else 403."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "PUT":
            response = client.put(url, body, content_type="application/json")
        elif url.startswith("/api/"):
            response = client.post(url, body, content_type="application/json")
        else:
            response = client.post(url, body)
        status = response.status_code
        if probe is not None and status < 500:
            status = 200 if probe() else 403
        transaction.set_rollback(True)
    return status


def targets(rule: Rule, world: dict[str, Any]) -> list[tuple[str, Any, frozenset[str]]]:
    """(object name, object, allowed users) to check for a rule."""
    if rule.kind is None:
        return [("-", None, frozenset(rule.expect))]
    if isinstance(rule.expect, dict):
        kind = OBJECT_OF.get(rule.kind, rule.kind)
        return [(k, world["objects"][k][kind], v) for k, v in rule.expect.items()]
    return [("-", world["shared"][rule.kind], frozenset(rule.expect))]


def test_the_matrix(world: dict[str, Any], client_for: Callable[[str], Client]) -> None:

    clients = {name: client_for(name) for name in USERS}
    api_clients = {
        name: Client(
            HTTP_AUTHORIZATION=f"Bearer {create_token(User.objects.get(username=name), 't')[1]}"
        )
        for name in USERS
    }
    wrong: list[str] = []
    checked = 0
    for key, route in url_patterns():
        for rule in RULES.get(key, []):
            if rule.public:
                continue
            for label, obj, allowed in targets(rule, world):
                url = url_for(key, route, rule, obj)
                body = rule.body(obj) if rule.body else {}
                effect = rule.took_effect
                probe = (lambda o=obj, f=effect: f(o)) if effect else None
                for name in USERS:
                    client = api_clients[name] if url.startswith("/api/") else clients[name]
                    status = answer(client, rule.method, url, body, probe)
                    checked += 1
                    denied = status in (403, 404)
                    if status >= 500 or denied == (name in allowed):
                        wrong.append(
                            f"{rule.method} {url} ({key}, {label}) as {name}: {status}, "
                            f"expected {'allow' if name in allowed else 'deny'}"
                        )
    assert not wrong, f"{len(wrong)} of {checked} answers differ:\n" + "\n".join(wrong)


def test_a_user_without_roles_is_denied(demo: dict[str, User]) -> None:
    """The baseline for every URL, the pending ones included: a signed-in user holding no
    role may open only the pages everybody may open (home, tasks, notifications, …)."""

    nobody = User.objects.create_user(
        username="norole", password="x", unit=OrgUnit.objects.get(code="SALE")
    )
    client = Client()
    client.force_login(nobody)
    create_token(demo["manager1"], "t")  # so that token 1 is someone else's, not their own
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(nobody, 't')[1]}")
    open_to_all = {
        key
        for key, rules in RULES.items()
        if any(r.public or (r.kind is None and frozenset(r.expect) == EVERYONE) for r in rules)
    }
    # Lists of the user's own requests, open to everybody (an empty list without a role).
    own_lists = {"api/v1/loans/", "api/v1/destructions/", "archives:loans"}
    wrong = []
    for key, route in url_patterns():
        if key in open_to_all:
            continue
        url = "/" + route
        for name in ("pk", "customer_pk", "flag_pk", "assignment_pk"):
            url = url.replace(f"<int:{name}>", "1")
        url = url.replace("<str:label>", "customers.customer").replace("<str:field>", "phone")
        if "<" in url:
            continue
        chosen = api if url.startswith("/api/") else client
        for method in ("get", "post"):
            with transaction.atomic():
                response = getattr(chosen, method)(url)
                transaction.set_rollback(True)
            status = response.status_code
            # An empty POST may also be refused as invalid (400): nothing is done either way.
            refused = {403, 404, 405} | ({400} if method == "post" else set())
            if key in own_lists and status in (200, 400):
                if url.startswith("/api/") and method == "get":
                    assert response.json() == [], url
                continue
            if status not in refused:
                wrong.append(f"{method.upper()} {url} ({key}): {status}")
    assert not wrong, "\n".join(wrong)


# --- the read-only auditor ------------------------------------------------------------------

# The only writes a read-only user makes: their own session, password, second factor and
# language, and reveals (reads, audited with their reason). Any other route must refuse.
AUDITOR_OWN_WRITES = {
    "accounts:login": "signs in",
    "accounts:logout": "signs out",
    "accounts:second_factor": "passes their own second factor",
    "accounts:change_password": "changes their own password",
    "set_language": "chooses the interface language (a cookie)",
    "selfservice:page": "nothing: the public update link page (its token is the permission)",
    "core:notifications": "marks their own notifications read",
    "ops:reminder-settings": "chooses how their own reminders reach them",
    "api:reminder_settings": "chooses how their own reminders reach them",
    "privacy:reveal": "reveals a masked value: a read, audited with its reason",
    "api:reveal": "reveals a masked value: a read, audited with its reason",
    "privacy:purpose": "declares the purpose of use of their own session (audited)",
    "customers:package": "asks for a customer's dossier package: an export, as their own job",
    "tokens:mine": "creates their own API token (a credential, not data)",
    "tokens:revoke": "revokes their own API token",
    "api:tokens": "creates their own API token (a credential, not data)",
    "api:token_revoke": "revokes their own API token",
}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _fingerprint() -> dict[str, Any]:
    """Every table's row count, and the sum of its versions and latest change where it has
    them: any write shows (in one query)."""
    from django.apps import apps
    from django.db import connection

    quote = connection.ops.quote_name
    parts: dict[str, str] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        table = quote(meta.db_table)
        parts[f"{meta.db_table} rows"] = f"(SELECT COUNT(*) FROM {table})"
        columns = {f.column for f in meta.concrete_fields}
        for column, function in (("version", "SUM"), ("updated_at", "MAX")):
            if column in columns:
                parts[f"{meta.db_table}.{column}"] = (
                    f"(SELECT {function}({quote(column)}) FROM {table})"
                )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts.values()))
        return dict(zip(parts, cursor.fetchone(), strict=True))


def _write_as(client: Client, method: str, url: str, body: dict[str, Any]) -> tuple[int, list[str]]:
    """The answer's status, and what changed (rolled back afterwards)."""
    with transaction.atomic():
        before = _fingerprint()
        if url.startswith("/api/") or method != "POST":
            response = client.generic(
                method, url, json.dumps(body, default=str), content_type="application/json"
            )
        else:
            response = client.post(url, body)
        after = _fingerprint()
        transaction.set_rollback(True)
    return response.status_code, [name for name, value in after.items() if before[name] != value]


def test_the_auditor_writes_nothing(
    world: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    """Every POST/PUT/PATCH/DELETE route of the URL configuration (pages and API), tried as
    the read-only auditor on an object they may read, with the body that works for its
    rightful users: refused (403/404/405), and nothing changes. A route without a rule fails."""
    from kehu.api.services import create_token
    from kehu.core.models import SecurityPolicy

    SecurityPolicy.current()  # the settings row, created on first read: not a write to find
    auditor = User.objects.get(username="auditor")
    page = client_for("auditor")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(auditor, 't')[1]}")
    wrong: list[str] = []
    tried = 0
    for key, route in url_patterns():
        rules = RULES.get(key)
        if not rules:
            wrong.append(f"{route} ({key}): no rule")
            continue
        if key in AUDITOR_OWN_WRITES or is_list_search(key):
            continue  # a list's search is posted, to keep numbers out of URLs: a read
        rule = next((r for r in rules if r.method != "GET"), rules[0])
        _label, obj, _allowed = targets(rule, world)[0]
        url = url_for(key, route, rule, obj)
        body = rule.body(obj) if rule.body else {}
        for method in WRITE_METHODS:
            status, changed = _write_as(api if url.startswith("/api/") else page, method, url, body)
            tried += 1
            if status not in (403, 404, 405) or changed:
                wrong.append(f"{method} {url} ({key}): {status} {', '.join(changed)}".strip())
    assert tried > 400
    assert not wrong, f"{len(wrong)} of {tried} writes not refused to the auditor:\n" + "\n".join(
        wrong
    )
