"""A decision is chosen, never preselected: the review's per-item results, the approval's
decision and the due diligence's risk level and conclusion all start unchosen (the system's
own finding is shown beside an item, not filled in), and a step posted without an outcome is
refused with a clear message and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.core.models import User
from kehu.filing import selectors, services
from kehu.filing.forms import DecisionForm, ReviewForm, RiskReportForm
from kehu.filing.models import Filing, Stage
from kehu.filing.tests.conftest import ready_customer
from kehu.filing.tests.test_process import review, step
from kehu.workflow import services as workflow
from kehu.workflow.models import Step, StepStatus

pytestmark = pytest.mark.django_db


def selected_options(html: str, name_pattern: str) -> list[str]:
    """The values of the options marked `selected` in the <select>s whose name matches."""
    chosen = []
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        if re.fullmatch(name_pattern, select[1]):
            chosen += re.findall(r'<option value="([^"]*)"[^>]*selected', select[2])
    return chosen


def to_approval(filing: Filing, demo: dict[str, User]) -> Step:
    services.complete_collection(filing, step(filing, "collect"), by=demo["manager1"])
    review(filing, "initial_review", demo["manager1"])
    review(filing, "second_review", demo["compliance"])
    return step(filing, "approve")


def test_forms_start_without_a_chosen_outcome(demo: dict[str, User]) -> None:
    filing = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    items, suggestions = selectors.review_items(filing, "initial_review")
    assert suggestions  # the system found something for the items ...
    form = ReviewForm(items=items, suggestions=suggestions)
    for key, _label, result, _explanation, _suggestion in form.rows():
        assert result.value() in (None, ""), key  # ... and leaves the choice to the reviewer
        assert result.field.choices[0][0] == ""
    assert any(row[4] for row in form.rows())  # shown beside the item
    decision = DecisionForm(outcomes={"approved": "Approve", "rejected": "Reject"})
    assert decision["outcome"].value() in (None, "")
    report = RiskReportForm()
    assert report["risk_level"].value() in (None, "")
    assert report["conclusion"].value() in (None, "")


def test_pages_show_no_preselected_result_or_decision(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    filing = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    services.complete_collection(filing, step(filing, "collect"), by=demo["manager1"])
    html = client_for("manager1").get(f"/filings/{filing.pk}/").content.decode()
    assert 'id="review-form"' in html
    assert set(selected_options(html, r"result__.+")) == {""}  # only the empty choice
    assert "review-suggestion" in html

    review(filing, "initial_review", demo["manager1"])
    review(filing, "second_review", demo["compliance"])
    html = client_for("head_sale").get(f"/filings/{filing.pk}/").content.decode()
    assert 'id="decision-form"' in html
    assert set(selected_options(html, "outcome")) <= {""}


def test_a_review_without_results_is_refused_item_by_item(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    filing = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    services.complete_collection(filing, step(filing, "collect"), by=demo["manager1"])
    current = step(filing, "initial_review")
    response = client_for("manager1").post(
        f"/filings/{filing.pk}/review/", {"step": current.pk, "outcome": "passed"}
    )
    assert response.status_code == 400
    errors = response.context["review_form"].errors
    items, _suggestions = selectors.review_items(filing, "initial_review")
    assert set(errors) >= {f"result__{key}" for key, _label in items}
    assert Step.objects.get(pk=current.pk).status == StepStatus.OPEN


def test_a_decision_posted_without_an_outcome_is_refused(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    filing = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    approval = to_approval(filing, demo)
    head = client_for("head_sale")
    response = head.post(f"/filings/{filing.pk}/decide/", {"step": approval.pk, "comment": ""})
    assert response.status_code == 400
    assert response.context["decision_form"].errors["outcome"] == ["请选择审批意见。"]
    assert Step.objects.get(pk=approval.pk).status == StepStatus.OPEN
    assert Filing.objects.get(pk=filing.pk).stage == Stage.APPROVAL


def test_the_services_refuse_a_missing_outcome(demo: dict[str, User]) -> None:
    filing = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    services.complete_collection(filing, step(filing, "collect"), by=demo["manager1"])
    current = step(filing, "initial_review")
    items, _suggestions = selectors.review_items(filing, "initial_review")
    checks = [{"key": k, "label": label, "result": "ok"} for k, label in items]
    with pytest.raises(ValidationError, match="Choose an outcome"):
        services.submit_review(filing, current, by=demo["manager1"], checks=checks, outcome="")
    review(filing, "initial_review", demo["manager1"])
    review(filing, "second_review", demo["compliance"])
    approval = step(filing, "approve")
    with pytest.raises(ValidationError, match="Choose a decision"):
        services.filing_step_decide(
            filing, approval, by=demo["head_sale"], outcome="", comment="理由"
        )
    with pytest.raises(workflow.WorkflowError, match="Choose an outcome"):
        workflow.complete_step(approval, by=demo["head_sale"], outcome="")
    assert Step.objects.get(pk=approval.pk).status == StepStatus.OPEN
