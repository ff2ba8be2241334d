"""ARC-6: borrowing and viewing as a workflow case — approval by the right person (archivist
inside the department; the general manager or finance outside it; four-eyes), issue with a
due date by confidentiality, return check, renewal, overdue reminders and escalation with a
fixed clock, loss/damage reports, electronic viewing that ends by itself, the slip."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from kehu.api.services import create_token
from kehu.archives import loans
from kehu.archives.models import Dossier, Loan
from kehu.archives.selectors import visible_loans
from kehu.audit.models import AuditEvent
from kehu.core import calendar
from kehu.core.models import AccessGrant, Notification, OrgUnit, Role, User
from kehu.customers.models import Customer
from kehu.ops.reminders import run_reminders
from kehu.workflow import services as workflow
from kehu.workflow.models import ApproverRule, Step


@pytest.fixture
def dossier(make_active: Callable[..., Customer]) -> Dossier:
    return Dossier.objects.get(customer=make_active("manager1"))  # a SALE customer


def second_archivist(demo: dict[str, User]) -> User:
    """A certified archivist of BJ besides the demo's one."""
    from kehu.core import services

    today = timezone.localdate()
    user = services.create_user(
        {"username": "archivist2", "full_name": "钱琳", "unit": demo["archivist"].unit}
    )
    services.save_certification(
        user,
        {
            "education": "bachelor",
            "training_date": today - datetime.timedelta(days=60),
            "exam_date": today - datetime.timedelta(days=30),
            "certificate_no": "DA-2026-0002",
            "valid_until": today + datetime.timedelta(days=365),
        },
    )
    services.grant_role(user, Role.ARCHIVIST, OrgUnit.objects.get(code="BJ"))
    return user


def open_step(loan: Loan, key: str) -> Step:
    loan.refresh_from_db()
    assert loan.case is not None
    return loan.case.steps.get(key=key, status="open")


def complete(
    loan: Loan, key: str, user: User, outcome: str, comment: str = "", **data: object
) -> None:
    workflow.complete_step(
        open_step(loan, key), by=user, outcome=outcome, comment=comment, data=data or None
    )


@pytest.mark.django_db
def test_inside_the_department_the_archivist_approves_issues_and_checks_the_return(
    demo: dict[str, User], dossier: Dossier
) -> None:
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="核对合同", kind="physical"
    )
    again = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="核对合同", kind="physical"
    )
    assert again.pk == loan.pk  # a double submission is harmless
    step = open_step(loan, "approve")
    assert step.assignee_role == Role.ARCHIVIST
    with pytest.raises(PermissionDenied):
        workflow.complete_step(step, by=demo["gm"], outcome="approved")
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    loan.refresh_from_db()
    today = timezone.localdate()
    assert loan.status == "issued" and loan.issued_by == demo["archivist"]
    assert loan.due_date == calendar.next_working_day(today + datetime.timedelta(days=14))
    with pytest.raises(ValidationError):  # a second paper loan while the folder is out
        loans.request_loan(dossier=dossier, borrower=demo["manager2"], purpose="x", kind="physical")
    complete(loan, "return", demo["archivist"], "returned", complete=True, undamaged=True)
    loan.refresh_from_db()
    assert loan.status == "returned" and loan.return_complete and loan.return_undamaged
    assert loan.case is not None and loan.case.status == "closed"
    actions = set(
        AuditEvent.objects.filter(object_type="archives.loan").values_list("action", flat=True)
    )
    assert {
        "archives.loan.request",
        "archives.loan.decide",
        "archives.loan.issue",
        "archives.loan.return",
    } <= actions


@pytest.mark.django_db
def test_outside_the_department_the_general_manager_approves_never_the_requester(
    demo: dict[str, User], dossier: Dossier
) -> None:
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager3"], purpose="市场分析", kind="physical"
    )
    step = open_step(loan, "approve")
    assert step.assignee_role == Role.GENERAL_MANAGER
    for outsider in ("archivist", "manager3", "finance"):
        with pytest.raises(PermissionDenied):
            workflow.complete_step(step, by=demo[outsider], outcome="approved")
    complete(loan, "approve", demo["gm"], "rejected", comment="无业务需要")
    loan.refresh_from_db()
    assert loan.status == "rejected"
    assert Notification.objects.filter(user=demo["manager3"], title__contains="refused").exists()


@pytest.mark.django_db
def test_finance_approves_where_the_unit_says_so(demo: dict[str, User], dossier: Dossier) -> None:
    ApproverRule.objects.create(
        process=loans.PROCESS, unit=OrgUnit.objects.get(code="BJ"), role=Role.FINANCE, position=0
    )
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager3"], purpose="对账", kind="physical"
    )
    assert open_step(loan, "approve").assignee_role == Role.FINANCE
    # The case links the loan: its approver may open it (finance reads no other loan).
    page = f"/archives/loans/{loan.pk}/"
    finance = Client()
    finance.force_login(demo["finance"])
    assert finance.get(page).status_code == 200
    complete(loan, "approve", demo["finance"], "approved")
    loan.refresh_from_db()
    assert loan.status == "approved" and loan.approved_by == demo["finance"]
    assert finance.get(page).status_code == 200
    assert list(visible_loans(demo["finance"])) == [loan]
    other = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="复核", kind="physical"
    )
    assert finance.get(f"/archives/loans/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_confidential_files_are_lent_for_five_working_days(
    demo: dict[str, User], dossier: Dossier
) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(confidentiality="confidential")
    dossier.refresh_from_db()
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="审计", kind="physical"
    )
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    loan.refresh_from_db()
    assert loan.due_date == calendar.add_working_days(timezone.localdate(), 5)


@pytest.mark.django_db
def test_electronic_viewing_opens_read_only_and_ends_by_itself(
    demo: dict[str, User], dossier: Dossier, client_for: Callable[[str], Client]
) -> None:
    borrower = client_for("manager3")  # MKT: cannot see the SALE customer
    assert borrower.get(f"/dossiers/{dossier.pk}/").status_code == 403
    assert borrower.get(f"/customers/{dossier.customer_id}/").status_code == 404
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager3"], purpose="查阅", kind="electronic"
    )
    complete(loan, "approve", demo["gm"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    loan.refresh_from_db()
    assert loan.grant is not None and loan.case is not None and loan.case.status == "closed"
    assert borrower.get(f"/dossiers/{dossier.pk}/").status_code == 200
    assert borrower.get(f"/customers/{dossier.customer_id}/").status_code == 200
    assert borrower.get(f"/dossiers/{dossier.pk}/edit/").status_code in (403, 404)
    page = borrower.get(f"/archives/loans/{loan.pk}/").content.decode()
    assert 'id="open-dossier"' in page
    # Time passes: no job runs, the grant has simply ended.
    AccessGrant.objects.filter(pk=loan.grant_id or 0).update(
        until=timezone.now() - datetime.timedelta(seconds=1)
    )
    after = client_for("manager3")
    assert after.get(f"/customers/{dossier.customer_id}/").status_code == 404
    assert after.get(f"/dossiers/{dossier.pk}/").status_code in (403, 404)


@pytest.mark.django_db
def test_overdue_reminder_and_escalation_with_a_fixed_clock(
    demo: dict[str, User], dossier: Dossier
) -> None:
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="核对", kind="physical"
    )
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    loan.refresh_from_db()
    assert loan.due_date is not None
    assert run_reminders(loan.due_date, ["archives.loan"]) == {"archives.loan": 1}  # due today
    late = loan.due_date + datetime.timedelta(days=1)
    assert run_reminders(late, ["archives.loan"])["archives.loan"] >= 2  # borrower, archivists
    assert run_reminders(late, ["archives.loan"]) == {"archives.loan": 0}  # once
    mine = Notification.objects.filter(user=demo["manager1"], title__startswith="Overdue")
    assert mine.count() == 1
    assert Notification.objects.filter(user=demo["archivist"], title__startswith="Overdue").exists()
    much_later = calendar.add_working_days(loan.due_date, 3)
    assert run_reminders(much_later, ["archives.loan"])["archives.loan"] >= 2  # head and gm
    for head in ("head_sale", "gm"):
        assert Notification.objects.filter(user=demo[head], title__startswith="Escalated").exists()
    assert AuditEvent.objects.filter(action="archives.loan.escalate").count() == 1
    # A renewal approved by another archivist moves the due date and restarts the reminders.
    loans.request_renewal(loan, by=demo["manager1"], reason="合同仍在核对")
    with pytest.raises(PermissionDenied):  # four-eyes: the borrower cannot approve it
        workflow.complete_step(open_step(loan, "renew"), by=demo["manager1"], outcome="approved")
    complete(loan, "renew", second_archivist(demo), "approved")
    loan.refresh_from_db()
    assert loan.renewals == 1 and loan.due_date > timezone.localdate()
    assert loan.overdue_reminded_on is None and loan.escalated_on is None


@pytest.mark.django_db
def test_the_archivist_who_approved_a_loan_does_not_approve_its_renewal(
    demo: dict[str, User], dossier: Dossier
) -> None:
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="核对", kind="physical"
    )
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    loan.refresh_from_db()
    due = loan.due_date
    loans.request_renewal(loan, by=demo["manager1"], reason="合同仍在核对")
    with pytest.raises(PermissionDenied):
        complete(loan, "renew", demo["archivist"], "approved")
    loan.refresh_from_db()
    assert loan.renewals == 0 and loan.due_date == due
    assert open_step(loan, "renew").status == "open"
    # Another archivist decides it.
    complete(loan, "renew", second_archivist(demo), "approved")
    loan.refresh_from_db()
    assert loan.renewals == 1


@pytest.mark.django_db
def test_loss_report_and_damaged_return(
    demo: dict[str, User], dossier: Dossier, client_for: Callable[[str], Client]
) -> None:
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="核对", kind="physical"
    )
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    with pytest.raises(ValidationError):  # a damaged return needs a note
        complete(loan, "return", demo["archivist"], "returned", complete=True, undamaged=False)
    complete(
        loan,
        "return",
        demo["archivist"],
        "returned",
        comment="第3页撕损",
        complete=True,
        undamaged=False,
    )
    loan.refresh_from_db()
    assert loan.incident_kind == "damage" and "撕损" in loan.incident_report
    assert Notification.objects.filter(user=demo["gm"], title__contains="damage").exists()

    other = loans.request_loan(
        dossier=dossier, borrower=demo["manager2"], purpose="核对", kind="physical"
    )
    complete(other, "approve", demo["archivist"], "approved")
    complete(other, "issue", demo["archivist"], "issued")
    client = client_for("manager2")
    response = client.post(
        f"/archives/loans/{other.pk}/",
        {
            "action": "incident",
            "incident-kind": "loss",
            "incident-report": "出差途中遗失档案袋，已报告部门经理。",
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "lost"
    slip = client.get(f"/archives/loans/{other.pk}/slip.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.content)).pages)
    assert dossier.archive_number in text.replace("\n", "")


@pytest.mark.django_db
def test_request_page_and_tasks_api(
    demo: dict[str, User], dossier: Dossier, client_for: Callable[[str], Client]
) -> None:
    client = client_for("manager3")
    bad = client.post(
        "/archives/loans/request/",
        {"archive_number": "NO-SUCH", "kind": "physical", "purpose": "x"},
    )
    assert bad.status_code == 400 and "archive_number" in bad.context["form"].errors
    response = client.post(
        "/archives/loans/request/",
        {"archive_number": dossier.archive_number, "kind": "physical", "purpose": "分析"},
    )
    assert response.status_code == 302
    loan = Loan.objects.get()
    step = open_step(loan, "approve")
    token = create_token(demo["gm"], "t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    tasks = api.get("/api/v1/tasks/").json()
    ids = [t["id"] for t in (tasks["results"] if isinstance(tasks, dict) else tasks)]
    assert step.pk in ids
    done = api.post(
        f"/api/v1/tasks/{step.pk}/complete/",
        {"outcome": "approved"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    loan.refresh_from_db()
    assert loan.status == "approved"
    assert client_for("manager4").get(f"/archives/loans/{loan.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_return_check_through_the_api_needs_both_answers(
    demo: dict[str, User], dossier: Dossier, api_for: Callable[[str], Client]
) -> None:
    """`{}` is no answer: it is refused, not filed as a damage report (both answers read as
    "no")."""
    loan = loans.request_loan(
        dossier=dossier, borrower=demo["manager1"], purpose="核对", kind="physical"
    )
    complete(loan, "approve", demo["archivist"], "approved")
    complete(loan, "issue", demo["archivist"], "issued")
    step = open_step(loan, "return")
    api = api_for("archivist")
    url = f"/api/v1/tasks/{step.pk}/complete/"
    refused = api.post(url, {"outcome": "returned", "data": {}}, content_type="application/json")
    assert refused.status_code == 400
    assert set(refused.json()["data"]) == {"complete", "undamaged"}
    loan.refresh_from_db()
    assert loan.status == "issued" and not loan.incident_kind
    assert open_step(loan, "return").pk == step.pk
    done = api.post(
        url,
        {"outcome": "returned", "data": {"complete": True, "undamaged": True}},
        content_type="application/json",
    )
    assert done.status_code == 200
    loan.refresh_from_db()
    assert loan.status == "returned" and loan.return_undamaged and not loan.incident_kind
