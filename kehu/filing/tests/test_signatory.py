"""FIL-9: the power of attorney is required only when somebody other than the legal
representative signs; the initial review records the check of the legal representative's
ID original (who, when), shown on the filing and printed on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kehu.core.models import User
from kehu.filing import checklist, selectors, services
from kehu.filing.models import Filing
from kehu.filing.tests.conftest import ready_customer
from kehu.filing.tests.test_process import review, step
from kehu.generic.services import StaleEditError
from kehu.workflow.services import WorkflowError

pytestmark = pytest.mark.django_db
POWER = "doc:power_of_attorney"


def test_power_of_attorney_only_when_an_agent_signs(demo: dict[str, User]) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    keys = {e.key for e in checklist.evaluate(filing.customer, filing=filing)}
    assert POWER not in keys  # the legal representative signs by default
    with pytest.raises(ValidationError) as nameless:
        services.filing_set_signatory(
            filing, by=manager, legal_rep=False, name=" ", expected_version=filing.version
        )
    assert "signatory_name" in nameless.value.message_dict
    filing = services.filing_set_signatory(
        filing, by=manager, legal_rep=False, name="钱七", expected_version=filing.version
    )
    assert filing.signatory_name == "钱七" and not filing.signatory_is_legal_rep
    missing = {e.key for e in checklist.missing(checklist.evaluate(filing.customer, filing=filing))}
    assert missing == {POWER}
    with pytest.raises(WorkflowError, match="Still missing"):
        services.complete_collection(filing, step(filing, "collect"), by=manager)
    with pytest.raises(StaleEditError):  # an edit made on an old page
        services.filing_set_signatory(
            filing, by=manager, legal_rep=True, name="", expected_version=filing.version - 1
        )
    with pytest.raises(PermissionDenied):  # another department's account manager
        services.filing_set_signatory(
            filing, by=demo["manager4"], legal_rep=True, name="", expected_version=None
        )
    filing = services.filing_set_signatory(
        filing, by=manager, legal_rep=True, name="ignored", expected_version=filing.version
    )
    assert filing.signatory_name == ""
    services.complete_collection(filing, step(filing, "collect"), by=manager)


def test_the_id_original_check_is_recorded_by_the_reviewer(
    demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    items, _initial = selectors.review_items(filing, "initial_review")
    assert selectors.ID_ORIGINAL in {key for key, _label in items}
    review(filing, "initial_review", manager)
    filing = Filing.objects.get(pk=filing.pk)
    check = selectors.id_original_check(list(filing.checks.all()))
    assert check is not None and check.checked_by == manager and check.checked_at is not None
    page = client_for("manager1").get(reverse("filing:detail", args=[filing.pk]))
    assert 'id="id-original-check"' in page.content.decode()
    assert manager.full_name in page.content.decode()
    printed = client_for("manager1").get(reverse("filing:pdf", args=[filing.pk]))
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")


def test_signatory_through_the_page_and_the_api(
    demo: dict[str, User], client_for: Callable[..., Any]
) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    client = client_for("manager1")
    url = reverse("filing:signatory", args=[filing.pk])
    data = {"signatory": "agent", "signatory_name": "孙八", "version": filing.version}
    assert client.post(url, data).status_code == 302
    filing.refresh_from_db()
    assert filing.signatory_name == "孙八"
    api = f"/api/v1/filings/{filing.pk}/signatory/"
    body = {"signatory_is_legal_rep": True, "version": filing.version}
    outsider = client_for("manager4").post(api, body, content_type="application/json")
    assert outsider.status_code == 404
    done = client.post(api, body, content_type="application/json")
    assert done.status_code == 200 and done.json()["signatory_is_legal_rep"] is True
    stale = client.post(api, body, content_type="application/json")
    assert stale.status_code == 409
