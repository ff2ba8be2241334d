"""The edit pages: the rating scale (administrators; a grade's code fixed), a financial
statement's correction (the same checks as its entry) and a call record's; each audited with
its changes and refused after somebody else's save (optimistic locking)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.credit import postcredit, statements
from kehu.credit.models import FinancialStatement, FollowUp, RatingGrade
from kehu.credit.tests.test_statements import YEAR
from kehu.customers.models import Customer


def form_of(statement: FinancialStatement, **changes: Any) -> dict[str, Any]:
    data = {k: "" if v is None else str(v) for k, v in statements.form_initial(statement).items()}
    return {**data, **{k: str(v) for k, v in changes.items()}}


@pytest.mark.django_db
def test_rating_scale(client_for: Callable[..., Client]) -> None:
    admin = client_for("admin")
    page = admin.get("/credit/rating-scale/")
    assert page.status_code == 200 and b'data-grade="AAA"' in page.content
    refused = admin.post("/credit/rating-scale/", {"code": "AA", "label": "", "position": "3"})
    assert refused.status_code == 400
    assert {"code", "label", "review_months"} <= set(refused.context["form"].errors)
    new = {"code": "b+", "label": "较好", "position": "7", "review_months": "6"}
    done = admin.post("/credit/rating-scale/", new)
    assert done.status_code == 302 and RatingGrade.objects.filter(code="B+").exists()

    grade = RatingGrade.objects.get(code="AA")
    form = {"code": "ZZ", "label": "优良", "position": str(grade.position), "review_months": "9"}
    changed = admin.post(f"/credit/rating-scale/{grade.pk}/", {**form, "version": grade.version})
    assert changed.status_code == 302
    grade.refresh_from_db()
    assert (grade.code, grade.label, grade.review_months) == ("AA", "优良", 9)  # code kept
    stale = admin.post(f"/credit/rating-scale/{grade.pk}/", {**form, "version": grade.version - 1})
    assert stale.status_code == 400 and "他人已修改此记录" in stale.content.decode()
    event = AuditEvent.objects.filter(action="credit.ratinggrade.change").get()
    assert set(event.changes) == {"label", "review_months"}
    for user in ("credit", "manager1"):
        assert client_for(user).get("/credit/rating-scale/").status_code == 403


@pytest.mark.django_db
def test_statement_edit(
    demo: dict[str, User], client_for: Callable[..., Client], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    statement = statements.statement_create(customer, YEAR, by=demo["credit"])
    credit = client_for("credit")
    url = f"/credit/statements/{statement.pk}/edit/"
    assert credit.get(url).status_code == 200
    unbalanced = credit.post(url, form_of(statement, equity="700000"))
    assert unbalanced.status_code == 400 and "100,000.00" in unbalanced.content.decode()
    done = credit.post(url, form_of(statement, cash="150000", current_assets="850000",
                                    total_assets="2050000", equity="850000"))  # fmt: skip
    assert done.status_code == 302
    statement.refresh_from_db()
    assert statement.version == 2 and statement.equity == Decimal("850000.00")
    assert credit.post(url, {**form_of(statement), "version": "1"}).status_code == 400
    event = AuditEvent.objects.get(action="credit.statement.change")
    assert set(event.changes) == {"cash", "current_assets", "total_assets", "equity"}
    # Finance enters statements but does not correct them; other departments see nothing.
    assert client_for("finance").get(url).status_code == 403
    assert client_for("manager1").get(url).status_code == 403


@pytest.mark.django_db
def test_follow_up_edit(
    demo: dict[str, User], client_for: Callable[..., Client], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    today = datetime.date.today()
    follow_up = postcredit.follow_up_record(
        customer, {"kind": "call", "happened_on": today, "summary": "对账"}, by=demo["manager1"]
    )
    credit = client_for("credit")
    url = f"/credit/follow-ups/{follow_up.pk}/edit/"
    page = credit.get(f"/credit/customers/{customer.pk}/post-credit/")
    assert f'data-edit-followup="{follow_up.pk}"'.encode() in page.content
    form = {"kind": "collection", "happened_on": today.isoformat(), "summary": "催收到期款",
            "version": "1"}  # fmt: skip
    assert credit.post(url, {**form, "summary": " "}).status_code == 400
    assert credit.post(url, form).status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.summary, follow_up.version) == ("collection", "催收到期款", 2)
    assert credit.post(url, form).status_code == 400  # version 1 is gone
    assert AuditEvent.objects.filter(action="credit.followup.change").count() == 1
    assert client_for("manager1").get(url).status_code == 403
