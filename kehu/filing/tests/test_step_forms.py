"""A filing's reviews and decisions are done with their own forms, on the filing page: the
generic case page and the tasks API cannot skip them, an approver sees what the reviews
recorded (and what they did not), and nobody reviews and then approves the same filing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.core.models import OrgUnit, Role, User
from kehu.core.services import grant_role
from kehu.filing import services
from kehu.filing.models import Filing, ItemCheck, Review, Stage
from kehu.filing.tests.conftest import passing_checks, ready_customer
from kehu.workflow.models import Step, StepStatus

pytestmark = pytest.mark.django_db


def _at_second_review(demo: dict[str, User]) -> Filing:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    assert filing.case is not None
    services.complete_collection(filing, filing.case.steps.get(key="collect"), by=manager)
    services.submit_review(
        filing, filing.case.steps.get(key="initial_review"), by=manager, outcome="passed",
        checks=passing_checks(filing, "initial_review"),
    )  # fmt: skip
    return filing


def _step(filing: Filing, key: str) -> Step:
    assert filing.case is not None
    return filing.case.steps.filter(key=key).order_by("-pk")[0]


def _second_review(filing: Filing, by: User) -> None:
    services.submit_review(
        filing, _step(filing, "second_review"), by=by, outcome="passed",
        checks=passing_checks(filing, "second_review"),
    )  # fmt: skip


def test_the_second_review_cannot_be_skipped_through_the_case_page(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    filing = _at_second_review(demo)
    second = _step(filing, "second_review")
    compliance = client_for("compliance")
    prefix = f"s{second.pk}"
    compliance.post(
        f"/steps/{second.pk}/complete/",
        {f"{prefix}-outcome": "passed", f"{prefix}-comment": "", f"{prefix}-version": 1},
    )
    second.refresh_from_db()
    assert second.status == StepStatus.OPEN
    assert Filing.objects.get(pk=filing.pk).stage == Stage.SECOND_REVIEW
    assert not ItemCheck.objects.filter(filing=filing, review=Review.SECOND).exists()
    # The case page links to the filing page instead of offering a generic form.
    page = compliance.get(f"/cases/{filing.case_id}/").content.decode()
    assert f'action="/steps/{second.pk}/complete/"' not in page
    assert f'class="btn btn-primary step-own-form" href="/filings/{filing.pk}/"' in page


def test_the_second_review_cannot_be_skipped_through_the_api(
    demo: dict[str, User], api_for: Callable[[str], Client]
) -> None:
    filing = _at_second_review(demo)
    second = _step(filing, "second_review")
    answer = api_for("compliance").post(
        f"/api/v1/tasks/{second.pk}/complete/",
        {"outcome": "passed"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["form_url"] == f"/filings/{filing.pk}/"
    second.refresh_from_db()
    assert second.status == StepStatus.OPEN
    assert Filing.objects.get(pk=filing.pk).stage == Stage.SECOND_REVIEW
    # Done with its own form, the review records its checks and the filing moves on.
    _second_review(filing, demo["compliance"])
    assert Filing.objects.get(pk=filing.pk).stage == Stage.APPROVAL
    assert ItemCheck.objects.filter(filing=filing, review=Review.SECOND).count() == 3


def test_a_review_without_a_verdict_for_every_item_is_refused(demo: dict[str, User]) -> None:
    filing = _at_second_review(demo)
    partial = passing_checks(filing, "second_review")[:2]  # the contract terms left out
    with pytest.raises(ValidationError):
        services.submit_review(
            filing, _step(filing, "second_review"), by=demo["compliance"], outcome="passed",
            checks=partial,
        )  # fmt: skip
    assert _step(filing, "second_review").status == StepStatus.OPEN


def test_the_approver_sees_the_recorded_checks_and_a_warning_for_a_missing_one(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    filing = _at_second_review(demo)
    _second_review(filing, demo["compliance"])
    head = client_for("head_sale")
    page = head.get(f"/filings/{filing.pk}/").content.decode()
    summary = page.split('id="review-summary"')[1]
    assert 'data-check="licence"' in summary and 'data-check="contract_terms"' in summary
    assert "missing-checks" not in summary
    # A second review recorded without its contract check (as the case page allowed).
    ItemCheck.objects.filter(filing=filing, review=Review.SECOND, key="contract_terms").delete()
    for url in (f"/filings/{filing.pk}/", f"/cases/{filing.case_id}/"):
        summary = head.get(url).content.decode().split('id="review-summary"')[1]
        assert 'data-check="contract_terms"' not in summary
        assert 'class="alert alert-danger missing-checks"' in summary


def test_the_second_reviewer_cannot_approve_the_same_filing(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """Compliance also holds the department head's role: it reviews, somebody else approves."""
    grant_role(demo["compliance"], Role.DEPARTMENT_HEAD, OrgUnit.objects.get(code="SALE"))
    filing = _at_second_review(demo)
    _second_review(filing, demo["compliance"])
    approve = _step(filing, "approve")
    assert approve.assignee_role == Role.DEPARTMENT_HEAD
    compliance = client_for("compliance")
    compliance.post(
        f"/filings/{filing.pk}/decide/", {"step": approve.pk, "outcome": "approved", "comment": ""}
    )
    approve.refresh_from_db()
    assert approve.status == StepStatus.OPEN
    tasks = compliance.get("/tasks/").content.decode()
    assert filing.number in tasks.split('id="held-back-tasks"')[1]
    page = compliance.get(f"/filings/{filing.pk}/").content.decode()
    assert 'id="decision-form"' not in page and 'id="step-refusal"' in page
    client_for("head_sale").post(
        f"/filings/{filing.pk}/decide/", {"step": approve.pk, "outcome": "approved", "comment": ""}
    )
    approve.refresh_from_db()
    assert approve.status == StepStatus.DONE and approve.completed_by == demo["head_sale"]
